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
# The black keys where no key says otherwise (no key signature, or C major, which a MIDI
# file without one reads as): the names most notation programs and DAWs give them (QA: a
# B-flat typed in step entry was drawn and exported as "A#3").
NEUTRAL_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
# A black key outside a key's scale, counted in semitones from its major tonic (a minor
# key's relative major): the raised 1st, 2nd, 4th and 5th lead to ii, iii, V and vi (their
# secondary dominants' leading tones: F# in F major, A# in G, G# in A minor), so sharps;
# the lowered 7th is IV's dominant 7th (Eb in F), a flat. Of the 24,472 black keys in
# music21's 410 Bach chorales this names 99.2% as Bach wrote them (a flat key's flats
# throughout, as before: 96.1%); most of the rest are C major's D# and G#, which Eb and
# Ab (no key's names) miss.
_RAISED_DEGREES = frozenset({1, 3, 6, 8})
_MAJOR_DEGREES = frozenset({0, 2, 4, 5, 7, 9, 11})


def pitch_name(pitch: int, key: str | None = None, prefer: int = 0) -> str:
    """Scientific pitch name with middle C = C4 (MIDI 60). A black key is named as ``key``
    (MIDI spelling: F, Bb, Dm, …) writes it: in its scale as the signature has it (Bb in
    F), outside it by what it leads to (:data:`_RAISED_DEGREES`: F# in F major, C# in D
    minor, Eb in F); with no key or in C major :data:`NEUTRAL_NAMES` (C# Eb F# Ab Bb).
    ``prefer`` +1 / −1 spells a black key as a sharp / a flat whatever the key (what the
    user typed: G then # is G#, even in C major)."""
    return f"{_black_key_names(pitch % 12, key, prefer)[pitch % 12]}{pitch // 12 - 1}"


def _black_key_names(pc: int, key: str | None, prefer: int) -> tuple[str, ...]:
    if prefer:
        return NOTE_NAMES if prefer > 0 else FLAT_NAMES
    if key is None or key == "C":
        return NEUTRAL_NAMES
    tonic, minor = tonic_of(key)
    degree = (pc - (tonic + 3 if minor else tonic)) % 12
    if degree in _MAJOR_DEGREES:  # in the scale: the signature's sharp or flat
        return NOTE_NAMES if _signature(key) > 0 else FLAT_NAMES
    return NOTE_NAMES if degree in _RAISED_DEGREES else FLAT_NAMES


