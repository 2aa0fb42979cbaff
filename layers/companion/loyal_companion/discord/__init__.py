"""Discord: request verification, interaction payloads, command specs and the REST client."""
