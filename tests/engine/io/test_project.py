"""``.partita`` project files: exact round trips, ids, versions, damage, atomic saves."""

from __future__ import annotations

import json

import pytest

import engine.io.project as project
from engine.io import FileFormatError, load_project, save_project
from engine.score import (
    ControlEvent,
    KeySignature,
    Marker,
    Note,
    ProgramChange,
    Song,
    TempoChange,
    TimeSignature,
    Track,
    new_note_id,
    new_track_id,
)


def song() -> Song:
    lead = Track("Lead ♪", 73, channel=3, colour="#123456", mute=True, volume=0.3, pan=-0.7,
                 notes=(Note(72, 0, 0, 1), Note(72, 0, 960, 127), Note(74, 17, 5)),
                 program_changes=(ProgramChange(960, 74),),
                 controls=(ControlEvent(3, "pitchwheel", 0, -8192),
                           ControlEvent(4, "polytouch", 72, 9)))
    drums = Track("Drums", 0, is_drum=True, channel=9, solo=True,
                  notes=(Note(36, 0, 120, 100),))
    return Song(tracks=(lead, drums), ppq=96, title="Étude",
                tempos=(TempoChange(0, 600_000), TempoChange(384, 450_000)),
                time_signatures=(TimeSignature(0, 5, 4), TimeSignature(480, 7, 8)),
                key_signatures=(KeySignature(0, "Dm"),), markers=(Marker(96, "A"),),
                length=2000)


def test_save_and_load_give_back_the_same_song_ids_and_studio_state(tmp_path):
    original = song()
    path = tmp_path / "song.partita"
    save_project(original, path, {"zoom": 1.5, "selection": [1, 2]})
    loaded = load_project(path)
    assert loaded.song == original
    assert loaded.studio == {"zoom": 1.5, "selection": [1, 2]}
    assert [t.id for t in loaded.song.tracks] == [t.id for t in original.tracks]
    assert [n.id for t in loaded.song.tracks for n in t.notes] == [
        n.id for t in original.tracks for n in t.notes]


def test_loading_registers_ids_so_new_ones_never_collide(tmp_path):
    path = tmp_path / "song.partita"
    path.write_text(json.dumps({"format": "partita", "version": 1, "song": {
        "ppq": 480, "tracks": [{"id": 10**9, "notes": [[60, 0, 10, 90, 2 * 10**9]]}]}}))
    load_project(path)
    assert new_note_id() > 2 * 10**9 and new_track_id() > 10**9


def test_a_velocity_0_note_is_read_as_velocity_1(tmp_path):
    # MIDI has no silent note (a note_on of 0 is a note-off), so a hand-edited 0 becomes
    # the softest note MIDI can hold; nothing else about the note changes.
    path = tmp_path / "vel0.partita"
    path.write_text(json.dumps({"format": "partita", "version": 1, "song": {
        "ppq": 480, "tracks": [{"notes": [[60, 0, 960, 80], [60, 480, 240, 0],
                                          [64, 0, 960, 90]]}]}}))
    notes = load_project(path).song.tracks[0].notes
    assert [n.key() for n in notes] == [(0, 60, 960, 80), (0, 64, 960, 90), (480, 60, 240, 1)]


def test_file_layout_is_versioned_json_with_one_note_per_line(tmp_path):
    path = tmp_path / "song.partita"
    save_project(song(), path)
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    assert (doc["format"], doc["version"]) == ("partita", 1)
    assert "studio" not in doc  # only written when there is some
    notes = doc["song"]["tracks"][0]["notes"]
    assert notes[0] == [72, 0, 0, 1, notes[0][4]]
    lines = [line.strip().rstrip(",") for line in text.splitlines()]
    assert all(json.dumps(row) in lines for row in notes)  # one line per note: diffs well
    assert "Étude" in text  # readable, not \\u-escaped


def test_a_newer_version_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "new.partita"
    path.write_text('{"format": "partita", "version": 3, "song": {}}')
    with pytest.raises(FileFormatError) as info:
        load_project(path)
    assert str(info.value) == ("new.partita: made by a newer Partita: format version 3, "
                               "this version reads up to 1")


