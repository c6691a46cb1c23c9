"""Track ▸ Add, Remove, Duplicate, Merge, Move Up / Down, Previous / Next, Mute, Solo,
Rename, Instrument, Transposition, Pitch Bend Range, Volume, Pan and Colour from the
keyboard: the window's track commands.

:class:`TrackCommands` is a mixin of :class:`~studio.mainwindow.MainWindow` (its methods
are the window's: ``window.add_track()``, ``window.move_track(-1)``), working on the
piano roll's current track; each change is one undo step.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.score import EditError, Song, Track, set_track_props, track_label, track_labels
from engine.score.bend_range import bend_range, bend_range_edit
from engine.score.instruments import program_name, transposition_text, written_transposition
from engine.score.track_edits import (
    add_track_edit,
    delete_track_edit,
    duplicate_track_edit,
    move_track_edit,
    transposition_edit,
)
from engine.score.track_merge import merge_tracks

from .number_entry import number_text

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from .document import Document
    from .pianoroll import PianoRoll
    from .selection import Selection

NO_TRACK = "no track selected: click one in the track list, or add one (Ctrl+T)"

# Ctrl+Alt+↑ ↓ move the current track's volume by this much: a step the ear hears as
# "a little" on a mixer fader; ``Track.volume`` is a linear gain (full: 0 dB, 127).
VOLUME_STEP_DB = 3.0
# Below this a step down goes to silence (0), and a step up from silence starts here:
# the quietest level that is still the MIDI volume 1 (of 127).
VOLUME_FLOOR_DB = -42.0
# Ctrl+Alt+, / . move the pan by this much of the header's −64 … +64 (MIDI CC10's range).
PAN_STEP = 10
# A new track's volume (full, 0 dB): what Reset Volume and a double-click on the fader give.
DEFAULT_VOLUME: float = Track.__dataclass_fields__["volume"].default


def volume_db(volume: float) -> float | None:
    """A linear gain in dB (None for silence)."""
    return 20 * math.log10(volume) if volume > 0 else None


def stepped_volume(volume: float, db: float) -> float:
    """``volume`` ``db`` louder (softer): in whole tenths of a dB, so three steps down
    and three up come back to where they began; at most full (1.0), and silence (0)
    below :data:`VOLUME_FLOOR_DB`."""
    now = volume_db(volume)
    if now is None:
        return 0.0 if db < 0 else 10 ** (VOLUME_FLOOR_DB / 20)
    level = round(now + db, 1)
    if level < VOLUME_FLOOR_DB:
        return 0.0
    return min(1.0, 10 ** (level / 20))


def volume_text(volume: float) -> str:
    """"−3.0 dB (90)", the level (in the locale's numbers) and the header's 0–127 value;
    "silent (0)"."""
    db = volume_db(volume)
    value = round(volume * 127)
    if db is None:
        return f"silent ({value})"
    signed = f"{db:+.1f}"  # rounded as shown: -0.04 is "−0.0", +0.04 "0"
    level = "0" if signed == "+0.0" else signed[0] + number_text(abs(db), 1)  # "−3,0" in German
    return f"{level} dB ({value})".replace("-", "−")


def pan_side(value: int) -> str:
    """A pan of −64 … +64 as a DAW's mixer shows it: "L20", "C", "R64" (the fader's
    tooltip, its accessible value and the status bar say it alike)."""
    return "C" if value == 0 else f"{'L' if value < 0 else 'R'}{abs(value)}"


def stepped_pan(value: int, step: int) -> int:
    """``value`` moved to the next multiple of ``step`` that way, as a DAW's detents: R19
    goes left to R10 and then C (a plain step gave R9, L1: never the centre); within
    −64 … +64."""
    size = abs(step)
    moved = (value // size + 1) * size if step > 0 else -((-value) // size + 1) * size
    return max(-64, min(64, moved))


def added_text(song: Song, track_id: int) -> str:
    """"track 2: Bass, Electric Bass (finger)": a track by its place, name and instrument
    (a name that only repeats its place, "Track 2", is left out)."""
    i = song.track_index(track_id)
    track = song.tracks[i]
    label = track_labels(song)[track_id]
    instrument = program_name(track.program, track.is_drum)
    named = "" if label in (f"Track {i + 1}", instrument) else f"{label}, "
    return f"track {i + 1}: {named}{instrument}"


def toggled_text(track: Track, prop: str, name: str) -> str:
    """What Ctrl+Alt+M / S did to ``track`` (as it is now), ``name`` as the user tells it
    (:func:`~engine.score.track_label`): "Muted Drums", "Unmuted Drums", "Solo Lead",
    "Solo off: Lead"; a soloed track that is muted too says it stays silent."""
    if prop == "mute":
        return f"{'Muted' if track.mute else 'Unmuted'} {name}"
    if not track.solo:
        return f"Solo off: {name}"
    if track.mute:
        return f"Solo {name} — it is muted, so it stays silent (Ctrl+Alt+M unmutes)"
    return f"Solo {name}"


class TrackCommands:
    """The window's track commands (a mixin; the attributes below are the window's)."""

    if TYPE_CHECKING:
        document: Document
        selection: Selection
        pianoroll: PianoRoll

        def statusBar(self) -> QStatusBar: ...

    def toggle_track(self, prop: str) -> None:
        """Ctrl+Alt+M / S: mute or solo the current track from the keyboard (the header's
        buttons take no focus); the status bar says what it did ("Muted Drums", "Solo
        Lead"): the header's M / S light up out of sight of the keys."""
        tid = self.current_track_or_say(prop.title())
        if tid is None:
            return
        track, name = self.document.song.track(tid), track_label(self.document.song, tid)
        on = not getattr(track, prop)
        if self.pianoroll.commit(set_track_props(
                self.document.song, tid, f"{prop.title() if on else 'Un' + prop} {name}",
                **{prop: on})):
            self.statusBar().showMessage(
                toggled_text(self.document.song.track(tid), prop, name), 4000)

    def step_volume(self, db: float) -> None:
        """Ctrl+Alt+↑ / ↓: the current track ``db`` louder or softer, one undo step a press,
        said in the status bar ("Volume Lead: −3.0 dB (90)"): the header's fader takes no
        focus."""
        tid = self.current_track_or_say("Volume")
        if tid is None:
            return
        track, name = self.document.song.track(tid), track_label(self.document.song, tid)
        volume = stepped_volume(track.volume, db)
        if volume == track.volume:
            edge = "full, 0 dB (127)" if db > 0 else "silent (0)"
            self.statusBar().showMessage(f"{name} is at {edge} already", 4000)
            return
        # Named for what it did: a press that stops at full or silence moves less than db.
        before, after = volume_db(track.volume), volume_db(volume)
        whole = before is not None and after is not None and abs(after - before - db) < 0.05
        label = (f"Volume of {name} {db:+g} dB" if whole
                 else f"Volume of {name} to {volume_text(volume)}")
        if self.pianoroll.commit(set_track_props(
                self.document.song, tid, label, volume=volume)):
            self.statusBar().showMessage(f"Volume {name}: {volume_text(volume)}", 4000)

    def step_pan(self, step: int) -> None:
        """Ctrl+Alt+, / .: the current track's pan ``step`` further right (left, when
        negative) on the header's −64 … +64, one undo step a press, said in the status
        bar."""
        tid = self.current_track_or_say("Pan")
        if tid is None:
            return
        track, name = self.document.song.track(tid), track_label(self.document.song, tid)
        now = round(track.pan * 64)
        value = stepped_pan(now, step)
        if value == now:
            self.statusBar().showMessage(
                f"{name} is panned hard {'right' if step > 0 else 'left'} already "
                f"({pan_side(now)})", 4000)
            return
        way = "right" if step > 0 else "left"
        if self.pianoroll.commit(set_track_props(
                self.document.song, tid, f"Pan {name} {way}", pan=value / 64)):
            self.statusBar().showMessage(f"Pan {name}: {pan_side(value)}", 4000)

    def reset_volume(self) -> None:
        """Track ▸ Reset Volume (Ctrl+Alt+0): the current track back to a new track's
        volume (0 dB, 127), as a double-click on its fader, one undo step, said."""
        tid = self.current_track_or_say("Reset Volume")
        if tid is None:
            return
        self._reset_mix(tid, "Reset volume", "volume", DEFAULT_VOLUME,
                        f"at {volume_text(DEFAULT_VOLUME)} already",
                        lambda name: f"Volume {name}: {volume_text(DEFAULT_VOLUME)}")

    def centre_pan(self) -> None:
        """Track ▸ Centre Pan (Ctrl+Alt+/): the current track's pan to the centre, as a
        double-click on its pan fader, one undo step, said."""
        tid = self.current_track_or_say("Centre Pan")
        if tid is None:
            return
        self._reset_mix(tid, "Centre pan", "pan", 0.0, "centred already",
                        lambda name: f"Pan {name}: {pan_side(0)}")

    def _reset_mix(self, tid: int, what: str, prop: str, value: float, already: str,
                   said: Callable[[str], str]) -> None:
        track, name = self.document.song.track(tid), track_label(self.document.song, tid)
        if getattr(track, prop) == value:
            self.statusBar().showMessage(f"{name} is {already}", 4000)
            return
        if self.pianoroll.commit(set_track_props(self.document.song, tid, f"{what} of {name}",
                                                 **{prop: value})):
            self.statusBar().showMessage(said(name), 4000)

    def pick_track_colour(self) -> None:
        """Ctrl+Alt+C: the current track's colour from the colour dialog (the header's
        swatch takes no focus), one undo step."""
        from . import dialogs  # through the package, as every question the studio asks

        tid = self.current_track_or_say("Colour")
        if tid is None:
            return
        track, name = self.document.song.track(tid), track_label(self.document.song, tid)
        colour = dialogs.pick_colour(self, track.colour, f"Colour of {name}")
        if colour is not None and colour != track.colour:
            self.pianoroll.commit(set_track_props(self.document.song, tid,
                                                  f"Change colour of {name}",
                                                  colour=colour))

    def pick_transposition(self) -> None:
        """Track ▸ Transposition…: the key the current track's part is written in (a
        clarinet in Bb), one undo step, said in the status bar; a kit has none."""
        from . import dialogs

        tid = self.current_track_or_say("Transposition")
        if tid is None:
            return
        track, name = self.document.song.track(tid), track_label(self.document.song, tid)
        if track.is_drum:
            self.statusBar().showMessage(f"{name} is a drum kit: its part is written "
                                         "as it sounds, it takes no transposition", 6000)
            return
        now = written_transposition(track.transposition, track.program, name=track.name)
        chosen = dialogs.ask_transposition(self, name, now)
        if chosen is None:
            return
        edit = transposition_edit(self.document.song, tid, chosen)
        if edit is None or self.pianoroll.commit(edit):
            self.statusBar().showMessage(f"{name}: {transposition_text(chosen)}", 4000)

    def pick_bend_range(self) -> None:
        """Track ▸ Pitch Bend Range…: how many semitones the current track's wheel bends
        (RPN 0 at its start, as ``partita tracks --bend-range``), one undo step, said in
        the status bar; a kit is not bent."""
        from . import dialogs

        tid = self.current_track_or_say("Pitch Bend Range")
        if tid is None:
            return
        track, name = self.document.song.track(tid), track_label(self.document.song, tid)
        if track.is_drum:
            self.statusBar().showMessage(f"{name} is a drum kit: its hits are not bent, "
                                         "it takes no pitch bend range", 6000)
            return
        chosen = dialogs.ask_bend_range(self, name, bend_range(track))
        if chosen is None:
            return
        edit = bend_range_edit(self.document.song, tid, chosen)
        # The engine's label is the CLI's report; the undo list says it as a command.
        if edit is None or self.pianoroll.commit(dataclasses.replace(
                edit, label=f"Set pitch bend range of {name} to {chosen}")):
            self.statusBar().showMessage(f"{name} bends ±{chosen} semitones", 4000)

    def current_track_or_say(self, doing: str = "") -> int | None:
        """The current track's id; None when there is none, and the status bar says so
        ("Record: no track selected: click one …"): a key that did nothing says why."""
        tid = self.pianoroll.current_track_id()
        if tid is None:
            self.statusBar().showMessage(
                f"{doing}: {NO_TRACK}" if doing else NO_TRACK[0].upper() + NO_TRACK[1:], 6000)
        return tid

    def _with_current_track(self, fn: Callable[[int], object]) -> None:
        tid = self.current_track_or_say()
        if tid is not None:
            fn(tid)

    def add_track(self) -> None:
        """Track ▸ Add Track (Ctrl+T, the track list's +): an empty track below the current
        one, selected, and the status bar says what was added (QA: "New song: no tracks…"
        stayed there while tracks were added)."""
        edit = add_track_edit(self.document.song, self.pianoroll.current_track_id())
        if self.pianoroll.commit(edit):
            self.selection.set_tracks([edit.track.id])
            self.statusBar().showMessage(f"Added {added_text(self.document.song, edit.track.id)}"
                                         " (Ctrl+Z removes it)", 6000)

    def duplicate_track(self) -> None:
        """Track ▸ Duplicate Track: a copy of the current track below it, selected (one
        undo step)."""
        tid = self.current_track_or_say("Duplicate Track")
        if tid is None:
            return
        edit = duplicate_track_edit(self.document.song, tid)
        if self.pianoroll.commit(edit):
            self.selection.set_tracks([edit.track.id])
            labels = track_labels(self.document.song)
            self.statusBar().showMessage(
                f"Duplicated {labels[tid]} as {labels[edit.track.id]} (Ctrl+Z undoes)", 5000)

    def merge_tracks(self) -> None:
        """Track ▸ Merge Tracks…: the tracks ticked in a list (the selected ones, or the
        current one and those split from it by channel, ticked first) merged into the
        first, one undo step; what one channel cannot hold (each string's bends) is
        dropped only when the user says so, and the status bar says what was kept and
        lost."""
        from . import dialogs
        from .track_merge_choice import tracks_to_offer

        song = self.document.song
        if len(song.tracks) < 2:
            self.statusBar().showMessage("Merge Tracks: the song has one track; there is "
                                         "nothing to merge it with", 6000)
            return
        offered = tracks_to_offer(song, self.selection.track_ids,
                                  self.pianoroll.current_track_id())
        chosen = dialogs.ask_merge_tracks(self, [t.name for t in song.tracks], offered)
        if chosen is None:
            return
        try:
            merge = merge_tracks(song, [song.tracks[i].id for i in chosen])
        except EditError as e:
            self.statusBar().showMessage(str(e), 8000)
            return
        if merge.dropped and not dialogs.ask_drop_controllers(self, merge.why_lost()):
            self.statusBar().showMessage("Merge Tracks: nothing merged (the tracks' "
                                         f"{merge.lost} are kept)", 6000)
            return
        if self.pianoroll.commit(merge.edit):
            self.selection.set_tracks([song.tracks[chosen[0]].id])
            self.statusBar().showMessage(f"{merge.text()} (Ctrl+Z undoes)", 15000)

    def remove_track(self) -> None:
        tid = self.pianoroll.current_track_id()
        if tid is None:
            return
        song = self.document.song
        i = song.track_index(tid)
        gone = added_text(song, tid)
        if self.pianoroll.commit(delete_track_edit(song, tid)):
            tracks = self.document.song.tracks
            if tracks:
                self.selection.set_tracks([tracks[min(i, len(tracks) - 1)].id])
            self.statusBar().showMessage(f"Removed {gone} (Ctrl+Z brings it back)", 6000)

    def move_track(self, step: int) -> None:
        tid = self.pianoroll.current_track_id()
        if tid is None:
            return
        edit = move_track_edit(self.document.song, tid, step)
        if edit is not None:
            self.pianoroll.commit(edit)

    def step_track(self, step: int) -> None:
        song = self.document.song
        tid = self.pianoroll.current_track_id()
        if tid is None or not song.tracks:
            return
        i = max(0, min(len(song.tracks) - 1, song.track_index(tid) + step))
        self.selection.set_tracks([song.tracks[i].id])
