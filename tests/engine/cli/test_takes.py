"""``partita takes``: a project's waiting takes listed, accepted and rejected headless."""

from __future__ import annotations

import json
from pathlib import Path

from engine.cli import main
from engine.io import load_project, load_song, save_song
from engine.score import Note, add_notes

DEMO = Path(__file__).resolve().parents[3] / "assets" / "demo" / "demo.mid"
BAR = 1920


def test_the_list_names_each_take_by_region_and_letter(pending, capsys):
    assert main(["takes", str(pending), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["ref"], r["where"]) for r in rows] == [
        ("1A", "Lead · bars 5–8"), ("1B", "Lead · bars 5–8"), ("2A", "Bass · bars 1–4")]
    assert all(r["notes"] > 0 and not r["conflict"] for r in rows)
    assert main(["info", str(pending)]) == 0
    # The command to run, with the file as typed (not its base name, from elsewhere).
    assert f"Takes   3 waiting (partita takes {pending})" in capsys.readouterr().out


def test_accepting_a_take_writes_its_notes_and_keeps_the_others_waiting(pending, tmp_path,
                                                                       capsys):
    out = tmp_path / "accepted.partita"
    assert main(["takes", str(pending), "--accept", "1b", "-o", str(out)]) == 0
    before, after = load_song(pending), load_project(out)
    lead = after.song.find_track("Lead")
    assert lead.notes != before.find_track("Lead").notes  # take B's notes are in the song
    assert after.song.find_track("Bass").notes == before.find_track("Bass").notes
    assert after.studio["zoom"] == 3  # the studio's other state is kept
    capsys.readouterr()
    assert main(["takes", str(out), "--json"]) == 0
    assert [r["where"] for r in json.loads(capsys.readouterr().out)] == ["Bass · bars 1–4"]


def test_rejecting_keeps_the_other_letters_and_bad_requests_say_why(pending, tmp_path, capsys):
    capsys.readouterr()
    assert main(["takes", str(pending), "--reject", "1A", "-o", str(tmp_path / "r.mid")]) == 0
    assert "the 2 other waiting takes are not in it" in capsys.readouterr().err  # MIDI
    out = tmp_path / "rejected.partita"
    assert main(["takes", str(pending), "--reject", "1A", "-o", str(out)]) == 0
    assert load_song(out) == load_song(pending)
    capsys.readouterr()
    assert main(["takes", str(out), "--json"]) == 0
    assert [r["ref"] for r in json.loads(capsys.readouterr().out)] == ["1B", "2A"]
    assert main(["takes", str(pending), "--accept", "3A", "-o", str(out)]) == 1
    assert "no waiting take '3A' (waiting: 1A, 1B, 2A)" in capsys.readouterr().err
    assert main(["takes", str(pending), "--accept", "1A"]) == 1  # no -o
    assert main(["takes", str(pending), "--accept", "1A", "-o", str(pending)]) == 1
    assert main(["takes", str(DEMO)]) == 1  # a MIDI file keeps no takes


