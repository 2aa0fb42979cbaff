"""Scheduled work: mood decay and proactive events."""
