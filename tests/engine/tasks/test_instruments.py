"""The tracks a task adds: harmonize's SATB voices are instruments that can play them."""

from __future__ import annotations

import pytest

from engine.score import Track
from engine.score.instruments import GM_PROGRAMS, part_range
from engine.tasks.instruments import SATB_VOICES, accompaniment_specs


@pytest.mark.parametrize(("melody", "voices"), [
    (65, ("Alto Sax", "Tenor Sax", "Baritone Sax")),
    (40, ("Violin", "Viola", "Cello")),
    (56, ("French Horn", "Trombone", "Tuba")),
    (73, ("Clarinet", "Clarinet", "Bassoon")),
    (52, ("Choir Aahs",) * 3),  # a choir sings every part
    (48, ("String Ensemble 1",) * 3),
])
def test_satb_voices_under_a_solo_instrument_come_from_its_family(melody, voices):
    specs = accompaniment_specs(Track("Lead", program=melody), "satb")
    assert tuple(s.name for s in specs) == SATB_VOICES  # chorale rules still see the parts
    assert tuple(GM_PROGRAMS[s.program] for s in specs) == voices
    for spec in specs:  # each part has at least an octave its instrument plays
        lo, hi = part_range(spec.name, spec.program)
        assert hi - lo >= 12
