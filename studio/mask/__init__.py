"""Mask painting: where the model may write.

(The mask algebra — paint, erase, canonical form — is :mod:`engine.score.mask_geometry`.)
- :mod:`studio.mask.quick`    — quick masks (this track, these bars, selection, …); no Qt
- :mod:`studio.mask.commands` — the Mask menu's commands (a mixin of the main window)
- :mod:`studio.mask.tool`     — the mask tool's gestures on the piano roll and arrangement
- :mod:`studio.mask.overlay`  — drawing the mask on both views

The mask itself lives in the :class:`~studio.document.Document` (``document.mask``); a
change is an undo step, :class:`studio.undo.ValueCommand`.
"""
