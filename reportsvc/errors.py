"""The base of every error whose message is meant for the user (Vietnamese, one line)."""


class UserError(Exception):
    """An error the CLI and web show as one clear line instead of a traceback."""

    exit_code = 2


class NotFound(UserError):
    """A unit, plan, report or other record that does not exist."""
