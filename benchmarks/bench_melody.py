"""Does a melody written under chord symbols sing? A songwriter's pop verse in G (a
sung Vocal with its words, a piano and a bass) over ``G | D | Em | C | G | D | C | D``
twice: the Vocal's bars 5-8 repainted, and 8 bars continued (every track).

    .venv/bin/python benchmarks/bench_melody.py [--model partita-base] [--seeds 5]
                                                [--tasks repaint,continue]

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
from engine.score.lead_sheet import with_lead_sheet  # noqa: E402

CHORDS = f"{POP} | {POP}"
# The piano's triads (root position, in the middle of the keyboard) and the bass's roots.
_TRIADS = {"G": (55, 59, 62), "D": (57, 62, 66), "Em": (55, 59, 64), "C": (55, 60, 64)}
_ROOTS = {"G": 43, "D": 38, "Em": 40, "C": 36}
SYLLABLES = "la"


def pop_band(path: Path) -> None:
    """The verse: a Vocal (GM Voice Oohs, a syllable per note), a Piano striking the
    chord in half notes, a Bass on its root in quarters, 8 bars."""
    mid = mido.MidiFile(ticks_per_beat=PPQ)
    changes = [c.strip() for c in POP.split("|")]
    vocal = [(bar * BAR + beat * PPQ, bar * BAR + (beat + length) * PPQ - 30, pitch)
             for bar, phrase in enumerate(_VERSE) for beat, length, pitch in phrase]
    piano = [(bar * BAR + half * 2 * PPQ, bar * BAR + (half + 1) * 2 * PPQ - 30, p)
             for bar, c in enumerate(changes) for half in range(2) for p in _TRIADS[c]]
    bass = [(bar * BAR + beat * PPQ, bar * BAR + (beat + 1) * PPQ - 30, _ROOTS[c])
            for bar, c in enumerate(changes) for beat in range(4)]
    for channel, (name, program, notes) in enumerate(
            (("Vocal", 53, vocal), ("Piano", 0, piano), ("Bass", 33, bass))):
        track = mido.MidiTrack()
        mid.tracks.append(track)
        if channel == 0:
            track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(96)))
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


def verse() -> Song:
    """The verse with its 16 bars of chords."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pop.mid"
        pop_band(path)
        song = load_song(path)
    return with_lead_sheet(song, CHORDS)


def melody_figures(song: Song, notes: list[Note], before: Note | None, end: int
                   ) -> dict[str, str]:
    """The columns (the module's docstring) of the written ``notes`` (in order), the
    kept note ``before`` them (their first move is from it) up to tick ``end``."""
    ticks = list(range(0, end + 1, PPQ // 4))
    guide = chord_guide(song, ticks)
    assert guide is not None
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
    clashes = clash_classes(guide.tones)
    held = 0
    for n in notes:
        cells = range(n.start // cell + 1, min(-(-n.end // cell), len(guide.chord)))
        held += any(guide.change[c] and clashes[c, n.pitch % 12] for c in cells)
    off = [n for n in notes if n.start % PPQ and n.start // cell < len(guide.chord)]
    nct = sum(not guide.tones[n.start // cell, n.pitch % 12] and guide.chord[
        n.start // cell] >= 0 for n in off)
    return {"notes": str(len(notes)), "runs3": str(runs), "long": str(longest),
            "steps": f"{steps / max(1, len(moves)):.0%}", "leaps8": str(wide),
            "fill": f"{filled}/{len(leaps)}", "held": str(held),
            "nct off": f"{nct}/{len(off)}"}


COLUMNS = ("notes", "runs3", "long", "steps", "leaps8", "fill", "held", "nct off")


def run(song: Song, task: str, seed: int, model, keep_rhythm: bool, precision: str
        ) -> dict[str, str]:
    """One take of ``task`` (repaint or continue) and its Vocal's figures."""
    options = GenerateOptions(seed=seed, precision=precision, keep_rhythm=keep_rhythm)
    vocal = song.tracks[0]
    if task == "repaint":
        take = tasks.repaint(song, [vocal.id], 4, 8, model=model, options=options)
        start, end = 4 * BAR, 8 * BAR
    else:
        take = tasks.continue_(song, 8, model=model, options=options)
        start, end = 8 * BAR, 16 * BAR
    after = take.after.track(vocal.id)
    notes = sorted((n for n in after.notes if start <= n.start < end), key=lambda n: n.start)
    kept = [n for n in after.notes if n.start < start]
    before = max(kept, key=lambda n: n.start) if kept else None
    return melody_figures(take.after, notes, before, end)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="partita-base")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--precision", default="auto")
    ap.add_argument("--tasks", default="repaint,continue")
    ap.add_argument("--keep-rhythm", action="store_true")
    args = ap.parse_args()
    folder = Path(args.model)
    model = plugin_from_folder(folder if folder.is_dir() else shipped_model_folder(args.model))
    song = verse()
    print(f"{args.model}: pop verse, the Vocal under {CHORDS}"
          + (" (keep rhythm)" if args.keep_rhythm else ""))
    print(f"{'task':9} {'seed':>4} " + " ".join(f"{c:>8}" for c in COLUMNS))
    for task in args.tasks.split(","):
        for seed in range(1, args.seeds + 1):
            row = run(song, task, seed, model, args.keep_rhythm and task == "repaint",
                      args.precision)
            print(f"{task:9} {seed:>4} " + " ".join(f"{row[c]:>8}" for c in COLUMNS),
                  flush=True)


if __name__ == "__main__":
    main()
