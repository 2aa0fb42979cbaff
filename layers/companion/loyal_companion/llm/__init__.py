"""The language model: client, prompts, token budget, and the offline responder."""
