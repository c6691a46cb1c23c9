"""Errors that are the user's to fix, printed by the CLI as one line."""

from engine.errors import PartitaError


class RenderError(PartitaError):
    """Rendering cannot go ahead (bad sample rate, nothing to write, no usable synth)."""


class SoundFontError(RenderError):
    """A SoundFont that was asked for cannot be used (missing file, unreadable data)."""
