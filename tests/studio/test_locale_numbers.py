"""Numbers typed and shown under the user's locale (QA, German and Japanese desktops):
"92.5" in the tempo field was 925 BPM under German ("." groups thousands there) and
"92,5" was 925 under Japanese; the toolbar said "92.5 BPM" where the dialog said "92,5";
the recovery dialog dated a copy "27 11月 2026"."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtTest import QTest

GERMAN, JAPANESE, ENGLISH = (QLocale(QLocale.Language.German, QLocale.Country.Germany),
                             QLocale(QLocale.Language.Japanese, QLocale.Country.Japan),
                             QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


@pytest.fixture
def in_locale(qapp):
    """Sets the default locale (as LC_ALL would) for what the test makes, and puts the
    one before back after it."""
    before = QLocale()

    def use(locale: QLocale) -> None:
        QLocale.setDefault(locale)

    yield use
    QLocale.setDefault(before)


@pytest.fixture
def german(in_locale):
    in_locale(GERMAN)


def typed(spin, text: str):
    """``text`` typed over the field's number, as a user does after Tab; its value."""
    spin.lineEdit().selectAll()
    QTest.keyClicks(spin, text)
    spin.interpretText()
    return spin.value()


@pytest.mark.parametrize("locale", [GERMAN, JAPANESE, ENGLISH], ids=lambda loc: loc.name())
def test_the_tempo_takes_a_point_or_a_comma_and_never_groups_thousands(in_locale, locale):
    from studio.dialogs.timing import TimeDialog

    in_locale(locale)
    dialog = TimeDialog(None, 1, 120.0, (4, 4, ()), "")
    assert typed(dialog.tempo, "92.5") == 92.5
    assert typed(dialog.tempo, "92,5") == 92.5
    assert dialog.answer()[0] == 92.5
    assert typed(dialog.tempo, "1.000") != 1000  # 1 BPM is below the range: it stays
    assert typed(dialog.tempo, "1,000") != 1000
    assert dialog.tempo.value() == 92.5
    point = "," if locale == GERMAN else "."
    assert dialog.tempo.text() == f"92{point}5 BPM"  # shown as the locale writes it


def test_whole_number_fields_read_a_decimal_point_too(german):
    from studio.dialogs.timing import BarsDialog

    dialog = BarsDialog(None, True, 3, 1, 1, 2000)
    assert typed(dialog.bar, "1.000") == 1  # not 1000: the point is a decimal point
    assert typed(dialog.bar, "1500") == 1500
    assert typed(dialog.count, "12,5") == 12


def test_the_swing_reads_a_decimal_point_and_keeps_to_50_75_percent(german):
    from studio.dialogs.quantize import QuantizeDialog

    dialog = QuantizeDialog(None, "1/16", 50)
    assert typed(dialog.swing, "62,5") == 62  # a whole per cent, as an MPC's
    assert typed(dialog.swing, "80") == 62  # past 75: not typed
    assert dialog.swing.text() == "62 %"
    assert typed(dialog.strength, "60,4") == 60
    assert typed(dialog.strength, "0") == 60  # under 1 %: not typed
    assert dialog.choice() == ("1/16", 62, 60)


def test_the_generate_panels_fields_read_the_same_in_german(german, window):
    panel = window.generate_panel
    assert typed(panel.temperature, "1.5") == 1.5  # stayed 1,00
    assert panel.temperature.text() == "1,50"
    assert typed(panel.temperature, "0,75") == 0.75
    assert typed(panel.seed, "1.000") == 1


def test_a_models_own_number_options_read_the_same_in_german(german):
    from engine.plugins import ModelOption
    from studio.model_options import ModelOptionsBox

    box = ModelOptionsBox()
    box.set_model("m", (ModelOption("top_p", 0.9, minimum=0.0, maximum=1.0),
                        ModelOption("swing", 50, minimum=0, maximum=2000)))
    top_p = box._fields["top_p"][1]
    swing = box._fields["swing"][1]
    assert typed(top_p, "0.95") == 0.95
    assert typed(swing, "1.000") == 1
    assert box.values() == {"top_p": 0.95, "swing": 1}


def test_every_number_field_in_the_studio_is_one_of_these():
    # A plain Qt spin box would read "92.5" as 925 again under German.
    studio = Path(__file__).parents[2] / "studio"
    made = [f"{p.relative_to(studio)}: {line.strip()}" for p in studio.rglob("*.py")
            for line in p.read_text(encoding="utf-8").splitlines()
            if re.search(r"\bQ(Double)?SpinBox\(", line)]
    assert made == []


def test_the_toolbar_shows_the_tempo_as_the_dialog_does(german, opened, dialogs):
    dialogs.answers["ask_time"] = (92.5, (4, 4), "", None)
    opened.set_time_at_playhead()
    assert opened.lcd_tempo.text() == "92,5 BPM"


def test_volume_levels_said_in_the_locales_numbers(german):
    from studio.track_commands import volume_text

    assert volume_text(0.5) == "−6,0 dB (64)"
    assert volume_text(1.0) == "0 dB (127)"


@pytest.mark.parametrize(("locale", "date"), [(JAPANESE, "2026/11/27"), (GERMAN, "27.11.26"),
                                              (ENGLISH, "11/27/26"),
                                              # LANG=C: Qt's "27 11 2026" had no separators
                                              (QLocale.c(), "2026-11-27")],
                         ids=lambda v: v.name() if isinstance(v, QLocale) else v)
def test_the_recovery_dialog_dates_a_copy_in_one_language(in_locale, locale, date):
    from studio.dialogs.recovery import describe

    in_locale(locale)
    saved = datetime(2026, 11, 27, 14, 3, 27).astimezone()  # local time, as shown

    class Copy:  # what describe reads of a Recovery
        document = None
        saved_at = saved
        title, tracks, notes = "", None, None  # a copy from before the counts were kept

    text = describe(Copy(), saved)
    assert text == f"Untitled song — autosaved 14:03:27, {date} (just now)"
