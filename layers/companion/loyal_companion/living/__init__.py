"""The living mind: mood, relationships, facts, opinions, style and proactive rules.

Pure code: no database, no network, no Powertools; the clock is always passed in.
"""
