"""How pitches and keys are written: note names, key names, their parsing and scales.

Keys are spelled as MIDI key signatures are (mido's spelling, which :class:`Song` keeps):
``"C"``, ``"F#"``, ``"Bbm"``. Users may type ``"a minor"`` or ``"Eb major"``; every reader
of a key (the CLI, the studio, the model's key constraint) parses it here.

A key Partita names itself (the key the music is in, a transposed key) is spelt as
musicians spell it (:func:`key_on`): C♯ minor, not D♭ minor — a D♭ minor signature would
need 8 flats, and no key signature has them.
"""

from __future__ import annotations

import re

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")

# Key signature (sharps > 0 or flats < 0, minor) → its key's name.
_MAJOR_BY_SIGNATURE = ("Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B",
                       "F#", "C#")
_MINOR_BY_SIGNATURE = ("Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#",
                       "D#", "A#")
KEY_SIGNATURES: dict[tuple[int, int], str] = {
    **{(sf, 0): name for sf, name in zip(range(-7, 8), _MAJOR_BY_SIGNATURE, strict=True)},
    **{(sf, 1): name + "m" for sf, name in zip(range(-7, 8), _MINOR_BY_SIGNATURE, strict=True)},
}
MIDI_KEYS = frozenset(KEY_SIGNATURES.values())  # the 30 keys a MIDI file can declare

_LETTER_PCS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
_MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10, 11)  # natural minor plus the leading tone
_KEY_RE = re.compile(r"^([A-Ga-g])([#b]?)\s*(m|min|minor|maj|major)?$")


FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")


def pitch_name(pitch: int, key: str | None = None, prefer: int = 0) -> str:
    """Scientific pitch name with middle C = C4 (MIDI 60); in a flat key (``key``, MIDI
    spelling: F, Bb, Dm, …) the black keys are flats — except a minor key's raised 7th,
    its leading tone (C# in D minor). ``prefer`` +1 / −1 spells a black key as a sharp /
    a flat whatever the key (what the user typed: F then # is F#, even in F major)."""
    names = NOTE_NAMES
    if prefer:
        names = NOTE_NAMES if prefer > 0 else FLAT_NAMES
    elif key is not None and _flat_key(key):
        tonic, minor = tonic_of(key)
        pc = pitch % 12
        if not (minor and pc == (tonic + 11) % 12):
            names = FLAT_NAMES
    return f"{names[pitch % 12]}{pitch // 12 - 1}"


SHARPS_ORDER = "FCGDAEB"  # the order sharps enter a key signature; flats go backwards


def signature_accidental(letter: str, key: str | None) -> int:
    """+1, −1 or 0: what ``key``'s signature does to a note letter (F in D major: +1,
    B in F major: −1), as a score's key signature does to every note without its own."""
    if key is None:
        return 0
    sf = next((sf for (sf, _minor), name in KEY_SIGNATURES.items() if name == key), 0)
    if sf > 0:
        return int(letter.upper() in SHARPS_ORDER[:sf])
    return -int(letter.upper() in SHARPS_ORDER[::-1][:-sf]) if sf < 0 else 0


def _flat_key(key: str) -> bool:
    """Whether ``key``'s signature has flats (F major, D minor, Bb, …)."""
    return any(name == key and sf < 0 for (sf, _), name in KEY_SIGNATURES.items())


def _parse_key(key: str) -> tuple[str, str, bool]:
    m = _KEY_RE.match(key.strip())
    if not m:
        raise ValueError(f"unknown key {key!r} (use e.g. C, F#m, Bb, A minor)")
    letter, accidental, quality = m.groups()
    return letter.upper(), accidental, quality in ("m", "min", "minor")


def key_name(key: str) -> str:
    """A key in MIDI (mido) spelling: ``"a minor"`` → ``"Am"``, ``"Eb major"`` → ``"Eb"``.
    A spelling no key signature has is the key's usual one (:func:`key_on`): ``"Db minor"``
    (8 flats) → ``"C#m"``, ``"A#"`` → ``"Bb"`` (Partita once named C♯ minor "Db minor"
    itself: a key saved so still reads)."""
    letter, accidental, minor = _parse_key(key)
    name = f"{letter}{accidental}{'m' if minor else ''}"
    return name if name in MIDI_KEYS else key_on(*tonic_of(name))


def key_text(key: str) -> str:
    """A MIDI-spelled key for people: ``"F#m"`` → ``"F# minor"``, ``"Bb"`` → ``"Bb major"``."""
    return f"{key[:-1]} minor" if key.endswith("m") else f"{key} major"


# The keys as musicians spell them, per tonic pitch class: the spelling with the fewer
# accidentals (D♭ major, 5 flats, not C♯ major, 7 sharps; C♯ minor, 4 sharps, not D♭ minor,
# 8 flats; G♯ minor, 5 sharps, not A♭ minor, 7 flats) and, on the two six-and-six ties,
# the usual one: F♯ major (G♭ major is as common) and E♭ minor (6 flats, the relative of
# G♭ major; far more often written than D♯ minor's 6 sharps).
MAJOR_KEYS = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MINOR_KEYS = ("Cm", "C#m", "Dm", "Ebm", "Em", "Fm", "F#m", "Gm", "G#m", "Am", "Bbm", "Bm")


def key_on(tonic: int, minor: bool) -> str:
    """The major or minor key on pitch class ``tonic`` as musicians spell it (MIDI
    spelling, :data:`MAJOR_KEYS`, :data:`MINOR_KEYS`): ``(1, True)`` → ``"C#m"``."""
    return (MINOR_KEYS if minor else MAJOR_KEYS)[tonic % 12]


def transpose_key(key: str, semitones: int) -> str:
    """``key`` moved by ``semitones``, spelt as musicians spell it (:func:`key_on`):
    ``("Bb", 2)`` → ``"C"``, ``("F#m", -1)`` → ``"Fm"``."""
    tonic, minor = tonic_of(key)
    return key_on(tonic + semitones, minor)


def tonic_of(key: str) -> tuple[int, bool]:
    """``(tonic pitch class, minor)`` of a key as :func:`scale_pitch_classes` reads it."""
    letter, accidental, minor = _parse_key(key)
    return (_LETTER_PCS[letter] + {"#": 1, "b": -1, "": 0}[accidental]) % 12, minor


def scale_pitch_classes(key: str) -> frozenset[int]:
    """Pitch classes of a key: ``"C"``, ``"F#m"``, ``"Bb"``, ``"A minor"``, ``"Eb major"``.

    Minor keys allow the natural minor scale plus the raised 7th (harmonic minor's leading
    tone), as tonal music uses both.
    """
    tonic, minor = tonic_of(key)
    return frozenset((tonic + d) % 12 for d in (_MINOR_SCALE if minor else _MAJOR_SCALE))