def test_older_versions_are_upgraded_one_step_at_a_time(tmp_path, monkeypatch):
    steps = []

    def v1_to_v2(doc):
        steps.append(1)
        doc["song"]["title"] = doc["song"].pop("name")
        return {**doc, "version": 2}

    def v2_to_v3(doc):
        steps.append(2)
        return {**doc, "version": 3}

    monkeypatch.setattr(project, "FORMAT_VERSION", 3)
    monkeypatch.setattr(project, "MIGRATIONS", {1: v1_to_v2, 2: v2_to_v3})
    path = tmp_path / "old.partita"
    path.write_text('{"format": "partita", "version": 1, "song": {"ppq": 480, "name": "Old", '
                    '"tracks": []}}')
    assert load_project(path).song.title == "Old"
    assert steps == [1, 2]


@pytest.mark.parametrize("content, problem", [
    (b"", "empty file"),
    (b'{"format": "partita", "version": 1, "song": {"ppq": 4', "truncated"),
    (b"\xff\xfe garbage", "not UTF-8"),
    # One flipped byte in a project: damaged, not "not a Partita project" (QA).
    (b'{"format": "partita",\n "version": 1, "song": {"title": "Fl\xe9ch\xff"}}',
     r"^bad\.partita: damaged Partita project: a byte that is not UTF-8 at line 2, "
     r"column 37$"),
    (b'\xef\xbb\xbf{"format": "partita", "title": "\xc3\xa9\xff"}',
     "a byte that is not UTF-8 at line 1, column 34$"),
    (b'{"format": "cubase"}', "not a Partita project"),
    (b"[1, 2, 3]", "not a Partita project"),
    (b'{"format": "partita", "version": "1"}', "bad format version"),
    (b'{"format": "partita", "version": 1}', "missing 'song'"),
    (b'{"format": "partita", "version": 1, "song": {"ppq": 0, "tracks": []}}',
     "resolution must be positive"),
    # The writer always writes "tracks": a file without it is damaged, not an empty song.
    (b'{"format": "partita", "version": 1, "song": {"ppq": 480}}',
     r"^bad\.partita: damaged Partita project: missing 'tracks'$"),
    (b'{"format": "partita", "version": 1, "song": {"ppq": 480, "trakcs": [{"notes": []}]}}',
     r"^bad\.partita: damaged Partita project: missing 'tracks'$"),
    (b'{"format": "partita", "version": 1, "song": {"ppq": 480, "tracks": [{"notes": '
     b'[[60, 0, 1.5, 90]]}]}}', r"track 1, note 1 \(bar 1, beat 1\): expected an integer"),
    (b'{"format": "partita", "version": 1, "song": {"ppq": 480, "tracks": [{"notes": '
     b'[[160, 0, 1, 90]]}]}}', "pitch 160 is outside"),
    (b'{"format": "partita", "version": 1, "song": {"ppq": 480, "tracks": [{"id": 1}, '
     b'{"id": 1}]}}', "two tracks share one id"),
    (b'{"format": "partita", "version": 1, "song": {"ppq": 480, "tracks": [{"volume": '
     b'true}]}}', r"volume: expected a number"),
    (b'{"format": "partita", "version": 1, "song": {"ppq": 480, "tracks": []}, "studio": []}',
     "studio: expected an object"),
    # Python's own wording ("sys.set_int_max_str_digits", "recursion depth") stays out.
    (b'{"format": "partita", "version": 1, "song": {"ppq": 4' + b"8" * 5000 + b"}}",
     r"^bad\.partita: damaged Partita project \(a number in it is too long\)$"),
    (b'{"format": "partita", "version": 1, "studio": ' + b"[" * 100_000 + b"]" * 100_000
     + b"}", r"^bad\.partita: damaged Partita project \(nested too deeply\)$"),
])
def test_damaged_projects_give_one_line_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "bad.partita"
    path.write_bytes(content)
    with pytest.raises(FileFormatError, match=problem) as info:
        load_project(path)
    assert str(info.value).startswith("bad.partita: ") and "\n" not in str(info.value)


