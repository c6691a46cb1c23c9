"""A model's own settings (ModelInfo.options): checked, and read as their own type."""

from __future__ import annotations

import math

from engine.plugins import ModelInfo, ModelOption

STYLE = ModelOption("style", "auto", choices=("auto", "rock", "4"))
BARS = ModelOption("bars", 4, minimum=1)
SWING = ModelOption("swing", 0.5, minimum=0.0, maximum=1.0)
LOUD = ModelOption("loud", False)
INFO = ModelInfo("kit", "1", options=(STYLE, BARS, SWING, LOUD))


def test_values_are_checked_with_a_message_for_one_sided_bounds():
    assert BARS.problem(0) == "bars must be at least 1 (got 0)"  # no traceback
    assert ModelOption("x", 1, maximum=3).problem(5) == "x must be at most 3 (got 5)"
    assert SWING.problem(math.nan) == "swing must be a number (got nan)"
    assert SWING.problem(math.inf) is not None and BARS.problem(True) is not None
    assert BARS.problem(3.0) == "bars must be a whole number (got 3.0)"
    assert LOUD.problem(1) == "loud must be true or false"
    assert INFO.option_problem({"style": "rock", "bars": 8, "swing": 0.25}) is None
    assert INFO.option_problem({"tempo": 1}) == (
        "kit has no option 'tempo' (its options: style, bars, swing, loud)")
    assert ModelInfo("free", "1").option_problem({"anything": 1}) is None  # declares none


def test_a_command_lines_values_are_read_as_the_options_type():
    settled = INFO.settle_options({"bars": 8.0, "style": 4, "swing": 1, "loud": "true",
                                   "other": 2.0})
    assert settled == {"bars": 8, "style": "4", "swing": 1.0, "loud": True, "other": 2.0}
    assert type(settled["bars"]) is int and type(settled["swing"]) is float
    assert INFO.option_problem({k: v for k, v in settled.items() if k != "other"}) is None


def test_a_tracks_playable_range_is_public_for_plugins():
    """QA: pitch_range is None unless the user sets one (compose included), and the
    instrument ranges a plugin should keep to were not in the plugin API."""
    from engine.plugins.api import playable_range
    from engine.score import Track
    from engine.score.instruments import instrument_range

    assert playable_range(Track("Flute", program=73)) == instrument_range(73)
    assert playable_range(Track("Alto", program=52)) == (55, 74)  # a sung part
    assert playable_range(Track("Bass Guitar", program=33))[0] < 40
    assert playable_range(Track("Drums", is_drum=True)) == (0, 127)
