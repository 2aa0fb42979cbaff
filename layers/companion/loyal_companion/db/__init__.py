"""Data access: engine, models, repositories and the unit of work."""
