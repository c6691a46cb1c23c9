"""Step entry: writing notes from the computer keyboard (MuseScore's note input, a DAW's
step input).

**N** turns the mode on (a toolbar toggle, *Tools ▸ Step Entry*; the status bar says
"Step entry: 1/8"); **Esc** turns it off and deselects (as Esc does outside it), N again
turns it off with the note just entered still selected. In the mode:

- **A–G** write that note on the current track at the playhead, as the key signature
  has it (F in D major is F#, as in MuseScore), one step long (the Snap value, ×1.5 when
  **.** made it dotted; 1/16 with snap off; a note may cross the bar line), in the
  octave nearest the note entered before on that track (the first one: nearest the
  track's note before the playhead, else its register, else middle C or the middle of its
  instrument's range), folded by octaves into the instrument's range, then move the
  playhead to the step's end. A note of the same pitch under it is
  replaced (no doubled notes); other pitches stay. The note is selected, heard and
  scrolled into view.
- **Shift+A–G** add that pitch to the chord of the last step, the nearest such pitch
  above its highest note (the same letter: an octave up); the playhead stays.
- **#** or **+** / **−** sharpen / flatten the selected (just entered) note, as ↑ ↓ do;
  **Ctrl+↑ ↓** move it an octave, as Shift+↑ ↓ do.
- **2–7** set the step length (1/32, 1/16, 1/8, 1/4, 1/2, Bar: MuseScore's digits) in
  the Snap box, **.** toggles a dotted length, **Ctrl+3** (MuseScore's triplet) a triplet
  one (1/8 ↔ 1/8T in the Snap box); **0** or **R** step on without a note (a rest, an
  undo step of its own); **Backspace** takes back the last step that ends at or before
  the entry point (its notes) and moves the playhead back to its start (never forward).
  What was entered and still stands follows the undo stack (:class:`StepCommand`), so
  Backspace after Ctrl+Z takes back the note the undo brought back. **Enter** does not
  send the entry point back to the song's start (Home does).
- **← →** move the entry point a step back or on, the notes as they are (MuseScore's
  note-input cursor); **Ctrl+Shift+← →** nudge the selected notes, as everywhere.

A MIDI keyboard (:mod:`studio.midi_input`, chosen in *Tools ▸ MIDI Input*) enters notes
too: a key played writes that exact pitch (octave included) with the key's velocity, one
step long, and moves on as a letter does; keys played together — within
:data:`CHORD_WINDOW_S` of the chord's first key, or while one of its keys is still held —
write one chord, one undo step (a key joining it rewrites the step with it). On a drum
track a key is the drum it plays (a letter names no drum).

Each entered note is one undo step (``engine.score`` edits; the playhead's move is in
the same step, so Ctrl+Z puts it back too). Drum tracks are refused with a message
(a letter names a pitch, not a drum). While the mode is on it takes these keys from the
window's other actions (B, E, F, +, −, ← →, Backspace, Esc, Ctrl+↑ ↓, takes 1–7), and
every other letter, digit and [ ] only says it is no step-entry key (:data:`STRAY_KEYS`);
it gives them back when it ends; a text or number field with the focus keeps its keys.
The entry point is drawn as the next step's span, shaded (:meth:`StepEntry.paint_cursor`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRectF
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QUndoCommand
from PySide6.QtWidgets import QApplication

from engine.score import (
    EditError,
    Note,
    Track,
    add_notes_replacing,
    clamp_velocity,
    remove_notes,
)
from engine.score.instruments import drum_name, part_range, written_transposition
from engine.score.snap import SNAPS, grid_shift, snap_tick, step_at
from engine.score.spelling import pitch_name, signature_accidental, spelled_name

from .actions import ARTICULATION_ACTIONS
from .keys import typing_field

if TYPE_CHECKING:
    from .mainwindow import MainWindow
    from .pianoroll.view import NoteCanvas

NATURALS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
# MuseScore's duration digits, as far as the Snap box goes (no 1/64; a whole bar for 7).
LENGTH_KEYS = {"2": "1/32", "3": "1/16", "4": "1/8", "5": "1/4", "6": "1/2", "7": "Bar"}
NO_LENGTH_KEYS = ("1",)  # 1/64 in MuseScore: said, not a take

# Keys existing actions take on in the mode (beside their own).
EXTRA_KEYS = {"transpose_up": ("#", "+"), "transpose_down": ("-",),
              "octave_up": ("Ctrl+Up",), "octave_down": ("Ctrl+Down",)}
LEAVE_KEY = "Escape"
# Keys a user may type by mistake in the mode (a letter past G, a take's 8 or 9, S, J, Q,
# M, L, K): while it is on, those it does not use only say so, rather than split, join,
# quantize or switch tools on the note just entered. Keys with Ctrl or Alt, Space, Enter,
# Delete, the F keys, Shift+R (record) and the articulations' and slur's keys (Shift+S,
# V, O, N: on the notes just entered; L: over those since the last rest or slur,
# StepEntry.slur_run) keep their meanings everywhere.
STRAY_KEYS = (*"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "[", "]", ";", "'", ",", "/", "\\",
              *(f"Shift+{c}" for c in "HIJKLMNOPQSTUVWXYZ"))
STRAY_HINT = "Not a step-entry key: Esc leaves step entry (F1: all keys)"
# The entry cursor: the next step's span, shaded as MuseScore shades the next note's
# length (a 1-px line at the song's start was easily missed), its left edge a bar.
CURSOR_FILL = QColor(255, 204, 51, 56)
CURSOR_EDGE_PX = 3.0

DOT_KEY = "."
KEYS_HELP = ("A–G a note (the key signature's), Shift+A–G add to the chord, # + − ↑ ↓ a "
             "semitone, Ctrl+↑ ↓ an octave, 2–7 the length, . dotted, Ctrl+3 triplet, "
             "0 or R a rest, ← → move the entry point (Ctrl+Shift+← → nudge notes), "
             "Backspace back, Esc leaves")
# Keys of a MIDI keyboard struck within this long of the first write one chord (a hand
# strikes a chord's keys within ~30 ms; a fast melody's notes come ≥ 100 ms apart).
CHORD_WINDOW_S = 0.07
# Fits the status bar's message beside its permanent labels at the default window size
# (QA: the longer one was cut at "2–7 the len…"); every key: KEYS_HELP, in the status
# bar's "Step entry" label's tooltip, and F1.
SHORT_HELP = "A–G notes, 2–7 length, 0 rest, Esc leaves · F1 all keys"


def nearest_pitch(pitch_class: int, reference: int) -> int:
    """The pitch of ``pitch_class`` nearest ``reference`` (a tritone away either way: the
    one above), kept inside 0..127."""
    below = reference - (reference - pitch_class) % 12
    pitch = below if reference - below < below + 12 - reference else below + 12
    if pitch > 127:
        pitch -= 12
    return pitch + 12 if pitch < 0 else pitch


def typed_pitch_class(letter: str, key: str | None) -> tuple[int, int]:
    """``(pitch class, accidental)`` of a letter typed in ``key``: the key signature's
    sharp or flat applies, as in a score (F in D major: F#, +1)."""
    accidental = signature_accidental(letter, key)
    return (NATURALS[letter] + accidental) % 12, accidental


def typed_spelling(letter: str, accidental: int) -> str | None:
    """The name a typed note keeps (``Note.spelling``): F# for F in D major; None for a
    letter the key leaves natural."""
    return f"{letter.upper()}{'#' if accidental > 0 else 'b'}" if accidental else None


def pitch_above(pitch_class: int, base: int) -> int | None:
    """The lowest pitch of ``pitch_class`` above ``base`` (None past G9)."""
    pitch = base + 1 + (pitch_class - base - 1) % 12
    return pitch if pitch <= 127 else None


def fold_into_range(pitch: int, low: int, high: int) -> int:
    """``pitch`` moved by octaves into ``low..high`` where it fits (a bass line typed
    upwards stays a bass line); unchanged where the range is narrower than an octave."""
    while pitch > high and pitch - 12 >= low:
        pitch -= 12
    while pitch < low and pitch + 12 <= high:
        pitch += 12
    return pitch


# The GM instruments read in the bass clef: cello, contrabass, trombone, tuba, bassoon.
# An empty one's step entry starts at written C3, as a bass's does: middle C is high on a
# cello; a contrabass, which sounds an octave below what it reads, at sounding C2.
BASS_CLEF_PROGRAMS = frozenset({42, 43, 57, 58, 70})
C3 = 48


def starting_pitch(track: Track, at: int) -> int:
    """Where the first entered note's octave is chosen around: the track's note before
    ``at`` (the latest, its top note), else the middle of the track's notes, else middle
    C, kept an octave inside the instrument's range (a bass starts at C3, a flute at C5),
    or written C3 for an instrument read in the bass clef (:data:`BASS_CLEF_PROGRAMS`:
    a cello's C3, a contrabass's sounding C2, :func:`~engine.score.instruments.
    written_transposition`)."""
    before = [n for n in track.notes if n.start < at]
    if before:
        return max(before, key=lambda n: (n.start, n.pitch)).pitch
    if track.notes:
        pitches = sorted(n.pitch for n in track.notes)
        return pitches[len(pitches) // 2]
    lo, hi = part_range(track.name, track.program, track.is_drum)
    if hi - lo < 24:
        return (lo + hi) // 2
    if track.program in BASS_CLEF_PROGRAMS and not track.is_drum:
        written = written_transposition(track.transposition, track.program, name=track.name)
        return min(max(C3 + written[1], lo), hi - 12)
    return min(max(60, lo + 12), hi - 12)


@dataclass
class Step:
    """One step entered: its span and the ids of the notes written there (none: a rest).
    ``stands`` follows the undo stack (:class:`StepCommand`): False once undone or taken
    back, True again when Ctrl+Z undoes the taking back."""

    track_id: int
    start: int
    end: int
    note_ids: list[int] = field(default_factory=list)
    stands: bool = False


class StepCommand(QUndoCommand):
    """A step's part of its undo step: the playhead's move, and whether the step stands
    (entered: True; taken back with Backspace: False; undone: the other way). What
    Backspace takes back and the "Step entry" label names is read from it, so they follow
    Ctrl+Z (QA: Backspace, Ctrl+Z, Backspace took the note before the one brought back,
    and the label went on naming that one)."""

    def __init__(self, label: str, entry: StepEntry, step: Step, stands: bool,
                 before: int, after: int) -> None:
        super().__init__(label)
        self.entry, self.step, self.stands = entry, step, stands
        self.before, self.after = before, after

    def redo(self) -> None:
        self._set(self.stands, self.after)

    def undo(self) -> None:
        self._set(not self.stands, self.before)

    def _set(self, stands: bool, at: int) -> None:
        self.step.stands = stands
        self.entry.window.transport.seek(at)
        self.entry.update_status()


@dataclass
class MidiChord:
    """The step the keys of a MIDI keyboard played together write: their pitches and
    velocities in the order played, when the first was struck, and the undo stack's index
    right after it was written (a key joining it rewrites it only while it is on top)."""

    step: Step
    velocities: dict[int, int]
    first: float
    index: int


class StepEntry(QObject):
    """The mode, its keys and its edits, for ``window`` (a :class:`MainWindow`)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.on = False
        self.dotted = False
        self.steps: list[Step] = []
        self.held: set[int] = set()  # keys of the MIDI keyboard down now
        self.chord: MidiChord | None = None  # the keys played together, as written
        a = window.actions
        # Keys only the mode uses: its own actions, enabled only while it is on (a
        # disabled action's key is no rival to an enabled one's).
        self.mode_actions: list[QAction] = [a.step_rest, a.step_back, a.step_cursor_back,
                                            a.step_cursor_forward, a.step_triplet]
        for letter in NATURALS:
            for chord in (False, True):
                act = QAction(f"Step Entry: {'Add ' if chord else ''}{letter}", window)
                act.setShortcut(QKeySequence(f"Shift+{letter}" if chord else letter))
                act.triggered.connect(lambda _c=False, x=letter, ch=chord: self.enter_note(x, ch))
                self.mode_actions.append(act)
        for digit in (*LENGTH_KEYS, *NO_LENGTH_KEYS):
            act = QAction(f"Step Entry: Length {digit}", window)
            act.setShortcut(QKeySequence(digit))
            act.triggered.connect(lambda _c=False, d=digit: self.set_length(d))
            self.mode_actions.append(act)
        # Esc leaves and deselects, as Esc deselects outside the mode: the note just
        # entered left selected made the next Shift+→ move it a bar rather than the
        # playhead (QA: the guide's "Home, Shift+→ to bar 9" moved it 8 bars). N leaves
        # with it kept selected, to go on editing it.
        leave = QAction("Step Entry: Leave", window)
        leave.setShortcut(QKeySequence(LEAVE_KEY))
        leave.triggered.connect(self.leave)
        self.mode_actions.append(leave)
        dot = QAction("Step Entry: Dotted", window)
        dot.setShortcut(QKeySequence(DOT_KEY))
        dot.triggered.connect(self.toggle_dotted)
        self.mode_actions.append(dot)
        used = {k.toString() for act in self.mode_actions for k in act.shortcuts()}
        used |= {k.toString() for k in a.step_entry.shortcuts()}  # N leaves
        # Shift+S, V, O, N mark the notes just entered, as in MuseScore's note input.
        used |= {k.toString() for name in (*ARTICULATION_ACTIONS, "slur")
                 for k in a.all[name].shortcuts()}
        used |= {k for keys in EXTRA_KEYS.values() for k in keys}
        stray = QAction("Step Entry: Not a Step-Entry Key", window)
        stray.setShortcuts([QKeySequence(k) for k in STRAY_KEYS
                            if QKeySequence(k).toString() not in used])
        stray.triggered.connect(self._stray_key)
        self.mode_actions.append(stray)
        for act in self.mode_actions:
            if act not in window.actions.all.values():
                window.addAction(act)
            act.setEnabled(False)
        a.step_rest.triggered.connect(self.rest)
        a.step_back.triggered.connect(self.back)
        a.step_cursor_back.triggered.connect(lambda: self.move_cursor(-1))
        a.step_cursor_forward.triggered.connect(lambda: self.move_cursor(1))
        a.step_triplet.triggered.connect(self.toggle_triplet)
        a.step_entry.toggled.connect(self.set_on)
        window.document.songChanged.connect(self._song_changed)
        window.pianoroll.canvas.overlays.append(self.paint_cursor)
        self.extra_keys = {a.all[name]: [QKeySequence(k) for k in keys]
                           for name, keys in EXTRA_KEYS.items()}
        taken = {k.toString() for act in self.mode_actions for k in act.shortcuts()}
        taken |= {k.toString() for keys in self.extra_keys.values() for k in keys}
        taken.add(QKeySequence(LEAVE_KEY).toString())
        self.taken_keys = taken
        # The other actions' keys as they are, to give back when the mode ends.
        self.usual_keys = {act: act.shortcuts() for act in a.all.values()
                           if act not in self.mode_actions}

    # -- the mode -------------------------------------------------------------------------------
    def set_on(self, on: bool) -> None:
        if on == self.on:
            return
        self.on = on
        self.steps.clear()
        self.dotted = False
        self.chord = None
        w = self.window
        for act, keys in self.usual_keys.items():
            if on:
                kept = [k for k in keys if k.toString() not in self.taken_keys]
                act.setShortcuts(kept + self.extra_keys.get(act, []))
            else:
                act.setShortcuts(keys)
        for act in self.mode_actions:
            act.setEnabled(on)
        for sc in w.take_keys:  # 1–7 set the length while the mode is on
            sc.setEnabled(not on or sc.key().toString() not in self.taken_keys)
        if w.actions.step_entry.isChecked() != on:
            w.actions.step_entry.setChecked(on)
        self.update_status()
        w.pianoroll.canvas.update()  # the entry cursor shown or gone
        if on:
            w.pianoroll.canvas.setFocus()  # letters to the notes, not a combo box's search
            drum = w.pianoroll.current_track_is_drum()
            w.statusBar().showMessage(
                self._drum_message() if drum else f"Step entry: {SHORT_HELP}", 10000)
        else:
            w.statusBar().showMessage("Step entry off", 3000)

    def leave(self) -> None:
        """Esc: the mode off and nothing selected (N leaves with the selection kept)."""
        if not self.on:
            return
        self.window.selection.clear_notes()
        self.set_on(False)

    def reset(self) -> None:
        """A new song: the steps entered belong to the old one."""
        self.steps.clear()
        self.chord = None
        self.update_status()

    def _song_changed(self) -> None:
        if self.on:  # an undo, ↑ ↓, Delete: the status names the note as it is now
            self.update_status()

    def update_status(self) -> None:
        """The status bar's "Step entry: 1/8 · F#4": the step length, and the note last
        entered as it is now (or "rest")."""
        label = self.window.status_step
        label.setVisible(self.on)
        if not self.on:
            return
        last = self._last_entered_name()
        label.setText(f"Step entry: {self._length_name()}" + (f" · {last}" if last else ""))
        label.setToolTip(f"Step entry (N): {KEYS_HELP}")

    def _last_entered_name(self) -> str:
        step = self._last_step()
        if step is None:
            return ""
        live = self._live(step)
        if not live and not step.note_ids:
            return "rest"
        key = self.window.document.song.key_at(step.start)
        return " ".join(self.name_of(n, key) for n in sorted(live, key=lambda n: n.pitch))

    def name_of(self, note: Note, key: str | None) -> str:
        """A note's name as it was typed (F# stays F# in F major: ``Note.spelling``)."""
        return (spelled_name(note.pitch, note.spelling) if note.spelling
                else pitch_name(note.pitch, key))

    def spell(self, notes: Mapping[int, Sequence[Note]], semitones: int) -> int:
        """How # − ↑ ↓ spell ``notes`` moved by ``semitones`` (+1 sharp, −1 flat, 0 by
        the rule): a semitone sharpens or flattens the notes just entered, which keep the
        name (B then − is B♭, also in G major, where the key alone would name it A♯)."""
        if not self.on or abs(semitones) != 1:
            return 0
        return semitones if any(step.track_id == tid for step in self.steps
                                for tid in notes) else 0

    def _length_name(self) -> str:
        snap = self.window.pianoroll.snap
        name = ("1/16 (snap off)" if snap.division == 0
                else f"{snap.name.removesuffix('T')} triplet" if snap.triplet else snap.name)
        return f"dotted {name}" if self.dotted else name

    def _at(self, tick: int) -> str:
        """Where a step is, short: "3.2" on a beat, "3.2.240" between beats."""
        return self.window.document.time_map.format_position(tick).removesuffix(".000")

    def _say(self, text: str, ms: int = 5000) -> None:
        self.window.statusBar().showMessage(text, ms)

    def _ready(self) -> bool:
        """Whether a step key may act now: the mode is on, no text or number field has
        the focus (a letter in a spin box does nothing there), the transport is stopped."""
        if not self.on or typing_field(QApplication.focusWidget()):
            return False
        if self.window.transport.is_playing:
            self._say("Step entry: stop playback first (Space)")
            return False
        return True

    def _drum_message(self) -> str:
        # The remedy first, and short: "…letters name pitches, not dr…" was all a user at
        # 1400 px saw of the line before.
        return "Step entry: pick a pitched track (Esc, Ctrl+↑ ↓), not a drum kit"

    # -- keys -----------------------------------------------------------------------------------
    def set_length(self, digit: str) -> None:
        if not self._ready():
            return
        if digit not in LENGTH_KEYS:
            self._say("Step entry: 2–7 set the length, 1/32 to Bar (no 1/64)")
            return
        self.window.set_snap(LENGTH_KEYS[digit])  # clears the dot (length_changed)
        self.update_status()
        self._say(f"Step length: {LENGTH_KEYS[digit]}", 3000)

    def length_changed(self) -> None:
        """A new grid value (a digit, the Snap box, Ctrl+Alt+arrows, Ctrl+3): a new length
        clears the dot, as MuseScore's duration keys do."""
        self.dotted = False
        self._show_triplet()
        self.update_status()
        self.window.pianoroll.canvas.update()  # the cursor's length

    def _show_triplet(self) -> None:
        """The menu's Triplets item checked while the length is a triplet one."""
        self.window.actions.step_triplet.setChecked(self.window.pianoroll.snap.triplet)

    def toggle_triplet(self) -> None:
        """Ctrl+3 (MuseScore's triplet key): the step length a triplet (1/8 → 1/8T, snap
        off: 1/16T) or straight again, in the Snap box; a digit then sets a straight one."""
        if not self._ready():
            self._show_triplet()  # the menu item toggled itself
            return
        snap = self.window.pianoroll.snap
        if snap.triplet:
            name = snap.name.removesuffix("T")
        else:
            name = f"{'1/16' if snap.division == 0 else snap.name}T"
        if name not in {s.name for s in SNAPS}:
            self._show_triplet()
            self._say(f"Step entry: triplets 1/4T to 1/32T (5, Ctrl+3); no {snap.name} triplet")
            return
        self.window.set_snap(name)  # clears the dot and shows the length (length_changed)
        self._say(f"Step length: {self._length_name()}", 3000)

    def move_cursor(self, direction: int) -> None:
        """← / →: the entry point a step back or on (the step's length, dotted or triplet,
        as the next note would take), no note touched: MuseScore's note-input cursor.
        Ctrl+Shift+← → still nudge the selected notes."""
        if not self._ready():
            return
        w = self.window
        at = w.transport.position
        to = self._step_span(at)[1] if direction > 0 else self._step_before(at)
        if to == at:
            self._say("Step entry: the entry point is at the start", 3000)
            return
        self.chord = None  # a MIDI key next writes a step of its own
        w.transport.seek(to)
        w.pianoroll.reveal(to, to)
        self._say(f"Entry point: {w.document.time_map.format_position(to)}", 3000)

    def toggle_dotted(self) -> None:
        if not self._ready():
            return
        self.dotted = not self.dotted
        self.update_status()
        self.window.pianoroll.canvas.update()  # the cursor's length
        self._say(f"Step length: {self._length_name()}", 3000)

    def enter_note(self, letter: str, chord: bool = False) -> None:
        if not self._ready():
            return
        if chord:
            self._add_to_chord(letter)
            return
        w = self.window
        tid = w.current_track_or_say()
        if tid is None:
            return
        song = w.document.song
        track = song.track(tid)
        if track.is_drum:
            self._say(self._drum_message(), 8000)
            return
        at, end = self._step_span(w.transport.position)
        reference = self._last_pitch(tid)
        if reference is None:
            reference = starting_pitch(track, at)
        key = song.key_at(at)
        pitch_class, accidental = typed_pitch_class(letter, key)
        pitch = nearest_pitch(pitch_class, reference)
        pitch = fold_into_range(pitch, *part_range(track.name, track.program, track.is_drum))
        note = Note(pitch, at, end - at, w.pianoroll.draw_velocity,
                    spelling=typed_spelling(letter, accidental))
        name = self.name_of(note, key)
        if self._write(tid, [note], f"Enter {name}", Step(tid, at, end, [note.id])):
            self._entered(tid, [note], said=f"{name} {self._length_name()} at {self._at(at)}")

    def _add_to_chord(self, letter: str) -> None:
        w = self.window
        tid = w.pianoroll.current_track_id()
        if tid is not None and w.document.song.track(tid).is_drum:
            self._say(self._drum_message(), 8000)
            return
        step = self._last_step()
        if step is None or not step.note_ids:
            self._say("Step entry: type A–G first; Shift+letter adds to its chord"
                      + (" (not to a rest)" if step else ""))
            return
        song = w.document.song
        track = song.track(step.track_id)
        live = self._live(step)
        key = song.key_at(step.start)
        pitch_class, accidental = typed_pitch_class(letter, key)
        pitch = pitch_above(pitch_class, max(n.pitch for n in live))
        if pitch is None:
            self._say("Step entry: no room above the chord (G9 is MIDI's highest)")
            return
        note = Note(pitch, step.start, step.end - step.start, w.pianoroll.draw_velocity,
                    spelling=typed_spelling(letter, accidental))
        name = self.name_of(note, key)
        if self._write(track.id, [note], f"Add {name} to the chord"):
            step.note_ids.append(note.id)
            self._entered(track.id, [note], said=f"Added {name} at {self._at(step.start)}")

    # -- a MIDI keyboard ------------------------------------------------------------------------
    def midi_note_on(self, pitch: int, velocity: int, seconds: float) -> None:
        """A key of the MIDI keyboard struck at ``seconds`` (``time.monotonic()``): its exact
        pitch at the entry point, one step long, with its velocity; with the keys played
        together, one chord (:data:`CHORD_WINDOW_S`, or while one of them is held)."""
        chord = self.chord
        together = chord is not None and (
            seconds - chord.first <= CHORD_WINDOW_S or self.held & set(chord.velocities))
        self.held.add(pitch)
        # Not _ready(): a text field with the focus keeps the letter keys, but a MIDI
        # keyboard's keys are not typing, so they enter notes whatever has the focus.
        if not self.on:
            return
        if self.window.transport.is_playing:
            self._say("Step entry: stop playback first (Space)")
            return
        if together and chord is not None and self._chord_on_top(chord):
            if pitch in chord.velocities:
                return  # the same key again within the chord: it is there already
            chord.velocities[pitch] = velocity
            self.window.document.undo_stack.undo()  # written again with it: one undo step
            self.steps.remove(chord.step)  # (the redo it leaves goes with the next push)
            self._write_chord(chord.step.track_id, chord.step.start, chord.step.end,
                              chord.velocities, chord.first)
            return
        w = self.window
        tid = w.current_track_or_say()
        if tid is None:
            return
        at, end = self._step_span(w.transport.position)
        self._write_chord(tid, at, end, {pitch: velocity}, seconds)

    def midi_note_off(self, pitch: int, _seconds: float = 0.0) -> None:
        self.held.discard(pitch)

    def _chord_on_top(self, chord: MidiChord) -> bool:
        """Whether the chord is still the last thing done: its edit on top of the undo
        stack (nothing undone, nothing done since) and the playhead where it left it."""
        stack = self.window.document.undo_stack
        return (stack.index() == chord.index == stack.count() and chord.step.stands
                and chord.step in self.steps and self.window.transport.position == chord.step.end)

    def _write_chord(self, tid: int, at: int, end: int, velocities: dict[int, int],
                     first: float) -> None:
        """Write the keys played (pitch → velocity) from ``at`` to ``end`` as one step and
        one undo step, the playhead moved on to ``end``."""
        w = self.window
        song = w.document.song
        track = song.track(tid)
        notes = [Note(p, at, end - at, clamp_velocity(v)) for p, v in velocities.items()]
        key = song.key_at(at)
        ordered = sorted(notes, key=lambda n: n.pitch)
        if track.is_drum:  # a key of a kit is a drum: the drum's name
            name = ", ".join(drum_name(n.pitch, kit=track.program) or pitch_name(n.pitch, key)
                             for n in ordered)
        else:
            name = " ".join(pitch_name(n.pitch, key) for n in ordered)
        self.chord = None
        step = Step(tid, at, end, [n.id for n in notes])
        if not self._write(tid, notes, f"Enter {name}", step):
            return
        self.chord = MidiChord(step, dict(velocities), first,
                               w.document.undo_stack.index())
        # Monitored, the keys are heard as they are played: no preview over them.
        self._entered(tid, notes, heard=w.midi.monitoring,
                      said=f"{name} {self._length_name()} at {self._at(at)}")

    def rest(self) -> None:
        """0 or R: the entry point a step on, no note — an undo step of its own, so Ctrl+Z
        (or Backspace) takes back a mistyped 0 and nothing else (it took the note before)."""
        if not self._ready():
            return
        w = self.window
        at, end = self._step_span(w.transport.position)
        tid = w.pianoroll.current_track_id()
        step = Step(-1 if tid is None else tid, at, end)
        self.steps.append(step)
        self.chord = None
        w.document.undo_stack.push(StepCommand("Rest", self, step, True, at, end))
        w.selection.clear_notes()
        self._say(f"Rest {self._length_name()} at {self._at(at)}", 3000)

    def back(self) -> None:
        """Backspace: the last step standing that ends at or before the entry point taken
        back — its notes removed, the playhead back at its start, one undo step — and the
        step before selected. A step after the entry point (← moved it back) stays: the
        playhead never moves forward."""
        if not self._ready():
            return
        w = self.window
        at = w.transport.position
        step = next((s for s in reversed(self.steps) if self._stands(s) and s.end <= at), None)
        if step is None:
            # Short, the remedy first: the status bar shares its width with its labels.
            self._say("Step entry: nothing to take back here (→ moves on)"
                      if self._last_step() else
                      "Step entry: nothing entered to take back (Delete deletes)")
            return
        live = self._live(step)
        stack = w.document.undo_stack
        if live:
            key = w.document.song.key_at(step.start)
            names = ", ".join(self.name_of(n, key) for n in sorted(live, key=lambda n: n.pitch))
            label = f"Take back {names}"
            said = f"Took back {names}"
            stack.beginMacro(label)
            try:
                w.document.apply(remove_notes(step.track_id, live, label))
                stack.push(StepCommand(label, self, step, False, at, step.start))
            finally:
                stack.endMacro()
        else:
            stack.push(StepCommand("Take back rest", self, step, False, at, step.start))
            said = "Took back a rest"
        self.chord = None
        before = self._last_step()
        keys = [(before.track_id, n.id) for n in self._live(before)] if before else []
        w.selection.set_notes(keys)
        self.update_status()
        self._say(f"{said}: back at {self._at(step.start)}", 3000)

    def _stray_key(self) -> None:
        if self._ready():
            self._say(STRAY_HINT, 3000)

    # -- helpers --------------------------------------------------------------------------------
    def _step_span(self, at: int) -> tuple[int, int]:
        """The next step: from the playhead, one step of the chosen length (dotted: ×1.5),
        across a bar line if it reaches one — the length typed is the length written, as
        a score editor's cursor writes it (a 1/16 after a 1/4 leaves the next 1/4 off the
        quarter grid, as it should)."""
        roll = self.window.pianoroll
        tm = self.window.document.time_map
        length = step_at(roll.snap, tm, at)
        if self.dotted:
            length += length // 2
        elif roll.snap.triplet and snap_tick(roll.snap, tm, at, "round") == at:
            # On a triplet line: to the next one, exactly (three 1/8T at 256 PPQ are 85, 86,
            # 85 ticks; a whole 85 each drifted off the beat).
            return at, at + max(1, grid_shift(roll.snap, tm, at, 1))
        return at, at + max(1, length)

    def _step_before(self, at: int) -> int:
        """Where the step ending at ``at`` starts: :meth:`_step_span` backwards (← in the
        mode), never before the song's start."""
        roll = self.window.pianoroll
        tm = self.window.document.time_map
        if at <= 0:
            return 0
        if (not self.dotted and roll.snap.triplet
                and snap_tick(roll.snap, tm, at, "round") == at):
            return max(0, at + grid_shift(roll.snap, tm, at, -1))  # the triplet line before
        length = step_at(roll.snap, tm, at - 1)  # "Bar": the bar before's length
        if self.dotted:
            length += length // 2
        return max(0, at - max(1, length))

    def _live(self, step: Step) -> list[Note]:
        """The step's notes still in the song (undo, Delete may have taken some)."""
        try:
            track = self.window.document.song.track(step.track_id)
        except KeyError:
            return []
        ids = set(step.note_ids)
        return [n for n in track.notes if n.id in ids]

    def _stands(self, step: Step) -> bool:
        """Whether the step is in the song as the undo stack has it (not undone, not taken
        back) and, a note step, has a note left (Delete may have taken them)."""
        return step.stands and (not step.note_ids or bool(self._live(step)))

    def _last_step(self) -> Step | None:
        """The last step standing (steps undone are kept, as a redo brings them back)."""
        return next((s for s in reversed(self.steps) if self._stands(s)), None)

    def slur_run(self) -> tuple[int, list[Note]] | None:
        """What Shift+L slurs in the mode (its track and notes): the notes entered since
        the last rest, or since the note the last slur ended on — at least the last two
        entered, so a slur after one starts on the note that one ended on (C D, Shift+L, E,
        Shift+L: C–D and D–E). None where fewer than two notes follow the last rest (or
        another track's notes). A score editor's slur in note input is over the phrase
        just written: here the notes entered select one at a time, so a slur over the
        selection was never there to make (QA: Shift+L always refused)."""
        standing = [s for s in self.steps if self._stands(s)]
        if not standing or not standing[-1].note_ids:
            return None
        tid = standing[-1].track_id
        run: list[list[Note]] = []
        for step in reversed(standing):
            if step.track_id != tid or not step.note_ids:
                break
            live = self._live(step)
            # The last step's own slur end (the slur just made) is no bound: Shift+L again
            # finds the same notes, and takes that slur off.
            ends = bool(run) and any(kind == "stop" for n in live for kind, _ in n.slurs)
            if ends and len(run) >= 2:
                break
            run.append(live)
            if ends:
                break
        if len(run) < 2:
            return None
        return tid, [n for live in reversed(run) for n in live]

    def _last_pitch(self, track_id: int) -> int | None:
        """The pitch of the note last entered on the track (as it is now: ↑ ↓ count)."""
        for step in reversed(self.steps):
            if step.track_id != track_id or not step.stands:
                continue
            live = {n.id: n for n in self._live(step)}
            for nid in reversed(step.note_ids):
                if nid in live:
                    return live[nid].pitch
        return None

    def _write(self, tid: int, notes: list[Note], label: str,
               step: Step | None = None) -> bool:
        """Add ``notes`` (a note, or a chord) as one undo step; as a new ``step``, with the
        playhead's move to its end (:class:`StepCommand`; the step kept). A note of their
        pitch under one is replaced or, held from before, ends where it starts
        (:func:`engine.score.add_notes_replacing`: entering twice doubled every note, and
        a doubled note plays twice)."""
        w = self.window
        doc = w.document
        edit = add_notes_replacing(doc.song, tid, notes, label)
        try:
            edit.apply(doc.song)
        except EditError as e:
            self._say(str(e))
            return False
        if step is None:
            doc.apply(edit)
            return True
        self.steps.append(step)
        doc.undo_stack.beginMacro(label)
        try:
            doc.apply(edit)
            doc.undo_stack.push(StepCommand(label, self, step, True, w.transport.position,
                                            step.end))
        finally:
            doc.undo_stack.endMacro()
        return True

    def cursor_span(self) -> tuple[int, int] | None:
        """The ticks the entry cursor shades: the next step from the playhead (None while
        the mode is off or the transport plays)."""
        if not self.on or self.window.transport.is_playing:
            return None
        return self._step_span(self.window.transport.position)

    def paint_cursor(self, p: QPainter, canvas: NoteCanvas) -> None:
        """The piano roll's overlay: the next step's span shaded, a bar at the entry point
        (the playhead's line is drawn over it)."""
        span = self.cursor_span()
        if span is None:
            return
        x0, x1 = (canvas.vp.tick_to_x(t) for t in span)
        if x1 < 0 or x0 > canvas.width():
            return
        h = canvas.height()
        p.fillRect(QRectF(x0, 0, max(x1 - x0, CURSOR_EDGE_PX), h), CURSOR_FILL)
        edge = QColor(CURSOR_FILL)
        edge.setAlpha(200)
        p.fillRect(QRectF(x0, 0, CURSOR_EDGE_PX, h), edge)

    def _entered(self, tid: int, notes: list[Note], heard: bool = False,
                 said: str = "") -> None:
        """The new note (or chord) selected, heard (unless ``heard`` already), on screen
        and ``said`` in the status bar ("E5 1/4 at 3.2": a screen reader reads the
        message, not the "Step entry" label's change)."""
        w = self.window
        roll = w.pianoroll
        w.selection.set_notes([(tid, n.id) for n in notes])
        roll.reveal_notes(notes)
        if not heard and len(notes) == 1:
            roll.preview(notes[0].pitch, tid)
        elif not heard:  # the chord together (one preview at a time is heard)
            w.transport.preview(tuple(n.pitch for n in notes), w.document.song.track(tid))
        self.update_status()
        if said:
            self._say(said, 3000)

    def moved(self, semitones: int) -> None:
        """# − ↑ ↓ or Ctrl+↑ ↓ moved the selected notes (the window's transposition, once
        done): a semitone spells those just entered that way from now on, and the status
        bar names the note just entered as it is now — the step length said a moment
        before stayed there (QA: "Step length: 1/4" after Ctrl+↓ moved the note)."""
        if not self.on:
            return
        w = self.window
        self.update_status()
        w.update_selection_status()
        step = self._last_step()
        if step is not None and set(w.selection.notes) == {
                (step.track_id, n.id) for n in self._live(step)}:
            by = "an octave" if abs(semitones) == 12 else "a semitone"
            self._say(f"{self._last_entered_name()} ({by} {'up' if semitones > 0 else 'down'})",
                      3000)
