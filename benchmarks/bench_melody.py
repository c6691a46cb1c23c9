"""Does a written melody sing? A songwriter's pop verse in G (a sung Vocal with its
words, a piano and a bass) over ``G | D | Em | C | G | D | C | D`` twice: the Vocal's
bars 5-8 repainted, and 8 bars continued (every track).

    .venv/bin/python benchmarks/bench_melody.py [--model partita-base] [--seeds 5]
                                                [--tasks repaint,continue] [--no-chords]

``--no-chords``: the tunes most songs are, with no chord symbols: the demo's Lead
(assets/demo, D minor: its bars 9-12 repainted, 8 bars continued after the song), the
pop verse without its lead sheet, and a folk tune in D (a Flute in quarters and 8ths
over a Guitar's half-note triads, mido-built, 112 BPM), each one's bars 5-8 repainted
and 8 bars continued. Its table has ``notes``, ``runs3``, ``long``, ``steps``,
``leaps8``, ``fill`` and ``len`` (the notes' mean length in 16ths), ``off`` (notes
struck off the beat, of the notes) and ``in key`` (notes in the song's key): the line's
rhythm and key, which its pulls on pitch should leave as they were.

The verse is :mod:`bench_chords`'s pop tune, a syllable on each note, over a piano's
half-note triads and a bass's roots in quarters, all mido-built (480 PPQ, 96 BPM); the
lead sheet runs 16 bars, so the continuation has chords to follow. Per run (seeds 1..N,
chords followed, ``--keep-rhythm`` runs the repaint with the Vocal's rhythm kept) the
Vocal's written notes give:

- ``notes``: the notes written;
- ``runs3``: runs of one pitch struck 3 or more times in a row (a rest between counts
  as in a row: a singer hears one pitch again), and ``long``: the longest run;
- ``steps``: moves from one note to the next by a half or whole step, of all moves
  (a repeated pitch is a move of 0);
- ``leaps8``: moves larger than an octave;
- ``fill``: leaps of a 4th or more followed by a move back the other way, of those leaps
  followed by a note (gap-fill);
- ``held``: notes sounding on across a chord change onto a tone a minor 2nd (or 9th)
  from one of the new chord's tones, not one of its own (F♯4 held into C);
- ``nct off``: notes struck off the beat on no tone of the chord (passing and neighbour
  notes: a tune keeps them), of the notes struck off the beat.

The first figures are the written notes' alone; the first move of ``steps`` (and the
runs) is from the kept note before them.

Figures are counts over seeded runs (paired across code versions), not timings.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path

import mido

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_chords import _VERSE, BAR, POP, PPQ  # noqa: E402

from engine import tasks  # noqa: E402
from engine.io import load_song  # noqa: E402
from engine.models.chord_follow import chord_guide, clash_classes  # noqa: E402
from engine.models.plugin import plugin_from_folder, shipped_model_folder  # noqa: E402
from engine.plugins.api import GenerateOptions  # noqa: E402
from engine.score import Note, Song  # noqa: E402
from engine.score.keys import key_fit  # noqa: E402
from engine.score.lead_sheet import with_lead_sheet  # noqa: E402

CHORDS = f"{POP} | {POP}"
DEMO = ROOT / "assets" / "demo" / "demo.mid"
# The piano's triads (root position, in the middle of the keyboard) and the bass's roots.
_TRIADS = {"G": (55, 59, 62), "D": (57, 62, 66), "Em": (55, 59, 64), "C": (55, 60, 64)}
_ROOTS = {"G": 43, "D": 38, "Em": 40, "C": 36}
SYLLABLES = "la"


# A folk tune in D (per bar: beat, beats long, pitch) and the Guitar's triads under it.
_FOLK = [
    [(0, 1, 69), (1, .5, 74), (1.5, .5, 74), (2, .5, 76), (2.5, .5, 78), (3, 1, 74)],  # D
    [(0, 1, 79), (1, .5, 78), (1.5, .5, 76), (2, 1, 74), (3, 1, 71)],  # G
    [(0, 1, 69), (1, .5, 66), (1.5, .5, 69), (2, 1, 74), (3, .5, 73), (3.5, .5, 71)],  # D
    [(0, 2, 69), (2, 1, 76), (3, 1, 73)],  # A
    [(0, 1, 74), (1, .5, 73), (1.5, .5, 74), (2, 1, 78), (3, 1, 74)],  # D
    [(0, 1, 71), (1, .5, 74), (1.5, .5, 71), (2, 1, 67), (3, 1, 71)],  # G
    [(0, 1, 69), (1, 1, 73), (2, .5, 76), (2.5, .5, 73), (3, 1, 69)],  # A
    [(0, 3, 74)],  # D
]
_FOLK_TRIADS = [(50, 54, 57), (55, 59, 62), (50, 54, 57), (49, 52, 57)] * 2


def _tune(phrases: list[list[tuple[float, float, int]]]) -> list[tuple[int, int, int]]:
    """(start, end, pitch) of a tune given per bar as (beat, beats long, pitch)."""
    return [(bar * BAR + int(beat * PPQ), bar * BAR + int((beat + length) * PPQ) - 30, pitch)
            for bar, phrase in enumerate(phrases) for beat, length, pitch in phrase]


def _halves(triads: list[tuple[int, ...]]) -> list[tuple[int, int, int]]:
    """A chord a bar, struck in half notes."""
    return [(bar * BAR + half * 2 * PPQ, bar * BAR + (half + 1) * 2 * PPQ - 30, p)
            for bar, triad in enumerate(triads) for half in range(2) for p in triad]


def pop_band(path: Path) -> None:
    """The verse: a Vocal (GM Voice Oohs, a syllable per note), a Piano striking the
    chord in half notes, a Bass on its root in quarters, 8 bars."""
    changes = [c.strip() for c in POP.split("|")]
    bass = [(bar * BAR + beat * PPQ, bar * BAR + (beat + 1) * PPQ - 30, _ROOTS[c])
            for bar, c in enumerate(changes) for beat in range(4)]
    _band(path, 96, (("Vocal", 53, _tune(_VERSE)),
                     ("Piano", 0, _halves([_TRIADS[c] for c in changes])),
                     ("Bass", 33, bass)))


def folk_band(path: Path) -> None:
    """The folk tune: a Flute over an Acoustic Guitar's triads in half notes, 8 bars."""
    _band(path, 112, (("Flute", 73, _tune(_FOLK)), ("Guitar", 25, _halves(_FOLK_TRIADS))))