# -- a score's own spellings ---------------------------------------------------------------
# A note may keep the name its score gave it (``Note.spelling``): a letter and up to two
# sharps or flats, without the octave ("Bb", "A#", "E#", "Cb", "F##"). A natural white key
# needs none (every rule names it so), so only the others are kept.
SPELLING_RE = re.compile(r"[A-G](?:#{1,2}|b{1,2})?")
# Each letter's place on the line of fifths (C = 0, G = 1, F = −1): a sharp moves a name 7
# places up it, a flat 7 down (A# = 10, Bb = −2).
_LETTER_FIFTHS = {"F": -1, "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5}


def check_spelling(spelling: str) -> None:
    """Raise ValueError unless ``spelling`` is a note name without octave (``"Bb"``)."""
    if type(spelling) is not str or not SPELLING_RE.fullmatch(spelling):
        raise ValueError(f"note spelling {spelling!r:.20} is not a name like Bb, A#, E#, Cb")


def spelling_alter(spelling: str) -> int:
    """Semitones a spelling's accidentals add: ``"Bb"`` → −1, ``"F##"`` → 2, ``"E"`` → 0."""
    return spelling.count("#") - spelling.count("b")


def spelling_pitch_class(spelling: str) -> int:
    """The pitch class a spelling names: ``"Bb"`` and ``"A#"`` → 10, ``"Cb"`` → 11."""
    return (_LETTER_PCS[spelling[0]] + spelling_alter(spelling)) % 12


def spelling_fifths(spelling: str) -> int:
    """A spelling's place on the line of fifths (``"Bb"`` → −2, ``"A#"`` → 10)."""
    return _LETTER_FIFTHS[spelling[0]] + 7 * spelling_alter(spelling)


def spelling_at_fifths(fifths: int) -> str:
    """The note name at ``fifths`` on the line of fifths (:func:`spelling_fifths`'s
    inverse): −2 → ``"Bb"``, 10 → ``"A#"``, 0 → ``"C"``."""
    alter, place = divmod(fifths + 1, 7)
    return "FCGDAEB"[place] + ("#" * alter if alter > 0 else "b" * -alter)


def transposed_spelling(spelling: str, semitones: int, key_before: str | None = None,
                        key_after: str | None = None) -> str:
    """``spelling`` (a note name, ``"Bb"``) moved by ``semitones``, as a score editor
    transposes a chord symbol: by the interval between the two keys' tonics as written,
    so each name keeps its degree (G D Em C in G major are F C Dm B♭ in F major, the
    flat key's flat; A♯ in G major is G♯ in F). With no key, by the interval's usual
    spelling (a tone down is a major 2nd: B♭ → A♭; a semitone up a minor 2nd: C → D♭).
    A name that would need a double sharp or flat — or, with no key to call for one, an
    E♯, B♯, C♭ or F♭ — is the rule's name in ``key_after`` (:func:`spelling_of`)."""
    keyed = key_before is not None and key_after is not None
    if keyed:
        shift = _tonic_fifths(key_after) - _tonic_fifths(key_before)
    else:
        shift = semitones * 7 % 12  # the fifths that make the interval, -5..6
        shift = shift - 12 if shift > 6 else shift
    name = spelling_at_fifths(spelling_fifths(spelling) + shift)
    pc = spelling_pitch_class(name)
    white = NOTE_NAMES[pc] == FLAT_NAMES[pc]
    if abs(spelling_alter(name)) > 1 or (not keyed and white and spelling_alter(name)):
        return spelling_of(pc, key_after if keyed else None)
    return name


def _tonic_fifths(key: str) -> int:
    """A key's tonic as written on the line of fifths (``"Bbm"`` → −2)."""
    letter, accidental, _minor = _parse_key(key)
    return spelling_fifths(letter + accidental)


def kept_spelling(spelling: str) -> str | None:
    """What a note keeps of the name its score gives it: the name, or None for a natural
    white key (``"G"``), which needs no keeping."""
    return spelling if spelling_alter(spelling) else None


def spelled_name(pitch: int, spelling: str) -> str:
    """``pitch`` written as ``spelling``, with the octave of the written letter (scientific
    pitch, C4 = 60): ``(70, "Bb")`` → ``"Bb4"``, ``(59, "Cb")`` → ``"Cb4"``, ``(60, "B#")``
    → ``"B#3"``."""
    return f"{spelling}{(pitch - spelling_alter(spelling)) // 12 - 1}"


def spelling_of(pitch: int, key: str | None = None, prefer: int = 0) -> str:
    """:func:`pitch_name` without the octave: the rule's name for ``pitch``'s key."""
    return _black_key_names(pitch % 12, key, prefer)[pitch % 12]


# A minor key's notes raised from its natural minor: the 6th and 7th (melodic and harmonic
# minor, the leading tone) and the 3rd (a Picardy third, V of iv). A black key there is
# always the sharp of the scale's letter (C♯ in D minor, F♯ and G♯ in A minor), whatever
# its chord: a D minor hymn's alto C♯ against B♭ and F was exported as D♭ (a choir
# director's QA). Where the scale's letter is flat, the raised note is a white key.
_MINOR_RAISED = frozenset({4, 9, 11})


def minor_raised_spelling(pitch: int, key: str | None) -> str | None:
    """The name of ``pitch`` where it is a black key ``key`` (a minor key) raises from its
    natural minor (:data:`_MINOR_RAISED`): its sharp; None elsewhere."""
    if key is None:
        return None
    tonic, minor = tonic_of(key)
    pc = pitch % 12
    if not minor or NOTE_NAMES[pc] == FLAT_NAMES[pc] or (pc - tonic) % 12 not in _MINOR_RAISED:
        return None
    return NOTE_NAMES[pc]


SHARPS_ORDER = "FCGDAEB"  # the order sharps enter a key signature; flats go backwards


def signature_accidental(letter: str, key: str | None) -> int:
    """+1, −1 or 0: what ``key``'s signature does to a note letter (F in D major: +1,
    B in F major: −1), as a score's key signature does to every note without its own."""
    if key is None:
        return 0
    sf = _signature(key)
    if sf > 0:
        return int(letter.upper() in SHARPS_ORDER[:sf])
    return -int(letter.upper() in SHARPS_ORDER[::-1][:-sf]) if sf < 0 else 0


def _signature(key: str) -> int:
    """How many sharps (> 0) or flats (< 0) ``key``'s signature has (0 for a key no
    signature has)."""
    return next((sf for (sf, _minor), name in KEY_SIGNATURES.items() if name == key), 0)


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


def key_label(key: str) -> str:
    """A MIDI-spelled key as musicians print it, with ♭ and ♯: ``"Gb"`` → ``"G♭ major"``,
    ``"C#m"`` → ``"C♯ minor"`` (a key list's and the ruler's labels)."""
    text = key_text(key)
    return text[0] + text[1:].replace("b ", "♭ ", 1).replace("#", "♯")


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
