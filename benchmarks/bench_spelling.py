"""How black keys are named, against the names Bach wrote, and on a harmonized folk tune.

    .venv/bin/python benchmarks/bench_spelling.py [--limit N] [--psalm]

(a) music21's Bach chorales (``corpus/bach/*.mxl``), each read by Partita's MusicXML
import, which keeps every note's written name (``Note.spelling``). Counted over the
black keys:

- *key rule*: every spelling dropped, each note named by its key alone
  (:func:`~engine.score.spelling.pitch_name`: the figure docs/file-format.md gives,
  99.2 % of 24,472);
- *lower voices, key rule* / *neighbours*: the top part (the soprano, the melody a
  harmonizer is given) keeps its spellings, the other parts' are dropped and named by the
  key alone, or by :class:`~engine.score.note_names.NoteNames` (their neighbours first,
  then their chord, their line, the key).

(b) ``--psalm [--number 286 --model partita-base]``: the choir director's case.
music21's essenFolksong "Psalm 43" (G-major signature, 9
B♭ written) read from MusicXML, harmonized by ``partita harmonize
--accompaniment satb --seed 1 -o out.musicxml`` (``--partita DIR``: another checkout's
CLI, for before and after), and the export's black keys counted by name, per part.
Figures are counts, not timings. Measured (see docs/file-format.md, MusicXML export):
408 chorales, 24,012 black keys, 99.2% by the key rule; the lower parts' 19,541: key
rule 99.06%, neighbours (16 beats) alone 99.29%, with the chord and line rules after
them 99.43% (99.32% before a minor key's raised 6th, 7th and 3rd were its sharps;
99.64% were they used in chorales whose soprano spells no black key too; the line's
before the chord's: 98.08%; the chord's before the neighbours': 99.48%).
Psalm 43, ``--accompaniment satb --seed 1``: before, A♯ 41 and D♯
19 in the export (the melody's 9 B♭ among the A♯); now B♭ 41 and E♭ 19, no A♯ or D♯.
``--number 286 --model partita-base`` (F major): G♯ 7 (in C–E♭–G♯, B♭–D–G♯), A♭ 0
before the chord rule; now A♭ 7, G♯ 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.io.musicxml_import import read_musicxml  # noqa: E402
from engine.score import Song  # noqa: E402
from engine.score.note_names import NEIGHBOURHOOD_BEATS, NoteNames  # noqa: E402
from engine.score.spelling import spelling_of  # noqa: E402

BLACK = {1, 3, 6, 8, 10}


def _stripped(song: Song, keep_first: bool) -> Song:
    tracks = [t if keep_first and i == 0 else
              t.with_notes(dataclasses.replace(n, spelling=None) for n in t.notes)
              for i, t in enumerate(song.tracks)]
    return song.with_tracks(tracks)


def chorales(limit: int | None, reaches: list[int]) -> None:
    import music21

    files = sorted((Path(music21.__file__).parent / "corpus" / "bach").glob("*.mxl"))[:limit]
    count = Counter()
    for f in files:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                song = read_musicxml(f)
        except Exception as e:  # a file the import refuses is left out
            print(f"  {f.name}: {e}", file=sys.stderr)
            continue
        count["chorales"] += 1
        stripped = _stripped(song, keep_first=True)
        lower = {r: NoteNames(stripped, r) for r in reaches}
        for i, t in enumerate(song.tracks):
            for n in t.notes:
                if n.pitch % 12 not in BLACK or n.spelling is None:
                    continue
                rule = spelling_of(n.pitch, song.key_at(n.start))
                count["black"] += 1
                count["rule"] += rule == n.spelling
                if i:
                    count["lower"] += 1
                    count["lower rule"] += rule == n.spelling
                    for r, names in lower.items():
                        count[r] += names.spelling(
                            dataclasses.replace(n, spelling=None)) == n.spelling
    print(f"{count['chorales']} chorales, {count['black']} black keys")
    print(f"  key rule, all parts:   {count['rule'] / count['black']:.1%}")
    print(f"  lower parts ({count['lower']} black keys), soprano's spellings kept:")
    print(f"    key rule:            {count['lower rule'] / count['lower']:.2%}")
    for r in reaches:
        print(f"    neighbours, {r:>2} beats: {count[r] / count['lower']:.2%}"
              f"{' (shipped)' if r == NEIGHBOURHOOD_BEATS else ''}")


def psalm(partita: Path, seed: int, number: int = 287, model: str | None = None) -> None:
    import music21

    tune = music21.corpus.parse("essenFolksong/altdeu20", number=number)  # 287: G, with _B
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "psalm43.musicxml"
        tune.write("musicxml", fp=source)
        song = read_musicxml(source)
        print(f"Psalm 43 (altdeu20 #{number}): key {song.key_at(0)}, melody's own spellings "
              f"{dict(Counter(n.spelling for n in song.tracks[0].notes if n.spelling))}")
        out = Path(tmp) / "out.musicxml"
        subprocess.run([sys.executable, "-m", "engine.cli", "harmonize", str(source),
                        "--melody", "1", "--accompaniment", "satb", "--seed", str(seed), "-q",
                        *(["--model", model] if model else []), "-o", str(out)],
                       check=True, cwd=partita, env={**os.environ, "PYTHONPATH": str(partita)})
        exported = music21.converter.parse(out)
        total: Counter[str] = Counter()
        for part in exported.parts:
            names = Counter(p.name.replace("-", "b") for p in part.pitches
                            if p.pitchClass in BLACK)
            total += names
            print(f"  {part.partName}: {dict(sorted(names.items()))}")
        print(f"  all parts: {dict(sorted(total.items()))}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int)
    parser.add_argument("--psalm", action="store_true")
    parser.add_argument("--partita", type=Path, default=ROOT,
                        help="the checkout whose CLI harmonizes (another one: before/after)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--number", type=int, default=287,
                        help="the altdeu20 tune (286: Psalm 43 in F major)")
    parser.add_argument("--model", help="harmonize's --model (partita-base)")
    parser.add_argument("--reach", type=int, nargs="*", default=[],
                        help="other neighbourhoods to compare, in beats each side")
    args = parser.parse_args()
    if args.psalm:
        psalm(args.partita, args.seed, args.number, args.model)
    else:
        chorales(args.limit, sorted({*args.reach, NEIGHBOURHOOD_BEATS}))
