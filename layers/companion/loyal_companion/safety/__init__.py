"""Safety: noticing when a person may not be all right, pointing them to help, and being honest that the
companion is an AI. One home for it, used by the interactions endpoint and the worker.

``detect`` reads a text (no model, no network); ``lines`` holds the crisis lines; ``messages`` what the
person sees; ``means`` checks a reply for methods or means before it is shown; ``moderation`` adds the
model server's moderation endpoint where there is one (worker only).
"""
