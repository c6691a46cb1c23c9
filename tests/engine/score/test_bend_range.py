"""A track's pitch-bend range (RPN 0 among its controllers): set from the start, read as
the synths read it, kept by a MIDI file and a project, played by the render."""

from __future__ import annotations

import pytest

from engine.io import load_song, save_song
from engine.render.events import bend_curve
from engine.score import ControlEvent, Note, Song, Track
from engine.score.bend_range import bend_range, bend_range_edit, bend_ranges, rpn_0


def cc(tick: int, number: int, value: int) -> ControlEvent:
    return ControlEvent(tick, "control_change", number, value)


def eight_o_eight(controls: tuple[ControlEvent, ...] = ()) -> Song:
    """An 808 holding C1 a bar, its wheel pushed all the way up on beat 3."""
    track = Track("808", 38, notes=(Note(24, 0, 1920, 110),), controls=(
        *controls, ControlEvent(960, "pitchwheel", 0, 8191)))
    return Song(tracks=(track,))


def test_the_range_is_set_from_the_start_and_bends_the_render_that_far():
    song = eight_o_eight()
    assert bend_range(song.tracks[0]) == 2.0  # GM's until RPN 0 says
    edit = bend_range_edit(song, song.tracks[0].id, 12)
    assert edit.label == "Bend range of 808 ±12 semitones"
    bent = edit.apply(song)
    assert bend_ranges(bent.tracks[0]) == [(0, 12.0)]
    assert edit.inverse().apply(bent) == song
    # The wheel all the way up sounds an octave up (at 2 semitones a tone).
    for s, ratio in ((song, 2 ** (2 / 12)), (bent, 2.0)):
        curve = bend_curve(s, s.tracks[0], 8000)
        assert curve.ratios.max() == pytest.approx(ratio, rel=1e-3)
    assert bend_range_edit(bent, bent.tracks[0].id, 12) is None  # so already


def test_setting_it_again_replaces_the_start_and_leaves_the_rest():
    """The start's RPN 0 is replaced, not stacked; a range changed later in the track,
    and another parameter set at the start (a fine tuning, RPN 1), stay."""
    tuning = (cc(0, 101, 0), cc(0, 100, 1), cc(0, 6, 70), cc(0, 38, 0))
    later = (cc(1440, 101, 0), cc(1440, 100, 0), cc(1440, 6, 7), cc(1440, 38, 0))
    song = eight_o_eight((*rpn_0(5), *later))
    once = bend_range_edit(song, song.tracks[0].id, 12).apply(song)
    twice = bend_range_edit(once, once.tracks[0].id, 24).apply(once)
    controls = twice.tracks[0].controls
    assert len(controls) == len(song.tracks[0].controls)
    assert bend_ranges(twice.tracks[0]) == [(0, 24.0), (1440, 7.0)]
    tuned = eight_o_eight(tuning)
    after = bend_range_edit(tuned, tuned.tracks[0].id, 12).apply(tuned)
    assert set(tuning) <= set(after.tracks[0].controls)
    assert bend_range(after.tracks[0]) == 12.0


def test_a_kit_and_a_range_past_two_octaves_are_refused():
    kit = Song(tracks=(Track("Trap Kit", 25, is_drum=True, channel=9),))
    with pytest.raises(ValueError, match="drum kit"):
        bend_range_edit(kit, kit.tracks[0].id, 12)
    song = eight_o_eight()
    with pytest.raises(ValueError, match="outside 0-24"):
        bend_range_edit(song, song.tracks[0].id, 25)


@pytest.mark.parametrize("suffix", [".mid", ".partita"])
def test_a_midi_file_and_a_project_keep_it(tmp_path, suffix):
    song = eight_o_eight()
    bent = bend_range_edit(song, song.tracks[0].id, 12).apply(song)
    path = tmp_path / f"beat{suffix}"
    save_song(bent, path)
    assert bend_ranges(load_song(path).tracks[0]) == [(0, 12.0)]
