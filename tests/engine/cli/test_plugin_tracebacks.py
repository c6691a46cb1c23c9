"""``partita --verbose`` shows where a plugin's own code failed: the traceback of its
exception, with the file and line inside the plugin. Without it, one line (QA: even with
--verbose the command line never showed a plugin's traceback)."""

from __future__ import annotations

import pytest

from engine.cli import main
from engine.io import save_song
from engine.score import Note, Song, Track
from tests.engine.plugins.plugin_folders import write_code_plugin

FAILING_IMPORT = '''
def read_table():
    raise ImportError("needs libfoo 2")


read_table()
'''


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    folder = tmp_path / "models"
    monkeypatch.setenv("PARTITA_MODELS_DIR", str(folder))
    return folder


def module_file(folder):
    return next(folder.glob("plug_*.py"))


def test_verify_verbose_shows_where_the_plugins_import_failed(models_dir, capsys):
    folder = write_code_plugin(models_dir, "broken", on_import=FAILING_IMPORT)
    assert main(["models", "verify", str(folder)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("partita: importing broken… (up to 30 s)\npartita: error: ")
    assert "needs libfoo 2" in err
    assert "Traceback" not in err  # one line unless asked

    assert main(["--verbose", "models", "verify", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "partita: detail: Traceback (most recent call last):" in err
    assert f'File "{module_file(folder)}", line 3, in read_table' in err
    assert "ImportError: needs libfoo 2" in err
    # By name, and when a command asks for the disabled model, the same.
    assert main(["--verbose", "models", "verify", "broken"]) == 1
    assert f'File "{module_file(folder)}", line 3' in capsys.readouterr().err


def test_a_generate_failure_shows_the_plugins_traceback_with_verbose(models_dir, tmp_path,
                                                                     capsys):
    folder = write_code_plugin(models_dir, "faulty",
                               generate="raise ZeroDivisionError('no beats')")
    song = tmp_path / "song.mid"
    save_song(Song((Track("Piano", notes=(Note(60, 0, 480),)),)), song)
    argv = ["repaint", str(song), "-o", str(tmp_path / "x.mid"), "--tracks", "1",
            "--bars", "1", "--model", "faulty"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "partita: error: model 'faulty' failed: ZeroDivisionError: no beats" in err
    assert "Traceback" not in err

    assert main(["-v", *argv]) == 1
    err = capsys.readouterr().err
    line = next(i for i, text in enumerate(module_file(folder).read_text().splitlines(), 1)
                if "ZeroDivisionError" in text)
    assert f'File "{module_file(folder)}", line {line}, in generate' in err
    assert err.rstrip().endswith("ZeroDivisionError: no beats")


def test_a_refusal_without_plugin_code_has_no_traceback(models_dir, capsys):
    folder = write_code_plugin(models_dir, "future", api_version=2)
    assert main(["-v", "models", "verify", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "written for plugin API 2" in err and "Traceback" not in err