def test_a_damaged_note_is_named_as_the_studio_shows_it(tmp_path):
    # QA: "song.tracks[0].notes[0]: note pitch 300…" — a musician reads tracks and bars.
    path = tmp_path / "bad.partita"
    save_project(song(), path)
    doc = json.loads(path.read_text())
    doc["song"]["time_signatures"] = [{"tick": 0, "numerator": 3, "denominator": 4}]
    notes = doc["song"]["tracks"][0]["notes"]
    q = doc["song"]["ppq"]
    notes.append([300, 4 * q, q, 90])  # bar 2, beat 2 in 3/4
    path.write_text(json.dumps(doc))
    with pytest.raises(FileFormatError) as info:
        load_project(path)
    name = doc["song"]["tracks"][0]["name"]
    assert str(info.value) == (f"bad.partita: damaged Partita project: track 1 ({name}), "
                               f"note {len(notes)} (bar 2, beat 2): pitch 300 is outside 0–127")
    assert info.value.detail == (f"at song.tracks[0].notes[{len(notes) - 1}] in the file's "
                                 "JSON")


def test_an_empty_song_partita_wrote_opens_as_an_empty_song(tmp_path):
    path = tmp_path / "empty.partita"
    save_project(Song(), path)
    assert json.loads(path.read_text())["song"]["tracks"] == []
    assert load_project(path).song.tracks == ()


def test_a_failed_save_leaves_the_old_file_and_no_temporary_files(tmp_path):
    path = tmp_path / "song.partita"
    save_project(song(), path)
    before = path.read_bytes()
    with pytest.raises(TypeError):
        save_project(song(), path, {"not json": object()})
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


def project_with(song_fields: str = "", track_fields: str = "",
                 notes: str = "[[60, 0, 480, 90, 7]]") -> bytes:
    """A one-track project with extra JSON fields (text after a comma) in song or track."""
    return (f'{{"format": "partita", "version": 1, "song": {{"ppq": 480{song_fields}, '
            f'"tracks": [{{"notes": {notes}{track_fields}}}]}}}}').encode()


# What MIDI cannot hold is refused on load with the MIDI writer's own checks, so a project
# that opens can always be exported; the message says where as the studio shows the song
# (track 1, tempo change 1, bar and beat), never as a JSON path.
@pytest.mark.parametrize("fields, problem", [
    (project_with(', "key_signatures": [{"tick": 0, "key": "H#m"}]'),
     r"key change 1 \(bar 1, beat 1\): unknown key 'H#m'"),
    (project_with(', "time_signatures": [{"tick": 0, "numerator": 4, "denominator": 3}]'),
     r"meter change 1: time signature 4/3 is not one MIDI can hold \(1–255 beats"),
    (project_with(', "time_signatures": [{"tick": 0, "numerator": 100000, "denominator": 1}]'),
     r"meter change 1: time signature 100000/1"),
    (project_with(', "time_signatures": [{"tick": 0, "numerator": 7, "denominator": 8, '
                  '"groups": [3, 2, 3]}]'),
     r"meter change 1 \(bar 1, beat 1\): groups 3\+2\+3 add up to 8, not the 7 beats"),
    (project_with(', "time_signatures": [{"tick": 0, "numerator": 5, "denominator": 4, '
                  '"groups": [3, 2]}]'), r"meter change 1 \(bar 1, beat 1\): 5/4 is counted"),
    (project_with(', "time_signatures": [{"tick": 0, "numerator": 7, "denominator": 8, '
                  '"groups": "3+2+2"}]'),
     r"meter change 1 \(bar 1, beat 1\), groups: expected a list"),
    (project_with(', "time_signatures": [{"tick": 0, "numerator": 7, "denominator": 8, '
                  '"groups": [3, 2, 2.0]}]'),
     r"meter change 1 \(bar 1, beat 1\), group 3: expected an integer"),
    (project_with(', "tempos": [{"tick": 0, "us_per_beat": 16777216}]'),
     r"tempo change 1 \(bar 1, beat 1\): tempo of 16777216 µs per beat is not one MIDI"),
    (project_with(', "tempos": [{"tick": 0, "us_per_beat": 0}]'),
     r"tempo change 1 \(bar 1, beat 1\): tempo"),
    (project_with(track_fields=', "controls": [[0, "pitchwheel", 0, 999999]]'),
     r"track 1, controller event 1 \(bar 1, beat 1\): pitch bend 999999 is outside -8192 to "
     r"8191"),
    (project_with(track_fields=', "controls": [[0, "control_change", 128, 0]]'),
     r"controller event 1 \(bar 1, beat 1\): controller number 128 is outside 0–127"),
    (project_with(track_fields=', "volume": -2'),
     r"track 1, volume: -2 is outside 0–1"),
    (project_with(track_fields=', "volume": 1.5'), r"volume: 1\.5 is outside 0–1"),
    (project_with(track_fields=', "volume": NaN'), r"volume: expected a number, got nan"),
    (project_with(track_fields=', "volume": Infinity'), r"volume: expected a number, got inf"),
    (project_with(track_fields=', "pan": -1.5'), r"pan: -1\.5 is outside -1 to 1"),
    # A resolution no MIDI header holds: refused as it opens, not when MIDI export fails.
    (project_with(', "ppq": 1000000000'),
     r"resolution \(ppq\): 1000000000 ticks per quarter note: a song has 1 to 32767"),
    (project_with(', "length": -100'), r"length: -100 is negative"),  # never read as 0
])
def test_values_midi_cannot_hold_are_refused_naming_the_field(tmp_path, fields, problem):
    path = tmp_path / "odd.partita"
    path.write_bytes(fields)
    with pytest.raises(FileFormatError, match=problem) as info:
        load_project(path)
    assert str(info.value).startswith("odd.partita: damaged Partita project: ")
    assert "song." not in str(info.value) and "[0]" not in str(info.value)
    assert info.value.detail.startswith("at song.")  # the JSON path, for developers


