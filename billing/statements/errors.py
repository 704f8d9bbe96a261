"""The one error a statement upload can end in: a message for the person who uploaded it."""


class StatementError(ValueError):
    """The file cannot be read as a statement (wrong columns, empty, too big, not a
    statement, another account's). `str(error)` is a translated sentence to show."""
