"""The key new notes keep when the user names none: the one the music around is in."""

from __future__ import annotations

import pytest

from engine import tasks
from engine.plugins.api import GenerateOptions
from engine.score import KeySignature, Mask, Note, Region, Song, Track
from engine.score.keys import context_key
from engine.score.spelling import scale_pitch_classes
from engine.tasks import AUTO, resolve_key
from tests.engine.tasks.test_run import BAR, OPTS, Q, model

D_MINOR = (62, 64, 65, 67, 69, 70, 72, 73)  # natural minor and the leading tone
G_MAJOR = (55, 57, 59, 60, 62, 64, 66)
CHROMATIC = tuple(range(60, 72))


def song_of(pitches, key: str | None = None, bars: int = 8) -> Song:
    notes = tuple(Note(pitches[i % len(pitches)], i * 2 * Q, 2 * Q, 80)
                  for i in range(bars * 8))
    drums = Track("Drums", is_drum=True, channel=9, notes=tuple(Note(49, i * Q, Q)
                                                                 for i in range(bars * 16)))
    return Song(tracks=(Track("Piano", notes=notes), drums),
                key_signatures=(KeySignature(0, key),) if key else ())


def middle(song: Song) -> Mask:
    return Mask.of(Region(frozenset({song.tracks[0].id}), 3 * BAR, 5 * BAR))


@pytest.mark.parametrize("pitches, declared, expected", [
    (D_MINOR, "Dm", "Dm"),  # the key signature, when the notes fit it
    (G_MAJOR, None, "G"),  # none declared: the key the notes fit (major on a tie with Em)
    (G_MAJOR, "Bb", "G"),  # a wrong signature loses to the notes
    (CHROMATIC, "C", None),  # music in no key gets no constraint (drums never count)
])
def test_the_context_key(pitches, declared, expected):
    song = song_of(pitches, declared)
    assert context_key(song, middle(song)) == expected


def test_too_few_notes_say_nothing_about_a_key():
    song = song_of(G_MAJOR, bars=1)
    assert context_key(song, Mask.of(Region(frozenset({song.tracks[0].id}), 0, BAR))) is None


def test_too_few_notes_keep_the_key_signature_they_fit():
    # A sparse lead in F, repainted: its few notes cannot name a key, but the song's key
    # signature still holds (a QA pass's takes had E♭, G♭, A♭ and D♭ in F major).
    lead = (65, 67, 69, 70, 72)
    for key, expected in (("F", "F"), ("D", None)):  # D major: B♭ does not fit, no key
        song = song_of(lead, key, bars=2)
        song = song.with_tracks([song.tracks[0]])  # no drums: 16 lead notes minus the mask
        mask = Mask.of(Region(frozenset({song.tracks[0].id}), 0, BAR))
        assert context_key(song, mask) == expected
    empty = Song(tracks=(Track("Lead"),), key_signatures=(KeySignature(0, "Eb"),))
    assert context_key(empty, Mask.of(Region(frozenset({empty.tracks[0].id}), 0, BAR))) == "Eb"


def test_only_auto_is_resolved():
    song = song_of(D_MINOR, "Dm")
    for key in ("F#", None):
        assert resolve_key(GenerateOptions(key=key), song, middle(song)).key == key
    # A key reaches a model in one spelling, however it was typed ('C', 'Bb', 'F#m').
    for typed, spelled in (("f#m", "F#m"), ("A minor", "Am"), ("eb major", "Eb")):
        assert resolve_key(GenerateOptions(key=typed), song, middle(song)).key == spelled
    assert resolve_key(GenerateOptions(key=AUTO), song, middle(song)).key == "Dm"
    # Harmonize keeps a key signature the user set (here Dm, which the music fits); a
    # chorale's harmony (avoid_parallels) and a song without one stay free: chromatic
    # chords are not the melody's to forbid.
    assert resolve_key(GenerateOptions(key=AUTO), song, middle(song), "harmonize").key == "Dm"
    chorale = GenerateOptions(key=AUTO, avoid_parallels=True)
    assert resolve_key(chorale, song, middle(song), "harmonize").key is None
    unsigned = song_of(D_MINOR)
    assert resolve_key(GenerateOptions(key=AUTO), unsigned, middle(unsigned),
                       "harmonize").key is None
    # Drums alone have no key to keep (the CLI said "kept in Dm" for a drum repaint).
    drums = Mask.of(Region(frozenset({song.tracks[1].id}), 3 * BAR, 5 * BAR))
    assert resolve_key(GenerateOptions(key=AUTO), song, drums).key is None


def test_a_task_keeps_new_notes_in_the_songs_key_unless_told_otherwise():
    song = song_of(D_MINOR, "Dm")
    piano = song.tracks[0].id
    scale = scale_pitch_classes("Dm")

    def new_pitch_classes(key):
        take = tasks.repaint(song, [piano], 3, 5, model=model(),
                             options=GenerateOptions(seed=3, steps=3, key=key))
        return take.key, {n.pitch % 12 for n in take.new_notes[piano]}

    key, pcs = new_pitch_classes(AUTO)
    assert key == "Dm" and pcs and pcs <= scale
    key, pcs = new_pitch_classes(None)  # the random test model ignores keys of its own
    assert key is None and not pcs <= scale
    assert OPTS.key is None  # a plain GenerateOptions() constrains nothing


def test_a_named_key_becomes_the_key_signature_where_the_song_declares_none():
    # A choir director's --key F is the key a score of the result shows: written with
    # the take (rejected, it leaves nothing), where the song declares no key.
    song = song_of(G_MAJOR, None)
    piano, drums = (t.id for t in song.tracks)

    def signatures(take):
        assert take.before is song  # the song itself is untouched: the take holds it
        return take.after.key_signatures

    def opts(key):
        return GenerateOptions(seed=1, steps=2, key=key)

    named = tasks.regenerate(song, piano, model=model(), options=opts("g major"))
    assert signatures(named) == (KeySignature(0, "G"),)  # in the spelling a song keeps
    assert signatures(tasks.repaint(song, [piano], 0, 2, model=model(),
                                    options=opts("Em"))) == (KeySignature(0, "Em"),)
    # Continue: where the new bars start (the song's bars before still declare none).
    more = tasks.continue_(song, 2, track_ids=[piano], model=model(), options=opts("D"))
    assert signatures(more) == (KeySignature(8 * BAR, "D"),)
    # A region in the middle keeps its notes in the key, but declares nothing: a
    # signature there would hold for the bars after it too, which it did not write.
    assert signatures(tasks.repaint(song, [piano], 3, 5, model=model(),
                                    options=opts("G"))) == ()
    # Auto and none name no key; drums have none; a key the song declares stays.
    for key in (AUTO, None):
        assert signatures(tasks.regenerate(song, piano, model=model(), options=opts(key))
                          ) == ()
    assert signatures(tasks.regenerate(song, drums, model=model(), options=opts("G"))) == ()
    declared = song_of(G_MAJOR, "D")
    kept = tasks.regenerate(declared, declared.tracks[0].id, model=model(),
                            options=opts("G"))
    assert kept.after.key_signatures == (KeySignature(0, "D"),)
