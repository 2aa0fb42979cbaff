"""Services: what the worker does for each command, each owning its transactions."""
