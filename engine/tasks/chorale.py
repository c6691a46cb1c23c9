"""Four-part chorale writing: when a request is one, and what it changes.

A song of Soprano, Alto, Tenor and Bass parts is written without consecutive fifths or
octaves unless the user turns that off, and by the chorale model when the user names none
(the general model writes poor four-part harmony: 51-69 % of its notes consonant with a
JSB soprano, against ~92 %).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from engine.plugins.api import GenerateOptions
from engine.score import Song
from engine.score.instruments import voice_part_of
from engine.score.satb import SATB_VOICES

# The shipped model that writes four-part voices best (the CLI and the studio use it
# for them when the user names no model).
CHORALE_MODEL = "chorale-jsb"


def soprano_name(name: str) -> bool:
    """Whether a track's name calls it a soprano part (Soprano, S., Sopran, Sop., Soprano
    1, Soprano II, Sopranos, Treble, Cantus: :func:`~engine.score.instruments.
    voice_part_of`): a melody so named is the top voice of a chorale, whatever instrument
    plays it."""
    return voice_part_of(name) == "soprano"


def voice_parts(names: Iterable[str]) -> bool:
    """Whether tracks of these names are the voices of a chorale: two to four of Soprano,
    Alto, Tenor and Bass, each once, as a choir score names or abbreviates them ("S.",
    "Alto 1", "Ten.", "Basses": :func:`~engine.score.instruments.voice_part_of`)."""
    parts = [voice_part_of(n) for n in names]
    return (2 <= len(parts) <= 4 and None not in parts and len(set(parts)) == len(parts))


def is_chorale(song: Song, track_ids: Iterable[int]) -> bool:
    """Whether writing ``track_ids`` of ``song`` is four-part chorale writing: every track
    of the song is a voice part (two to four of them, named Soprano, Alto, Tenor or Bass,
    each once) and the tracks written are among them. Such a request is written without
    consecutive fifths or octaves, and with :data:`CHORALE_MODEL` when the user named no
    model (the general model put parallels into a repainted alto)."""
    ids = set(track_ids)
    return (voice_parts(t.name for t in song.tracks)
            and bool(ids) and ids <= {t.id for t in song.tracks})


def writes_chorale_voices(song: Song, track_ids: Iterable[int],
                          added: Iterable[str] = ()) -> bool:
    """Whether a request writes four-part chorale voices, as *Auto* decides it (and then
    runs :data:`CHORALE_MODEL`): the tracks it writes are a chorale's (:func:`is_chorale`,
    over ``song`` with the tracks the request adds), or the tracks it adds, ``added`` by
    name, are harmonize's Alto, Tenor and Bass under a lone melody — voices in the
    melody's instrument, whatever it is called, or its family's named after their
    instruments (a violin's Violin II, Viola and Cello)."""
    from .instruments import accompaniment_specs  # (it imports this module)

    if is_chorale(song, track_ids):
        return True
    names = [" ".join(n.split()).casefold() for n in added]
    if not names or len(song.tracks) != len(names) + 1:
        return False
    harmonized = [s.name.casefold() for s in accompaniment_specs(song.tracks[0], "satb")]
    return names in ([v.casefold() for v in SATB_VOICES], harmonized)


def chorale_options(song: Song, track_ids: Iterable[int],
                    options: GenerateOptions) -> GenerateOptions:
    """``options`` with ``avoid_parallels`` settled: as the user set it, else (None) on
    for chorale writing (:func:`is_chorale`) and off otherwise — a chorale can be written
    with parallels when asked (the "both ways" samples were the same file)."""
    if options.avoid_parallels is not None:
        return options
    return replace(options, avoid_parallels=is_chorale(song, track_ids))
