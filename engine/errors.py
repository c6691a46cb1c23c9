"""The base of every error the engine raises on purpose.

Each package keeps its own error type (:class:`engine.io.FileFormatError`,
:class:`engine.score.EditError`, :class:`engine.plugins.PluginError`, …, listed in
docs/library.md); all of them derive from :class:`PartitaError`, so a caller that only
wants "a problem the user can act on, as one line" catches that one type. Bugs stay
ordinary exceptions. This module imports nothing: every package, ``engine.score``
included, may use it.
"""


class PartitaError(Exception):
    """A problem the user can act on; ``str(e)`` is one line that says what and where."""


def json_problem(error) -> str:
    """A ``json.JSONDecodeError`` in words, for after "not valid JSON: ": its message and
    where, ``"Expecting value at line 3, column 1"``, and "(the file may be cut short)"
    when nothing but blanks follows the error, or a string runs to the file's end (a copy
    or a download that stopped early).
    Python's messages that end in "at" ("Invalid control character at") gave "at at"."""
    msg = error.msg.removesuffix(" at").removesuffix(" starting")
    text = f"{msg} at line {error.lineno}, column {error.colno}"
    # An unterminated string ran into the file's end (a line break in one is "Invalid
    # control character"): it is said where it starts.
    if not error.doc[error.pos:].strip() or msg == "Unterminated string":
        text += " (the file may be cut short)"
    return text
