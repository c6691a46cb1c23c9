"""Mask algebra: painting and erasing keep one canonical mask; what a mask says to a user."""

from __future__ import annotations

from engine.score import Mask, Region, Song, Track
from engine.score import mask_geometry as geometry
from engine.score.mask_geometry import describe

Q, BAR = 480, 1920


def test_paint_and_erase_keep_one_canonical_mask():
    a = geometry.paint(Mask(), Region({1}, 0, 2 * BAR))
    b = geometry.paint(geometry.paint(Mask(), Region({1}, BAR, 2 * BAR)), Region({1}, 0, BAR))
    assert a == b and hash(a) == hash(b) and len(a.regions) == 1
    holed = geometry.erase(a, Region({1}, Q, 2 * Q, 60, 72))
    assert not holed.contains(1, Q, 64) and holed.contains(1, Q, 80) and holed.contains(1, 0, 64)
    assert geometry.paint(holed, Region({1}, Q, 2 * Q, 60, 72)) == a  # filled back in
    two = geometry.paint(a, Region({2}, 0, 2 * BAR))
    assert two.track_ids == {1, 2} and len(two.regions) == 1  # same span: one region


def test_the_mask_description_names_each_part_of_a_disjoint_mask():
    piano, lead, bass = Track("Piano"), Track("Lead"), Track("Bass")
    song = Song((piano, lead, bass), ppq=480)
    bar = 1920
    one = Mask.of(Region({piano.id, bass.id}, 4 * bar, 8 * bar))
    assert describe(one, song) == "Piano, Bass · bars 5–8"
    apart = Mask.of(Region({piano.id}, 2 * bar, 4 * bar, 60, 72),
                    Region({lead.id}, 9 * bar, 11 * bar))
    # Each part says its own band: said once at the end it read as Lead's.
    assert describe(apart, song) == "Piano · bars 3–4 · pitch band C4–C5; Lead · bars 10–11"
    bands = Mask.of(Region({piano.id}, 0, bar, 48, 71), Region({lead.id}, 0, bar, 72, 84))
    assert describe(bands, song) == ("Piano · bar 1 · pitch band C3–B4; "
                                      "Lead · bar 1 · pitch band C5–C6")
    both = Mask.of(Region({piano.id}, 0, bar, 48, 71), Region({piano.id}, 0, bar, 72, 84),
                   Region({lead.id}, 0, bar, 48, 71), Region({lead.id}, 0, bar, 72, 84))
    assert describe(both, song) == "Piano, Lead · bar 1 · pitch bands C3–B4, C5–C6"
    # A band over bars 3–4 and a full-height column in bar 7 of one track: the band is
    # said with its bars only (it read "bars 3–4, beat 7.3 · pitch band Bb3–C5").
    column = Mask.of(Region({piano.id}, 2 * bar, 4 * bar, 58, 72),
                     Region({piano.id}, 6 * bar + 960, 6 * bar + 1440))
    assert describe(column, song) == ("Piano · bars 3–4 · pitch band Bb3–C5; "
                                      "Piano · beat 7.3")
    gaps = Mask.of(Region({lead.id}, 0, bar), Region({lead.id}, 4 * bar, 5 * bar))
    assert describe(gaps, song) == "Lead · bar 1, bar 5"
    # Spans sharing a bar read as one range (a beat of bar 9 beside bars 9–10).
    beats = Mask.of(Region({lead.id}, 8 * bar, 8 * bar + 480),
                    Region({lead.id}, 8 * bar + 1440, 10 * bar))
    assert describe(beats, song) == "Lead · bars 9–10"
    # Inside bars: told in beats, both ends included, as `repaint --bars 1.3-7.2` takes them.
    part = Mask.of(Region({lead.id}, 960, 6 * bar + 960))
    assert describe(part, song) == "Lead · bars 1.3–7.2"
    assert describe(Mask.of(Region({lead.id}, 480, 960)), song) == "Lead · beat 1.2"


def test_after_a_pickup_the_description_numbers_bars_as_a_score_does():
    """What the takes bar and `partita takes` say is what `repaint --bars` takes back: the
    pickup is bar 0, the first full bar bar 1."""
    from engine.score import TimeSignature

    lead = Track("Lead")
    song = Song((lead,), ppq=480,
                time_signatures=(TimeSignature(0, 1, 4), TimeSignature(Q, 4, 4)))
    assert describe(Mask.of(Region({lead.id}, Q, Q + 2 * BAR)), song) == "Lead · bars 1–2"
    assert describe(Mask.of(Region({lead.id}, 0, Q + BAR)), song) == "Lead · bars 0–1"
    assert describe(Mask.of(Region({lead.id}, Q + Q, Q + 2 * Q)), song) == "Lead · beat 1.2"
