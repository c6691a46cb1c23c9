"""Preferences and window layout, kept in QSettings."""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote_from_bytes, unquote_to_bytes

from PySide6.QtCore import QByteArray, QSettings

from engine.score.snap import DEFAULT_SNAP, MAX_SWING, QUANTIZE_GRIDS, STRAIGHT
from engine.tasks.templates import SongSetup

MAX_RECENT = 10
# The rates File ▸ Export Audio & Stems offers (`partita render --sample-rate` takes any
# rate from 8000 to 192000 Hz): a DAW session's usual ones.
EXPORT_SAMPLE_RATES = (44100, 48000, 88200, 96000)
DEFAULT_EXPORT_RATE = 44100
# Where the exported files end (engine.render.END_CHOICES): after the release tails, at the
# last bar line, or there with the tails wrapped onto the start (a loop).
EXPORT_ENDS = ("tail", "bar", "loop")
DEFAULT_EXPORT_END = "tail"
# The files' sample format (engine.render.BIT_DEPTHS, `partita render --bit-depth`).
EXPORT_BIT_DEPTHS = ("16", "24", "32f")
DEFAULT_EXPORT_BIT_DEPTH = "24"
# The files' level (engine.render LevelChoice): normalised (never clips) unless a fixed
# gain is chosen (`partita render --gain`); -6 dB its first offer, room for a full mix.
EXPORT_LEVELS = ("normalise", "fixed")
DEFAULT_EXPORT_LEVEL = "normalise"
DEFAULT_EXPORT_GAIN_DB = -6.0
# engine.render.mixing.FIXED_GAIN_RANGE_DB, not imported: engine.render (numpy, the
# synths) loads with the first export, not with the settings.
EXPORT_GAIN_RANGE_DB = (-60.0, 24.0)
# How the stems are named (`partita render --stem-names`, engine.render.files.stem_names,
# not imported for the reason above): "01 - Piano.wav", or with the song's file name for
# middleware that keeps every variation of a loop in one folder ("loop-2_Piano.wav").
EXPORT_STEM_NAMES = ("{nn} - {track}", "{song}_{track}", "{song}_{nn}_{track}")
DEFAULT_EXPORT_STEM_NAMES = "{nn} - {track}"  # engine.render.files.DEFAULT_STEM_NAMES
COUNT_IN_BARS = (0, 1, 2)  # a recording's count-in: off, one bar, two bars
DEFAULT_COUNT_IN = 1
# What a loop recording keeps (Tools ▸ MIDI Input ▸ Loop Recording): its passes merged
# into one take, or each pass as a take on the takes bar.
LOOP_RECORDINGS = ("merge", "takes")
BYTES_PREFIX = "bytes:"  # a stored path that is not valid Unicode (never starts a real path)


