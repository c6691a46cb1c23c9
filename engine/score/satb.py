"""Harmonize's chorale voices under a lone melody: their instruments, their names, and the
voice part (alto, tenor, bass) each one sings whatever it is called.

Under a solo instrument the Alto, Tenor and Bass are played by its family and named
after their instruments (a violin's Violin II, Viola and Cello). The rules that read a
part's role from its name (a voice part's sung range, one line each, the voices' order
and no crossing above the melody: :func:`~engine.score.instruments.voice_part_range`)
read those parts by the voice they play (:func:`voiced`): named after their
instruments, the violin's Violin II climbed over the tune's G5 in half its eighths.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .instruments import program_name
from .song import Song

# The voices harmonize adds below a lone sung, string or Soprano-named melody, in its
# instrument.
SATB_VOICES = ("Alto", "Tenor", "Bass")

# The instruments of those voices (Alto, Tenor, Bass) under a solo instrument: its own
# family's lower members, since one instrument cannot play all four parts (a violin has
# no bass line, an alto sax no tenor). Choirs, ensembles and keyboards play every part.
_SATB_PROGRAMS: dict[range, tuple[int, int, int]] = {
    range(40, 44): (40, 41, 42),  # violin, viola, cello, contrabass: violin, viola, cello
    range(110, 111): (40, 41, 42),  # fiddle
    range(64, 68): (65, 66, 67),  # saxophones: alto, tenor, baritone
    range(56, 61): (60, 57, 58),  # trumpet, trombone, tuba, horn: horn, trombone, tuba
    range(68, 72): (71, 71, 70),  # oboe, cor anglais, bassoon, clarinet: clarinets, bassoon
    range(72, 80): (71, 71, 70),  # flutes and pipes: the same woodwinds
}


def satb_programs(melody_program: int) -> tuple[int, int, int]:
    """GM programs of the Alto, Tenor and Bass voices under a melody on
    ``melody_program``."""
    for programs, voices in _SATB_PROGRAMS.items():
        if melody_program in programs:
            return voices
    return melody_program, melody_program, melody_program


# The string family's desks are numbered in Roman numerals ("Violin II"), the others'
# players in Arabic ("Clarinet 2"), as a score's part list numbers them.
_ROMAN_NUMBERED = frozenset({*range(40, 44), 110})


def satb_part_names(melody_program: int, programs: Sequence[int]) -> tuple[str, ...]:
    """The names of harmonize's Alto, Tenor and Bass on ``programs`` under a melody on
    ``melody_program``: the voice names when all are the melody's own instrument (a
    choir, an ensemble or a keyboard sings every part), else each part after its
    instrument, numbered where one plays two parts or the melody's (a violin's: "Violin
    II", "Viola", "Cello" — a string quartet's names, not a choir's)."""
    if all(p == melody_program for p in programs):
        return SATB_VOICES
    players = [melody_program, *programs]
    names = []
    for i, program in enumerate(programs, 1):
        name = program_name(program)
        if players.count(program) > 1:
            number = players[:i + 1].count(program)
            name += " " + (("I", "II", "III", "IV")[number - 1]
                           if program in _ROMAN_NUMBERED else str(number))
        names.append(name)
    return tuple(names)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def harmonized_voices(song: Song) -> dict[int, str]:
    """Track id → the voice (``"Alto"``, ``"Tenor"``, ``"Bass"``) of each part harmonize
    added under a lone melody and named after its instrument: a song of one pitched
    melody followed by exactly the three parts harmonize adds under it, in order, on
    their instruments and under their names (:func:`satb_programs`,
    :func:`satb_part_names`: a violin's Violin II, Viola, Cello; a sax's Alto Sax 2,
    Tenor Sax, Baritone Sax). Empty for any other song — a quartet of your own named or
    laid out otherwise ("1st Violin", a Piano beside it, the Cello moved up) keeps the
    ranges and order of its instruments — and where the parts are named Alto, Tenor and
    Bass already."""
    if len(song.tracks) != 4 or any(t.is_drum for t in song.tracks):
        return {}
    melody, *parts = song.tracks
    programs = tuple(t.program for t in parts)
    if programs != satb_programs(melody.program):
        return {}
    names = satb_part_names(melody.program, programs)
    if names == SATB_VOICES or [_key(t.name) for t in parts] != [_key(n) for n in names]:
        return {}
    return {t.id: voice for t, voice in zip(parts, SATB_VOICES, strict=True)}


def voiced(song: Song) -> Song:
    """``song`` as the models read its parts' roles: harmonize's parts named after their
    instruments (:func:`harmonized_voices`) renamed to the voice each sings, so the
    rules read from a part's name — a choir's range within the instrument's
    (:func:`~engine.score.instruments.part_range`: Violin II G3–D5, Viola C3–G4, Cello
    E2–C4), one line each, the voices' order under the melody, the close's bass — hold
    for Violin II, Viola and Cello as for Alto, Tenor and Bass. The song itself is
    unchanged: what is written is returned by track id."""
    roles = harmonized_voices(song)
    if not roles:
        return song
    return song.with_tracks(replace(t, name=roles[t.id]) if t.id in roles else t
                            for t in song.tracks)