def _band(path: Path, bpm: int, parts: tuple[tuple[str, int, list], ...]) -> None:
    """A MIDI file of ``parts`` (name, GM program, (start, end, pitch) notes), a channel
    each, accented on the beats; a Vocal sings a syllable on each note."""
    mid = mido.MidiFile(ticks_per_beat=PPQ)
    for channel, (name, program, notes) in enumerate(parts):
        track = mido.MidiTrack()
        mid.tracks.append(track)
        if channel == 0:
            track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm)))
            track.append(mido.MetaMessage("time_signature", numerator=4, denominator=4))
        track.append(mido.MetaMessage("track_name", name=name))
        track.append(mido.Message("program_change", program=program, channel=channel))
        events = []
        for start, end, pitch in notes:
            events += [(start, 1, pitch), (end, 0, pitch)]
        now = 0
        for tick, on, pitch in sorted(events):
            if on and name == "Vocal":
                track.append(mido.MetaMessage("lyrics", text=SYLLABLES, time=tick - now))
                now = tick
            track.append(mido.Message("note_on" if on else "note_off", note=pitch,
                                      velocity=(100 if tick % PPQ == 0 else 82) if on else 0,
                                      channel=channel, time=tick - now))
            now = tick
    mid.save(path)


def _read(write) -> Song:
    """The song ``write`` (path) writes, read back."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "song.mid"
        write(path)
        return load_song(path)


def verse() -> Song:
    """The verse with its 16 bars of chords."""
    return with_lead_sheet(_read(pop_band), CHORDS)


def chordless() -> list[tuple[str, Song, int, str]]:
    """The ``--no-chords`` songs: (name, song, first bar repainted (0-based, 4 bars),
    key), the melody their first track, or the one named Lead."""
    demo = load_song(DEMO)
    assert not demo.chords, "the demo has no chord symbols"
    return [("demo", demo, 8, "Dm"), ("pop", _read(pop_band), 4, "G"),
            ("folk", _read(folk_band), 4, "D")]


def melody_figures(song: Song, notes: list[Note], before: Note | None, end: int,
                   key: str | None = None) -> dict[str, str]:
    """The columns (the module's docstring) of the written ``notes`` (in order), the
    kept note ``before`` them (their first move is from it) up to tick ``end``; ``held``
    and ``nct off`` where ``song`` has chord symbols, ``in key`` of ``key``."""
    ticks = list(range(0, end + 1, PPQ // 4))
    guide = chord_guide(song, ticks)
    line = ([before] if before is not None else []) + notes
    pitches = [n.pitch for n in line]
    runs, longest, run = 0, 1, 1
    for i in range(1, len(pitches)):
        run = run + 1 if pitches[i] == pitches[i - 1] else 1
        runs += run == 3
        longest = max(longest, run)
    moves = [b - a for a, b in itertools.pairwise(pitches)]
    steps = sum(abs(m) in (1, 2) for m in moves)
    wide = sum(abs(m) > 12 for m in moves)
    leaps = [(m, n) for m, n in itertools.pairwise(moves) if abs(m) >= 5]
    filled = sum(n * m < 0 for m, n in leaps)
    cell = PPQ // 4
    out = {"notes": str(len(notes)), "runs3": str(runs), "long": str(longest),
           "steps": f"{steps / max(1, len(moves)):.0%}", "leaps8": str(wide),
           "fill": f"{filled}/{len(leaps)}",
           "len": f"{sum(n.duration for n in notes) / max(1, len(notes)) / cell:.1f}",
           "off": f"{sum(n.start % PPQ != 0 for n in notes) / max(1, len(notes)):.0%}"}
    if key is not None:
        out["in key"] = f"{key_fit(key, [n.pitch % 12 for n in notes]):.0%}"
    if guide is None:
        return out
    clashes = clash_classes(guide.tones)
    held = 0
    for n in notes:
        cells = range(n.start // cell + 1, min(-(-n.end // cell), len(guide.chord)))
        held += any(guide.change[c] and clashes[c, n.pitch % 12] for c in cells)
    off = [n for n in notes if n.start % PPQ and n.start // cell < len(guide.chord)]
    nct = sum(not guide.tones[n.start // cell, n.pitch % 12] and guide.chord[
        n.start // cell] >= 0 for n in off)
    return out | {"held": str(held), "nct off": f"{nct}/{len(off)}"}


COLUMNS = ("notes", "runs3", "long", "steps", "leaps8", "fill", "held", "nct off")
CHORDLESS_COLUMNS = ("notes", "len", "off", "runs3", "long", "steps", "leaps8", "fill",
                     "in key")


def run(song: Song, task: str, seed: int, model, keep_rhythm: bool, precision: str,
        bar: int = 4, key: str | None = None, keep_key: str | None = None
        ) -> dict[str, str]:
    """One take of ``task`` (repaint of bars ``bar`` to ``bar`` + 4, 0-based, or continue
    8 bars) and its melody's figures: the song's first track, or the one named Lead;
    ``in key`` of ``key``, the take kept in ``keep_key`` (``GenerateOptions.key``)."""
    options = GenerateOptions(seed=seed, precision=precision, keep_rhythm=keep_rhythm,
                              key=keep_key)
    vocal = next((t for t in song.tracks if t.name == "Lead"), song.tracks[0])
    if task == "repaint":
        take = tasks.repaint(song, [vocal.id], bar, bar + 4, model=model, options=options)
        start, end = bar * BAR, (bar + 4) * BAR
    else:
        take = tasks.continue_(song, 8, model=model, options=options)
        start = -(-max(n.end for t in song.tracks for n in t.notes) // BAR) * BAR
        end = start + 8 * BAR
    after = take.after.track(vocal.id)
    notes = sorted((n for n in after.notes if start <= n.start < end), key=lambda n: n.start)
    kept = [n for n in after.notes if n.start < start]
    before = max(kept, key=lambda n: n.start) if kept else None
    return melody_figures(take.after, notes, before, end, key)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="partita-base")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--precision", default="auto")
    ap.add_argument("--tasks", default="repaint,continue")
    ap.add_argument("--keep-rhythm", action="store_true")
    ap.add_argument("--no-chords", action="store_true",
                    help="the demo's Lead, the pop verse and a folk tune, no chord symbols")
    ap.add_argument("--key", default=None,
                    help="keep the takes in this key; auto: the CLI's default, the key of "
                         "the music around them (unset: none, the model's own key)")
    args = ap.parse_args()
    folder = Path(args.model)
    model = plugin_from_folder(folder if folder.is_dir() else shipped_model_folder(args.model))
    if args.no_chords:
        print(f"{args.model}: melodies with no chord symbols"
              + (" (keep rhythm)" if args.keep_rhythm else "")
              + (f" (key {args.key})" if args.key else ""))
        print(f"{'song':5} {'task':9} {'seed':>4} "
              + " ".join(f"{c:>6}" for c in CHORDLESS_COLUMNS))
        for name, song, bar, key in chordless():
            for task in args.tasks.split(","):
                for seed in range(1, args.seeds + 1):
                    row = run(song, task, seed, model, args.keep_rhythm and task == "repaint",
                              args.precision, bar, key, args.key)
                    print(f"{name:5} {task:9} {seed:>4} "
                          + " ".join(f"{row[c]:>6}" for c in CHORDLESS_COLUMNS), flush=True)
        return
    song = verse()
    print(f"{args.model}: pop verse, the Vocal under {CHORDS}"
          + (" (keep rhythm)" if args.keep_rhythm else ""))
    print(f"{'task':9} {'seed':>4} " + " ".join(f"{c:>8}" for c in COLUMNS))
    for task in args.tasks.split(","):
        for seed in range(1, args.seeds + 1):
            row = run(song, task, seed, model, args.keep_rhythm and task == "repaint",
                      args.precision, keep_key=args.key)
            print(f"{task:9} {seed:>4} " + " ".join(f"{row[c]:>8}" for c in COLUMNS),
                  flush=True)


if __name__ == "__main__":
    main()
