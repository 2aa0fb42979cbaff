"""The local stack: what lets a newcomer run everything with no AWS, no Discord and no database server."""
