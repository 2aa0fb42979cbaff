"""Scheduled work: the proactive run (and migrations, run as a deploy step)."""
