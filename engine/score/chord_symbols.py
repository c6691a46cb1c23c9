"""Chord symbols as a lead sheet writes them — ``C7``, ``Bbmaj7``, ``F#m7b5``, ``G7/B``,
``N.C.`` — read into pitch classes on demand.

The song keeps each symbol as its text (:class:`~.song.ChordSymbol`): what the arranger
wrote is what is shown and saved, whatever spelling (``C-7``, ``CΔ``, ``Cø``). Whoever
needs the notes asks :func:`parse_chord_symbol`, a small hand-written reader (no music21:
it is called for every symbol of a song, and the song model stays pure data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_NOTE = re.compile(r"([A-G])([#b]*)")
NO_CHORD = re.compile(r"\s*(N\.?\s*C\.?|no\s+chord)\s*", re.IGNORECASE)

# Other ways of writing the same thing, as lead sheets and notation programs print them:
# "−" and "–" (what a word processor makes of "-") are minus, "˚" and "º" a degree sign.
_SIGNS = (("♭", "b"), ("♯", "#"), ("°", "dim"), ("˚", "dim"), ("º", "dim"),
          ("ø7", "m7b5"), ("Ø7", "m7b5"),
          ("ø", "m7b5"), ("Ø", "m7b5"), ("−", "-"), ("–", "-"))
# The triangle is major 7th: "Δ" (U+0394), "△", "∆" (U+2206, a Mac's Option-J) and
# iReal Pro's "^" — alone ("BbΔ", "Bb^") the maj7 chord, before an extension its "maj"
# ("Bb^9"; "C-^7" is C minor-major 7th).
_TRIANGLE = re.compile(r"[Δ△∆^](?=\d)|(?P<alone>[Δ△∆^])")
# An alteration: the degree → its semitones above the root once flattened or sharpened.
_ALTERED = {("b", "5"): 6, ("#", "5"): 8, ("+", "5"): 8, ("b", "9"): 1, ("#", "9"): 3,
            ("+", "9"): 3, ("#", "11"): 6, ("+", "11"): 6, ("b", "13"): 8, ("-", "5"): 6,
            ("-", "9"): 1, ("-", "13"): 8}
_ADDED = {"2": 2, "4": 5, "9": 2, "11": 5, "13": 9, "6": 9, "b9": 1, "#9": 3, "#11": 6,
          "b13": 8}
# The tones an extension brings above the seventh (a 13th chord leaves the 11th out, as
# a jazz player voices it: it clashes with the major third).
_EXTENSIONS = {"7": (), "9": (2,), "11": (2, 5), "13": (2, 9)}
_TOKEN = re.compile(
    r"(?P<halfdim>m7b5)"
    r"|(?P<maj>maj|Maj|MAJ|ma|Ma|M|j)(?P<majext>7|9|11|13)?"
    r"|(?P<min>min|mi|m)"
    r"|(?P<dim>dim|o)"
    r"|(?P<alt>alt)"
    r"|(?P<altered>[b#+\-])(?P<degree>5|9|11|13)"
    r"|(?P<aug>aug|\+)"
    r"|(?P<sus>sus)(?P<susdeg>2|4)?"
    r"|(?P<add>add)(?P<added>[b#]?(?:2|4|6|9|11|13))"
    r"|(?P<sixnine>6/?9)"
    r"|(?P<omit>no|omit)(?P<omitted>3|5)"
    r"|(?P<ext>7|9|11|13)"
    r"|(?P<six>6)"
    r"|(?P<power>5)"
    r"|(?P<skip>[\s(),]+)")


@dataclass(frozen=True, slots=True)
class ChordTones:
    """What a chord symbol sounds: ``root`` and ``bass`` pitch classes (0 = C; the bass
    is the root unless a slash names another) and ``tones``, the chord's pitch classes
    from the root up by interval (``C7`` → 0 4 7 10). "N.C." (no chord) has none of them:
    ``root`` and ``bass`` None, ``tones`` empty."""

    root: int | None
    bass: int | None
    tones: tuple[int, ...]

    @property
    def no_chord(self) -> bool:
        return self.root is None


def note_pitch_class(name: str) -> int | None:
    """``"Bb"`` → 10, ``"F#"`` → 6, ``"Cb"`` → 11; None for anything else."""
    m = _NOTE.fullmatch(name)
    if not m:
        return None
    return (_LETTERS[m.group(1)] + m.group(2).count("#") - m.group(2).count("b")) % 12


def split_chord_symbol(text: str) -> tuple[str, str, str] | None:
    """``"Gm7b5/Db"`` → ``("G", "m7b5", "Db")``: the root, the kind as written and the
    slash bass (``""`` when none), signs made plain (``♭`` → ``b``, ``Δ`` → ``maj7``); None
    when ``text`` does not start with a root (``"N.C."``, ``"Intro"``)."""
    for sign, plain in _SIGNS:
        text = text.replace(sign, plain)
    text = _TRIANGLE.sub(lambda m: "maj7" if m.group("alone") else "maj", text).strip()
    root = _NOTE.match(text)
    if not root:
        return None
    kind, bass = text[root.end():], ""
    slash = kind.rfind("/")
    if slash >= 0 and note_pitch_class(kind[slash + 1:].strip()) is not None:
        kind, bass = kind[:slash], kind[slash + 1:].strip()
    return root.group(0), kind.strip(), bass


def chord_intervals(kind: str) -> tuple[int, ...] | None:
    """The semitones above the root that a chord kind as written names (``"m7b5"`` →
    0 3 6 10), in order: root, third, fifth, seventh, then the rest rising; None if it
    is no chord kind."""
    if kind.startswith("-"):  # C-7: minor (a "-" later is a flat: C7-9)
        kind = "m" + kind[1:]
    intervals = _intervals(kind)
    return None if intervals is None else tuple(dict.fromkeys(intervals))


def parse_chord_symbol(text: str) -> ChordTones | None:
    """The chord ``text`` writes, or None when it is no chord symbol (``"Intro"``). The
    root is a capital letter and its accidentals (``b``/``#``, ``♭``/``♯``); then the
    kind: ``m``/``min``/``-``, ``maj7``/``M7``/``Δ``/``∆``/``^``, ``dim``/``°``,
    ``m7b5``/``ø``,
    ``aug``/``+``, ``sus``/``sus2``/``sus4``, ``5``, the extensions ``6 7 9 11 13``,
    ``6/9``, alterations (``b5 #5 b9 #9 #11 b13``), ``addN``, ``alt``, ``no3``; then a
    slash bass, ``/B``. ``"N.C."`` is no chord (:attr:`ChordTones.no_chord`)."""
    if NO_CHORD.fullmatch(text):
        return ChordTones(None, None, ())
    parts = split_chord_symbol(text)
    if parts is None:
        return None
    root, kind, bass = parts
    intervals = chord_intervals(kind)
    if intervals is None:
        return None
    r = note_pitch_class(root)
    b = note_pitch_class(bass) if bass else r
    assert r is not None
    return ChordTones(r, b, tuple(dict.fromkeys((r + i) % 12 for i in intervals)))


def _intervals(kind: str) -> list[int] | None:
    """The semitones above the root that ``kind`` (the symbol after its root) names, in
    order (root, third, fifth, seventh, the rest rising); None if it is no chord kind."""
    third: int | None = 4
    fifth: int | None = 7
    seventh: int | None = None
    diminished = False
    extras: set[int] = set()
    at = 0
    while at < len(kind):
        m = _TOKEN.match(kind, at)
        if not m or m.end() == at:
            return None
        at = m.end()
        g = m.groupdict()
        if g["maj"]:
            if g["majext"]:
                seventh = 11
                extras.update(_EXTENSIONS[g["majext"]])
            # a bare "maj" is the major triad (Cmaj): nothing to change
        elif g["min"]:
            third = 3
        elif g["halfdim"]:
            third, fifth, seventh = 3, 6, 10
        elif g["dim"]:
            third, fifth, diminished = 3, 6, True
        elif g["alt"]:
            seventh = seventh or 10
            fifth = None
            extras.update((1, 3, 6, 8))
        elif g["altered"]:
            tone = _ALTERED.get((g["altered"], g["degree"]))
            if tone is None:
                return None
            if g["degree"] == "5":
                fifth = tone
            else:
                extras.add(tone)
                seventh = seventh or 10  # C7b9 and Cb9 alike: an altered ninth is on a 7th
        elif g["aug"]:
            fifth = 8
        elif g["sus"]:
            third = None
            extras.add(2 if g["susdeg"] == "2" else 5)
        elif g["add"]:
            extras.add(_ADDED[g["added"]])
        elif g["sixnine"]:
            extras.update((9, 2))
        elif g["omit"]:
            if g["omitted"] == "3":
                third = None
            else:
                fifth = None
        elif g["ext"]:
            if seventh is None:
                seventh = 9 if diminished else 10
            extras.update(_EXTENSIONS[g["ext"]])
        elif g["six"]:
            extras.add(9)
        elif g["power"]:
            third = None
    tones = [0, third, fifth, seventh, *sorted(extras)]
    return [i for i in tones if i is not None]


def chord_symbol_problem(text: str) -> str | None:
    """Why ``text`` is no chord symbol, in words a songwriter can act on (``"H7"``: H is
    the German name of B), or None when it is one (or empty: nothing to read)."""
    text = text.strip()
    if not text or parse_chord_symbol(text) is not None:
        return None
    parts = split_chord_symbol(text)
    if parts is None:
        first, rest = text[0], text[1:]
        if first in "Hh":
            return f"“{text}” starts with H, the German name of B: write B{rest}"
        if first.upper() in _LETTERS:
            return f"a chord's root is a capital letter: write {first.upper()}{rest}"
        return (f"“{text}” does not start with a root, a capital letter A–G (C7, Bbmaj7, "
                "F#m7b5, G7/B), and is not N.C.")
    root, kind, _bass = parts
    slash = kind.rfind("/")
    if slash >= 0 and chord_intervals(kind[:slash]) is not None:
        return (f"“{kind[slash + 1:].strip()}” after the slash is no note name "
                f"(write {root}{kind[:slash]}/E, /Bb, /F#)")
    return (f"“{kind}” after the root {root} is no chord kind (write m, 7, m7, maj7, m7b5, "
            "dim7, sus4, 7b9, add9, 6/9 …)")


_SHOWN_ROOT = re.compile(r"\s*([A-G])([#b♯♭]*)")


def transposed_chord_symbol(text: str, semitones: int, key_before: str | None = None,
                            key_after: str | None = None) -> str:
    """``text`` with its root and slash bass moved by ``semitones``, each spelt as the
    new key writes it (:func:`~.spelling.transposed_spelling`: ``"Em7/B"`` from G major
    to F major is ``"Dm7/A"``, ``"C"`` is ``"Bb"``); the kind is kept as written, and so
    are the signs (``"B♭m"`` → ``"A♭m"``). A text that is no chord symbol (``"N.C."``,
    ``"Intro"``) is as it was: it names no pitch."""
    from .spelling import transposed_spelling

    root = _SHOWN_ROOT.match(text)
    if root is None or parse_chord_symbol(text) is None:
        return text
    signs = "♭" in text or "♯" in text

    def moved(name: str) -> str:
        new = transposed_spelling(_plain_accidentals(name), semitones, key_before, key_after)
        return _shown_accidentals(new) if signs else new

    kind, bass = text[root.end():], ""
    slash = kind.rfind("/")
    if slash >= 0 and note_pitch_class(_plain_accidentals(kind[slash + 1:].strip())) is not None:
        kind, bass = kind[:slash], "/" + moved(kind[slash + 1:].strip())
    lead = text[:root.start(1)]  # any space before the root, kept
    return lead + moved(root.group(0).strip()) + kind + bass
_SHORTER = ((re.compile(r"(?:maj|Maj|MAJ|ma|Ma|M|j)(?=\d)"), "Δ"),
            (re.compile(r"m7♭5|min7♭5"), "ø7"), (re.compile(r"dim"), "°"))


def chord_display_names(text: str) -> tuple[str, ...]:
    """How a chord symbol is drawn, as musicians read it, widest first: the flats and
    sharps as ♭ and ♯ (``"Bbmaj7"`` → ``"B♭maj7"``, ``"F#m7b5"`` → ``"F♯m7♭5"``), then —
    where room is short — the kind in its signs (``"B♭Δ7"``, ``"F♯ø7"``, ``"C°7"``). Only
    what is shown: the song keeps the text as written. A text that is no chord symbol
    (and ``N.C.``) is shown as it is."""
    text = text.strip()
    root = _SHOWN_ROOT.match(text)
    if root is None or parse_chord_symbol(text) is None:
        return (text,)
    kind, bass = text[root.end():], ""
    slash = kind.rfind("/")
    if slash >= 0 and note_pitch_class(_plain_accidentals(kind[slash + 1:].strip())) is not None:
        kind, bass = kind[:slash], "/" + _shown_accidentals(kind[slash + 1:].strip())
    kind = re.sub(r"b(?=\d)", "♭", kind).replace("#", "♯")
    full = _shown_accidentals(root.group(0).strip()) + kind + bass
    short = kind
    for pattern, sign in _SHORTER:
        short = pattern.sub(sign, short)
    shorter = _shown_accidentals(root.group(0).strip()) + short + bass
    return (full,) if shorter == full else (full, shorter)


def _shown_accidentals(name: str) -> str:
    """``"Bb"`` → ``"B♭"``, ``"F#"`` → ``"F♯"``: a note name's accidentals as signs."""
    return name[0] + name[1:].replace("b", "♭").replace("#", "♯")


def _plain_accidentals(name: str) -> str:
    return name.replace("♭", "b").replace("♯", "#")
