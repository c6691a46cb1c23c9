"""A controller lane's strokes and erasures as engine edits: one controller of one track
changes, over the ticks drawn or erased; notes, other controllers and the music after
the stroke stay as they were, and the edit undoes."""

from __future__ import annotations

from engine.score import ControlEvent, Note, Song, Track
from engine.score.controller_edits import controller_events, draw_controller, erase_controller

BEND = ("pitchwheel", 0)
PEDAL = ("control_change", 64)


def song(*controls: ControlEvent) -> Song:
    track = Track("Gtr", 27, notes=(Note(69, 0, 1920, 100),), controls=controls)
    return Song(tracks=(track,), ppq=480)


def bend(tick: int, value: int) -> ControlEvent:
    return ControlEvent(tick, "pitchwheel", 0, value)


def cc(tick: int, number: int, value: int) -> ControlEvent:
    return ControlEvent(tick, "control_change", number, value)


def test_a_stroke_writes_its_points_thinned_and_returns_to_the_bend_after_it():
    s = song(cc(0, 7, 100), bend(0, 0), bend(2000, 1000))
    tid = s.tracks[0].id
    points = [(480, 0), (600, 2048), (720, 4096), (840, 4096), (960, 4096)]
    edit = draw_controller(s, tid, BEND, points, 1080, "Draw Pitch Bend")
    after = edit.apply(s)
    assert [(c.tick, c.value) for c in controller_events(after.tracks[0], BEND)] == [
        (0, 0), (600, 2048), (720, 4096), (1080, 0), (2000, 1000)]
    assert cc(0, 7, 100) in after.tracks[0].controls  # the volume is not the bend's
    assert after.tracks[0].notes == s.tracks[0].notes
    assert edit.inverse().apply(after) == s


def test_a_stroke_replaces_the_events_it_covers():
    s = song(bend(500, 300), bend(700, -300), bend(1500, 0))
    tid = s.tracks[0].id
    after = draw_controller(s, tid, BEND, [(480, 100), (600, 100)], 720, "Draw").apply(s)
    # 500 and 700 replaced; -300 was in force at 720, so it is set there again.
    assert [(c.tick, c.value) for c in after.tracks[0].controls] == [
        (480, 100), (720, -300), (1500, 0)]


def test_a_pedal_drawn_down_is_lifted_where_it_was_up_and_a_repeat_is_no_edit():
    s = song()
    tid = s.tracks[0].id
    edit = draw_controller(s, tid, PEDAL, [(0, 127), (480, 127)], 960, "Draw Sustain Pedal")
    after = edit.apply(s)
    assert [(c.tick, c.value) for c in after.tracks[0].controls] == [(0, 127), (960, 0)]
    assert draw_controller(after, tid, PEDAL, [(0, 127), (480, 127)], 960, "Draw") is None
    assert draw_controller(s, tid, PEDAL, [(0, 0)], 480, "Draw") is None  # up already


def test_erasing_a_range_drops_that_controllers_events_and_keeps_what_follows():
    s = song(cc(0, 64, 127), bend(240, 500), cc(480, 64, 0), cc(1200, 64, 127),
             cc(1800, 64, 0))
    tid = s.tracks[0].id
    edit = erase_controller(s, tid, PEDAL, 0, 1440, "Erase Sustain Pedal")
    after = edit.apply(s)
    # The pedal was down at 1440: it goes down there again; the bend stays.
    assert [(c.tick, c.number, c.value) for c in after.tracks[0].controls] == [
        (240, 0, 500), (1440, 64, 127), (1800, 64, 0)]
    assert edit.inverse().apply(after) == s
    assert erase_controller(s, tid, BEND, 600, 1900, "Erase") is None  # no bend there
