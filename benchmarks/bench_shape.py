"""Does a rewritten part keep the arrangement's shape? Tacet bars, density, register.

    .venv/bin/python benchmarks/bench_shape.py [--quick] [--seeds 1] [--model partita-base]
                                               [--real ../shared/data/midi-real]

A musician who regenerates a stem of an arranged song expects it to rest where the part
rested (tacet bars, breakdowns), be busy where it was busy, and use the part's range.
Over the real multi-track files in ``--real`` (each pitched part of 8 notes or more;
``--quick``: openmsx-1 only) and the long song (openmsx-1 with bars 1-85 copied to 86,
a QA's 171-bar song; left out with ``--quick``), seeds 1..N, default steps, this rewrites
parts three ways:

- ``regenerate``: each part whole (``tasks.regenerate``);
- ``repaint``: each part over 16 bars in the middle of the song (``tasks.repaint``);
- ``harmonize``: the song's first melody-role track kept, the other pitched parts written
  around it (``tasks.harmonize`` with their ids: the notes they had are replaced).

and prints, per task, pooled over parts and seeds (``orig -> new`` where both exist):

- ``tacet kept``: bars the original part is silent in (no note of it sounds there) that
  stay silent, of all such bars; ``filled``: those that get notes;
- ``corr``: median over parts of the correlation of notes per bar with the original;
- ``range`` / ``IQR``: median over parts of the pitch range and the interquartile range
  (semitones) of the original part and of the new notes;
- ``mid half``: share of notes inside the original's interquartile range (the original's
  own share first); ``outside``: share of new notes outside the original's lowest-highest
  range;
- ``chord`` / ``>=3`` / ``len``, over the chordal parts (the original strikes at least
  :data:`CHORDAL` notes per onset: a pad, a comping piano): notes per onset (pooled),
  the share of onsets that strike three notes or more, and the median over parts of the
  median note length in sixteenths, original -> new. A keyboard player expects a pad
  rewritten by the model to play chords of its own size and sustain.

``--parts`` also prints one line per part (the first seed); ``--tasks`` picks the tasks.
``--quick`` took about 3 minutes on 2 busy cores (openmsx-1's 10 parts, three tasks); the
default, every file and the long song, several times that. Figures are counts over seeded
runs (the same across machines), not timings.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import tasks  # noqa: E402
from engine.io import load_song  # noqa: E402
from engine.models.plugin import plugin_from_folder, shipped_model_folder  # noqa: E402
from engine.plugins.api import GenerateOptions  # noqa: E402
from engine.score import Note, Song, TimeMap, copy_bars  # noqa: E402
from engine.score.instruments import role_of  # noqa: E402

MIN_NOTES = 8  # a part with fewer is a sketch, not an arrangement's part
REPAINT_BARS = 16
QUICK_FILES = ("openmsx-1.mid",)
CHORDAL = 1.25  # notes per onset from which a part is a chordal one (a pad, a comping piano)


@dataclass
class Tally:
    """Figures pooled over the parts one task rewrote."""

    tacet: int = 0  # bars silent in the original
    kept: int = 0  # ... that stay silent
    corr: list[float] = field(default_factory=list)
    ranges: list[tuple[int, int]] = field(default_factory=list)  # (orig, new)
    iqrs: list[tuple[float, float]] = field(default_factory=list)
    mid: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # orig in, orig n, new in, new n
    outside: int = 0
    parts: int = 0
    # Chordal parts: [onsets, notes, onsets of 3+ notes] original then new; median lengths.
    chords: list[int] = field(default_factory=lambda: [0] * 6)
    lengths: list[tuple[float, float]] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.tacet += other.tacet
        self.kept += other.kept
        self.corr += other.corr
        self.ranges += other.ranges
        self.iqrs += other.iqrs
        self.mid = [a + b for a, b in zip(self.mid, other.mid, strict=True)]
        self.outside += other.outside
        self.parts += other.parts
        self.chords = [a + b for a, b in zip(self.chords, other.chords, strict=True)]
        self.lengths += other.lengths

    def line(self) -> str:
        (r0, r1) = np.median(self.ranges, axis=0) if self.ranges else (0, 0)
        (i0, i1) = np.median(self.iqrs, axis=0) if self.iqrs else (0, 0)
        o_in, o_n, n_in, n_n = self.mid
        corr = float(np.median(self.corr)) if self.corr else float("nan")
        return (f"parts {self.parts:<3} tacet kept {self.kept:>4}/{self.tacet:<4} "
                f"filled {self.tacet - self.kept:>4} | corr {corr:5.2f} | range "
                f"{r0:4.1f} -> {r1:4.1f} | IQR {i0:4.1f} -> {i1:4.1f} | mid half "
                f"{o_in / max(o_n, 1):4.0%} -> {n_in / max(n_n, 1):4.0%} | outside "
                f"{self.outside / max(n_n, 1):4.1%}{self.chord_line()}")

    def chord_line(self) -> str:
        if not self.lengths:
            return ""
        o_on, o_n, o_3, n_on, n_n, n_3 = self.chords
        (l0, l1) = np.median(self.lengths, axis=0)
        return (f" | chord {o_n / max(o_on, 1):4.2f} -> {n_n / max(n_on, 1):4.2f} | >=3 "
                f"{o_3 / max(o_on, 1):4.0%} -> {n_3 / max(n_on, 1):4.0%} | len "
                f"{l0:4.1f} -> {l1:4.1f}")


def bar_figures(song: Song, notes: list[Note], first: int, last: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """(notes starting in each bar, whether a note sounds in it) for bars [first, last)."""
    tm = TimeMap.of(song)
    starts = np.array([tm.bar_to_tick(b) for b in range(first, last + 1)])
    count = np.zeros(last - first, dtype=int)
    sounds = np.zeros(last - first, dtype=bool)
    for n in notes:
        a = int(np.searchsorted(starts, n.start, side="right")) - 1
        b = int(np.searchsorted(starts, n.end, side="left"))  # bars the note reaches into
        if 0 <= a < len(count):
            count[a] += 1
        sounds[max(a, 0) : min(b, len(sounds))] = True
    return count, sounds


def chord_figures(notes: list[Note]) -> tuple[int, int, int]:
    """(onsets, notes, onsets striking 3 notes or more): an onset is a tick notes start on."""
    per_onset = Counter(n.start for n in notes)
    return len(per_onset), len(notes), sum(k >= 3 for k in per_onset.values())


def sixteenths(notes: list[Note], ppq: int) -> float:
    """Median note length in sixteenths."""
    return float(np.median([4 * n.duration / ppq for n in notes])) if notes else 0.0


def part_tally(before: Song, after: Song, track_id: int, first: int, last: int) -> Tally:
    """The figures of one rewritten part over bars [first, last)."""
    tm = TimeMap.of(before)
    lo, hi = tm.bar_to_tick(first), tm.bar_to_tick(last)
    old = [n for n in before.track(track_id).notes if lo <= n.start < hi]
    new = [n for n in after.track(track_id).notes if lo <= n.start < hi]
    t = Tally(parts=1)
    c0, s0 = bar_figures(before, old, first, last)
    c1, s1 = bar_figures(after, new, first, last)
    t.tacet = int((~s0).sum())
    t.kept = int((~s0 & ~s1).sum())
    if c0.std() > 0 and c1.std() > 0:
        t.corr.append(float(np.corrcoef(c0, c1)[0, 1]))
    p0 = np.array([n.pitch for n in before.track(track_id).notes])  # the part's own register
    p1 = np.array([n.pitch for n in new])
    if not len(p0) or not len(p1):
        return t
    q1, q3 = np.percentile(p0, [25, 75])
    t.ranges.append((int(np.ptp(p0)), int(np.ptp(p1))))
    t.iqrs.append((float(q3 - q1), float(np.subtract(*np.percentile(p1, [75, 25])))))
    t.mid = [int(((p0 >= q1) & (p0 <= q3)).sum()), len(p0),
             int(((p1 >= q1) & (p1 <= q3)).sum()), len(p1)]
    t.outside = int(((p1 < p0.min()) | (p1 > p0.max())).sum())
    before_chords = chord_figures(old)
    if before_chords[1] >= CHORDAL * max(before_chords[0], 1):  # a chordal part
        t.chords = [*before_chords, *chord_figures(new)]
        t.lengths.append((sixteenths(old, before.ppq), sixteenths(new, after.ppq)))
    return t


def parts_of(song: Song) -> list[int]:
    return [t.id for t in song.tracks if not t.is_drum and len(t.notes) >= MIN_NOTES]


def long_song(path: Path) -> Song:
    """openmsx-1 with its bars 1-85 copied to bar 86: the QA's 171-bar song."""
    song = load_song(path)
    return copy_bars(song, 0, 84, 85).apply(song)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="partita-base", help="shipped model name or folder")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="openmsx-1 only, one seed")
    ap.add_argument("--parts", action="store_true", help="one line per part (first seed)")
    ap.add_argument("--tasks", default="regenerate,repaint,harmonize")
    ap.add_argument("--real", type=Path, default=ROOT.parent / "shared/data/midi-real")
    args = ap.parse_args()
    seeds = 1 if args.quick else args.seeds
    folder = Path(args.model)
    model = plugin_from_folder(folder if folder.is_dir() else shipped_model_folder(args.model))
    songs: list[tuple[str, Song]] = []
    for path in sorted(args.real.glob("*.mid")):
        if args.quick and path.name not in QUICK_FILES:
            continue
        try:
            song = load_song(path)
        except Exception as e:  # a reference file that does not load is left out
            print(f"(left out {path.name}: {e})")
            continue
        if len(parts_of(song)) >= 2:  # an arrangement: a part beside others
            songs.append((path.stem, song))
    if not args.quick and (args.real / "openmsx-1.mid").exists():
        songs.append(("long", long_song(args.real / "openmsx-1.mid")))

    which = args.tasks.split(",")
    totals: dict[str, Tally] = defaultdict(Tally)
    began = time.perf_counter()
    for name, song in songs:
        tm = TimeMap.of(song)
        bars = tm.whole_bars(song.end)
        ids = parts_of(song)
        for seed in range(1, seeds + 1):
            options = GenerateOptions(seed=seed, key=tasks.AUTO)
            rows: list[tuple[str, str, Tally]] = []
            if "regenerate" in which and (name != "long" or seed == 1):
                for t in ids:  # the long song: one seed (it costs two songs' time)
                    take = tasks.regenerate(song, t, model=model, options=options)
                    rows.append(("regenerate", song.track(t).name,
                                 part_tally(song, take.after, t, 0, bars)))
            if "repaint" in which and bars > REPAINT_BARS and name != "long":
                a = (bars - REPAINT_BARS) // 2
                for t in ids:
                    if not any(tm.bar_to_tick(a) <= n.start < tm.bar_to_tick(a + REPAINT_BARS)
                               for n in song.track(t).notes):
                        continue
                    take = tasks.repaint(song, [t], a, a + REPAINT_BARS, model=model,
                                         options=options)
                    rows.append(("repaint", song.track(t).name,
                                 part_tally(song, take.after, t, a, a + REPAINT_BARS)))
            melody = next((t for t in ids if role_of(song.track(t).program, False)
                           == "melody"), None)
            if "harmonize" in which and melody is not None and (name != "long" or seed == 1):
                others = [t for t in ids if t != melody]
                take = tasks.harmonize(song, melody, track_ids=others, model=model,
                                       options=options)
                end = tm.tick_to_bar(max(n.end for n in song.track(melody).notes) - 1) + 1
                for t in others:
                    rows.append(("harmonize", song.track(t).name,
                                 part_tally(song, take.after, t, 0, min(end, bars))))
            for task, part, tally in rows:
                totals[task].add(tally)
                if args.parts and seed == 1:
                    print(f"  {name:<14} {task:<10} {part[:18]:<18} {tally.line()}")
        print(f"({name}: done at {time.perf_counter() - began:.0f} s)", flush=True)
    for task in ("regenerate", "repaint", "harmonize"):
        if task in totals:
            print(f"{task:<10} {totals[task].line()}")


if __name__ == "__main__":
    main()
