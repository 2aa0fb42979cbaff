"""Exceptions the package raises on purpose, so callers can map them without matching message text."""


class CompanionError(Exception):
    """Base class for every error this package raises deliberately."""


class ConfigError(CompanionError):
    """A setting is missing or malformed. The message names the setting, never its value."""

    def __init__(self, setting: str, problem: str) -> None:
        self.setting = setting
        self.problem = problem
        super().__init__(f"{setting}: {problem}")
