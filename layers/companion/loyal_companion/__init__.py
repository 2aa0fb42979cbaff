"""Loyal Companion: a Discord companion that remembers, feels and reaches out, run serverless."""

__version__ = "0.1.0"
