"""Memory: how the companion learns what people tell it and recalls what matters. Open this first.

- ``rules``: what a fact is and who it is about (``Candidate``, ``Entity``, ``tie_subject``), facts that
  are passing moments or standing wishes, a message as a query (``query_for``), facts shown with their
  dates in words (``fact_line``) and told back (``second_person``), a model's proposals checked
  (``candidates_from_model``). Pure: no database, no model, no clock.
- ``concepts``: everyday concepts, the words people use for the same part of a life (a query's kin).
- ``extract``: the offline reading of one message in its conversation (no model).
- ``told``: what /memory remember is told, made into a fact (a pasted "Mara: I went…" is about Mara).
- ``learn``: learning. The statement that writes a reading (``LEARN_CTES``: no duplicates, updates and
  contradictions retire what they replace, names become entities), the model's window reads
  (``learn_window``, every few turns and when a conversation ends, ``learn_ended``), and
  ``remember`` (/memory remember).
- ``episodes``: when a conversation ends, a model's dated lines of what happened in it (``summarise_ended``).
- ``recall``: the statement that finds the facts for a message through indexes (``RECALL_CTES``: BM25 over
  per-person postings by concept, closeness in meaning added when configured, associated facts pulled along),
  what may reach the prompt (``for_prompt``) and how it is shown (``prompt_lines``).

The turn (``service.chat``) runs recall beside its conversation window in one statement
(``db.turns.load_window_and_facts``) and writes what the offline reading learned inside its one effects
statement (``db.living.apply_turn_effects``); with a model it hands the window read to the worker, which
runs it after the reply is delivered. The schema is migration 0009: user_facts' subject, dates and search
vector, user_fact_terms (postings kept by triggers), user_memory_stats, user_entities.
"""
