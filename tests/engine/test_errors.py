"""One base for the engine's errors: a caller catches PartitaError for "a problem the
user can act on", and the CLI prints every one of them as one line."""

from __future__ import annotations

import pytest

from engine.cli import main
from engine.errors import PartitaError
from engine.io import FileFormatError
from engine.models.checkpoint import ModelFileError
from engine.models.train import ConfigError
from engine.plugins import InvalidResult, ManifestError, PluginError
from engine.plugins.api import CannotGenerate
from engine.render import RenderError
from engine.score import EditError
from engine.tasks import TaskError
from engine.tasks.requests import PlanError

# The value errors stay value errors (callers catching ValueError still catch them).
VALUE_ERRORS = (EditError, TaskError, PlanError, ConfigError, CannotGenerate, InvalidResult)


@pytest.mark.parametrize("error", [FileFormatError, ModelFileError, PluginError, ManifestError,
                                   RenderError, *VALUE_ERRORS])
def test_every_engine_error_is_a_partita_error(error):
    assert issubclass(error, PartitaError)


@pytest.mark.parametrize("error", VALUE_ERRORS)
def test_value_errors_stay_value_errors(error):
    assert issubclass(error, ValueError)


def test_the_cli_prints_an_engine_error_as_one_line(tmp_path, capsys, monkeypatch):
    # The file is named as typed, as a missing one is: over several folders the base
    # name alone ("zipped.mid: …") does not say which.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "zipped.mid").write_bytes(b"PK\x03\x04" + bytes(60))  # a zip as .mid
    assert main(["info", "a/zipped.mid"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("partita: error: a/zipped.mid: not a MIDI file") and "\n" not in err
    assert main(["info", "b/zipped.mid"]) == 1
    assert capsys.readouterr().err.startswith("partita: error: b/zipped.mid: no such file")


def test_verbose_adds_where_in_the_file_for_developers(tmp_path, capsys):
    # A musician reads "track 1 (Piano), note 1 (bar 1, beat 1)"; --verbose adds the JSON
    # path a developer fixing the file by hand needs.
    bad = tmp_path / "bad.partita"
    bad.write_text('{"format": "partita", "version": 1, "song": {"ppq": 480, "tracks": '
                   '[{"name": "Piano", "notes": [[300, 0, 480, 90]]}]}}')
    assert main(["info", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err == (f"partita: error: {bad}: damaged Partita project: track 1 (Piano), "
                   "note 1 (bar 1, beat 1): pitch 300 is outside 0–127\n")
    assert main(["--verbose", "info", str(bad)]) == 1
    assert capsys.readouterr().err.endswith(
        "partita: detail: at song.tracks[0].notes[0] in the file's JSON\n")
