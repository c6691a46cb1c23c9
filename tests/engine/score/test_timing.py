"""Ticks ↔ beats ↔ bars ↔ seconds with tempo and meter changes."""

import pytest

from engine.score import Song, TempoChange, TimeMap, TimeSignature


def test_constant_tempo_and_meter():
    tm = TimeMap.of(Song(ppq=480))
    assert tm.tick_to_seconds(480) == pytest.approx(0.5)  # 120 BPM
    assert tm.seconds_to_tick(1.0) == 960
    assert tm.bar_to_tick(2) == 2 * 4 * 480
    assert tm.tick_to_bar(1919) == 0 and tm.tick_to_bar(1920) == 1
    assert tm.format_position(1920 + 480 + 5) == "2.2.005"
    assert tm.bar_count(1920) == 1 and tm.bar_count(1921) == 2


def test_tempo_change_accumulates_seconds():
    song = Song(ppq=100, tempos=(TempoChange(0, 500_000), TempoChange(400, 1_000_000)))
    tm = TimeMap.of(song)
    # 4 beats at 0.5 s, then 2 beats at 1.0 s
    assert tm.tick_to_seconds(400) == pytest.approx(2.0)
    assert tm.tick_to_seconds(600) == pytest.approx(4.0)
    assert tm.seconds_to_tick(4.0) == 600
    assert tm.tempo_at(399) == pytest.approx(120) and tm.tempo_at(400) == pytest.approx(60)
    assert list(tm.ticks_to_seconds([0, 400, 600])) == pytest.approx([0.0, 2.0, 4.0])


def test_meter_changes_move_bar_lines():
    sigs = (
        TimeSignature(0, 4, 4),
        TimeSignature(4 * 480, 3, 4),
        TimeSignature(4 * 480 + 2 * 1440, 6, 8),
    )
    tm = TimeMap.of(Song(ppq=480, time_signatures=sigs))
    assert tm.bar_to_tick(1) == 1920  # 3/4 starts at bar 2
    assert tm.bar_to_tick(2) == 1920 + 1440
    assert tm.bar_to_tick(3) == 1920 + 2 * 1440  # 6/8 starts at bar 4
    assert tm.bar_to_tick(4) == 1920 + 2 * 1440 + 1440  # 6/8 bar = 6 eighths = 1440
    assert tm.tick_to_position(1920 + 1440 + 480).beat == 1
    # 6/8 beats are eighth notes
    p = tm.tick_to_position(tm.bar_to_tick(3) + 240 * 5)
    assert (p.bar, p.beat, p.tick) == (3, 5, 0)


def test_meter_change_mid_bar_starts_a_new_bar():
    # 2/4 arriving half-way through a 4/4 bar (real files do this)
    tm = TimeMap.of(Song(ppq=4, time_signatures=(TimeSignature(0, 4, 4), TimeSignature(8, 2, 4))))
    assert tm.tick_to_bar(7) == 0
    assert tm.tick_to_bar(8) == 1
    assert tm.bar_to_tick(1) == 8 and tm.bar_to_tick(2) == 16


@pytest.mark.parametrize("tick", [0, 1, 479, 480, 12345, 99999])
def test_position_roundtrip(tick):
    sigs = (TimeSignature(0, 4, 4), TimeSignature(7680, 5, 8))
    tm = TimeMap.of(Song(ppq=480, time_signatures=sigs))
    p = tm.tick_to_position(tick)
    assert tm.position_to_tick(p.bar, p.beat, p.tick) == tick


def test_seconds_roundtrip_with_many_tempos():
    tempos = tuple(TempoChange(i * 480, 400_000 + 7_000 * i) for i in range(50))
    tm = TimeMap.of(Song(ppq=480, tempos=tempos))
    for tick in range(0, 50 * 480, 97):
        assert tm.seconds_to_tick(tm.tick_to_seconds(tick)) == tick


def test_beats_are_counted_as_musicians_count_them():
    from engine.score import TimeSignature

    assert TimeSignature(0, 6, 8).pulses == (3, 3)
    assert TimeSignature(0, 7, 8).pulses == (2, 2, 3)
    assert TimeSignature(0, 5, 8).pulses == (2, 3)
    assert TimeSignature(0, 8, 8).pulses == (3, 3, 2)  # prog's 8/8, not eight beats
    assert TimeSignature(0, 10, 8).pulses == (3, 3, 2, 2)
    assert TimeSignature(0, 4, 8).pulses == (1, 1, 1, 1)
    assert TimeSignature(0, 3, 4).pulses == (1, 1, 1)
    assert TimeSignature(0, 6, 4).compound and not TimeSignature(0, 3, 8).compound


