"""The key new notes keep when the user names none: the key the music around them is in.

A small model drifts out of key where a musician would not (a QA pass measured 21–40 % of
new notes outside D minor in a song with none). So a task's key option defaults to
:data:`AUTO`: the key signature in force at the region, if the notes around the region
fit its scale, else the major or minor key they fit best, if they fit one clearly. Music
that fits no key (atonal, modulating, chromatic) gets no constraint. The user can always
name a key, or ``None`` for none.

``harmonize`` keeps only a key signature the user set (and the music fits), and a
chorale (``avoid_parallels``) not even that: the harmony is what it writes, and a melody
alone does not say which chromatic chords belong to it. Measured on the 76 JSB valid chorales: 69
sopranos fit a key, and 6.9 % of Bach's alto, tenor and bass 16ths in those lie outside
it (secondary dominants, chromatic passing notes), so a key would forbid them.
"""

from __future__ import annotations

from dataclasses import replace

from engine.plugins.api import GenerateOptions
from engine.score import Mask, Song, TimeMap
from engine.score.spelling import scale_pitch_classes

AUTO = "auto"  # GenerateOptions.key: the context's key (resolve_key), before a model runs
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
        return None
    declared = declared_key(song, mask, pcs)
    if declared is not None:
        return declared
    # A minor scale here is its relative major's plus the leading tone: on a tie the
    # major, the tighter scale, wins.
    best = max(KEYS, key=lambda k: (key_fit(k, pcs), not k.endswith("m")))
    return best if key_fit(best, pcs) >= MIN_FIT else None


def resolve_key(options: GenerateOptions, song: Song, mask: Mask,
                task: str = "repaint") -> GenerateOptions:
    """``options`` with an :data:`AUTO` key replaced by :func:`context_key` (None for
    ``harmonize``: module docstring; None where only drum tracks are written)."""
    if options.key != AUTO:
        return options
    pitched = any(not t.is_drum for t in song.tracks if t.id in mask.track_ids)
    if not pitched:  # drums have no key to keep
        return replace(options, key=None)
    if task == "harmonize":
        # A chorale's harmony stays free (module docstring); other accompaniment keeps a
        # key signature the user set, when the music around fits it (a QA pass's G-major
        # song got D# and G# bass notes).
        return replace(options, key=None if options.avoid_parallels
                       else declared_key(song, mask))
    return replace(options, key=context_key(song, mask))


def declared_key(song: Song, mask: Mask, pcs: list[int] | None = None) -> str | None:
    """The key signature in force at ``mask`` when the notes around it (``pcs``: their
    pitch classes, read here when not given) fit its scale."""
    declared = song.key_at(mask.span[0])
    if declared is None:
        return None
    pcs = context_pitch_classes(song, mask) if pcs is None else pcs
    return declared if pcs and key_fit(declared, pcs) >= MIN_FIT else None
