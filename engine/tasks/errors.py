"""The error a task raises when it cannot run as asked."""

from __future__ import annotations

from engine.errors import PartitaError


class TaskError(PartitaError, ValueError):
    """A task cannot run on this song as asked (empty song, unknown instrument, ...)."""
