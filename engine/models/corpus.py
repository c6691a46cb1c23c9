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

import contextlib
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from engine.models import data
from engine.models.rule_drums import synthetic_drums
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
    """A music21 score as a Song (ties merged, chords as notes, its meters kept).

    A pickup — an opening measure shorter than the bar after it, written as padding or in a
    meter of its own (a 1/8 measure before 6/8) — becomes the end of a full first bar, so
    every later bar line falls where the score has it (else half of a folk-song book's
    tunes had every bar line, and every metric position, shifted)."""
    from music21 import stream

    parts = list(score.parts) if isinstance(score, stream.Score) and score.parts else [score]
    # The first part's meters by their offset in it (a flattened score can drop the one at
    # offset 0 that a measure holds).
    flat_sigs = sorted((float(ts.getOffsetInHierarchy(parts[0])), int(ts.numerator),
                        int(ts.denominator))
                       for ts in parts[0].recurse().getElementsByClass("TimeSignature"))
    pad, opening = _pickup(parts[0], flat_sigs)
    tracks = []
    channel = 0
    for i, part in enumerate(parts):
        flat = part.flatten().stripTies()
        notes = []
        chords = False
        for el in flat.notes:
            start = round(float(el.offset) * PPQ) + pad
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
    sigs: dict[int, TimeSignature] = {}
    for offset, num, den in flat_sigs:
        tick = 0 if offset <= opening else round(offset * PPQ) + pad
        with contextlib.suppress(ValueError):  # a meter a MIDI file cannot hold
            sigs.setdefault(tick, TimeSignature(tick, num, den))
    if sigs and 0 not in sigs:
        first = sigs[min(sigs)]
        sigs[0] = TimeSignature(0, first.numerator, first.denominator)
    return Song(tracks=tuple(tracks), ppq=PPQ,
                time_signatures=tuple(sigs[t] for t in sorted(sigs)), title=title)


def _pickup(part, sigs: list[tuple[float, int, int]]) -> tuple[int, float]:
    """``(ticks to shift the music by, offset of the first full measure)``: a first
    measure shorter than the meter of the measure after it is a pickup."""
    measures = part.getElementsByClass("Measure")
    if len(measures) < 2 or not sigs:
        return 0, 0.0
    second = float(measures[1].offset)
    in_force = [s for s in sigs if s[0] <= second]
    _, num, den = in_force[-1] if in_force else sigs[0]
    full = num * 4 / den
    if not 0 < second < full:
        return 0, 0.0
    return round((full - second) * PPQ), second


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
