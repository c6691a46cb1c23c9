"""The command line's progress: a bar on a terminal, plain lines in a log, and a time left
only once there is a pace to go on."""

from __future__ import annotations

import io

from engine.cli import common
from engine.cli.common import Pace, ProgressLines, progress_bar


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_time_left_until_there_is_a_pace_to_go_on():
    """QA: a job that took 3.2 s first said 02:00 left (its first step at once)."""
    clock = Clock()
    pace = Pace(100, clock, settle=common.ETA_AFTER_SECONDS)
    assert pace.eta(0) is None
    clock.now += 0.01
    pace.seen(1)  # the first step, at once
    assert pace.eta(1) is None  # one report: no pace yet
    clock.now += 0.3
    pace.seen(10)
    assert pace.eta(10) is None  # under a second in: nothing to go on yet
    clock.now += 0.7  # 1 s in; 9 more steps 0.1 s each since the first
    pace.seen(20)
    assert abs(pace.eta(20) - 80 * (1.0 / 19)) < 1e-9


def test_a_long_start_before_the_first_step_is_not_the_pace():
    """A model that loads for 2 s, then steps every 0.02 s: 2 s left, not minutes."""
    clock = Clock()
    pace = Pace(100, clock, settle=common.ETA_AFTER_SECONDS)
    clock.now += 2.0
    pace.seen(1)
    clock.now += 0.2
    pace.seen(11)
    assert abs(pace.eta(11) - 89 * 0.02) < 1e-9


def test_a_log_gets_plain_lines_every_tenth_and_never_a_carriage_return(monkeypatch):
    log = io.StringIO()
    bar = progress_bar(1000, "repaint", unit="‰", stream=log)
    assert isinstance(bar, ProgressLines)
    clock = Clock()
    bar.pace = Pace(1000, clock, settle=common.ETA_AFTER_SECONDS)
    with bar:
        for _ in range(40):
            clock.now += 0.1
            bar.update(25)
            if bar.n == 500:
                bar.set_postfix_str("writing the mix", refresh=False)
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue()
    assert lines[0] == "repaint: 10 %"  # 0.4 s in: nothing to go on yet
    assert lines[2] == "repaint: 30 % · about 3 s left"  # 0.1 s a 25‰ step, 28 to go
    assert [line.split(":")[1].split("%")[0].strip() for line in lines[:-1]] == [
        str(p) for p in range(10, 100, 10)]
    assert lines[5].endswith("left (writing the mix)")
    assert lines[-1] == "repaint: 100 % · done in 4.0 s"


def test_a_slow_step_still_says_something_every_few_seconds():
    log = io.StringIO()
    clock = Clock()
    bar = ProgressLines(100, "render x.mid", log)
    bar.pace = Pace(100, clock, settle=common.ETA_AFTER_SECONDS)
    bar._said_at = clock.now
    for _ in range(3):  # 1 % every 4 s: a line each 10 s all the same
        clock.now += 4.0
        bar.update(1)
    assert log.getvalue().splitlines() == ["render x.mid: 3 % · about 6 min left"]  # 12 s in
    bar.close()  # not finished: no "done"
    assert len(log.getvalue().splitlines()) == 1


def test_a_terminal_gets_a_bar_without_a_time_left_at_first(monkeypatch):
    term = Terminal()
    with progress_bar(1000, "repaint", unit="‰", stream=term) as bar:
        bar.update(10)
        shown = str(bar)
    assert "1%" in shown and "10/1000" in shown
    assert "<" not in shown  # no estimate from one instant step
    # With a pace to go on, the bar shows it.
    monkeypatch.setattr(common, "ETA_AFTER_SECONDS", 0.0)
    with progress_bar(1000, "repaint", unit="‰", stream=Terminal()) as bar:
        bar.update(10)
        bar.update(10)
        assert "<" in str(bar)


def test_a_terminal_bar_takes_its_pace_from_the_first_step_not_the_load(monkeypatch):
    """`generate` and `render` show the bar at 0 (update(0)) before the model loads: a
    5 s load, then steps of 0.01 s, is a second or so left, not minutes."""
    clock = Clock()
    monkeypatch.setattr(common, "Pace", lambda total, settle: Pace(total, clock, settle))
    with progress_bar(1000, "repaint", unit="‰", stream=Terminal()) as bar:
        bar.update(0)
        clock.now += 5.0  # the model loads
        bar.update(10)
        clock.now += 1.0
        bar.update(100)
        assert "<00:08" in str(bar)  # 890 ‰ at 0.01 s each: 8.9 s (the load counted: 48 s)
