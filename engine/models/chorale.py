"""JSB chorales ↔ lane tokens ↔ four-track songs.

The JSB data set (Coconet's voice-separated 16th-note encoding) stores a chorale as a list
of steps ``[soprano, alto, tenor, bass]``, each a MIDI pitch or ``-1`` for silence; a held
note repeats its pitch. That maps one-to-one onto four monophonic lanes: a pitch equal to
the step before is ``HOLD``, any other pitch is ``ONSET + pitch``, ``-1`` is ``REST``.
(The data set cannot tell a held note from a re-struck one, and neither can this mapping:
both become ``HOLD``.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.score import Note, Song, TempoChange, TimeSignature, Track

from . import vocab

VOICES = ("Soprano", "Alto", "Tenor", "Bass")
CHOIR_PROGRAM = 52  # Choir Aahs


def chorale_to_tokens(steps: Sequence[Sequence[int]]) -> np.ndarray:
    """``[[s, a, t, b], ...]`` (pitch or -1 per step) → int64 tokens of shape ``(4, T)``."""
    pitches = np.asarray(steps, dtype=np.int64).reshape(-1, 4).T  # (4, T)
    if pitches.size and (pitches.max() > 127 or pitches.min() < -1):
        raise ValueError("chorale pitches must be MIDI pitches 0..127 or -1 for silence")
    tokens = np.where(pitches < 0, vocab.REST, vocab.ONSET + pitches)
    held = np.zeros_like(pitches, dtype=bool)
    held[:, 1:] = (pitches[:, 1:] == pitches[:, :-1]) & (pitches[:, 1:] >= 0)
    tokens[held] = vocab.HOLD
    return tokens.astype(np.int64)


def tokens_to_chorale(tokens: np.ndarray) -> list[list[int]]:
    """Inverse of :func:`chorale_to_tokens`: ``(4, T)`` tokens → steps of 4 pitches / -1.

    Model output may contain tokens the data set cannot: ``HOLD`` after a rest (or at the
    start) is silence, and ``MASK``/drum tokens are read as silence too.
    """
    tokens = np.asarray(tokens, dtype=np.int64)
    if tokens.ndim != 2 or tokens.shape[0] != 4:
        raise ValueError(f"chorale tokens must have shape (4, T), got {tokens.shape}")
    out = np.full(tokens.shape, -1, dtype=np.int64)
    for v in range(4):
        current = -1
        for t, tok in enumerate(tokens[v]):
            if vocab.is_onset(int(tok)):
                current = vocab.pitch_of(int(tok))
            elif tok != vocab.HOLD:
                current = -1
            out[v, t] = current
    return out.T.tolist()


def chorale_to_song(
    steps: Sequence[Sequence[int]],
    *,
    program: int = CHOIR_PROGRAM,
    ppq: int = 480,
    bpm: float = 72.0,
    velocity: int = 80,
    title: str = "Chorale",
) -> Song:
    """A four-track song (Soprano, Alto, Tenor, Bass) in 4/4 from a JSB chorale.

    Each run of equal pitches becomes one note, so :func:`song_to_chorale` gives the
    steps back exactly.
    """
    step = ppq // vocab.STEPS_PER_BEAT
    rows = tokens_to_chorale(chorale_to_tokens(steps))  # normalise (validates too)
    tracks = []
    for v, name in enumerate(VOICES):
        notes: list[Note] = []
        run_pitch, run_start = -1, 0
        for t, pitches in enumerate([*rows, [-1] * 4]):
            p = pitches[v]
            if p != run_pitch:
                if run_pitch >= 0:
                    notes.append(Note(run_pitch, run_start * step, (t - run_start) * step,
                                      velocity))
                run_pitch, run_start = p, t
        tracks.append(Track(name=name, program=program, channel=v, notes=tuple(notes)))
    return Song(
        tracks=tuple(tracks),
        ppq=ppq,
        tempos=(TempoChange(0, round(60_000_000 / bpm)),),
        time_signatures=(TimeSignature(0, 4, 4),),
        title=title,
        length=len(rows) * step,
    )


def song_to_chorale(song: Song, steps: int | None = None) -> list[list[int]]:
    """The first four tracks of a song as chorale steps (highest pitch wins on overlaps)."""
    step = song.ppq // vocab.STEPS_PER_BEAT
    if len(song.tracks) < 4:
        raise ValueError(f"a chorale needs 4 tracks, the song has {len(song.tracks)}")
    n = steps if steps is not None else -(-song.end // step)
    out = np.full((n, 4), -1, dtype=np.int64)
    for v, track in enumerate(song.tracks[:4]):
        for note in sorted(track.notes, key=lambda x: x.pitch):
            a = note.start // step
            b = max(a + 1, -(-note.end // step))
            out[a:b, v] = note.pitch
    return out.tolist()