def test_json_stays_json_when_a_saved_take_no_longer_fits(pending, tmp_path, capsys):
    project = load_project(pending)
    bass = project.song.find_track("Bass")
    path = tmp_path / "no-bass.partita"
    save_song(project.song.with_tracks(t for t in project.song.tracks if t.id != bass.id),
              path, studio=project.studio)
    assert main(["takes", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    assert [r["ref"] for r in json.loads(out)] == ["1A", "1B"]  # the Bass take is skipped
    assert "partita: warning:" in err and "deleted" in err


def test_a_take_over_a_region_edited_since_needs_force(pending, tmp_path, capsys):
    project = load_project(pending)
    lead = project.song.find_track("Lead")
    edited = add_notes(lead.id, [Note(80, 5 * BAR, 240)]).apply(project.song)
    path = tmp_path / "edited.partita"
    save_song(edited, path, studio=project.studio)
    out = tmp_path / "out.mid"
    assert main(["takes", str(path), "--accept", "1A", "-o", str(out)]) == 1
    assert "--force" in capsys.readouterr().err and not out.exists()
    assert main(["takes", str(path), "--accept", "1A", "-o", str(out), "--force"]) == 0
    assert all(n.pitch != 80 for n in load_song(out).find_track("Lead").notes)


def test_generated_takes_can_be_kept_in_a_project_to_decide_later(pending, tmp_path, capsys,
                                                                  monkeypatch):
    """--as-takes: the song unchanged, the variations waiting beside the project's own."""
    from engine.cli import generate
    from engine.models.plugin import tiny_random_model

    monkeypatch.setattr(generate, "resolve_model",
                        lambda name, task: tiny_random_model(0, lanes=12))
    out = tmp_path / "more takes.partita"
    assert main(["repaint", str(pending), "-o", str(out), "--tracks", "Piano", "--bars",
                 "2-3", "--variations", "2", "--as-takes", "--seed", "5", "--steps", "3"]) == 0
    printed = capsys.readouterr().out
    assert "2 takes waiting in region 3 (Piano · bars 2–3): 3A" in printed
    # The command to copy, quoted for a shell as every other hint is
    assert f"keep one: partita takes '{out}' --accept 3A -o SONG" in printed
    assert load_song(out) == load_song(pending)
    assert main(["takes", str(out), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["ref"], r["seed"]) for r in rows[-2:]] == [("3A", 5), ("3B", 6)]
    assert [r["ref"] for r in rows[:3]] == ["1A", "1B", "2A"]  # the saved ones stay
    kept = tmp_path / "kept.mid"
    assert main(["takes", str(out), "--accept", "3B", "-o", str(kept)]) == 0
    piano = load_song(kept).find_track("Piano")
    assert piano.notes != load_song(pending).find_track("Piano").notes
    for argv, message in ((["-o", str(tmp_path / "x.mid")], "give -o NAME.partita"),
                          (["-o", str(out)], "")):
        capsys.readouterr()
        rc = main(["repaint", str(pending), "--tracks", "1", "--bars", "1", "--as-takes",
                   "--steps", "2", *argv])
        assert rc == (1 if message else 0) and message in capsys.readouterr().err
    assert main(["compose", "-o", str(tmp_path / "c.partita"), "--as-takes"]) == 1
    assert "--as-takes needs a song" in capsys.readouterr().err


def test_region_numbers_stay_when_another_region_is_decided(pending, tmp_path, capsys):
    """A script's `--accept 2A` must mean the Bass take after region 1 was decided (it
    became "1A", and a third region's "3A" would have become "2A")."""
    out = tmp_path / "decided.partita"
    assert main(["takes", str(pending), "--accept", "1B", "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["takes", str(out), "--json"]) == 0
    assert [(r["ref"], r["where"]) for r in json.loads(capsys.readouterr().out)] == [
        ("2A", "Bass · bars 1–4")]
    assert main(["takes", str(out), "--accept", "2A", "-o", str(tmp_path / "b.mid")]) == 0


def test_the_list_says_a_takes_warnings(tmp_path, capsys, monkeypatch):
    """A take kept with --as-takes keeps what its model did not do as asked, and the list
    says it under the take, as the studio's takes bar does."""
    from engine.cli import generate
    from engine.io import save_song
    from engine.score import Note, Song, Track
    from tests.engine.jobs.toy_models import Answers

    def chromatic(song, mask):
        start = mask.span[0]
        return {tid: tuple(Note(60 + i, start + i * 120, 120) for i in range(12))
                for tid in mask.track_ids}

    src, out = tmp_path / "song.partita", tmp_path / "takes.partita"
    save_song(Song((Track("Piano", notes=(Note(60, 0, 1920),)),)), src)
    monkeypatch.setattr(generate, "resolve_model", lambda name, task: Answers(chromatic))
    assert main(["repaint", str(src), "-o", str(out), "--tracks", "1", "--bars", "1",
                 "--key", "C", "--as-takes"]) == 0
    capsys.readouterr()
    said = ("qa was asked to keep new notes in C major, but 5 of its 12 new notes are "
            "outside it (the model does not follow the Key setting)")
    assert main(["takes", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[2] == f"       ⚠ {said}"
    assert main(["takes", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["warnings"] == [said]


def test_the_list_names_a_takes_pitch_band(pending, tmp_path, capsys, monkeypatch):
    """A take of a painted band said which band ("pitch band", no notes): C3–B4 now."""
    from engine.cli import generate
    from engine.models.plugin import tiny_random_model

    monkeypatch.setattr(generate, "resolve_model",
                        lambda name, task: tiny_random_model(0, lanes=12))
    out = tmp_path / "band.partita"
    assert main(["repaint", str(pending), "-o", str(out), "--tracks", "Piano", "--bars",
                 "2-3", "--pitch", "C3-B4", "--as-takes", "--seed", "5", "--steps", "3"]) == 0
    capsys.readouterr()
    assert main(["takes", str(out)]) == 0
    assert "Piano · bars 2–3 · pitch band C3–B4" in capsys.readouterr().out
