"""Training data: pieces as token grids, augmentation, batches and training masks.

A :class:`Piece` is one song as a lane × step grid with its lane roles and bar positions.
Sources:

- the JSB chorales (``load_jsb``): four voice lanes per chorale, in 4/4 from step 0;
- any MIDI folder (``read_midi_folder``) and the music21 corpus without Bach
  (:mod:`engine.models.corpus`), both through the grid codec.

Batches are random crops (same lane count and length within a batch), transposed at
random, with a random *training mask* per item: the cells the model must predict. Mask
kinds mirror what the product asks of a model (see :data:`MASK_KINDS`). Everything random
is drawn from a ``numpy`` generator the caller seeds, so a batch is a pure function of
``(seed, step, rank)``: training resumes deterministically without saving data state.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.models import vocab
from engine.score.instruments import ROLE_IDS

VOICE_ROLE = ROLE_IDS["voice"]
DRUMS_ROLE = ROLE_IDS["drums"]
# Roles that ``relabel_roles`` can give a lane (the corpus has few bass or chord tracks).
RELABEL_ROLES = ("bass", "chords", "melody")
# Kinds of training mask and their default probabilities.
MASK_KINDS: dict[str, float] = {
    "random": 0.5,  # each cell masked with probability r ~ U(0, 1): the diffusion ELBO
    "lanes": 0.15,  # whole lanes (regenerate a track / harmonize)
    "span": 0.1,  # a time span on every lane (repaint bars)
    "lane_span": 0.15,  # some lanes over a span (repaint a track's bars)
    "future": 0.1,  # everything from a step on (continue)
}
PITCH_FLOOR, PITCH_CEIL = 21, 108  # transposition keeps notes inside the piano's range


@dataclass(frozen=True, slots=True, eq=False)
class Piece:
    """A song as the model sees it: ``tokens`` (L, T), ``roles`` (L,), ``beat_pos`` (T,)."""

    tokens: np.ndarray
    roles: np.ndarray
    beat_pos: np.ndarray
    name: str = ""

    @property
    def n_lanes(self) -> int:
        return int(self.tokens.shape[0])

    @property
    def n_steps(self) -> int:
        return int(self.tokens.shape[1])


@dataclass(frozen=True, slots=True, eq=False)
class Batch:
    """``tokens`` (B, L, T) clean targets, ``mask`` (B, L, T) cells to predict."""

    tokens: np.ndarray
    roles: np.ndarray
    beat_pos: np.ndarray
    mask: np.ndarray

    def inputs(self) -> np.ndarray:
        """The network input: targets with masked cells set to ``MASK``."""
        return np.where(self.mask, vocab.MASK, self.tokens)


# -- sources -------------------------------------------------------------------------------


def _file_error(path: str | os.PathLike[str], problem: str) -> Exception:
    """The engine's one-line file error (imported late: engine.io is optional here)."""
    from engine.io.errors import FileFormatError

    return FileFormatError(path, problem)


def load_jsb(path: str | os.PathLike[str], split: str) -> list[Piece]:
    """The chorales of one split of a JSB JSON file (format: /work/shared/data/jsb/README)."""
    from engine.models.chorale import chorale_to_tokens

    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise _file_error(path, f"not valid JSON ({e.msg} at line {e.lineno})") from None
    if not isinstance(data, dict) or split not in data:
        have = ", ".join(sorted(data)) if isinstance(data, dict) else "none"
        raise _file_error(path, f"no split {split!r} (splits in the file: {have})")
    pieces = []
    for i, chorale in enumerate(data[split]):
        try:
            tokens = chorale_to_tokens(chorale)
        except ValueError as e:
            raise _file_error(path, f"{split} chorale {i}: {e}") from None
        steps = tokens.shape[1]
        pieces.append(Piece(tokens, np.full(4, VOICE_ROLE, dtype=np.int64),
                            np.arange(steps, dtype=np.int64) % 16, f"{split}/{i}"))
    return pieces


def piece_of_song(song, name: str = "", max_lanes: int = 12) -> Piece | None:
    """A song through the grid codec (``None`` when it has no notes on the grid)."""
    from engine.models.grid import GridSpec, encode

    enc = encode(song, GridSpec(max_lanes=max_lanes), snap_off_grid=True)
    if enc.n_lanes == 0 or enc.n_steps < 16:
        return None
    return Piece(enc.tokens, enc.roles, enc.beat_pos, name)


@dataclass(frozen=True)
class MidiFolder:
    """A folder of the user's MIDI files as training pieces, and the files left out."""

    folder: Path
    pieces: list[Piece]
    skipped: list[str]  # "sub/file.mid: why", one per file that gave no piece
    files: int  # MIDI files found

    def split(self) -> tuple[list[Piece], list[Piece]]:
        """``(train, valid)``: every 10th piece validates (at least one); a lone piece
        is both (the validation loss then measures fit, not generalisation)."""
        valid = [p for i, p in enumerate(self.pieces) if i % 10 == 9] or self.pieces[-1:]
        train = [p for p in self.pieces if p not in valid] or self.pieces
        return train, valid

    def report(self) -> str:
        """One line for the log: what was found, used and left out."""
        train, valid = self.split()
        text = (f"{self.folder}: {self.files} MIDI files, {len(self.pieces)} used "
                f"({len(train)} train, {len(valid)} validate)")
        if self.skipped:
            text += f"; {len(self.skipped)} left out: " + "; ".join(self.skipped[:5])
            text += " …" if len(self.skipped) > 5 else ""
        return text


