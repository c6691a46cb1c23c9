"""A note's lyric: the syllable sung on it (``Note.lyric``), one verse.

A hymn tune's MusicXML file writes a syllable under each melody note, with where it
stands in its word (MusicXML's ``<syllabic>``: ``begin``, ``middle``, ``end``, or
``single`` for a word of one syllable). A note keeps its syllable as notation, as it keeps
its spelling: through the project file, edits and undo, written back under the same note
by the MusicXML export, and as a MIDI lyric meta event. Only the first verse is kept (a
note holds one syllable); a choir director's QA lost all 17 and 26 syllables of two tunes.

In MIDI a lyric event is plain text; a syllable that its word goes on after is written
with a trailing hyphen (``"Hal-"``, ``"le-"``, ``"lu-"``, ``"jah"``), as karaoke files and
notation programs' MIDI exports do, and read back so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

SYLLABICS = ("single", "begin", "middle", "end")
MAX_LYRIC_CHARS = 200  # a syllable, or a short phrase sung on one note
# A fermata in a MIDI file (which has no event for one, and no convention: MuseScore's
# export plays it longer and writes nothing): a marker meta event of this text in the
# note's own MIDI track at its start, read back onto the note.
FERMATA_MARKER = "Fermata"
# Syllables that the word goes on after: written "Hal-" in MIDI.
_CONTINUED = frozenset({"begin", "middle"})


@dataclass(frozen=True, slots=True)
class Lyric:
    """The syllable ``text`` sung on a note, and where it stands in its word
    (``syllabic``: one of :data:`SYLLABICS`)."""

    text: str
    syllabic: str = "single"

    def __post_init__(self) -> None:
        if type(self.text) is not str or not self.text.strip() \
                or len(self.text) > MAX_LYRIC_CHARS or not self.text.isprintable():
            raise ValueError(f"lyric {self.text!r:.30} is not a syllable of text")
        if self.syllabic not in SYLLABICS:
            raise ValueError(f"lyric syllabic {self.syllabic!r:.20} is not one of "
                             f"{', '.join(SYLLABICS)}")


def lyric_or_none(text: object, syllabic: object = "single") -> Lyric | None:
    """A :class:`Lyric` of ``text`` (stripped), or None where it is not one (empty,
    too long, control characters: a file's odd entry, skipped rather than fatal).
    An unknown ``syllabic`` is read as ``single``."""
    if not isinstance(text, str):
        return None
    syllabic = syllabic if syllabic in SYLLABICS else "single"
    try:
        return Lyric(text.strip(), syllabic)  # type: ignore[arg-type]
    except ValueError:
        return None


def midi_lyric_text(lyric: Lyric) -> str:
    """``lyric`` as a MIDI lyric meta event's text: ``"Hal-"`` where its word goes on."""
    return lyric.text + ("-" if lyric.syllabic in _CONTINUED else "")


def lyrics_from_midi(texts: list[str]) -> list[Lyric | None]:
    """MIDI lyric events' texts, in the order they are sung, as syllables: a trailing
    hyphen (``"Hal-"``) is a word going on into the next. Karaoke's markup (a leading
    ``/`` or ``\\`` for a new line or verse) is left out; an empty text is None."""
    out: list[Lyric | None] = []
    going_on = False
    for raw in texts:
        text = raw.strip().lstrip("/\\").strip()
        continues = text.endswith("-") and len(text) > 1
        if continues:
            text = text[:-1].rstrip()
        if going_on:
            syllabic = "middle" if continues else "end"
        else:
            syllabic = "begin" if continues else "single"
        lyric = lyric_or_none(text, syllabic)
        out.append(lyric)
        going_on = continues if lyric is not None else going_on
    return out


def syllable_count(notes: Iterable[Any]) -> int:
    """How many of ``notes`` (:class:`~.song.Note`) carry a syllable."""
    return sum(n.lyric is not None for n in notes)


def carries_lyrics(notes: Iterable[Any]) -> bool:
    """Whether any of ``notes`` carries a syllable: a part with words is a sung tune,
    whatever its instrument or name (harmonize's SATB for it, a melody where chords are
    followed)."""
    return any(n.lyric is not None for n in notes)
