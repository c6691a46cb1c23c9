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
