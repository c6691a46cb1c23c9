"""Which key the music around a region is in: the key new notes keep by default.

A small model drifts out of key where a musician would not (a QA pass measured 21–40 % of
new notes outside D minor in a song with none). So the notes around a region name its key:
the key signature in force there, if the notes fit its scale, else the major or minor key
they fit best, if they fit one clearly (:func:`context_key`). Music that fits no key
(atonal, modulating, chromatic) names none. :mod:`engine.tasks.keys` decides when a task
uses it.
"""

from __future__ import annotations

from .region import Mask
from .song import Song
from .spelling import scale_pitch_classes
from .timing import TimeMap

CONTEXT_BARS = 8  # bars each side of the region whose notes say what the key is
MIN_NOTES = 16  # fewer context notes than this say nothing reliable about a key
MIN_FIT = 0.95  # share of context notes a key's scale must hold
TONICS = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
KEYS = tuple(k for t in TONICS for k in (t, f"{t}m"))


def context_pitch_classes(song: Song, mask: Mask, bars: int = CONTEXT_BARS) -> list[int]:
    """Pitch classes of the pitched notes near ``mask`` that it leaves as they are."""
    lo, hi = TimeMap.of(song).bars_around(*mask.span, bars)
    out = []
    for t in song.tracks:
        if t.is_drum:
            continue
        window = t.onset_range(lo, hi)  # not a scan: a long song has thousands of notes
        out += [n.pitch % 12 for n in t.notes[window.start:window.stop]
                if not mask.contains_note(t.id, n)]
    return out


def key_fit(key: str, pitch_classes: list[int]) -> float:
    """Share of ``pitch_classes`` in ``key``'s scale (0 for no notes)."""
    if not pitch_classes:
        return 0.0
    scale = scale_pitch_classes(key)
    return sum(pc in scale for pc in pitch_classes) / len(pitch_classes)


def context_key(song: Song, mask: Mask) -> str | None:
    """The key the music around ``mask`` is clearly in, or None (module docstring)."""
    pcs = context_pitch_classes(song, mask)
    if len(pcs) < MIN_NOTES:
        # Too few notes to find a key, but enough to contradict the one the song
        # declares (a repaint of a sparse lead in F wrote E♭, G♭, A♭ and D♭).
        return declared_key(song, mask, pcs) if pcs else song.key_at(mask.span[0])
    declared = declared_key(song, mask, pcs)
    if declared is not None:
        return declared
    # A minor scale here is its relative major's plus the leading tone: on a tie the
    # major, the tighter scale, wins.
    best = max(KEYS, key=lambda k: (key_fit(k, pcs), not k.endswith("m")))
    return best if key_fit(best, pcs) >= MIN_FIT else None


def declared_key(song: Song, mask: Mask, pcs: list[int] | None = None) -> str | None:
    """The key signature in force at ``mask`` when the notes around it (``pcs``: their
    pitch classes, read here when not given) fit its scale."""
    declared = song.key_at(mask.span[0])
    if declared is None:
        return None
    pcs = context_pitch_classes(song, mask) if pcs is None else pcs
    return declared if pcs and key_fit(declared, pcs) >= MIN_FIT else None
