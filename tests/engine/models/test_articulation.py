"""Generated notes take the release of the part they are written into."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.io import load_song
from engine.models.articulation import articulate, release
from engine.models.plugin import tiny_random_model
from engine.plugins.api import CancelToken, GenerateOptions
from engine.score import Mask, Note, Region, Song, Track

DEMO = Path(__file__).resolve().parents[3] / "assets" / "demo" / "demo.mid"
Q = 480
STEP = Q // 4


def test_release_is_the_median_gap_before_the_nearest_grid_line():
    detached = [Note(40, 0, 210), Note(40, 0, 690), Note(40, 0, 450), Note(40, 0, 100)]
    assert release(detached, Q) == 30  # gaps 30, 30, 30, 20
    legato = [Note(40, 0, 480), Note(40, 0, 490), Note(40, 0, 240), Note(40, 0, 120)]
    assert release(legato, Q) == 0  # a note past its grid line counts as 0
    assert release(detached[:3], Q) == 0  # too few notes to say
    # Zero-length notes (MIDI keeps them) say nothing: they halved every new note.
    assert release([Note(40, i * Q, 0) for i in range(8)], Q) == 0


@pytest.mark.parametrize("ppq", [30, 90, 96, 100])
def test_legato_at_a_ppq_with_uneven_16ths_has_no_release(ppq):
    # The grid's 16th lines fall at round(s·ppq/4): legato notes end on them exactly.
    def tick(step):
        return (step * ppq + 2) // 4

    notes = [Note(40, tick(s), tick(s + n) - tick(s)) for s, n in
             [(0, 8), (8, 32), (40, 3), (43, 5), (48, 1), (49, 7)]]
    assert release(notes, ppq) == 0


def test_new_notes_of_a_detached_part_are_released_and_drums_and_new_tracks_are_not():
    bass = Track("Bass", program=33, notes=tuple(Note(40, i * Q, 210) for i in range(8)))
    drums = Track("Drums", is_drum=True, channel=9,
                  notes=tuple(Note(36, i * Q, 60) for i in range(8)))
    new = Track("Strings", program=48)
    song = Song((bass, drums, new), ppq=Q)
    made = {t.id: (Note(43, 8 * Q, 960), Note(45, 10 * Q, 1), Note(47, 11 * Q, 40))
            for t in song.tracks}
    out = articulate(song, made, kept={t.id: t.notes for t in song.tracks})
    assert [n.duration for n in out[bass.id]] == [930, 1, 20]  # never below half
    assert out[drums.id] == made[drums.id] and out[new.id] == made[new.id]
    assert [n.id for n in out[bass.id]] == [n.id for n in made[bass.id]]


def test_a_regenerated_demo_bass_keeps_its_detached_playing():
    song = load_song(DEMO)
    bass = song.find_track("Bass")
    mask = Mask.of(Region({bass.id}, 0, 8 * 4 * song.ppq))
    notes = tiny_random_model(0).generate(song, mask, GenerateOptions(seed=1, steps=4),
                                          lambda p: None, CancelToken())[bass.id]
    assert notes and all(n.duration % STEP == STEP - 30 for n in notes if n.duration > 60)