def encode_path(path: str | Path) -> str:
    """``path`` as a string QSettings keeps exactly. A name that is not valid UTF-8 on
    disk (``caf\xe9.mid`` from an old Latin-1 system) is held by Python with surrogate
    escapes, which Qt would mangle: such paths are stored as their escaped bytes."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return BYTES_PREFIX + quote_from_bytes(os.fsencode(text), safe="/")
    return text


def decode_path(stored: str) -> str:
    """The OS path :func:`encode_path` stored (plain strings from older settings too)."""
    if stored.startswith(BYTES_PREFIX):
        return os.fsdecode(unquote_to_bytes(stored[len(BYTES_PREFIX):]))
    return stored


class Settings:
    """Typed access to the studio's QSettings.

    ``path`` puts the settings in an INI file of its own (tests, portable installs);
    by default they live where the platform keeps application settings.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        if path is not None:
            self._s = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self._s = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                                "Partita", "studio")

    def sync(self) -> str | None:
        """Write the settings out; what went wrong when they cannot be kept (a read-only
        config folder), else None."""
        self._s.sync()
        if self._s.status() == QSettings.Status.NoError:
            return None
        return (f"settings cannot be saved ({self._s.fileName()} is not writable): recent "
                "files, layout and the default model will not be kept")

    # -- recent files ---------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        """Most recent first, as OS paths (reopen exactly the file that was opened)."""
        value = self._s.value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [decode_path(str(v)) for v in (value or [])]

    def add_recent_file(self, path: str | Path) -> list[str]:
        p = str(Path(path).resolve())
        files = [p, *(f for f in self.recent_files() if f != p)][:MAX_RECENT]
        self._s.setValue("files/recent", [encode_path(f) for f in files])
        return files

    def remove_recent_file(self, path: str | Path) -> bool:
        """Take ``path`` off the recent files (a file that is no longer there); True when
        it was on them. Matched as given and resolved: an entry is kept resolved, and a
        missing file's path resolves as far as its folders still exist."""
        names = {str(path), str(Path(path).resolve())}
        files = self.recent_files()
        kept = [f for f in files if f not in names]
        if len(kept) == len(files):
            return False
        self._s.setValue("files/recent", [encode_path(f) for f in kept])
        return True

    def clear_recent_files(self) -> None:
        self._s.setValue("files/recent", [])

    def last_dir(self) -> str:
        return decode_path(str(self._s.value("files/last_dir", str(Path.home()))))

    def set_last_dir(self, path: str | Path) -> None:
        # Absolute: a file opened as "demo.mid" from a terminal gave ".", which a later
        # start from the desktop's launcher read as another folder.
        self._s.setValue("files/last_dir", encode_path(Path(path).absolute()))

    # -- editing --------------------------------------------------------------------------------
    def snap(self) -> str:
        return str(self._s.value("edit/snap", DEFAULT_SNAP))

    def set_snap(self, name: str) -> None:
        self._s.setValue("edit/snap", name)

    def quantize_choice(self) -> tuple[str, int, int]:
        """Quantize…'s grid, swing and strength (per cent), as last chosen: 1/8 at 50 %
        (straight) and 100 % at first, or when a hand-edited value is none of them. (The
        grid's and swing's keys are those of Quantize with Swing…, as the menu item was
        called when it asked those alone: kept.)"""
        grid = str(self._s.value("edit/swing_grid", "1/8"))
        low, high = round(STRAIGHT * 100), round(MAX_SWING * 100)
        swing = self._int_choice("edit/swing", range(low, high + 1), low)
        strength = self._int_choice("edit/quantize_strength", range(1, 101), 100)
        return (grid if grid in QUANTIZE_GRIDS else "1/8"), swing, strength

    def set_quantize_choice(self, grid: str, swing: int, strength: int) -> None:
        self._s.setValue("edit/swing_grid", grid)
        self._s.setValue("edit/swing", int(swing))
        self._s.setValue("edit/quantize_strength", int(strength))

    def metronome(self) -> bool:
        return self._s.value("transport/metronome", False, type=bool)

    def set_metronome(self, on: bool) -> None:
        self._s.setValue("transport/metronome", on)

    def count_in_bars(self) -> int:
        """Bars of the click before a recording starts (Transport ▸ Count-in): one of
        :data:`COUNT_IN_BARS`, 1 unless chosen (a hand-edited value that is not one: 1)."""
        return self._int_choice("transport/count_in", COUNT_IN_BARS, DEFAULT_COUNT_IN)

    def set_count_in_bars(self, bars: int) -> None:
        self._s.setValue("transport/count_in", int(bars))

    def follow_playhead(self) -> bool:
        return self._s.value("transport/follow", True, type=bool)

    def set_follow_playhead(self, on: bool) -> None:
        self._s.setValue("transport/follow", on)

    def chord_row(self) -> bool:
        """View ▸ Chord Row: the chord row shown in a song without chords too."""
        return self._s.value("pianoroll/chord_row", False, type=bool)

    def set_chord_row(self, on: bool) -> None:
        self._s.setValue("pianoroll/chord_row", on)

    def controller_lane(self) -> str:
        """The lane under the piano roll's notes (View ▸ Controller Lane): "velocity",
        "bend", "pedal" or "mod" (studio.pianoroll.controllers.LANES)."""
        return str(self._s.value("pianoroll/lane", "velocity"))

    def set_controller_lane(self, name: str) -> None:
        self._s.setValue("pianoroll/lane", name)

    # -- MIDI input ---------------------------------------------------------------------------
    def midi_input(self) -> str | None:
        """The MIDI input port chosen (Tools ▸ MIDI Input): its name, "" for None, or None
        when the user never chose (the first keyboard found is opened)."""
        if not self._s.contains("midi/input"):
            return None
        return str(self._s.value("midi/input", "") or "")

    def set_midi_input(self, name: str) -> None:
        """Keep the port ``name`` to reopen at the next start ("": None, keep none open)."""
        self._s.setValue("midi/input", name)

    def midi_monitor(self) -> bool:
        """Tools ▸ MIDI Input ▸ Monitor: the keys played are heard with the track's
        instrument (on unless turned off: a keyboard with its own sound needs none)."""
        return self._s.value("midi/monitor", True, type=bool)

    def set_midi_monitor(self, on: bool) -> None:
        self._s.setValue("midi/monitor", bool(on))

    def loop_recording(self) -> str:
        """Tools ▸ MIDI Input ▸ Loop Recording: "merge" (the passes merged into one take,
        the default) or "takes" (each pass a take on the takes bar)."""
        value = str(self._s.value("midi/loop_recording", "merge"))
        return value if value in LOOP_RECORDINGS else "merge"

    def set_loop_recording(self, mode: str) -> None:
        self._s.setValue("midi/loop_recording", mode)

    def autosave_seconds(self) -> int:
        return int(self._s.value("files/autosave_seconds", 30))

    # -- audio export ---------------------------------------------------------------------------
    def export_sample_rate(self) -> int:
        """The rate the last audio export used (one of :data:`EXPORT_SAMPLE_RATES`; a
        hand-edited value that is not one gives the default)."""
        return self._int_choice("export/sample_rate", EXPORT_SAMPLE_RATES, DEFAULT_EXPORT_RATE)

    def set_export_sample_rate(self, rate: int) -> None:
        self._s.setValue("export/sample_rate", int(rate))

    def export_soundfont(self) -> str:
        """The SoundFont the last audio export was asked to use; "" for the default one."""
        return decode_path(str(self._s.value("export/soundfont", "") or ""))

    def set_export_soundfont(self, path: str | Path | None) -> None:
        self._s.setValue("export/soundfont", encode_path(Path(path).absolute()) if path else "")

    def export_end(self) -> str:
        """Where the last audio export's files ended (one of :data:`EXPORT_ENDS`; anything
        else gives the default)."""
        value = str(self._s.value("export/end", DEFAULT_EXPORT_END))
        return value if value in EXPORT_ENDS else DEFAULT_EXPORT_END

    def set_export_end(self, end: str) -> None:
        self._s.setValue("export/end", end)

    def export_bit_depth(self) -> str:
        """The bit depth of the last audio export's files (one of
        :data:`EXPORT_BIT_DEPTHS`; anything else gives the default, 24)."""
        value = str(self._s.value("export/bit_depth", DEFAULT_EXPORT_BIT_DEPTH))
        return value if value in EXPORT_BIT_DEPTHS else DEFAULT_EXPORT_BIT_DEPTH

    def set_export_bit_depth(self, bit_depth: str) -> None:
        self._s.setValue("export/bit_depth", bit_depth)

    def export_dry_stems(self) -> bool:
        """Whether the last audio export wrote its stems dry (without volume and pan)."""
        return self._s.value("export/dry_stems", False, type=bool)

    def set_export_dry_stems(self, dry: bool) -> None:
        self._s.setValue("export/dry_stems", bool(dry))

    def export_level(self) -> tuple[str, float]:
        """The last audio export's level (one of :data:`EXPORT_LEVELS`) and the fixed
        gain in dB last chosen, kept while normalising too; a hand-edited value that is
        not one, or a gain out of :data:`EXPORT_GAIN_RANGE_DB`, gives the default."""
        level = str(self._s.value("export/level", DEFAULT_EXPORT_LEVEL))
        try:
            gain = float(self._s.value("export/gain_db", DEFAULT_EXPORT_GAIN_DB))
        except (TypeError, ValueError):
            gain = DEFAULT_EXPORT_GAIN_DB
        low, high = EXPORT_GAIN_RANGE_DB
        return (level if level in EXPORT_LEVELS else DEFAULT_EXPORT_LEVEL,
                gain if low <= gain <= high else DEFAULT_EXPORT_GAIN_DB)

    def set_export_level(self, level: str, gain_db: float) -> None:
        self._s.setValue("export/level", level)
        self._s.setValue("export/gain_db", float(gain_db))

    def export_rehearsal(self) -> tuple[bool, bool]:
        """Whether the last audio export wrote rehearsal mixes, and with a bar of
        count-in."""
        return (self._s.value("export/rehearsal", False, type=bool),
                self._s.value("export/rehearsal_count_in", False, type=bool))

    def set_export_rehearsal(self, rehearsal: bool, count_in: bool) -> None:
        self._s.setValue("export/rehearsal", bool(rehearsal))
        self._s.setValue("export/rehearsal_count_in", bool(count_in))

    def export_stem_names(self) -> str:
        """How the last audio export named its stems (one of :data:`EXPORT_STEM_NAMES`;
        anything else gives the default, "{nn} - {track}")."""
        value = str(self._s.value("export/stem_names", DEFAULT_EXPORT_STEM_NAMES))
        return value if value in EXPORT_STEM_NAMES else DEFAULT_EXPORT_STEM_NAMES

    def set_export_stem_names(self, template: str) -> None:
        self._s.setValue("export/stem_names", template)

    # -- File ▸ New ------------------------------------------------------------------------------
    def new_song_setup(self) -> SongSetup:
        """The tracks, tempo, meter, key and length File ▸ New's dialog was last given
        (not the title: a new song is another song); the defaults (one Piano, 8 bars of
        4/4 at 120 BPM) for any never chosen or hand-edited into one that does not fit."""
        default = SongSetup()
        stored = {"template": str(self._s.value("new_song/template", default.template)),
                  "meter": str(self._s.value("new_song/meter", default.meter)),
                  "key": str(self._s.value("new_song/key", "") or "") or None}
        try:
            stored["bars"] = int(self._s.value("new_song/bars", default.bars))
            stored["tempo"] = float(self._s.value("new_song/tempo", default.tempo))
        except (TypeError, ValueError):
            pass
        fields = {}
        for name, value in stored.items():  # each checked alone: one bad value, one default
            try:
                replace(default, **{name: value}).song()
            except ValueError:
                continue
            fields[name] = value
        return replace(default, **fields)

    def set_new_song_setup(self, setup: SongSetup) -> None:
        self._s.setValue("new_song/template", setup.template)
        self._s.setValue("new_song/bars", int(setup.bars))
        self._s.setValue("new_song/tempo", float(setup.tempo))
        self._s.setValue("new_song/meter", setup.meter)
        self._s.setValue("new_song/key", setup.key or "")

    # -- models ---------------------------------------------------------------------------------
    def take_default_model(self) -> str | None:
        """The default model an older studio kept here, removed as it is read (the
        default is now the engine's, shared with the command line: Registry.save_default)."""
        value = self._s.value("models/default", "")
        if value:
            self._s.remove("models/default")
        return str(value) if value else None

    def generation(self) -> dict:
        """The generation panel's last settings (steps, temperature, …)."""
        value = self._s.value("models/generation", {})
        return dict(value) if isinstance(value, dict) else {}

    def set_generation(self, values: dict) -> None:
        self._s.setValue("models/generation", values)

    # -- window layout --------------------------------------------------------------------------
    def window_geometry(self) -> QByteArray | None:
        v = self._s.value("window/geometry")
        return v if isinstance(v, QByteArray) else None

    def window_state(self) -> QByteArray | None:
        v = self._s.value("window/state")
        return v if isinstance(v, QByteArray) else None

    def splitter_state(self) -> QByteArray | None:
        v = self._s.value("window/splitter")
        return v if isinstance(v, QByteArray) else None

    def save_layout(self, geometry: QByteArray, state: QByteArray, splitter: QByteArray) -> None:
        self._s.setValue("window/geometry", geometry)
        self._s.setValue("window/state", state)
        self._s.setValue("window/splitter", splitter)

    def _int_choice(self, key: str, choices: Collection[int], default: int) -> int:
        """The whole number kept at ``key`` if it is one of ``choices``, else ``default`` (a
        hand-edited value that is not a number, or not one of them)."""
        try:
            value = int(self._s.value(key, default))
        except (TypeError, ValueError):
            return default
        return value if value in choices else default
