"""Mask ▸ Mask This Whole Track, These Bars, These Bars on This Track, Selection, Everything
After Here, All Other Tracks and Clear Mask: the window's quick-mask commands, and what
a changed mask updates (the Generate panel's summary, Regenerate's name).

:class:`MaskCommands` is a mixin of :class:`~studio.mainwindow.MainWindow` (its methods
are the window's: ``window.mask_this_track()``, ``window.clear_mask()``); the masks are
built by :mod:`studio.mask.quick` and set on the document (or added to its mask, as a
stroke is) as one undo step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.score import Mask, Song, track_labels

from .. import actions as action_specs
from ..bars_in_focus import bars_in_focus, bars_text
from ..generate_panel import mask_summary
from . import quick

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from ..actions import Actions
    from ..document import Document
    from ..generate_panel import GeneratePanel
    from ..pianoroll import PianoRoll
    from ..selection import Selection
    from ..transport import Transport


class MaskCommands:
    """The window's mask commands (a mixin; the attributes below are the window's)."""

    if TYPE_CHECKING:
        document: Document
        transport: Transport
        pianoroll: PianoRoll
        generate_panel: GeneratePanel
        actions: Actions
        selection: Selection

        def statusBar(self) -> QStatusBar: ...
        def _selected(self) -> dict: ...  # NoteCommands': the piano roll's selected notes

    def _mask_changed(self) -> None:
        text, empty = mask_summary(self.document)
        self.generate_panel.set_mask_text(text, empty)
        self._name_regenerate()

    def _name_regenerate(self) -> None:
        """Regenerate rewrites the masked tracks (else the current one): its menu item and
        button say which, following the mask and the current track, so a mask left from a
        Repaint does not rewrite the piano while the drums are selected."""
        doc = self.document
        text, button, tip = regenerate_names(doc.song, doc.mask,
                                             self.selection.current_track_id)
        tooltip = action_specs.tip_with_key(tip, "regenerate")
        self.actions.regenerate.setText(text)
        self.actions.regenerate.setToolTip(tooltip)
        self.actions.regenerate.setStatusTip(tip)
        b = self.generate_panel.buttons["regenerate"]
        b.setText(button)
        b.setToolTip(tooltip)
        # The whole name for a screen reader, where the button's text ends in "…"
        # (keyboard QA: "Regenerate Fender Rhodes electri…" was read cut).
        b.setAccessibleName(regenerate_spoken(doc.song, doc.mask,
                                              self.selection.current_track_id))

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
        """Shift+M: the current track(s) over the whole song, as the mask; said (keyboard
        QA: the mask is painted, so nothing told a screen reader it was set)."""
        song, ids = self.document.song, self._active_ids()
        if self.set_mask(quick.this_track(song, ids), "Mask this track"):
            labels = track_labels(song)
            names = ", ".join(labels[t.id] for t in song.tracks if t.id in ids)
            self.statusBar().showMessage(
                f"Masked {names}, the whole song: Repaint (Ctrl+R) rewrites it "
                "(Esc Esc clears the mask)", 5000)

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


def regenerate_names(song: Song, mask: Mask, current: int | None) -> tuple[str, str, str]:
    """Regenerate's menu text, button text and tip for the tracks it will rewrite (as
    :func:`engine.tasks.requests.regenerate` picks them: the masked ones, else the
    current one): ``("Re&generate Piano", "Regenerate Piano", "Rewrite Piano (the masked
    track) over the whole song …")``."""
    labels = track_labels(song)
    masked = [t.id for t in song.tracks if t.id in mask.track_ids]
    if len(masked) > 1:
        text = f"Re&generate {len(masked)} Masked Tracks"
        what = f"the {len(masked)} masked tracks ({', '.join(labels[t] for t in masked)})"
    elif masked or current in labels:
        name = labels[masked[0] if masked else current]
        # A long name ends in "…" on the button (the tip has it whole): the panel keeps
        # its width.
        short = name if len(name) <= 22 else name[:21].rstrip() + "…"
        text = f"Re&generate {short.replace('&', '&&')}"
        what = f"{name} ({'the masked track' if masked else 'the current track'})"
    else:
        return ("Re&generate Track", "Regenerate Track",
                "Rewrite the masked (or current) track over the whole song")
    tip = f"Rewrite {what} over the whole song"
    if masked and current in labels and current not in masked:
        tip += f"; the mask is on it: Esc Esc clears the mask to regenerate {labels[current]}"
    return text, text.replace("&&", "\0").replace("&", "").replace("\0", "&"), tip


def regenerate_spoken(song: Song, mask: Mask, current: int | None) -> str:
    """What a screen reader names the Regenerate button: its text with the track's whole
    name ("Regenerate Fender Rhodes electric piano"), where the button cuts it."""
    labels = track_labels(song)
    masked = [t.id for t in song.tracks if t.id in mask.track_ids]
    if len(masked) == 1 or (not masked and current in labels):
        return f"Regenerate {labels[masked[0] if masked else current]}"
    return regenerate_names(song, mask, current)[1]