def read_midi_folder(folder: str | os.PathLike[str], max_lanes: int = 12) -> MidiFolder:
    """Every MIDI file under ``folder`` (recursively) as pieces. A damaged file, or one too
    short for a training crop, is left out and named in :attr:`MidiFolder.skipped` (a
    macOS ``._song.mid`` beside the real one must not stop an hour's run); a folder
    with no usable file at all is an error naming the first reasons."""
    from engine.io import load_song
    from engine.io.errors import FileFormatError

    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".mid", ".midi")
                   and p.is_file())
    if not files:
        raise _file_error(folder, "no .mid or .midi files in this folder")
    pieces, skipped = [], []
    for f in files:
        name = f.relative_to(folder).as_posix()
        try:
            piece = piece_of_song(load_song(f), name, max_lanes)
        except FileFormatError as e:
            skipped.append(f"{name}: {e.problem}")
            continue
        except OSError as e:
            skipped.append(f"{name}: {e.strerror or e}")
            continue
        if piece is None:
            skipped.append(f"{name}: no notes, or shorter than one bar of 16ths")
        else:
            pieces.append(piece)
    if not pieces:
        raise _file_error(folder, f"none of its {len(files)} MIDI files can be trained on ("
                          + "; ".join(skipped[:3]) + (" …" if len(skipped) > 3 else "") + ")")
    return MidiFolder(folder, pieces, skipped, len(files))


# The cache's encoding: 3 = compound bars of eighths' positions carry grid.COMPOUND_OFFSET
# (6/4 does not) and pickups sit at the end of a full first bar (session 13); a cache
# without the mark is older.
CACHE_FORMAT = 3


def save_pieces(path: str | os.PathLike[str], pieces: Sequence[Piece]) -> None:
    """A cache of pieces as one ``.npz`` (plain arrays, no pickle)."""
    arrays: dict[str, np.ndarray] = {"format": np.array(CACHE_FORMAT)}
    for i, p in enumerate(pieces):
        arrays[f"{i}.tokens"], arrays[f"{i}.roles"] = p.tokens, p.roles
        arrays[f"{i}.beat_pos"] = p.beat_pos
    arrays["names"] = np.array([p.name for p in pieces])
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def load_pieces(path: str | os.PathLike[str]) -> list[Piece]:
    """The pieces of a cache written by :func:`save_pieces`; an older encoding is refused
    (its 6/8 reads as 3/4 and its pickups as downbeats: training on it teaches neither)."""
    with np.load(path, allow_pickle=False) as z:
        found = int(z["format"]) if "format" in z.files else 1
        if found != CACHE_FORMAT:
            raise ValueError(f"{path}: a corpus cache of format {found}, this Partita reads "
                             f"format {CACHE_FORMAT}; build it again (python -m "
                             "engine.models.corpus, docs/model-training.md)")
        names = list(z["names"])
        return [Piece(z[f"{i}.tokens"], z[f"{i}.roles"], z[f"{i}.beat_pos"], str(n))
                for i, n in enumerate(names)]


# -- augmentation, crops and masks ---------------------------------------------------------


def as_twelve_eight(piece: Piece) -> Piece | None:
    """A 6/8 piece read in 12/8 (two of its bars as one: a slide is a jig's rhythm in bars
    twice as long), or None for a piece not wholly in 12-step compound bars. The corpus has
    about one real 12/8 tune: without these, 12/8 positions learnt only 6/4-like music."""
    from .grid import COMPOUND_OFFSET, step_in_bar

    pos = step_in_bar(piece.beat_pos)
    if not (piece.beat_pos >= COMPOUND_OFFSET).all() or pos.max() != 11:
        return None
    first = int(np.flatnonzero(pos == 0)[0]) if (pos == 0).any() else 0
    steps = np.arange(len(pos)) - first + pos[first]
    return Piece(piece.tokens, piece.roles, COMPOUND_OFFSET + steps % 24,
                 f"{piece.name} (12/8)")


def transpose(tokens: np.ndarray, semitones: int) -> np.ndarray:
    """Shift every pitched onset (drum hits, rests and holds stay)."""
    out = tokens.copy()
    pitched = (tokens >= vocab.ONSET) & (tokens < vocab.DRUM)
    out[pitched] += semitones
    return out


def transpose_range(tokens: np.ndarray, max_shift: int) -> tuple[int, int]:
    """Shifts in ``[-max_shift, max_shift]`` that keep the notes inside the piano's range."""
    pitched = tokens[(tokens >= vocab.ONSET) & (tokens < vocab.DRUM)] - vocab.ONSET
    if pitched.size == 0:
        return 0, 0
    lo = max(-max_shift, PITCH_FLOOR - int(pitched.min()))
    hi = min(max_shift, PITCH_CEIL - int(pitched.max()))
    return (lo, hi) if lo <= hi else (0, 0)


