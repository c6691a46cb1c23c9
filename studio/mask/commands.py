"""Mask ▸ Mask This Track, These Bars, These Bars on This Track, Selection, Everything
After Here, All Other Tracks and Clear Mask: the window's quick-mask commands, and what
a changed mask updates (the Generate panel's summary, Regenerate's name).

:class:`MaskCommands` is a mixin of :class:`~studio.mainwindow.MainWindow` (its methods
are the window's: ``window.mask_this_track()``, ``window.clear_mask()``); the masks are
built by :mod:`studio.mask.quick` and set on the document (or added to its mask, as a
stroke is) as one undo step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.score import Mask, track_labels

from ..bars_in_focus import bars_in_focus, bars_text
from ..generate_panel import mask_summary
from . import quick

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from ..actions import Actions
    from ..document import Document
    from ..generate_panel import GeneratePanel
    from ..pianoroll import PianoRoll
    from ..transport import Transport


class MaskCommands:
    """The window's mask commands (a mixin; the attributes below are the window's)."""

    if TYPE_CHECKING:
        document: Document
        transport: Transport
        pianoroll: PianoRoll
        generate_panel: GeneratePanel
        actions: Actions

        def statusBar(self) -> QStatusBar: ...
        def _selected(self) -> dict: ...  # NoteCommands': the piano roll's selected notes

    def _mask_changed(self) -> None:
        text, empty = mask_summary(self.document)
        self.generate_panel.set_mask_text(text, empty)
        # Regenerate rewrites the masked tracks (else the current one): its name says
        # which, so a mask left from a Repaint does not rewrite three tracks unawares.
        doc = self.document
        masked = len(doc.mask.track_ids & {t.id for t in doc.song.tracks})
        label = ("Re&generate Track" if masked <= 1
                 else f"Re&generate {masked} Masked Tracks")
        self.actions.regenerate.setText(label)
        self.generate_panel.buttons["regenerate"].setText(label.replace("&", ""))

    def set_mask(self, mask: Mask, label: str) -> bool:
        """Replace the mask as one undo step (quick masks)."""
        if mask.is_empty:
            self.statusBar().showMessage(f"{label}: nothing to mask here", 4000)
            return False
        return self.document.set_mask(mask, label)

    def add_to_mask(self, extra: Mask, label: str, what: str) -> bool:
        """Add ``extra`` to the mask as one undo step, as a stroke adds (quick masks of
        a part of a track: Esc Esc clears the mask for a region of its own); the status
        bar says what was added, or that it was there already."""
        if extra.is_empty:
            self.statusBar().showMessage(f"{label}: nothing to mask here", 4000)
            return False
        if not self.document.set_mask(quick.added(self.document.mask, extra), label):
            self.statusBar().showMessage(
                f"{what} is in the mask already — Esc Esc clears the mask to start anew", 5000)
            return False
        self.statusBar().showMessage(f"{what} added to the mask (Esc Esc clears it)", 4000)
        return True

    def _active_ids(self) -> list[int]:
        return self.pianoroll.active_track_ids()

    def mask_this_track(self) -> None:
        self.set_mask(quick.this_track(self.document.song, self._active_ids()), "Mask this track")

    def mask_these_bars(self) -> None:
        """Ctrl+Shift+B: the bars in focus (:func:`~studio.bars_in_focus.bars_in_focus`:
        the selected notes' onsets', else the loop range while looping, else the
        playhead's bar) on every track, as the mask."""
        notes = [n for v in self._selected().values() for n in v]
        start, end, _ = bars_in_focus(self.document.time_map, self.transport, notes)
        self.set_mask(quick.these_bars(self.document.song, start, end), "Mask these bars")

    def mask_bars_on_track(self) -> None:
        """Ctrl+Alt+B: the bars in focus (as Ctrl+Shift+B's) on the current track(s), added
        to the mask as a stroke on the arrangement adds them: "bars 9–12 of Lead" without
        the mouse."""
        ids = self._active_ids()
        if not ids:
            self.statusBar().showMessage("Mask bars: no track selected", 4000)
            return
        notes = [n for v in self._selected().values() for n in v]
        tm = self.document.time_map
        start, end, _ = bars_in_focus(tm, self.transport, notes)
        song = self.document.song
        bars = bars_text(tm, start, end)
        labels = track_labels(song)
        names = ", ".join(labels[tid] for tid in ids)
        self.add_to_mask(quick.these_bars(song, start, end, ids), "Mask bars of the track",
                         f"{bars[0].upper()}{bars[1:]} of {names}")

    def mask_selection(self) -> None:
        """Ctrl+M: the selected notes' bounding box, added to the mask (as a stroke)."""
        notes = self._selected()
        if not notes:
            self.statusBar().showMessage("Mask selection: select notes first", 4000)
            return
        self.add_to_mask(quick.selection(notes), "Mask selection", "The selection")

    def mask_after_here(self) -> None:
        self.set_mask(quick.after_here(self.document.song, self.transport.position,
                                       self._active_ids()), "Mask everything after here")

    def mask_other_tracks(self) -> None:
        self.set_mask(quick.other_tracks(self.document.song, self._active_ids()),
                      "Mask all other tracks")

    def clear_mask(self) -> None:
        if self.document.set_mask(Mask(), "Clear mask"):
            self.statusBar().showMessage("Mask cleared (Ctrl+Z brings it back)", 3000)
