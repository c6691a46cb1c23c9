"""The error a task raises when it cannot run as asked."""

from __future__ import annotations


class TaskError(ValueError):
    """A task cannot run on this song as asked (empty song, unknown instrument, ...)."""