def crop(piece: Piece, start: int, steps: int, lanes: Sequence[int] | None = None):
    """A time crop (and optionally a subset of lanes, in order) of a piece's arrays.

    A HOLD cut from its note at the crop's start becomes that note's onset, so every crop
    is a well-formed grid.
    """
    sel = slice(None) if lanes is None else list(lanes)
    tok = piece.tokens[sel, start : start + steps].copy()
    if start > 0 and tok.size:
        held = tok[:, 0] == vocab.HOLD
        if held.any():
            src = piece.tokens[sel, :start]
            for lane in np.flatnonzero(held):
                onsets = np.flatnonzero(src[lane] != vocab.HOLD)
                tok[lane, 0] = src[lane, onsets[-1]] if onsets.size else vocab.REST
    return tok, piece.roles[sel], piece.beat_pos[start : start + steps]


def relabel_roles(tokens: np.ndarray, roles: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Band-style roles for a crop's pitched lanes: the lowest lane (by mean pitch) becomes
    ``bass``, the highest ``melody`` and each lane between ``chords`` with probability ½.

    The corpus is mostly voices, strings and piano; this teaches the bass, chords and
    melody roles the product's band tracks use, from the same music.
    """
    roles = roles.copy()
    pitched = [lane for lane in range(len(roles)) if roles[lane] != DRUMS_ROLE]
    means = {}
    for lane in pitched:
        onsets = tokens[lane][(tokens[lane] >= vocab.ONSET) & (tokens[lane] < vocab.DRUM)]
        if onsets.size:
            means[lane] = float(onsets.mean())
    if len(means) < 2:
        return roles
    order = sorted(means, key=means.get)
    roles[order[0]] = ROLE_IDS["bass"]
    roles[order[-1]] = ROLE_IDS["melody"]
    for lane in order[1:-1]:
        if rng.random() < 0.5:
            roles[lane] = ROLE_IDS["chords"]
    return roles


def training_mask(
    rng: np.random.Generator, lanes: int, steps: int, kinds: dict[str, float] | None = None
) -> np.ndarray:
    """A random (L, T) bool mask of cells to predict; never empty."""
    kinds = kinds or MASK_KINDS
    names = list(kinds)
    p = np.array([kinds[k] for k in names], dtype=float)
    kind = names[rng.choice(len(names), p=p / p.sum())]
    mask = np.zeros((lanes, steps), dtype=bool)
    if kind == "random" or (lanes == 1 and kind == "lanes"):
        mask = rng.random((lanes, steps)) < rng.random()
    elif kind == "lanes":
        mask[rng.random(lanes) < 0.5] = True
    elif kind in ("span", "lane_span"):
        a, b = sorted(rng.integers(0, steps + 1, size=2))
        rows = rng.random(lanes) < 0.5 if kind == "lane_span" else slice(None)
        mask[rows, a:b] = True
    elif kind == "future":
        mask[:, rng.integers(1, steps) :] = True
    if not mask.any():
        mask[rng.integers(lanes), :] = True
    return mask


def make_batch(
    pieces: Sequence[Piece],
    rng: np.random.Generator,
    batch_size: int,
    crop_steps: int,
    max_transpose: int = 0,
    kinds: dict[str, float] | None = None,
    relabel: float = 0.0,
) -> Batch:
    """``batch_size`` random crops of random pieces, transposed and masked at random.

    With probability ``relabel`` an item's pitched lanes get band roles
    (:func:`relabel_roles`).

    Items share one lane count, that of the first piece drawn; the others are drawn among
    the pieces with at least as many lanes and keep a random subset of them (a natural
    "fewer tracks" augmentation). Items share one length.
    """
    first = pieces[int(rng.integers(0, len(pieces)))]
    lanes = first.n_lanes
    pool = [p for p in pieces if p.n_lanes >= lanes]
    chosen = [first, *(pool[i] for i in rng.integers(0, len(pool), size=batch_size - 1))]
    steps = min(crop_steps, *(p.n_steps for p in chosen))
    toks, roles, beats, masks = [], [], [], []
    for p in chosen:
        keep = None
        if p.n_lanes > lanes:
            keep = np.sort(rng.choice(p.n_lanes, size=lanes, replace=False))
        start = int(rng.integers(0, p.n_steps - steps + 1))
        tok, role, beat = crop(p, start, steps, keep)
        lo, hi = transpose_range(tok, max_transpose)
        tok = transpose(tok, int(rng.integers(lo, hi + 1)))
        if relabel > 0 and rng.random() < relabel:
            role = relabel_roles(tok, role, rng)
        toks.append(tok)
        roles.append(role)
        beats.append(beat)
        masks.append(training_mask(rng, lanes, steps, kinds))
    return Batch(np.stack(toks), np.stack(roles), np.stack(beats), np.stack(masks))