def test_a_chosen_grouping_is_how_the_bar_is_counted():
    from engine.score import TimeSignature

    kalamatianos = TimeSignature(0, 7, 8, (3, 2, 2))
    assert kalamatianos.pulses == (3, 2, 2) and kalamatianos.pulse_starts == (0, 3, 5)
    assert TimeSignature(0, 8, 8, (3, 3, 2)).pulse_starts == (0, 3, 6)
    # 6/8 counted in three quarters is not compound: its beats are the groups of two.
    six = TimeSignature(0, 6, 8, (2, 2, 2))
    assert six.pulses == (2, 2, 2) and not six.compound


def test_a_grouped_bar_counts_its_beats_where_the_groups_start():
    from engine.score import TimeMap, TimeSignature

    tm = TimeMap(480, (), (TimeSignature(0, 7, 8, (3, 2, 2)),))
    assert tm.pulse_offsets(0) == [0, 3 * 240, 5 * 240]
    assert tm.pulse_offsets(4) == [0, 720, 1200]
    assert tm.bar_to_tick(1) == 7 * 240  # the bar keeps its length


def test_bar_numbers_are_a_score_editors_a_pickup_is_bar_0():
    """A choir director's "bar 5" is the score's bar 5: MuseScore, Sibelius and Dorico
    number the first full bar 1, so a pickup is bar 0. Without one nothing changes."""
    plain = TimeMap.of(Song(ppq=480, time_signatures=(TimeSignature(0, 4, 4),
                                                       TimeSignature(1920, 3, 4))))
    assert not plain.has_pickup and plain.first_bar_number == 1
    assert [plain.bar_number(b) for b in range(3)] == [1, 2, 3]
    assert [plain.bar_index(n) for n in (1, 2, 3)] == [0, 1, 2]
    assert plain.bar_index(0) == -1  # before the first bar: the caller says so
    assert plain.format_position(1920 + 480) == "2.2.000"
    assert plain.bar_numbers_text(8) == "bars 1–8" and plain.bar_numbers_text(1) == "bar 1"

    # A 1/4 pickup, then 4/4: index 0 is the pickup, index 1 the first full bar.
    tm = TimeMap.of(Song(ppq=480, time_signatures=(TimeSignature(0, 1, 4),
                                                    TimeSignature(480, 4, 4))))
    assert tm.has_pickup and tm.first_bar_number == 0
    assert [tm.bar_number(b) for b in range(4)] == [0, 1, 2, 3]
    assert all(tm.bar_index(tm.bar_number(b)) == b for b in range(-2, 40))
    assert tm.bar_to_tick(tm.bar_index(1)) == 480  # bar 1's downbeat, after the pickup
    assert tm.format_position(0) == "0.1.000"  # the pickup's own (only) beat
    assert tm.format_position(480 + 1920 + 960) == "2.3.000"
    assert tm.bar_numbers_text(9) == "bars 0–8" and tm.bar_numbers_text(0) == "no bars"
    # 4/4 restated mid-bar (how notation programs write an eighth pickup to MIDI).
    restated = TimeMap(480, (), (TimeSignature(0, 4, 4), TimeSignature(240, 4, 4)))
    assert restated.bar_number(1) == 1
    # An opening bar of its own (2/4 before 6/8) is no pickup: it is bar 1.
    own = TimeMap(480, (), (TimeSignature(0, 2, 4), TimeSignature(960, 6, 8)))
    assert own.bar_number(0) == 1


def test_a_pickup_is_an_opening_bar_of_the_same_unit_only():
    from engine.score import TimeMap, TimeSignature

    def shift(*sigs):
        return TimeMap(480, (), tuple(TimeSignature(t, n, d) for t, n, d in sigs)).pickup_shift(0)

    assert shift((0, 1, 4), (480, 4, 4)) == 1440
    assert shift((0, 2, 8), (480, 6, 8)) == 960
    assert shift((0, 4, 4), (240, 4, 4)) == 1680  # 4/4 restated mid-bar
    assert shift((0, 2, 4), (960, 6, 8)) == 0  # a bar of 2/4, then 6/8: no pickup
    assert shift((0, 5, 8), (1200, 4, 4)) == 0
    assert shift((0, 1, 8), (240, 4, 4)) == 1680  # an eighth written as 1/8
    assert shift((0, 3, 8), (720, 4, 4)) == 1200
    assert shift((0, 4, 4),) == 0