def test_the_limits_of_midi_itself_still_load(tmp_path):
    path = tmp_path / "edge.partita"
    path.write_bytes(project_with(
        ', "tempos": [{"tick": 0, "us_per_beat": 16777215}, {"tick": 9, "us_per_beat": 1}], '
        '"time_signatures": [{"tick": 0, "numerator": 255, "denominator": 64}], '
        '"key_signatures": [{"tick": 0, "key": "C#m"}]',
        ', "volume": 0, "pan": 1, "controls": [[0, "pitchwheel", 0, -8192]]'))
    song = load_project(path).song
    assert song.time_signatures[0].numerator == 255 and song.tracks[0].pan == 1.0


def test_the_highest_resolution_that_opens_also_exports_to_midi(tmp_path):
    from engine.io import read_midi, write_midi

    path = tmp_path / "fine.partita"
    path.write_bytes(project_with(', "ppq": 32767'))
    song = load_project(path).song
    write_midi(song, tmp_path / "fine.mid")
    assert read_midi(tmp_path / "fine.mid").ppq == 32767


def test_a_file_without_a_version_says_so(tmp_path):
    path = tmp_path / "old.partita"
    path.write_text('{"format": "partita", "song": {"ppq": 480, "tracks": []}}')
    with pytest.raises(FileFormatError) as info:
        load_project(path)
    assert str(info.value) == ('old.partita: damaged Partita project: no format version '
                               '(missing "version" field)')


def test_a_project_cut_short_says_where_and_that_it_may_be_cut_short(tmp_path):
    path = tmp_path / "cut.partita"
    path.write_bytes(project_with()[:60])
    with pytest.raises(FileFormatError, match=r"invalid JSON: .* at line 1, column \d+ "
                       r"\(the file may be cut short\)$"):
        load_project(path)


def test_a_folder_a_fifo_and_a_sparse_giant_are_refused_before_reading(tmp_path):
    import os
    import resource

    folder = tmp_path / "folder.partita"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder, not a file"):
        load_project(folder)
    if hasattr(os, "mkfifo"):  # opened to be read, a FIFO waits for a writer forever
        fifo = tmp_path / "fifo.partita"
        os.mkfifo(fifo)
        with pytest.raises(FileFormatError, match=r"fifo.partita: a named pipe \(FIFO\), "
                           "not a file"):
            load_project(fifo)
    giant = tmp_path / "giant.partita"
    with open(giant, "wb") as f:  # 3 GB of holes: no disk used, and none read
        f.truncate(3 * 2**30)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(FileFormatError, match="too large for a Partita project"):
        load_project(giant)
    grew_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grew_kb < 100_000  # read up to the limit, it peaked at 574 MB


