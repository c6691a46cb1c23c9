"""The general model's training data: the music21 corpus without Bach, plus synthetic drums.

:func:`build_corpus` parses a sample of the corpus (every composer folder except any
named ``*bach*``: Bach stays out so the chorale scores remain a fair test), turns each
score into a :class:`~engine.score.Song` (:func:`score_to_song`), adds a rule-generated
drum part to every other piece (:func:`synthetic_drums` — the corpus has no drums, so the
base model's drum lanes learn idiomatic rule-made grooves, not real drumming), encodes
them with the grid codec and caches ``train.npz`` / ``valid.npz`` (every 20th piece) in a
folder, because music21 parsing is slow.

Run: ``python -m engine.models.corpus runs/cache/music21-base --minutes 10``.
"""

from __future__ import annotations

import itertools
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from engine.models import data
from engine.models.vocab import DRUM_CLASSES
from engine.score import DRUM_CHANNEL, Note, Song, TimeSignature, Track

PPQ = 480
PER_OPUS = 12  # pieces kept from one multi-piece file (folk-song collections)


def corpus_paths(seed: int = 0, folders: Sequence[str] | None = None) -> list[Path]:
    """Corpus files without Bach, interleaved across collections so any prefix is varied
    (only the collections ``folders`` when given)."""
    from music21 import corpus

    groups: dict[str, list[Path]] = {}
    for p in corpus.getPaths():
        parts = Path(p).parts
        folder = parts[parts.index("corpus") + 1] if "corpus" in parts else ""
        if "bach" in folder.lower() or (folders and folder not in folders):
            continue
        groups.setdefault(folder, []).append(Path(p))
    rng = random.Random(seed)
    for files in groups.values():
        files.sort()
        rng.shuffle(files)
    out: list[Path] = []
    while any(groups.values()):
        for folder in sorted(groups):
            if groups[folder]:
                out.append(groups[folder].pop())
    return out


def score_to_song(score, title: str = "") -> Song:
    """A music21 score as a Song (ties merged, chords as notes, first meter kept)."""
    from music21 import stream

    parts = list(score.parts) if isinstance(score, stream.Score) and score.parts else [score]
    tracks = []
    channel = 0
    for i, part in enumerate(parts):
        flat = part.flatten().stripTies()
        notes = []
        chords = False
        for el in flat.notes:
            start = round(float(el.offset) * PPQ)
            dur = round(float(el.duration.quarterLength) * PPQ)
            if dur <= 0 or start < 0:
                continue  # grace notes
            pitches = [p.midi for p in el.pitches if 0 <= p.midi <= 127]
            chords |= len(pitches) > 1
            notes += [Note(p, start, dur, 80) for p in pitches]
        if not notes:
            continue
        inst = part.getInstrument(returnDefault=True)
        program = inst.midiProgram if inst is not None and inst.midiProgram is not None else (
            0 if chords else 73)  # unnamed parts: piano if chordal, else a flute (melody)
        tracks.append(Track(name=part.partName or f"Part {i + 1}", program=int(program) % 128,
                            channel=channel, notes=tuple(notes)))
        channel = (channel + 1) % 16
        if channel == DRUM_CHANNEL:
            channel += 1
    sigs = score.flatten().getElementsByClass("TimeSignature")
    ts = (TimeSignature(0, int(sigs[0].numerator), int(sigs[0].denominator)),) if sigs else ()
    return Song(tracks=tuple(tracks), ppq=PPQ, time_signatures=ts, title=title)


