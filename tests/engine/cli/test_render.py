"""``partita render``: clear one-line errors, and complete files or none at all."""

import pytest
import soundfile as sf

from engine.cli import main
from engine.io import write_midi
from engine.render.stem_owner import SIDECAR
from engine.score import DRUM_CHANNEL, Note, Song, Track


def tiny_midi(path):
    song = Song(tracks=(
        Track("Keys", 0, notes=tuple(Note(60 + 4 * i, i * 480, 480, 90) for i in range(4))),
        Track("Beat", 0, True, DRUM_CHANNEL, notes=tuple(Note(36, i * 480, 60) for i in range(4))),
    ))
    write_midi(song, path)
    return path


def test_render_writes_mix_and_stems(tmp_path, capsys):
    src = tiny_midi(tmp_path / "tiny.mid")
    out = tmp_path / "out"
    code = main(["render", str(src), "-o", str(out / "mix.wav"), "--stems", str(out / "stems"),
                 "--sample-rate", "8000", "--synth", "builtin"])
    assert code == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("rendered 1 bar (") and "× real time) → " in line
    assert line.endswith(f"{out / 'mix.wav'}, 2 stems in {(out / 'stems').as_posix()}/ "
                         "(24-bit WAV, 8000 Hz)")
    stems = sorted(p.name for p in (out / "stems").glob("*.wav"))
    assert stems == ["01 - Keys.wav", "02 - Beat.wav"]
    info = sf.info(str(out / "mix.wav"))
    assert (info.samplerate, info.channels, info.subtype) == (8000, 2, "PCM_24")


def test_render_writes_the_bit_depth_asked_for_and_says_it(tmp_path, capsys):
    """A producer's 16-bit demo (dithered) and a 32-bit float bounce, beside the default."""
    import numpy as np

    src = tiny_midi(tmp_path / "tiny.mid")
    for depth, subtype, said in (("16", "PCM_16", "16-bit"), ("32f", "FLOAT", "32-bit float")):
        out = tmp_path / depth
        assert main(["render", str(src), "-o", str(out / "mix.wav"), "--stems",
                     str(out / "stems"), "--sample-rate", "8000", "--synth", "builtin",
                     "--bit-depth", depth]) == 0
        line = capsys.readouterr().out.strip().splitlines()[-1]
        assert line.endswith(f"({said} WAV, 8000 Hz)")
        for path in [out / "mix.wav", *(out / "stems").glob("*.wav")]:
            assert sf.info(str(path)).subtype == subtype
    # The same render at 16 bits is the 24-bit one to within the dither and rounding.
    assert main(["render", str(src), "-o", str(tmp_path / "24.wav"), "--sample-rate", "8000",
                 "--synth", "builtin"]) == 0
    fine = sf.read(str(tmp_path / "24.wav"), dtype="float32")[0]
    coarse = sf.read(str(tmp_path / "16" / "mix.wav"), dtype="float32")[0]
    assert np.abs(coarse - fine).max() <= 2 / 32768
    with pytest.raises(SystemExit):
        main(["render", str(src), "-o", str(tmp_path / "x.wav"), "--bit-depth", "8"])
    assert "--bit-depth" in capsys.readouterr().err


def test_render_can_end_every_file_at_the_last_bar_line(tmp_path, capsys):
    src = tiny_midi(tmp_path / "tiny.mid")  # one bar at 120 BPM: 2 s
    out = tmp_path / "out"
    for end, said in (("bar", "cut at"), ("loop", "looped at")):
        assert main(["render", str(src), "-o", str(out / f"{end}.wav"), "--stems",
                     str(out / end), "--sample-rate", "8000", "--synth", "builtin",
                     "--end", end]) == 0
        line = capsys.readouterr().out.strip().splitlines()[-1]
        assert line.startswith(f"rendered 1 bar (2.0 s of audio, {said} the last bar line) in ")
        files = [out / f"{end}.wav", *sorted((out / end).glob("*.wav"))]
        assert [sf.info(str(p)).frames for p in files] == [16000] * 3
    assert main(["render", str(src), "-o", str(out / "tail.wav"), "--sample-rate", "8000",
                 "--synth", "builtin"]) == 0
    assert sf.info(str(out / "tail.wav")).frames > 16000 + 4000  # the default: tails kept


def test_stems_cut_at_the_bar_line_fit_a_90_bpm_grid_to_the_sample(tmp_path, capsys):
    """Producer QA: `render d16.partita --stems DIR --sample-rate 48000 --end bar` on 16
    bars at 90 BPM wrote 2,048,001 frames (MIDI's 666,667 µs a beat), not 2,048,000."""
    from engine.io import load_song, save_song
    from engine.score import TempoChange

    beat = tuple(Note(36 if i % 2 == 0 else 38, i * 480, 60, 100) for i in range(64))
    src = tmp_path / "d16.partita"
    save_song(Song(tracks=(Track("Drums", 0, True, DRUM_CHANNEL, notes=beat),),
                   tempos=(TempoChange(0, 666_667),)), src)
    assert load_song(src).tempos[0].us_per_beat == 666_667
    out = tmp_path / "stems"
    assert main(["render", str(src), "--stems", str(out), "--sample-rate", "48000",
                 "--synth", "builtin", "--end", "bar"]) == 0
    assert [sf.info(str(p)).frames for p in out.glob("*.wav")] == [2_048_000]