def test_a_key_spelt_as_no_signature_spells_it_opens_as_the_usual_one(tmp_path):
    # "Dbm" (8 flats) was Partita's name for C# minor: such a project still opens.
    path = tmp_path / "old.partita"
    path.write_bytes(project_with(', "key_signatures": [{"tick": 0, "key": "Dbm"}, '
                                  '{"tick": 1920, "key": "Abm"}]'))
    song = load_project(path).song
    assert [k.key for k in song.key_signatures] == ["C#m", "Abm"]  # Abm: 7 flats, kept


def test_a_meters_grouping_is_kept_and_only_written_where_chosen(tmp_path):
    path = tmp_path / "dance.partita"
    dance = Song(ppq=480, time_signatures=(TimeSignature(0, 7, 8, (3, 2, 2)),
                                           TimeSignature(3360, 7, 8)))
    save_project(dance, path)
    assert load_project(path).song.time_signatures == dance.time_signatures
    written = json.loads(path.read_text())["song"]["time_signatures"]
    assert written == [{"tick": 0, "numerator": 7, "denominator": 8, "groups": [3, 2, 2]},
                       {"tick": 3360, "numerator": 7, "denominator": 8}]
    assert json.loads(path.read_text())["version"] == 1  # an optional field: no new version


def test_a_meter_without_groups_loads_with_the_usual_counting(tmp_path):
    path = tmp_path / "old.partita"
    path.write_bytes(project_with(
        ', "time_signatures": [{"tick": 0, "numerator": 7, "denominator": 8}]'))
    assert load_project(path).song.time_signatures[0].pulses == (2, 2, 3)


def test_a_colour_that_is_none_or_an_id_below_1_gets_a_default_not_an_error(tmp_path):
    # Neither is audible, and Partita never writes them: keep the music, fix the rest.
    path = tmp_path / "odd.partita"
    path.write_bytes(project_with(track_fields=', "colour": "not a colour", "id": -4',
                                  notes="[[60, 0, 480, 90, -1], [62, 0, 1, 9, 0]]"))
    track = load_project(path).song.tracks[0]
    assert track.colour == Track().colour and track.id >= 1
    assert [n.key() for n in track.notes] == [(0, 60, 480, 90), (0, 62, 1, 9)]
    assert all(n.id >= 1 for n in track.notes) and track.notes[0].id != track.notes[1].id
    path.write_bytes(project_with(track_fields=', "colour": "#A1b2C3"'))
    assert load_project(path).song.tracks[0].colour == "#A1b2C3"


def test_a_tracks_transposition_is_kept_and_left_out_where_none_is_stored(tmp_path):
    # A clarinet in A's part (the notes at sounding pitch), a clarinet left to its
    # instrument's usual one (B♭): the field is optional, so no new version.
    path = tmp_path / "winds.partita"
    winds = Song(tracks=(Track("Clarinet in A", 71, transposition=(-2, -3)),
                         Track("Clarinet", 71), Track("Clarinet in C", 71,
                                                      transposition=(0, 0))))
    save_project(winds, path)
    assert load_project(path).song == winds
    assert [t.transposition for t in load_project(path).song.tracks] == [
        (-2, -3), None, (0, 0)]
    written = json.loads(path.read_text())
    assert [t.get("transposition") for t in written["song"]["tracks"]] == [
        [-2, -3], None, [0, 0]]
    assert written["version"] == 1
    for fields, problem in ((', "transposition": [-2]', r"transposition: expected \[steps"),
                            (', "transposition": [-2, 1.5]', r"expected an integer"),
                            (', "transposition": [3, -3]', r"not an interval an instrument"),
                            (', "transposition": [-2, -30]', r"not an interval an instrument")):
        path.write_bytes(project_with(track_fields=fields))
        with pytest.raises(FileFormatError, match=problem):
            load_project(path)
