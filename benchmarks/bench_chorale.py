"""How a harmonized chorale opens and closes, against Bach's own voices.

    .venv/bin/python benchmarks/bench_chorale.py [--split valid] [--pieces 12] [--seeds 2]
        [--data ../shared/data/jsb/jsb16th_train_valid.json] [--model chorale-jsb]

For each of the first ``--pieces`` chorales of a JSB split, the soprano alone is
harmonized (`tasks.harmonize`, Alto, Tenor and Bass added, seeds 1..``--seeds``) and the
script prints, over the takes: the share whose first bass note is the tonic (the tonic
read as Bach's last bass note), the same for Bach's own bass, how often the generated
first bass note is Bach's, how many opening chords have a third, how many takes end with
the bass on the tonic, the lower-voice notes that start where the soprano rests (a beat
or more), the lower-voice rests shorter than a beat where the soprano sings (Bach's
voices have none), the parallel fifths and octaves the take warnings find (the
sampler avoids them) and the chromatic clashes: 16ths where a new note sounds a
semitone from another voice with a note outside the melody's key, or the 6th or 7th
of a minor key against its raised form (`voice_leading.written_clashes`; Bach's own lower
voices read the same way beside it), and the onsets where a voice sounds above the one
named above it (Soprano, Alto, Tenor, Bass: crossed). Figures are counts over seeded runs,
not timings; select on ``valid``.
"""

from __future__ import annotations

import argparse
import sys
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import tasks  # noqa: E402
from engine.models.chorale import chorale_to_song, tokens_to_chorale  # noqa: E402
from engine.models.data import load_jsb  # noqa: E402
from engine.models.plugin import plugin_from_folder, shipped_model_folder  # noqa: E402
from engine.models.voice_leading import written_clashes, written_parallels  # noqa: E402
from engine.plugins.api import GenerateOptions  # noqa: E402
from engine.score.keys import context_key  # noqa: E402


def first(notes):
    return min(notes, key=lambda n: (n.start, n.pitch))


def crossings(song) -> int:
    """The onsets (of any voice) where a voice sounds higher than the voice above it."""
    voices = song.tracks[:4]
    starts = sorted({n.start for t in voices for n in t.notes})

    def sounding(track, tick):
        return next((n.pitch for n in track.notes if n.start <= tick < n.end), None)

    count = 0
    for tick in starts:
        pitches = [sounding(t, tick) for t in voices]
        count += sum(a is not None and b is not None and a < b
                     for a, b in pairwise(pitches))
    return count


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared/data/jsb/jsb16th_train_valid.json"))
    ap.add_argument("--split", default="valid")
    ap.add_argument("--pieces", type=int, default=12)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--model", default="chorale-jsb")
    args = ap.parse_args()
    model = plugin_from_folder(shipped_model_folder(args.model))
    counts = dict.fromkeys(("takes", "bach_open", "open", "same", "third", "close",
                            "strays", "short_rests", "parallels", "clashes", "bach_clashes",
                            "crossed"), 0)
    for piece in load_jsb(args.data, args.split)[: args.pieces]:
        bach = chorale_to_song(tokens_to_chorale(piece.tokens))
        soprano = bach.with_tracks([bach.tracks[0]])
        bach_bass = bach.tracks[3].notes
        tonic = max(bach_bass, key=lambda n: n.start).pitch % 12
        tune = soprano.tracks[0].notes
        rests = [(a.end, b.start) for a, b in pairwise(tune)
                 if b.start - a.end >= bach.ppq]
        for seed in range(1, args.seeds + 1):
            take = tasks.harmonize(soprano, soprano.tracks[0].id, accompaniment="satb",
                                   model=model, options=GenerateOptions(seed=seed))
            song = take.after
            bass = next(t for t in song.tracks if t.name == "Bass")
            starts = [first(t.notes) for t in song.tracks if t.notes]
            chord = {n.pitch % 12 for n in starts if n.start == starts[0].start}
            counts["takes"] += 1
            counts["bach_open"] += first(bach_bass).pitch % 12 == tonic
            counts["open"] += first(bass.notes).pitch % 12 == tonic
            counts["same"] += first(bass.notes).pitch % 12 == first(bach_bass).pitch % 12
            counts["third"] += any((pc - first(bass.notes).pitch) % 12 in (3, 4)
                                   for pc in chord)
            counts["close"] += max(bass.notes, key=lambda n: n.start).pitch % 12 == tonic
            counts["strays"] += sum(lo <= n.start < hi for t in song.tracks[1:]
                                    for n in t.notes for lo, hi in rests)
            counts["short_rests"] += sum(
                0 < b.start - a.end < bach.ppq and any(n.start <= a.end < n.end for n in tune)
                for t in song.tracks[1:] for a, b in pairwise(t.notes))
            counts["parallels"] += len(written_parallels(song, take.new_notes))
            counts["crossed"] += crossings(song)
            key = context_key(take.before, take.mask)  # what the model read
            counts["clashes"] += written_clashes(song, take.new_notes, key)
            counts["bach_clashes"] += written_clashes(
                bach, {t.id: t.notes for t in bach.tracks[1:]}, key)
    n = counts["takes"]
    print(f"{args.model}, {args.pieces} {args.split} chorales × {args.seeds} seeds = {n} takes")
    print(f"  bass opens on the tonic      {counts['open']:3d} / {n}"
          f"   (Bach {counts['bach_open']} / {n})")
    print(f"  first bass note is Bach's    {counts['same']:3d} / {n}")
    print(f"  opening chord has a third    {counts['third']:3d} / {n}")
    print(f"  bass ends on the tonic       {counts['close']:3d} / {n}")
    print(f"  notes starting in a soprano rest of a beat or more: {counts['strays']}")
    print(f"  rests under a beat in a lower voice where the soprano sings: "
          f"{counts['short_rests']}")
    print(f"  parallel 5ths/8ves (take warnings' reading): {counts['parallels']}")
    print(f"  voices crossed at an onset: {counts['crossed']}")
    print(f"  chromatic clashes (16ths): {counts['clashes']}   (Bach {counts['bach_clashes']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