def test_render_counts_a_pickup_apart_from_the_bars(tmp_path, capsys):
    from engine.score import TimeSignature

    src = tmp_path / "pickup.mid"  # a 1/4 pickup, then a bar of 4/4
    write_midi(Song(tracks=(Track("Keys", 0, notes=(Note(67, 0, 480), Note(60, 480, 1920))),),
                    time_signatures=(TimeSignature(0, 1, 4), TimeSignature(480, 4, 4))), src)
    assert main(["render", str(src), "-o", str(tmp_path / "m.wav"), "--sample-rate", "8000",
                 "--synth", "builtin", "--end", "bar"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("rendered 1 bar + pickup (2.5 s of audio, cut at the last bar ")


def test_no_output_is_a_clear_error(tmp_path, capsys):
    src = tiny_midi(tmp_path / "tiny.mid")
    assert main(["render", str(src)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == ("partita: error: render: nothing to write: give -o MIX.wav, --stems DIR "
                   "and/or --rehearsal DIR")


def test_a_broken_input_file_writes_nothing(tmp_path, capsys):
    src = tmp_path / "broken.mid"
    src.write_bytes(b"MThd\x00\x00\x00\x06\x00\x01")  # a header cut short
    mix, stems = tmp_path / "mix.wav", tmp_path / "stems"
    assert main(["render", str(src), "-o", str(mix), "--stems", str(stems)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"partita: error: {src}: ")
    assert not mix.exists() and not stems.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_a_file_cut_short_renders_what_it_holds_and_says_what_was_missing(tmp_path, capsys):
    from tests.engine.io.midi_builders import midi_bytes, off, on

    src = tmp_path / "cut.mid"
    src.write_bytes(midi_bytes([[on(60), off(60, 480)], [on(64), off(64, 480)]])[:-4])
    assert main(["render", str(src), "-o", str(tmp_path / "m.wav")]) == 0
    err = capsys.readouterr().err
    assert f"partita: warning: {src}: track 2 of 2 declares" in err  # render said nothing


def test_a_missing_input_or_soundfont_is_a_clear_error(tmp_path, capsys):
    assert main(["render", str(tmp_path / "nope.mid"), "-o", str(tmp_path / "m.wav")]) == 1
    assert capsys.readouterr().err.strip() == (  # FILE: problem, not "[Errno 2] ..."
        f"partita: error: {tmp_path / 'nope.mid'}: no such file or directory")
    src = tiny_midi(tmp_path / "tiny.mid")
    code = main(["render", str(src), "-o", str(tmp_path / "m.wav"),
                 "--soundfont", str(tmp_path / "missing.sf2")])
    assert code == 1
    assert capsys.readouterr().err.strip() == (
        f"partita: error: render: {tmp_path / 'missing.sf2'}: SoundFont file not found")
    assert not (tmp_path / "m.wav").exists()


def test_the_mix_must_be_a_wav_file(tmp_path, capsys):
    src = tiny_midi(tmp_path / "tiny.mid")
    assert main(["render", str(src), "-o", str(tmp_path / "mix.mp3")]) == 1
    assert "give a .wav file name" in capsys.readouterr().err


def test_an_empty_song_is_refused(tmp_path, capsys):
    src = tmp_path / "empty.mid"
    write_midi(Song(tracks=(Track("Nothing"),)), src)
    assert main(["render", str(src), "-o", str(tmp_path / "mix.wav")]) == 1
    assert "empty.mid: the song has no notes" in capsys.readouterr().err
    assert not (tmp_path / "mix.wav").exists()


def one_error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("partita: error: "), err
    return err[0]


def test_stems_must_be_a_folder(tmp_path, capsys):
    src = tiny_midi(tmp_path / "tiny.mid")
    file = tmp_path / "stem.wav"
    file.write_bytes(b"not a folder")
    for stems in (file, file / "sub"):
        assert main(["render", str(src), "--stems", str(stems), "-o",
                     str(tmp_path / "mix.wav")]) == 1
        assert "is a file, not a folder (--stems takes the folder" in one_error_line(capsys)
    assert file.read_bytes() == b"not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stem.wav", "tiny.mid"]


def test_stems_of_another_song_are_not_mixed_in(tmp_path, capsys):
    src = tiny_midi(tmp_path / "tiny.mid")
    stems = tmp_path / "stems"
    stems.mkdir()
    old = {"01 - Keys.wav": b"old keys", "03 - Strings.wav": b"old", "04 - Horns.wav": b"old"}
    for name, data in old.items():
        (stems / name).write_bytes(data)
    (stems / "notes.txt").write_text("mine")
    argv = ["render", str(src), "--stems", str(stems), "--sample-rate", "8000",
            "--synth", "builtin"]
    assert main(argv) == 1
    line = one_error_line(capsys)
    assert line == (f"partita: error: {stems}: holds 2 stem files from another render that "
                    "this song does not write ('03 - Strings.wav', '04 - Horns.wav'): add "
                    "--clean to delete them, or choose an empty folder")
    assert {p.name: p.read_bytes() for p in stems.iterdir() if p.suffix == ".wav"} == old

    assert main([*argv, "--clean"]) == 0
    assert "removed 2 old stems from" in (err := capsys.readouterr().err)
    assert "'03 - Strings.wav', '04 - Horns.wav'" in err  # each one named
    assert sorted(p.name for p in stems.iterdir() if p.name != SIDECAR) == [
        "01 - Keys.wav", "02 - Beat.wav", "notes.txt"]
    assert main(argv) == 0  # its own stems again: replaced, nothing to ask


def test_rehearsal_mixes_of_another_song_are_refused_or_cleaned(tmp_path, capsys):
    """QA: a piano song's rehearsal mixes written beside an SATB song's "Rehearsal -
    Alto.wav", which a singer would then learn from."""
    src = tiny_midi(tmp_path / "tiny.mid")  # one part to learn: Keys
    learn = tmp_path / "learn"
    learn.mkdir()
    old = {"Rehearsal - Alto.wav": b"satb", "Rehearsal - Tenor.wav": b"satb",
           "Rehearsal - Keys.wav": b"replaced"}
    for name, data in old.items():
        (learn / name).write_bytes(data)
    (learn / "notes.txt").write_text("mine")
    argv = ["render", str(src), "--rehearsal", str(learn), "--sample-rate", "8000",
            "--synth", "builtin"]
    assert main(argv) == 1
    assert one_error_line(capsys) == (
        f"partita: error: {learn}: holds 2 rehearsal mixes from another render that this "
        "song does not write ('Rehearsal - Alto.wav', 'Rehearsal - Tenor.wav'): add "
        "--clean to delete them, or choose an empty folder")
    assert {p.name: p.read_bytes() for p in learn.iterdir() if p.suffix == ".wav"} == old

    assert main([*argv, "--clean"]) == 0
    assert (f"removed 2 old rehearsal mixes from {learn}: 'Rehearsal - Alto.wav', "
            "'Rehearsal - Tenor.wav'") in capsys.readouterr().err
    assert sorted(p.name for p in learn.iterdir()) == ["Rehearsal - Keys.wav", "notes.txt"]
    assert main(argv) == 0  # its own again: replaced, nothing to ask


def test_clean_needs_stems(tmp_path, capsys):
    src = tiny_midi(tmp_path / "tiny.mid")
    assert main(["render", str(src), "-o", str(tmp_path / "m.wav"), "--clean"]) == 1
    assert "--clean goes with --stems DIR or --rehearsal DIR" in one_error_line(capsys)
    assert not (tmp_path / "m.wav").exists()


def test_a_mix_path_that_cannot_be_written_is_refused_before_rendering(tmp_path, capsys):
    song = tiny_midi(tmp_path / "s.mid")
    folder = tmp_path / "mix.wav"
    folder.mkdir()
    assert main(["render", str(song), "-o", str(folder)]) == 1
    assert one_error_line(capsys) == f"partita: error: {folder}: is a folder, not a file"
    final = tmp_path / "final.wav"
    final.write_bytes(b"keep")
    final.chmod(0o444)
    assert main(["render", str(song), "-o", str(final)]) == 1
    assert "read-only" in one_error_line(capsys) and final.read_bytes() == b"keep"
    long = tmp_path / ("a" * 251 + ".wav")  # a legal name: its temporary one must fit too
    assert main(["render", str(song), "-o", str(long), "--synth", "builtin"]) == 0
    assert long.is_file()


def test_render_says_which_stems_are_not_in_the_mix(tmp_path, capsys):
    # A muted track's stem is written but left out of the mix: nothing said it.
    from engine.io import save_song

    song = Song(tracks=(
        Track("Keys", 0, notes=(Note(60, 0, 480),)),
        Track("Pad", 0, notes=(Note(64, 0, 480),), mute=True),
    ))
    src = tmp_path / "muted.partita"
    save_song(song, src)
    assert main(["render", str(src), "--stems", str(tmp_path / "stems"),
                 "--sample-rate", "8000", "--synth", "builtin"]) == 0
    err = capsys.readouterr().err
    assert ("1 track would be left out of a mix (muted: Pad); its stem is written"
            in err)  # one track, one stem (it said "their stems are written")


def mixer_song(tmp_path, **settings):
    """Drums, Bass and Lead, each with ``settings[name]`` (mute/solo) applied."""
    from engine.io import save_song

    song = Song(tracks=tuple(
        Track(name, program, drum, DRUM_CHANNEL if drum else 0,
              notes=tuple(Note(pitch, i * 480, 240, velocity) for i in range(4)),
              **settings.get(name, {}))
        for name, program, drum, pitch, velocity in (
            ("Drums", 0, True, 36, 127), ("Bass", 33, False, 40, 110),
            ("Lead", 80, False, 72, 40))))
    src = tmp_path / "band.partita"
    save_song(song, src)
    return src


def test_a_mix_made_with_tracks_muted_or_soloed_says_what_it_leaves_out(tmp_path, capsys):
    """QA: with -o alone, muting or soloing tracks went unsaid (only --stems named them)."""
    src = mixer_song(tmp_path, Drums={"mute": True}, Lead={"solo": True})
    mix = tmp_path / "mix.wav"
    assert main(["render", str(src), "-o", str(mix), "--sample-rate", "8000",
                 "--synth", "builtin"]) == 0
    err = capsys.readouterr().err
    assert "note: the mix leaves out 2 tracks (muted: Drums; not soloed: Bass)\n" in err
    assert "stems" not in err
    src = mixer_song(tmp_path)
    assert main(["render", str(src), "-o", str(mix), "--sample-rate", "8000",
                 "--synth", "builtin"]) == 0
    assert "leaves out" not in capsys.readouterr().err  # every track heard: nothing said


def test_one_track_left_out_of_the_mix_has_its_stem_said_in_the_singular(tmp_path, capsys):
    """QA: "the mix leaves out 1 track (muted: Drums); their stems are written"."""
    src = mixer_song(tmp_path, Drums={"mute": True})
    assert main(["render", str(src), "-o", str(tmp_path / "mix.wav"), "--stems",
                 str(tmp_path / "stems"), "--sample-rate", "8000", "--synth", "builtin"]) == 0
    err = capsys.readouterr().err
    assert "note: the mix leaves out 1 track (muted: Drums); its stem is written\n" in err
    src = mixer_song(tmp_path, Drums={"mute": True}, Bass={"mute": True})
    assert main(["render", str(src), "-o", str(tmp_path / "mix.wav"), "--stems",
                 str(tmp_path / "stems"), "--sample-rate", "8000", "--synth", "builtin"]) == 0
    assert "out 2 tracks (muted: Drums, Bass); their stems are written\n" in (
        capsys.readouterr().err)


def test_the_peak_line_names_the_mix_and_the_loudest_stem(tmp_path, capsys):
    """QA: with --stems, 'peak -3.5 dBFS' was the loudest stem's, while the mix of a
    soloed Lead peaked at -8.4."""
    import numpy as np

    src = mixer_song(tmp_path, Lead={"solo": True})
    mix, stems = tmp_path / "mix.wav", tmp_path / "stems"
    assert main(["render", str(src), "-o", str(mix), "--stems", str(stems),
                 "--sample-rate", "8000", "--synth", "builtin"]) == 0
    line = next(x for x in capsys.readouterr().err.splitlines() if x.startswith("synth: "))
    said = dict(part.rsplit(" peak ", 1) for part in line.split(", ")[1:3])
    assert list(said) == ["mix", "loudest stem"]

    def peak_dbfs(path) -> float:
        return 20 * np.log10(np.abs(sf.read(str(path), dtype="float64")[0]).max())

    assert float(said["mix"].removesuffix(" dBFS")) == pytest.approx(peak_dbfs(mix), abs=0.06)
    loudest = max(peak_dbfs(p) for p in stems.glob("*.wav"))
    assert float(said["loudest stem"].removesuffix(" dBFS")) == pytest.approx(loudest,
                                                                            abs=0.06)
    assert peak_dbfs(mix) < loudest - 3  # the soft Lead alone against the loud drums


@pytest.mark.parametrize("settings, why", [
    ({"Drums": {"mute": True}, "Bass": {"mute": True}, "Lead": {"mute": True}},
     "every track is muted: unmute or solo a track to hear it in the mix"),
    ({"Lead": {"solo": True, "mute": True}},
     "the soloed track Lead is muted: unmute it, or solo another track"),
    ({"Drums": {"volume": 0.0}, "Bass": {"volume": 0.0}, "Lead": {"volume": 0.0}},
     "every track heard is at volume 0: Drums, Bass, Lead: raise a fader "
     "(tracks --volume T=100)"),
])
def test_a_silent_mix_is_a_warning_and_exit_status_0(tmp_path, capsys, settings, why):
    """QA: every track muted wrote a silent mix.wav with 'peak -inf dBFS' and nothing
    said; every fader at 0 was told to unmute or solo a track. A warning, exit status 0:
    the file is written (exit 1 says none was)."""
    src = mixer_song(tmp_path, **settings)
    mix, stems = tmp_path / "mix.wav", tmp_path / "stems"
    assert main(["render", str(src), "-o", str(mix), "--stems", str(stems),
                 "--sample-rate", "8000", "--synth", "builtin"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("rendered 1 bar")  # written all the same: the stems too
    assert mix.is_file() and len(list(stems.glob("*.wav"))) == 3
    assert not sf.read(str(mix), dtype="int32")[0].any()
    err = captured.err.splitlines()
    assert err[-1] == f"partita: warning: mix.wav is silent: {why}"
    assert "inf" not in captured.err


def test_silent_rehearsal_mixes_are_a_warning_too(tmp_path, capsys):
    """QA: every fader at 0 wrote silent rehearsal mixes with nothing said (-o got a
    warning)."""
    src = mixer_song(tmp_path, Drums={"volume": 0.0}, Bass={"volume": 0.0},
                     Lead={"volume": 0.0})
    learn = tmp_path / "learn"
    why = ("every track heard is at volume 0: Drums, Bass, Lead: raise a fader (tracks "
           "--volume T=100)")
    assert main(["render", str(src), "--rehearsal", str(learn), "--sample-rate", "8000",
                 "--synth", "builtin"]) == 0
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"partita: warning: the 2 rehearsal mixes in {learn.as_posix()}/ are silent: {why}")
    assert sorted(p.name for p in learn.iterdir()) == ["Rehearsal - Bass.wav",
                                                       "Rehearsal - Lead.wav"]
    mix = tmp_path / "mix.wav"
    assert main(["render", str(src), "-o", str(mix), "--rehearsal", str(learn),
                 "--sample-rate", "8000", "--synth", "builtin"]) == 0
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"partita: warning: mix.wav and the 2 rehearsal mixes in {learn.as_posix()}/ are "
        f"silent: {why}")
    # One part: its file named; a heard mix: nothing said.
    solo = mixer_song(tmp_path, Lead={"solo": True, "volume": 0.0})
    assert main(["render", str(solo), "--rehearsal", str(tmp_path / "one"),
                 "--sample-rate", "8000", "--synth", "builtin"]) == 0
    assert capsys.readouterr().err.splitlines()[-1].startswith(
        "partita: warning: Rehearsal - Lead.wav is silent: ")
    assert main(["render", str(mixer_song(tmp_path)), "--rehearsal", str(tmp_path / "ok"),
                 "--sample-rate", "8000", "--synth", "builtin"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_a_soloed_empty_track_is_said_to_be_why_the_mix_is_silent(tmp_path, capsys):
    from engine.io import save_song

    song = Song(tracks=(Track("Keys", notes=(Note(60, 0, 480),)), Track("Empty", solo=True)))
    save_song(song, src := tmp_path / "s.partita")
    assert main(["render", str(src), "-o", str(tmp_path / "m.wav"), "--sample-rate", "8000",
                 "--synth", "builtin"]) == 0
    assert capsys.readouterr().err.splitlines()[-1] == (
        "partita: warning: m.wav is silent: the soloed track Empty has no notes: solo a "
        "track with notes, or unsolo Empty")


def test_the_summary_names_the_stems_of_silence_and_why(tmp_path, capsys):
    """As the studio's export: an empty track's stem, and a track at volume 0's."""
    from engine.io import save_song

    song = Song(tracks=(
        Track("Keys", notes=(Note(60, 0, 480),)),
        Track("808", 38, notes=(Note(36, 0, 480),), volume=0.0),
        Track("Lead", 80, notes=(Note(72, 0, 480),), volume=0.0), Track("Empty")))
    save_song(song, src := tmp_path / "s.partita")
    assert main(["render", str(src), "--stems", str(tmp_path / "stems"),
                 "--sample-rate", "8000", "--synth", "builtin"]) == 0
    err = capsys.readouterr().err
    assert "partita: note: Empty has no notes: its stem is silence\n" in err
    assert "partita: note: 808 and Lead are at volume 0: their stems are silence\n" in err
    assert main(["render", str(src), "--stems", str(tmp_path / "dry"), "--dry-stems",
                 "--sample-rate", "8000", "--synth", "builtin"]) == 0
    assert "volume 0" not in capsys.readouterr().err  # pre-fader: they sound


def test_render_into_a_folder_with_a_name_too_long_says_which_name(tmp_path, capsys):
    # QA: "the path is too long (324 bytes)" when one folder's name was over 255 bytes,
    # the path itself far from the system's limit.
    src = tiny_midi(tmp_path / "tiny.mid")
    long = "a" * 300
    for args in (["--stems", str(tmp_path / long / "stems")],
                 ["-o", str(tmp_path / long / "mix.wav")]):
        assert main(["render", str(src), *args, "--synth", "builtin", "-q"]) == 1
        err = capsys.readouterr().err
        assert (f'the folder name "{"a" * 20}…{"a" * 20}" is too long (300 bytes; at most '
                "255)") in err
        assert "the path is too long" not in err
    assert not (tmp_path / long[:255]).exists()


def test_render_writes_a_rehearsal_mix_per_part_with_a_count_in(tmp_path, capsys):
    src = tmp_path / "duet.mid"
    write_midi(Song(tracks=(
        Track("Soprano", 52, notes=tuple(Note(72, i * 480, 480, 90) for i in range(4))),
        Track("Alto", 52, channel=1, notes=tuple(Note(65, i * 480, 480, 90) for i in range(4))),
        Track("Beat", 0, True, DRUM_CHANNEL, notes=tuple(Note(36, i * 480, 60) for i in range(4))),
    )), src)
    out = tmp_path / "learn"
    assert main(["render", str(src), "-o", str(tmp_path / "mix.wav"), "--rehearsal", str(out),
                 "--count-in", "1", "--sample-rate", "8000", "--synth", "builtin"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.endswith(f", 2 rehearsal mixes, after 1 bar of count-in in {out.as_posix()}/ "
                         "(24-bit WAV, 8000 Hz)")
    assert sorted(p.name for p in out.iterdir()) == ["Rehearsal - Alto.wav",
                                                     "Rehearsal - Soprano.wav"]
    mix = sf.info(str(tmp_path / "mix.wav")).frames
    assert sf.info(str(out / "Rehearsal - Alto.wav")).frames == mix + 2 * 8000  # a bar: 2 s
    assert main(["render", str(src), "-o", str(tmp_path / "m.wav"), "--count-in", "1"]) == 1
    assert capsys.readouterr().err.strip() == (
        "partita: error: render: --count-in goes with --rehearsal DIR")


def pickup_midi(path):
    """A quarter-note pickup at 100 BPM, then a 4/4 bar: bar 1 starts 0.6 s in."""
    from engine.score import TempoChange, TimeSignature

    song = Song(tracks=(Track("Tune", 0, notes=(Note(67, 0, 480, 90), Note(72, 480, 1920, 90))),),
                tempos=(TempoChange(0, 600_000),),
                time_signatures=(TimeSignature(0, 1, 4), TimeSignature(480, 4, 4)))
    write_midi(song, path)
    return path


def test_render_of_a_song_with_a_pickup_says_where_bar_1_falls(tmp_path, capsys):
    import mido

    src = pickup_midi(tmp_path / "pickup.mid")
    assert main(["render", str(src), "--stems", str(tmp_path / "stems"), "--sample-rate",
                 "44100", "--synth", "builtin"]) == 0
    err = capsys.readouterr().err
    assert ("partita: note: the stems start with the pickup: bar 1 at 0.600 s "
            "(sample 26460 at 44100 Hz): place them there on your DAW's bar 1, or with the "
            "pickup's start on it (as the song's MIDI file has it)") in err
    # The MIDI file agrees: the pickup at tick 0, bar 1 (its 4/4) 0.6 s in.
    mf = mido.MidiFile(src)
    bar_one = next(m for m in mido.merge_tracks(mf.tracks) if m.type == "time_signature"
                   and m.numerator == 4)
    ticks = sum(m.time for m in mido.merge_tracks(mf.tracks)[
        :mido.merge_tracks(mf.tracks).index(bar_one) + 1])
    assert mido.tick2second(ticks, mf.ticks_per_beat, 600_000) == 0.6
    # And the stems: silence before the pickup's note would be none; it sounds at 0.
    audio, rate = sf.read(str(tmp_path / "stems" / "01 - Tune.wav"))
    assert rate == 44100 and abs(audio[:2000]).max() > 0
    # The note names what was written: the mix alone, or both.
    for argv, written, them in ((["-o", tmp_path / "mix.wav"], "the mix starts", "it"),
                                (["-o", tmp_path / "mix.wav", "--stems", tmp_path / "stems"],
                                 "the mix and stems start", "them")):
        assert main(["render", str(src), *map(str, argv), "--sample-rate", "8000",
                     "--synth", "builtin"]) == 0
        assert (f"partita: note: {written} with the pickup: bar 1 at 0.600 s (sample 4800 "
                f"at 8000 Hz): place {them} there") in capsys.readouterr().err


def test_render_without_a_pickup_says_nothing_of_bar_1(tmp_path, capsys):
    src = tiny_midi(tmp_path / "tiny.mid")
    assert main(["render", str(src), "--stems", str(tmp_path / "stems"), "--sample-rate",
                 "8000", "--synth", "builtin"]) == 0
    assert "bar 1 at" not in capsys.readouterr().err


def test_dry_stems_are_said_and_need_stems(tmp_path, capsys):
    src = tiny_midi(tmp_path / "tiny.mid")
    assert main(["render", str(src), "-o", str(tmp_path / "m.wav"), "--dry-stems"]) == 1
    assert "--dry-stems goes with --stems" in one_error_line(capsys)
    assert main(["render", str(src), "--stems", str(tmp_path / "stems"), "--dry-stems",
                 "--sample-rate", "8000", "--synth", "builtin"]) == 0
    assert "2 dry stems in" in capsys.readouterr().out


def test_render_of_a_range_of_bars_starts_at_its_downbeat_and_ends_on_its_line(tmp_path,
                                                                             capsys):
    """A producer's loop range: bars 3-6 of 8 at 124 BPM, 48 kHz, --end bar, are the four
    bars' whole samples (4 * 4 * 60 / 124 * 48000 = 371,612.9), the mix and every stem;
    no note on where bar 1 falls (sample 0 is bar 3)."""
    from engine.score import TempoChange

    src = tmp_path / "loop.mid"
    write_midi(Song(tracks=(
        Track("Pad", 89, notes=(Note(60, 0, 6 * 1920, 90),)),
        Track("Bass", 33, notes=(Note(36, 6 * 1920, 1920, 100),)),
    ), tempos=(TempoChange(0, round(60_000_000 / 124)),)), src)
    out = tmp_path / "out"
    assert main(["render", str(src), "-o", str(out / "mix.wav"), "--stems", str(out / "stems"),
                 "--sample-rate", "48000", "--synth", "builtin", "--end", "bar",
                 "--bars", "3-6"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip().splitlines()[-1].startswith(
        "rendered bars 3–6 (7.7 s of audio, cut at the range's end) in ")
    assert "bar 1 at" not in captured.err
    files = [out / "mix.wav", *sorted((out / "stems").glob("*.wav"))]
    assert [sf.info(str(p)).frames for p in files] == [371_612] * 3
    pad, _ = sf.read(str(out / "stems" / "01 - Pad.wav"))
    bass, _ = sf.read(str(out / "stems" / "02 - Bass.wav"))
    assert abs(pad[:2400]).max() > 0.01 and not bass.any()  # held from bar 1; bar 7's


def test_a_range_is_read_as_repaints_bars_are(tmp_path, capsys):
    """A pickup is bar 0; a bar.beat starts at a beat; one range, inside the song."""
    from engine.score import TimeSignature

    src = tmp_path / "pickup.mid"  # a 1/4 pickup, then two bars of 4/4 at 120 BPM
    write_midi(Song(tracks=(Track("Keys", 0, notes=(Note(67, 0, 480), Note(60, 480, 3840))),),
                    time_signatures=(TimeSignature(0, 1, 4), TimeSignature(480, 4, 4))), src)
    mix = tmp_path / "m.wav"
    for bars, said, frames in (("0-1", "bars 0–1", 20000), ("1.2-1.3", "1.2–1.3", 8000),
                               ("2.4-2.4", "2.4", 4000)):
        assert main(["render", str(src), "-o", str(mix), "--sample-rate", "8000",
                     "--synth", "builtin", "--end", "loop", "--bars", bars]) == 0
        assert capsys.readouterr().out.strip().splitlines()[-1].startswith(
            f"rendered {said} (")
        assert sf.info(str(mix)).frames == frames
    assert "past the song's end" not in capsys.readouterr().err
    for bars, error in (("5-6", "the song has bars 0–2: the range starts after its end"),
                        ("1,2", "render takes one range of bars"),
                        ("1-x", "give bars as A-B")):
        assert main(["render", str(src), "-o", str(mix), "--bars", bars]) == 1
        assert error in capsys.readouterr().err


def test_a_range_past_the_songs_end_says_which_bars_are_silence(tmp_path, capsys):
    """A loop range of bars 7-10 on an 8-bar song is rendered to its end, said."""
    src = tmp_path / "eight.mid"
    write_midi(Song(tracks=(Track("Keys", 0, notes=(Note(60, 7 * 1920, 1920),)),)), src)
    assert main(["render", str(src), "-o", str(tmp_path / "m.wav"), "--sample-rate", "8000",
                 "--synth", "builtin", "--end", "bar", "--bars", "7-10"]) == 0
    captured = capsys.readouterr()
    assert "rendered bars 7–10 (" in captured.out
    assert "partita: note: bars 9–10 are past the song's end: silence\n" in captured.err
    assert main(["render", str(src), "-o", str(tmp_path / "m.wav"), "--sample-rate", "8000",
                 "--synth", "builtin", "--bars", "8.3-9.1"]) == 0
    captured = capsys.readouterr()
    assert "rendered 8.3–9.1 (" in captured.out
    assert "partita: note: bar 9 is past the song's end: silence\n" in captured.err


def test_ctrl_c_while_a_wav_is_written_is_an_interrupt_and_leaves_no_file(
        tmp_path, capsys, monkeypatch):
    """QA: Ctrl+C landing in soundfile's write callback (vio_write) printed "Exception
    ignored from cffi callback … KeyboardInterrupt", then "internal error:
    AssertionError", exit 3 — in 6 of 12 tries."""
    import os
    import signal

    from engine.render import files

    class CtrlCOnWrite:  # the WAV being written: the user presses Ctrl+C as it grows
        def __init__(self, f, when):
            self._f, self._when, self._writes = f, when, 0

        def __getattr__(self, name):
            return getattr(self._f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._f.close()

        def write(self, data):  # called back from C (libsndfile), as the real file is
            self._writes += 1
            if self._writes == self._when:
                os.kill(os.getpid(), signal.SIGINT)
            return self._f.write(data)

    src = tiny_midi(tmp_path / "tiny.mid")
    for when in (2, 4):  # the header (lost, libsndfile went on), the samples (soundfile
        # failed with an AssertionError)
        monkeypatch.setattr(files, "open", lambda path, mode, when=when: CtrlCOnWrite(
            open(path, mode), when), raising=False)  # noqa: SIM115 (closed by it)
        out = tmp_path / f"out{when}"
        assert main(["render", str(src), "-o", str(out / "mix.wav"), "--stems",
                     str(out / "stems"), "--sample-rate", "8000", "--synth", "builtin",
                     "-q"]) == 130
        assert capsys.readouterr().err == "partita: interrupted\n"  # no "Exception
        # ignored", no internal error
        assert [p for p in out.rglob("*") if p.is_file()] == []  # nothing half-written
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_render_help_says_it_reads_musicxml_too(capsys):
    """QA: the help said IN is "MIDI or .partita", and a MusicXML score renders."""
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "a MIDI file, a .partita project or a MusicXML score: .musicxml, .xml, .mxl" in text
    assert "MIDI or .partita)" not in text


def test_a_daw_loop_with_a_late_note_off_renders_and_reads_as_its_bars(tmp_path, capsys):
    """QA: a 4-bar MIDI loop whose last note-off is 5 ticks after bar 4 (as a DAW exports
    it): `info` said 5 bars, `render --end loop` wrote 5 bars, almost one silent."""
    song = Song(tracks=(
        Track("Keys", 0, notes=tuple(Note(60 + i % 5, i * 480, 480 + 5 * (i == 15))
                                     for i in range(16))),
        Track("Bass", 33, notes=(Note(36, 3 * 1920, 1925),)),
    ))
    src = tmp_path / "daw4.mid"
    write_midi(song, src)
    assert main(["info", str(src)]) == 0
    assert ", 4 bars\n" in capsys.readouterr().out
    mix = tmp_path / "x.wav"
    assert main(["render", str(src), "-o", str(mix), "--end", "loop", "--sample-rate",
                 "8000", "--synth", "builtin"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("rendered 4 bars (8.0 s of audio, looped at the last bar line)")
    assert sf.info(str(mix)).frames == 4 * 2 * 8000  # 120 BPM: 2 s a bar
    assert ("partita: note: 2 notes ring past the loop's end (the end of bar 4) and are "
            "wrapped onto its start: Keys (1), Bass (1)\n") in err
    assert main(["render", str(src), "-o", str(mix), "--sample-rate", "8000", "--synth",
                 "builtin"]) == 0
    assert "ring past" not in capsys.readouterr().err  # --end tail: they ring out


def test_a_fixed_gain_that_clips_is_a_warning_naming_the_files_and_the_gain_that_fits(
        tmp_path, capsys):
    """render --gain: the files are written (exit status 0); those past 0 dBFS are named
    with how far, clipped in 24-bit (a warning) or kept in float (a note), and the
    --gain that fits is suggested; rendered at it, nothing clips."""
    import numpy as np

    src = tiny_midi(tmp_path / "tiny.mid")
    args = ["render", str(src), "--sample-rate", "8000", "--synth", "builtin", "-q"]
    assert main([*args, "-o", str(tmp_path / "int" / "mix.wav"), "--stems",
                 str(tmp_path / "int" / "stems"), "--gain", "20"]) == 0
    err = capsys.readouterr().err
    assert ", fixed gain +20.0 dB\n" in err
    (warning,) = [line for line in err.splitlines() if line.startswith("partita: warning: ")]
    assert warning.startswith("partita: warning: 3 files clip in 24-bit: mix.wav by 6.1 dB, "
                              "01 - Keys.wav by ")
    assert warning.endswith("(past 0 dBFS at the fixed gain +20.0 dB): --gain 12.9 fits "
                            "them (the loudest at -1 dBFS)")
    assert err.rstrip().endswith(warning)  # said last, as the other render warnings
    mix = sf.read(str(tmp_path / "int" / "mix.wav"))[0]
    assert np.abs(mix).max() == pytest.approx(1.0, abs=1e-6)  # clipped flat
    # Float keeps the overs: a note, not a warning.
    assert main([*args, "-o", str(tmp_path / "f.wav"), "--gain=+20", "--bit-depth",
                 "32f"]) == 0
    err = capsys.readouterr().err
    assert ("partita: note: f.wav passes 0 dBFS by 6.1 dB (at the fixed gain +20.0 dB), "
            "kept in 32-bit float: a player or a 16/24-bit copy clips it; --gain 12.9 fits "
            "it (its peak at -1 dBFS)") in err and "partita: warning" not in err
    assert np.abs(sf.read(str(tmp_path / "f.wav"))[0]).max() > 2.0  # +6.1 dBFS
    # At the gain suggested: nothing said, the mix at -1 dBFS or just under.
    assert main([*args, "-o", str(tmp_path / "fits.wav"), "--gain", "12.9"]) == 0
    err = capsys.readouterr().err
    assert "partita: " not in err and "mix peak -1.0 dBFS" in err
    # Normalised (no --gain): the gain is said only when it lowered the files, as before.
    assert main([*args, "-o", str(tmp_path / "n.wav")]) == 0
    assert "gain" not in capsys.readouterr().err.replace(str(tmp_path), "")


def test_a_fixed_gain_out_of_range_is_refused_before_rendering(tmp_path, capsys):
    src = tiny_midi(tmp_path / "tiny.mid")
    for db in ("30", "nan", "-100"):
        assert main(["render", str(src), "-o", str(tmp_path / "x.wav"), "--gain", db]) == 1
        assert "--gain: a fixed gain of " in capsys.readouterr().err
    assert main(["render", str(src), "-o", str(tmp_path / "x.wav"), "--gain", "0",
                 "--gain", "-6"]) == 1
    assert "--gain given twice (0, then -6)" in capsys.readouterr().err
    assert not (tmp_path / "x.wav").exists()


def late_note_midi(path):
    """A MIDI file whose second note comes after one delta of 0x0FFFFFFF ticks at 96 PPQ:
    16 days of silence (QA: render asked numpy for 459 GiB)."""
    import mido

    mf = mido.MidiFile(ticks_per_beat=96)
    track = mido.MidiTrack()
    mf.tracks.append(track)
    for note, delta in ((60, 0), (62, 0x0FFFFFFF)):
        track.append(mido.Message("note_on", note=note, velocity=90, time=delta))
        track.append(mido.Message("note_off", note=note, time=96))
    mf.save(path)
    return path


def test_a_song_too_long_to_render_is_refused_at_once_naming_its_length(tmp_path, capsys):
    src = late_note_midi(tmp_path / "latenote.mid")
    out = tmp_path / "late.wav"
    assert main(["render", str(src), "-o", str(out)]) == 1
    assert one_error_line(capsys) == (
        f"partita: error: {src}: the song is 699,052 bars long (16 days 4 h): more audio "
        "than Partita renders at once, at most 3 h 22 min at 44100 Hz: render part of it "
        "with --bars A-B")
    assert not out.exists()
    # What it suggests works: a range of it renders (its own levels: the whole song's
    # could not be learnt).
    assert main(["render", str(src), "-o", str(out), "--bars", "1-2", "-q"]) == 0
    assert sf.info(str(out)).duration < 10


def test_a_read_only_output_folder_is_named_not_a_hidden_staging_file(tmp_path, capsys,
                                                                        monkeypatch):
    import os
    from pathlib import Path

    from engine.cli import common

    src = tiny_midi(tmp_path / "demo.mid")
    ro = tmp_path / "ro"
    ro.mkdir()
    real = os.access
    monkeypatch.setattr(common.os, "access",  # a read-only disk (root passes chmod)
                        lambda p, mode: False if Path(p) == ro else real(p, mode))
    for args in (["-o", str(ro / "mix.wav")], ["--stems", str(ro / "stems")]):
        assert main(["render", str(src), *args, "-q"]) == 1
        shown = args[1]
        assert one_error_line(capsys) == (f"partita: error: {shown}: cannot write in {ro} "
                                          "(read-only, or no permission)")
    assert list(ro.iterdir()) == []


def test_a_folder_read_only_only_once_rendering_names_the_folder(tmp_path, capsys,
                                                                  monkeypatch):
    import errno

    import engine.render as render

    src = tiny_midi(tmp_path / "demo.mid")
    out = tmp_path / "ro" / "mix.wav"
    out.parent.mkdir()

    def remounted(*args, **kwargs):  # the disk went read-only after the checks
        raise OSError(errno.EROFS, "Read-only file system",
                      str(out.parent / ".mix.wav.6e70e691.raw"))
    monkeypatch.setattr(render, "render_files", remounted)
    assert main(["render", str(src), "-o", str(out), "-q"]) == 1
    assert one_error_line(capsys) == (f"partita: error: render: the folder {out.parent} "
                                      "cannot be written in (read-only, or no permission)")


def test_render_stem_names_give_each_variation_its_own_sortable_files(tmp_path, capsys):
    """Middleware: two variations of a loop side by side in one folder, by song."""
    a, b = tiny_midi(tmp_path / "loop-1.mid"), tiny_midi(tmp_path / "loop-2.mid")
    stems = tmp_path / "stems"
    for src in (a, b):
        assert main(["render", str(src), "--stems", str(stems), "--sample-rate", "8000",
                     "--synth", "builtin", "--stem-names", "{song}_{nn}_{track}"]) == 0
    assert sorted(p.name for p in stems.glob("*.wav")) == [
        "loop-1_01_Keys.wav", "loop-1_02_Beat.wav", "loop-2_01_Keys.wav",
        "loop-2_02_Beat.wav"]
    capsys.readouterr()
    for bad, said in (("{song}_{nn}", "needs {track}"), ("{title}_{track}", "no field {title}"),
                      ("{song}/{track}", "'/' cannot be in a file name")):
        assert main(["render", str(a), "--stems", str(stems), "--stem-names", bad]) == 1
        assert said in capsys.readouterr().err


def test_render_refuses_to_replace_another_songs_stems_of_the_same_names(tmp_path, capsys):
    """QA: a second song's '01 - Keys.wav' silently replaced the first's (exit 0)."""
    a, b = tiny_midi(tmp_path / "a.mid"), tiny_midi(tmp_path / "b.mid")
    stems = tmp_path / "stems"
    args = ["--stems", str(stems), "--sample-rate", "8000", "--synth", "builtin"]
    assert main(["render", str(a), *args]) == 0
    before = (stems / "01 - Keys.wav").stat().st_mtime_ns
    assert main(["render", str(a), *args]) == 0  # the same song again: its own stems
    capsys.readouterr()
    assert main(["render", str(b), *args]) == 1
    err = capsys.readouterr().err
    assert "holds 2 stem files of another song that this render would replace" in err
    assert "--clean" in err and "--stem-names" in err
    assert (stems / "01 - Keys.wav").stat().st_mtime_ns >= before
    assert main(["render", str(b), *args, "--clean"]) == 0  # replaced, and now b's
    capsys.readouterr()
    assert main(["render", str(a), *args]) == 1
