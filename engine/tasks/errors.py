"""The error a task raises when it cannot run as asked."""

from __future__ import annotations

from collections.abc import Iterable

from engine.errors import PartitaError


class TaskError(PartitaError, ValueError):
    """A task cannot run on this song as asked (empty song, unknown instrument, ...)."""


class CannotWrite(TaskError):
    """The model cannot write some of the tracks the request asks for
    (:func:`engine.plugins.api.cannot_write`); raised before it runs. ``song`` (as the
    model would have seen it) and ``track_ids`` let a caller that picked the model itself
    (no model named) pick one that can (:meth:`engine.plugins.Registry.default_for`)."""

    def __init__(self, message: str, song: object, track_ids: Iterable[int]) -> None:
        super().__init__(message)
        self.song = song
        self.track_ids = frozenset(track_ids)
