"""Errors that are the user's to fix, printed by the CLI as one line."""


class RenderError(Exception):
    """Rendering cannot go ahead (bad sample rate, nothing to write, no usable synth)."""


class SoundFontError(RenderError):
    """A SoundFont that was asked for cannot be used (missing file, unreadable data)."""
