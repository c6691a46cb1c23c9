"""Which key the music around a region is in: the key new notes keep by default.

A small model drifts out of key where a musician would not (a QA pass measured 21–40 % of
new notes outside D minor in a song with none). So the notes around a region name its key:
the key signature in force there, if the notes fit its scale, else the major or minor key
they fit best, if they fit one clearly (:func:`context_key`). Music that fits no key
(atonal, modulating, chromatic) names none. :mod:`engine.tasks.keys` decides when a task
uses it.

A new sketch has few notes (a QA pass's C4 E4 G4 C5 | E4 A4 B4, repainted, got C#, A#
and G# in half its new notes: fewer than :data:`MIN_NOTES` named no key). Such a tune
still has one for a musician, who hears it as :func:`tune_key` does: of the keys whose
scale holds every note, the one whose tonic chord the tune leans on — its first note, its
last (when it closes after the region), its downbeats — then the one whose notes dwell on
that chord, major before its relative minor, and the plainer key signature last (the
notes are written alike in every candidate: a musician writes none of the accidentals no
note needs). Fewer than :data:`FEW_NOTES` notes, or under :data:`FEW_CLASSES` pitch
classes (C and G alone are C major or minor alike), name none.
"""

from __future__ import annotations

from .region import Mask
from .song import Note, Song
from .spelling import key_on, scale_pitch_classes, tonic_of
from .timing import TimeMap

CONTEXT_BARS = 8  # bars each side of the region whose notes say what the key is
MIN_NOTES = 16  # fewer context notes than this say nothing reliable about a key
MIN_FIT = 0.95  # share of context notes a key's scale must hold
FEW_NOTES = 5  # below MIN_NOTES, the fewest context notes tune_key reads a key from
FEW_CLASSES = 3  # ... and the fewest pitch classes (two do not tell major from minor)
TONICS = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")  # chord roots
# The 24 keys a key is found among, as musicians spell them (C♯ minor, not D♭ minor: the
# name said and the signature written), C, Cm, D♭, C♯m, …: on a tie the first wins.
KEYS = tuple(key_on(tonic, minor) for tonic in range(12) for minor in (False, True))


def context_notes(song: Song, mask: Mask, bars: int = CONTEXT_BARS) -> list[Note]:
    """The pitched notes near ``mask`` that it leaves as they are, track by track."""
    lo, hi = TimeMap.of(song).bars_around(*mask.span, bars)
    out = []
    for t in song.tracks:
        if t.is_drum:
            continue
        window = t.onset_range(lo, hi)  # not a scan: a long song has thousands of notes
        out += [n for n in t.notes[window.start:window.stop]
                if not mask.contains_note(t.id, n)]
    return out


def context_pitch_classes(song: Song, mask: Mask, bars: int = CONTEXT_BARS) -> list[int]:
    """Pitch classes of the pitched notes near ``mask`` that it leaves as they are."""
    return [n.pitch % 12 for n in context_notes(song, mask, bars)]


def key_fit(key: str, pitch_classes: list[int]) -> float:
    """Share of ``pitch_classes`` in ``key``'s scale (0 for no notes)."""
    if not pitch_classes:
        return 0.0
    scale = scale_pitch_classes(key)
    return sum(pc in scale for pc in pitch_classes) / len(pitch_classes)


def context_key(song: Song, mask: Mask) -> str | None:
    """The key the music around ``mask`` is clearly in, or None (module docstring)."""
    notes = context_notes(song, mask)
    pcs = [n.pitch % 12 for n in notes]
    if not pcs:  # nothing to go by but the key signature
        return song.key_at(mask.span[0])
    declared = declared_key(song, mask, pcs)
    if len(pcs) < MIN_NOTES:
        # Too few notes to find a key by counting, but enough to contradict the one the
        # song declares (a repaint of a sparse lead in F wrote E♭, G♭, A♭ and D♭), and
        # a tune's few notes still name the key a musician hears (module docstring).
        return declared or tune_key(song, mask, notes)
    if declared is not None:
        return declared
    # A minor scale here is its relative major's plus the leading tone: on a tie the
    # major, the tighter scale, wins.
    best = max(KEYS, key=lambda k: (key_fit(k, pcs), not k.endswith("m")))
    return best if key_fit(best, pcs) >= MIN_FIT else None


def no_key_reason(song: Song, mask: Mask) -> str:
    """Why :func:`context_key` names no key for ``mask`` (for a message: "too few notes
    around them to name a key")."""
    pcs = context_pitch_classes(song, mask)
    if len(pcs) < FEW_NOTES or len(set(pcs)) < FEW_CLASSES:
        return "too few notes around them to name a key"
    return "the notes around them fit no one key"


def tune_key(song: Song, mask: Mask, notes: list[Note]) -> str | None:
    """The key a musician hears in a few ``notes`` around ``mask`` (the module
    docstring), or None: under :data:`FEW_NOTES` notes or :data:`FEW_CLASSES` pitch
    classes, or no key's scale holds them (a chromatic line)."""
    pcs = [n.pitch % 12 for n in notes]
    if len(pcs) < FEW_NOTES or len(set(pcs)) < FEW_CLASSES:
        return None
    fitting = [k for k in KEYS if key_fit(k, pcs) >= MIN_FIT]
    if not fitting:
        return None
    tm = TimeMap.of(song)
    lo, hi = tm.bars_around(*mask.span, CONTEXT_BARS)
    # How much each note says: a downbeat 1, the tune's first note 2 more when it opens
    # the song before the region, its last 2 more when it closes the song after it (a
    # tune stopped before the region, as a sketch being continued, has not closed).
    first, last = min(n.start for n in notes), max(n.start for n in notes)
    opens = lo == 0 and first < mask.span[0]
    closes = hi >= song.end and last >= mask.span[1]
    weights = [int(tm.metric_position(n.start)[1] == 0)
               + 2 * (opens and n.start == first) + 2 * (closes and n.start == last)
               for n in notes]

    def leaning(key: str) -> tuple[int, int, bool, int]:
        tonic, minor = tonic_of(key)
        triad = {tonic: 2, (tonic + (3 if minor else 4)) % 12: 1, (tonic + 7) % 12: 1}
        salient = sum(w * triad.get(pc, 0) for w, pc in zip(weights, pcs, strict=True))
        dwelling = sum(triad.get(pc, 0) for pc in pcs)
        return salient, dwelling, not minor, -_accidentals(tonic, minor)

    return max(fitting, key=leaning)


def _accidentals(tonic: int, minor: bool) -> int:
    """Sharps or flats in the signature of the key on pitch class ``tonic``."""
    sharps = (tonic + (3 if minor else 0)) * 7 % 12  # its major's place on the circle
    return min(sharps, 12 - sharps)


def declared_key(song: Song, mask: Mask, pcs: list[int] | None = None) -> str | None:
    """The key signature in force at ``mask`` when the notes around it (``pcs``: their
    pitch classes, read here when not given) fit its scale."""
    declared = song.key_at(mask.span[0])
    if declared is None:
        return None
    pcs = context_pitch_classes(song, mask) if pcs is None else pcs
    return declared if pcs and key_fit(declared, pcs) >= MIN_FIT else None
