"""A pickup set in one step (Ctrl+K's Pickup field, ``convert --pickup``)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from engine.score import Note, Song, TimeMap, TimeSignature, Track
from engine.score.pickup import (
    NO_PICKUP,
    opening_meter,
    pickup_from_text,
    pickup_meter,
    pickup_of,
    pickup_text,
    set_opening_time,
)

QUARTER = Fraction(1, 4)


def tune() -> Song:
    return Song(ppq=480, length=8 * 1920,
                tracks=(Track("Tune", notes=(Note(67, 0, 480), Note(72, 480, 960))),))


def test_a_pickup_is_the_two_meter_changes_by_hand_as_one_undo_step():
    song = tune()
    edit = set_opening_time(song, QUARTER)
    by_hand = song
    for bar, meter in ((0, (1, 4)), (1, (4, 4))):
        from engine.score import set_time_from_bar

        by_hand = set_time_from_bar(by_hand, bar, meter=meter).apply(by_hand)
    after = edit.apply(song)
    assert after == by_hand and after.tracks == song.tracks  # the notes keep their ticks
    assert edit.label == "Set a 1/4 pickup before 4/4"
    tm = TimeMap.of(after)
    assert tm.has_pickup and tm.bar_number(1) == 1 and tm.bar_to_tick(1) == 480
    assert (pickup_of(after), opening_meter(after)) == (QUARTER, (4, 4, ()))
    assert edit.inverse().apply(after) == song
    assert set_opening_time(after, QUARTER) is None  # as it is: nothing to do
    assert set_opening_time(after, QUARTER, bpm=90).label == "Set tempo at bar 0"


def test_a_pickup_changed_with_the_meter_or_removed():
    with_pickup = set_opening_time(tune(), QUARTER).apply(tune())
    edit = set_opening_time(with_pickup, Fraction(3, 8), meter=(6, 8), key="D")
    six = edit.apply(with_pickup)
    assert [(s.tick, s.text) for s in six.time_signatures] == [(0, "3/8"), (720, "6/8")]
    assert edit.label == "Set a 3/8 pickup before 6/8 and the key"
    gone = set_opening_time(six, NO_PICKUP)
    assert gone.label == "Remove the pickup (6/8 from the first bar)"
    assert [s.text for s in gone.apply(six).time_signatures] == ["6/8"]
    # Without a pickup before or after, it is the first bar's time as Ctrl+K sets it.
    assert set_opening_time(tune(), NO_PICKUP, meter=(3, 4)).label == "Set meter at bar 1"
    assert set_opening_time(tune(), NO_PICKUP) is None


def test_a_pickup_as_musicians_type_it():
    assert pickup_from_text("1/4", (4, 4)) == QUARTER
    assert pickup_from_text(" 1 ", (4, 4)) == QUARTER  # beats of the meter
    assert pickup_from_text("2", (6, 8)) == QUARTER  # two eighths
    assert pickup_from_text("", (4, 4)) == pickup_from_text("none", (4, 4)) == NO_PICKUP
    for bad in ("1/3", "x", "-1", "1/0"):
        with pytest.raises(ValueError, match="give a note value like 1/4"):
            pickup_from_text(bad, (4, 4))
    # Written in the meter's note value where it can be: a 1/4 pickup in 6/8 is 2/8.
    assert pickup_meter(QUARTER, (6, 8)) == (2, 8)
    assert pickup_meter(Fraction(1, 8), (4, 4)) == (1, 8)
    assert pickup_text(QUARTER, (6, 8, ())) == "2/8" and pickup_text(NO_PICKUP, (4, 4)) == ""
    with pytest.raises(ValueError, match="shorter than a bar of 4/4"):
        pickup_meter(Fraction(1), (4, 4))
    with pytest.raises(ValueError, match="would read as a bar of its own"):
        pickup_meter(Fraction(7, 8), (4, 4))  # 7/8 before 4/4: two bars, no pickup


def test_a_files_pickup_written_as_its_meter_restated_mid_bar_is_kept():
    # 4/4 at 0 and 4/4 again at 480: a notation program's anacrusis.
    song = Song(ppq=480, time_signatures=(TimeSignature(0, 4, 4), TimeSignature(480, 4, 4)))
    assert pickup_of(song) == QUARTER and pickup_text(QUARTER, opening_meter(song)) == "1/4"
    assert set_opening_time(song, QUARTER) is None  # shown as it is, left as it is
