"""A track's drum kit: the notes it strikes for each drum class (a DAW rack maps exact notes)."""

from __future__ import annotations

from engine.score import Note, Track
from engine.score.drums import DrumKit, drum_class_of_note, stock_note

Q = 480
KICK, SNARE, HAT, PERC = (drum_class_of_note(n) for n in (36, 38, 42, 70))


def hits(*pairs: tuple[int, int]) -> list[Note]:
    """``(note, beat)`` pairs as 16th-long hits."""
    return [Note(note, beat * Q, Q // 4) for note, beat in pairs]


def qa_loop_bar(bar: int = 0) -> list[Note]:
    """Kick 36 on 1 and 3, Hand Clap 39 on 2 and 4, Maracas 70 on every beat."""
    b = 4 * bar
    return hits((36, b), (39, b + 1), (36, b + 2), (39, b + 3),
                *((70, b + i) for i in range(4)))


def test_a_kit_strikes_the_notes_the_track_uses_for_each_class():
    kit = DrumKit.of_notes(qa_loop_bar())
    assert kit.notes(SNARE) == (39,)  # the clap, not the stock snare 38
    assert kit.notes(KICK) == (36,)
    assert kit.own[SNARE] and not kit.own[PERC]
    assert kit.notes(PERC) == (stock_note(PERC),)  # a class it never plays: the stock note


def test_a_kit_without_a_hi_hat_keeps_time_on_its_shaker():
    kit = DrumKit.of_notes(qa_loop_bar())  # the maracas play every beat, no hi-hat
    assert kit.stand_in == 70 and kit.class_of(70) == HAT
    assert kit.notes(HAT) == (70,) and kit.own[HAT]
    # Beside a hi-hat the maracas are percussion, as General MIDI has them.
    with_hats = DrumKit.of_notes([*qa_loop_bar(), *hits((42, 0), (42, 2))])
    assert with_hats.stand_in is None and with_hats.class_of(70) == PERC
    assert with_hats.notes(HAT) == (42,) and with_hats.notes(PERC) == (70,)


def test_layered_notes_of_one_class_are_struck_together():
    # openmsx-6 strikes Kick 2 (35) and Kick (36) together on every kick.
    notes = hits((35, 0), (36, 0), (35, 2), (36, 2), (38, 1))
    kit = DrumKit.of_notes(notes)
    assert kit.notes(KICK) == (36, 35)  # main note first: the stock one
    assert kit.main_note(KICK) == 36 and kit.notes(SNARE) == (38,)


def test_two_notes_of_one_class_played_apart_give_the_one_played_more():
    more_40 = hits((38, 1), (40, 3), (40, 5), (40, 7))
    assert DrumKit.of_notes(more_40).notes(SNARE) == (40,)
    tie = hits((38, 1), (40, 3))
    assert DrumKit.of_notes(tie).notes(SNARE) == (38,)  # a tie: the stock note
    no_stock = hits((40, 1), (37, 3))
    assert DrumKit.of_notes(no_stock).notes(SNARE) == (37,)  # else the lower
    # A layer struck less often than one note alone is not the kit's hit.
    mostly_alone = hits((38, 1), (38, 3), (38, 5), (38, 7), (39, 7))
    assert DrumKit.of_notes(mostly_alone).notes(SNARE) == (38,)


def test_a_window_reads_its_own_notes_and_the_whole_track_for_the_rest():
    verse = hits((36, 0), (38, 1), (42, 0), (42, 2))  # bar 1: a snare backbeat
    chorus = hits((36, 4), (39, 5), (42, 4), (63, 6))  # bar 2: a clap and a conga
    track = Track(name="Drums", is_drum=True, channel=9, notes=(*verse, *chorus))
    kit = DrumKit.of_track(track, 4 * Q, 8 * Q)
    assert kit.notes(SNARE) == (39,) and kit.notes(PERC) == (63,)
    early = DrumKit.of_track(track, 0, 4 * Q)
    assert early.notes(SNARE) == (38,)
    assert early.notes(PERC) == (63,)  # not in the window: the track's own
    assert early.notes(KICK) == (36,) and not early.own[drum_class_of_note(49)]


def test_remap_turns_a_stock_note_into_the_kits_and_keeps_the_rest():
    kit = DrumKit.of_notes([*qa_loop_bar(), *hits((35, 8), (36, 8))])
    assert kit.remap(38) == (39,)  # a plugin's stock snare → the clap
    assert kit.remap(39) == (39,)
    assert kit.remap(42) == (70,)  # its hats are the maracas
    assert kit.remap(49) == (49,)  # the kit has no crash: the note stays
    conga = DrumKit.of_notes([*hits((42, 0), (63, 1))])
    assert conga.remap(56) == (63,)  # the cowbell → the kit's percussion, the conga
    assert DrumKit.stock().remap(40) == (40,)  # the stock kit keeps every note