def synthetic_drums(song: Song, seed: int) -> Track:
    """A rule-made groove over the song's length and first meter (kick, snare, hats,
    a crash every 8 bars, a fill before it), with seeded variations. It follows the beats
    a musician counts (``TimeSignature.pulses``): kick on the first, snare on every other
    one (6/8: the kick on 1 and the snare on 4, not on the 2nd, 4th and 6th eighths;
    7/8: the snare on the second group), the waltz's snare on 3."""
    rng = random.Random(seed)
    ts = song.time_signatures[0]
    unit = PPQ * 4 // ts.denominator
    bar = unit * ts.numerator
    step = PPQ // 4
    starts = list(itertools.accumulate((p * unit for p in ts.pulses[:-1]), initial=0))
    note = {name: gm for name, gm, _ in DRUM_CLASSES}
    hat = rng.choice(["closed hat", "closed hat", "ride"])
    hat_every = rng.choice([2, 2, 1])  # in 16ths: 8ths or 16ths
    back = [starts[2]] if ts.pulses == (1, 1, 1) else starts[1::2]
    hits: list[tuple[int, str]] = []
    bars = max(1, -(-song.end // bar))
    for b in range(bars):
        t0 = b * bar
        fill = b % 8 == 7 and rng.random() < 0.7
        for k in range(0, bar // step, hat_every):
            hits.append((t0 + k * step, hat))
        hits.append((t0, "kick"))
        if len(starts) == 4:  # 4/4, 12/8: the third beat too
            hits.append((t0 + starts[2] + (step * 2 if rng.random() < 0.3 else 0), "kick"))
        for at in back:
            hits.append((t0 + at, "snare"))
        if b % 8 == 0:
            hits.append((t0, "crash"))
        if fill:
            for k in range(4):
                hits.append((t0 + bar - (4 - k) * step, rng.choice(["snare", "high tom",
                                                                    "low tom"])))
    notes = {(t, note[name]) for t, name in hits if t < song.end}
    return Track(name="Drums", program=0, is_drum=True, channel=DRUM_CHANNEL,
                 notes=tuple(Note(p, t, step, 90) for t, p in sorted(notes)))


def build_corpus(out: str | Path, minutes: float = 10.0, max_lanes: int = 12,
                 seed: int = 0, folders: Sequence[str] | None = None,
                 append: bool = False) -> dict[str, int]:
    """Parse corpus files for about ``minutes`` and cache the pieces; returns counts.

    ``append`` keeps the pieces already cached in ``out`` (train and valid stay apart)
    and parses only files not seen yet; ``folders`` limits the collections parsed.
    """
    from music21 import corpus, stream

    out = Path(out)
    old_train: list[data.Piece] = []
    old_valid: list[data.Piece] = []
    if append and (out / "train.npz").exists():
        old_train = data.load_pieces(out / "train.npz")
        old_valid = data.load_pieces(out / "valid.npz")
    seen = {p.name.rsplit("/", 1)[0] for p in old_train + old_valid}
    pieces: list[data.Piece] = []
    failed = 0
    paths = corpus_paths(seed, folders)
    start = time.monotonic()
    for path in paths:
        if time.monotonic() - start > minutes * 60:
            break
        if f"{path.parent.name}/{path.stem}" in seen:
            continue
        try:
            parsed = corpus.parse(str(path))
        except Exception:  # a file music21 cannot read is skipped, and counted
            failed += 1
            continue
        scores = list(parsed.scores)[:PER_OPUS] if isinstance(parsed, stream.Opus) else [parsed]
        for j, score in enumerate(scores):
            try:
                song = score_to_song(score, f"{path.stem}/{j}")
            except Exception:
                failed += 1
                continue
            if not song.tracks:
                continue
            n = len(pieces) + len(old_train) + len(old_valid)
            if n % 2 == 0:
                song = song.with_tracks((*song.tracks, synthetic_drums(song, n)))
            piece = data.piece_of_song(song, f"{path.parent.name}/{path.stem}/{j}", max_lanes)
            if piece is not None:
                pieces.append(piece)
    valid = old_valid + [p for i, p in enumerate(pieces) if i % 20 == 19]
    train = old_train + [p for i, p in enumerate(pieces) if i % 20 != 19]
    data.save_pieces(out / "train.npz", train)
    data.save_pieces(out / "valid.npz", valid)
    return {"train": len(train), "valid": len(valid), "failed": failed}


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Cache the music21 corpus (no Bach) as grids.")
    ap.add_argument("out", type=Path)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--max-lanes", type=int, default=12)
    ap.add_argument("--folders", help="comma-separated collections to parse (default: all)")
    ap.add_argument("--append", action="store_true", help="add to the pieces cached in OUT")
    a = ap.parse_args()
    folders = a.folders.split(",") if a.folders else None
    print(build_corpus(a.out, a.minutes, a.max_lanes, folders=folders, append=a.append),
          file=sys.stderr)
