"""Rendering songs to stems and mixes, with the SoundFont synth and the built-in one."""

import itertools
from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

from engine.render import (
    CEILING_DBFS,
    RenderError,
    SoundFontError,
    mix,
    mixing,
    render_files,
    render_tracks,
    renderer,
)
from engine.render import soundfont as sf_module
from engine.score import DRUM_CHANNEL, Note, ProgramChange, Song, TimeMap, Track

CEILING = 10 ** (CEILING_DBFS / 20)
SR = 16000
BAR = 4 * 480


def onset_frame(audio: np.ndarray, rel: float = 0.05) -> int:
    """First frame whose level passes ``rel`` of the peak."""
    level = np.abs(audio).max(axis=1)
    return int(np.argmax(level > rel * level.max()))


def rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))


def band_share(audio: np.ndarray, sr: int, lo: float) -> float:
    """Share of the signal's energy above ``lo`` Hz."""
    spec = np.abs(np.fft.rfft(audio.mean(axis=1))) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1 / sr)
    return float(spec[freqs >= lo].sum() / spec.sum())


@pytest.fixture(params=["builtin", "soundfont"])
def synth_kwargs(request):
    if request.param == "builtin":
        return {"synth": "builtin"}
    return {"synth": "soundfont", "soundfont": request.getfixturevalue("soundfont")}


def test_stems_share_one_length_and_cover_the_song(song, synth_kwargs):
    stems = render_tracks(song, SR, **synth_kwargs)
    assert set(stems) == {t.id for t in song.tracks}
    lengths = {a.shape for a in stems.values()}
    assert len(lengths) == 1
    (n, channels), = lengths
    assert channels == 2 and all(a.dtype == np.float32 for a in stems.values())
    song_seconds = TimeMap.of(song).tick_to_seconds(song.end)
    assert n / SR >= song_seconds + 0.1  # the release tail is kept


def test_onset_after_tempo_change_lands_on_its_sample(song, synth_kwargs):
    stems = render_tracks(song, SR, **synth_kwargs)
    piano = stems[song.tracks[0].id]
    # Bar 2 starts after 2 beats at 120 BPM and 2 beats at 90 BPM: 1.0 + 1.333 s.
    expected = round((1.0 + 4 / 3) * SR)
    assert abs(onset_frame(piano) - expected) <= 0.010 * SR
    assert np.abs(piano[: expected - SR // 100]).max() < 1e-3  # silent before it: starts at 0


def test_notes_from_time_zero_start_at_frame_zero(song, synth_kwargs):
    stems = render_tracks(song, SR, **synth_kwargs)
    assert onset_frame(stems[song.tracks[1].id]) <= 0.010 * SR  # the bass plays at tick 0


def test_drums_are_audible_and_percussive(synth_kwargs):
    kick = Track("Kick", 0, True, DRUM_CHANNEL, notes=(Note(36, 0, 60, 110),))
    hat = Track("Hat", 0, True, DRUM_CHANNEL, notes=(Note(42, 0, 60, 110),))
    song = Song(tracks=(kick, hat), length=BAR)
    stems = render_tracks(song, SR, **synth_kwargs)
    k, h = stems[kick.id], stems[hat.id]
    for audio in (k, h):
        assert np.abs(audio).max() > 10 ** (-30 / 20)  # audible
        # Percussive: the first 50 ms are far louder than 0.5-1 s later.
        assert rms(audio[: SR // 20]) > 10 * rms(audio[SR // 2 : SR])
    assert band_share(h[: SR // 4], SR, 3000) > 0.5  # a hi-hat is bright noise
    assert band_share(k[: SR // 4], SR, 3000) < 0.2  # a kick is low


def test_program_changes_change_the_sound(synth_kwargs):
    notes = (Note(60, 0, 900, 100), Note(60, BAR, 900, 100))
    plain = Track("A", 0, notes=notes)
    switched = Track("B", 0, notes=notes, program_changes=(ProgramChange(BAR, 73),))
    song = Song(tracks=(plain, switched))
    stems = render_tracks(song, SR, **synth_kwargs)
    first = slice(0, SR // 2)
    second = slice(round(2 * SR), round(2.5 * SR))  # bar 2 at 120 BPM
    a, b = stems[plain.id], stems[switched.id]
    np.testing.assert_allclose(a[first], b[first], atol=1e-4)
    assert rms(a[second] - b[second]) > 0.1 * rms(a[second])


def test_volume_and_pan_are_in_the_stem(song):
    quiet = replace(song.tracks[0], volume=0.5, pan=-1.0)
    loud = song.tracks[0]
    two = Song(tracks=(loud, replace(quiet, id=loud.id + 10_000)), tempos=song.tempos)
    stems = render_tracks(two, SR, synth="builtin")
    a, b = stems[loud.id], stems[loud.id + 10_000]
    # Hard left, constant power: the left side +3 dB (√2), at half volume.
    np.testing.assert_allclose(b[:, 0], 0.5 * np.sqrt(2) * a[:, 0], atol=1e-6)
    assert np.abs(b[:, 1]).max() == 0  # hard left: nothing on the right


def test_mix_follows_mute_and_solo_but_stems_do_not(song):
    piano, bass, drums = song.tracks
    muted = replace(song, tracks=(replace(piano, mute=True), bass, drums))
    stems = render_tracks(muted, SR, synth="builtin")
    assert np.abs(stems[piano.id]).max() > 0.01  # a muted track still gets its stem
    expected = stems[bass.id] + stems[drums.id]
    np.testing.assert_allclose(mix(stems, muted), expected * min(1, CEILING / np.abs(
        expected).max()), atol=1e-6)
    soloed = replace(song, tracks=(piano, replace(bass, solo=True), drums))
    np.testing.assert_allclose(mix(stems, soloed), stems[bass.id], atol=1e-6)


def test_a_loud_mix_never_clips():
    chords = tuple(Note(p, i * 240, 240, 127) for i in range(8) for p in (48, 52, 55, 60, 64))
    tracks = tuple(Track(f"T{i}", program=p, notes=chords) for i, p in enumerate((0, 19, 30, 81)))
    song = Song(tracks=(*tracks, Track("D", 0, True, DRUM_CHANNEL, notes=tuple(
        Note(k, i * 240, 60, 127) for i in range(8) for k in (36, 38, 49)))))
    stems = render_tracks(song, SR, synth="builtin")
    assert sum(np.abs(a).max() for a in stems.values()) > 1  # it would clip, summed as is
    assert np.abs(mix(stems, song)).max() <= CEILING + 1e-6


def test_stems_get_the_mix_gain_whether_or_not_the_mix_is_written(tmp_path):
    # Six loud pianos: each stem alone is below the ceiling, their sum far above it.
    chords = tuple(Note(p, i * 480, 480, 127) for i, r in enumerate((36, 48, 40, 43))
                   for p in (r, r + 12, r + 19))
    song = Song(tracks=tuple(Track(f"Pno {i}", notes=chords) for i in range(6)))
    alone = render_files(song, None, tmp_path / "alone", sample_rate=SR, synth="builtin")
    beside = render_files(song, tmp_path / "mix.wav", tmp_path / "beside", sample_rate=SR,
                          synth="builtin")
    assert alone.gain_db == beside.gain_db < 0
    for a, b in zip(alone.stem_paths, beside.stem_paths, strict=True):
        np.testing.assert_array_equal(sf.read(str(a))[0], sf.read(str(b))[0])
    summed = sum(sf.read(str(p), dtype="float32")[0] for p in alone.stem_paths)
    assert np.abs(summed).max() <= CEILING + 1e-4


def loud_band() -> Song:
    """Four loud pianos, a bass and drums: their mix passes the ceiling, so it is
    brought down (by more than any one track would bring it)."""
    chords = tuple(Note(p, i * 480, 480, 127) for i, r in enumerate((36, 48, 40, 43))
                   for p in (r, r + 12, r + 19))
    drums = Track("Drums", 0, True, DRUM_CHANNEL, notes=tuple(
        Note(k, i * 240, 60, 127) for i in range(8) for k in (36, 42)))
    return Song(tracks=(*(Track(f"Pno {i}", notes=chords) for i in range(4)),
                        Track("Bass", 33, notes=tuple(Note(36, i * 480, 480, 127)
                                                      for i in range(4))), drums))


def test_stems_are_the_same_whatever_is_muted_or_soloed(synth_kwargs, tmp_path):
    # Muting the drums took the gain from -1.7 to -0.5 dB: every stem 1.1 dB louder.
    song = loud_band()
    *pianos, bass, drums = song.tracks
    takes = {"all": song,
             "drums muted": replace(song, tracks=(*pianos, bass, replace(drums, mute=True))),
             "bass soloed": replace(song, tracks=(*pianos, replace(bass, solo=True), drums))}
    reports = {name: render_files(s, tmp_path / name / "mix.wav", tmp_path / name / "stems",
                                  sample_rate=SR, **synth_kwargs)
               for name, s in takes.items()}
    assert reports["all"].gain_db < -0.5
    for name, report in reports.items():
        assert report.gain_db == reports["all"].gain_db, name
        for a, b in zip(reports["all"].stem_paths, report.stem_paths, strict=True):
            assert a.read_bytes() == b.read_bytes(), (name, a.name)
        # The mix honours mute and solo at that gain: the stems heard in it, summed.
        heard = takes[name].audible_ids()
        summed = sum(sf.read(str(p))[0] for t, p in zip(song.tracks, report.stem_paths,
                                                       strict=True) if t.id in heard)
        mixed = sf.read(str(report.mix_path))[0]
        assert np.abs(mixed - summed).max() <= len(heard) * 2.0 ** -23, name
        assert report.mix_gain_db == report.gain_db
    mixes = [sf.read(str(r.mix_path))[0] for r in reports.values()]
    assert rms(mixes[0] - mixes[1]) > 0.01 and rms(mixes[0] - mixes[2]) > 0.01
    # The mix alone, and the stems alone, have the gain they have together.
    muted = takes["drums muted"]
    alone = render_files(muted, tmp_path / "alone.wav", sample_rate=SR, **synth_kwargs)
    assert alone.mix_path.read_bytes() == reports["drums muted"].mix_path.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["alone.wav"]


def test_a_mix_that_a_muted_track_held_down_keeps_the_gain_unless_it_would_clip():
    # Track 3 cancels some of the others (out of phase): the mix of every track is
    # quieter than the mix without it. Muting it leaves the stems' gain as it was; the mix
    # keeps that gain (the stems heard, summed) past the ceiling, up to full scale only.
    wave = np.sin(np.linspace(0, 60, 4000, dtype=np.float32))[:, None].repeat(2, 1)
    one, two, three = Track("One", 0), Track("Two", 0), Track("Three", 0, mute=True)
    song = Song(tracks=(one, two, three))
    gain = CEILING / 1.0  # from the loudest stem: track 1
    stems = {one.id: wave, two.id: 0.1 * wave, three.id: -0.3 * wave}
    np.testing.assert_allclose(mix(stems, song), 1.1 * wave * np.float32(gain), atol=1e-6)
    assert 1.1 * gain > CEILING  # past the ceiling, not clipped
    stems[two.id] = 0.2 * wave  # 1.2 × gain would clip: the mix alone goes to the ceiling
    np.testing.assert_allclose(np.abs(mix(stems, song)).max(), CEILING, rtol=1e-5)
    assert mixing.headroom_gains(0.9, 1.0, 1.1) == (gain, gain)
    assert mixing.headroom_gains(0.9, 1.0, 1.2) == (gain, CEILING / 1.2)
    assert mixing.headroom_gains(0.5, 0.6, 0.8) == (1.0, 1.0)


def test_render_files_writes_24_bit_stereo_mix_and_stems(song, tmp_path):
    report = render_files(song, tmp_path / "mix.wav", tmp_path / "stems", sample_rate=SR,
                          synth="builtin")
    names = sorted(p.name for p in (tmp_path / "stems").iterdir())
    assert names == ["01 - Piano.wav", "02 - Bass.wav", "03 - Drums.wav"]
    frames = set()
    for path in report.paths:
        info = sf.info(str(path))
        assert (info.format, info.subtype, info.channels, info.samplerate) == (
            "WAV", "PCM_24", 2, SR)
        frames.add(info.frames)
        assert np.abs(sf.read(str(path))[0]).max() <= CEILING + 1e-4
    assert len(frames) == 1
    assert report.synth == "built-in" and report.bars == 2
    assert report.duration_seconds == pytest.approx(frames.pop() / SR)
    # Same gain on mix and stems: the stems add up to the mix.
    mixed = sf.read(str(report.mix_path), dtype="float32")[0]
    summed = sum(sf.read(str(p), dtype="float32")[0] for p in report.stem_paths)
    np.testing.assert_allclose(summed, mixed, atol=1e-5)


def test_a_failed_write_leaves_no_file_behind(song, tmp_path, monkeypatch):
    from engine.render import files

    calls = []
    real = files._write

    def failing(path, audio, sr, shown, *depth):
        calls.append(path)
        if len(calls) == 3:
            raise OSError("disk full")
        real(path, audio, sr, shown, *depth)

    monkeypatch.setattr(files, "_write", failing)
    with pytest.raises(OSError, match="disk full"):
        render_files(song, tmp_path / "mix.wav", tmp_path / "stems", sample_rate=SR,
                     synth="builtin")
    assert not (tmp_path / "mix.wav").exists()
    assert not (tmp_path / "stems").exists()  # made for this render: gone with it


def test_without_a_soundfont_the_builtin_synth_plays(song, monkeypatch):
    monkeypatch.setattr(renderer, "find_soundfont", lambda explicit=None: None)
    assert renderer.make_synth(SR).name == (
        "built-in (no General MIDI SoundFont found: install fluid-soundfont-gm or set "
        "$PARTITA_SOUNDFONT)")  # what the CLI's and the studio's export report show
    stems = render_tracks(song, SR)
    assert all(np.abs(a).max() > 0.01 for a in stems.values())


def test_without_tinysoundfont_the_builtin_synth_plays(monkeypatch, tmp_path):
    monkeypatch.setattr(renderer, "tinysoundfont_available", lambda: False)
    monkeypatch.delenv(sf_module.ENV_VAR, raising=False)
    assert renderer.make_synth(SR).name == "built-in (tinysoundfont is not installed)"
    fake = tmp_path / "x.sf2"
    fake.write_bytes(b"RIFF")
    with pytest.raises(RenderError, match="tinysoundfont"):
        renderer.make_synth(SR, soundfont=fake)


def test_a_damaged_system_soundfont_falls_back_to_the_builtin_synth(tmp_path, monkeypatch):
    bad = tmp_path / "FluidR3_GM.sf2"
    bad.write_bytes(b"RIFF" + bytes(200))
    monkeypatch.delenv(sf_module.ENV_VAR, raising=False)
    monkeypatch.setattr(sf_module, "STANDARD_LOCATIONS", (bad,))
    synth = renderer.make_synth(SR)
    assert synth.name.startswith("built-in (FluidR3_GM.sf2 is damaged: ")
    # The same file named by the user is theirs to fix: an error, as before.
    with pytest.raises(RenderError, match="not a usable SoundFont"):
        render_tracks(Song(tracks=(Track(notes=(Note(60, 0, 480),)),)), SR, soundfont=bad)


def test_an_unreadable_or_folder_soundfont_says_so(tmp_path, monkeypatch):
    locked = tmp_path / "locked.sf2"
    locked.write_bytes(b"RIFF")
    monkeypatch.setattr(locked.__class__, "open", lambda self, *a, **k: (_ for _ in ()).throw(
        PermissionError(13, "Permission denied")), raising=True)
    with pytest.raises(RenderError, match=r"locked\.sf2: cannot read: permission denied"):
        render_tracks(Song(tracks=(Track(notes=(Note(60, 0, 480),)),)), SR, soundfont=locked)
    monkeypatch.undo()
    monkeypatch.setenv(sf_module.ENV_VAR, str(tmp_path))
    with pytest.raises(RenderError, match="is a folder, not a SoundFont file"):
        sf_module.find_soundfont()


def test_soundfont_lookup_order(tmp_path, monkeypatch):
    a, b = tmp_path / "a.sf2", tmp_path / "b.sf2"
    a.write_bytes(b"x")
    b.write_bytes(b"x")
    monkeypatch.setenv(sf_module.ENV_VAR, str(b))
    assert sf_module.find_soundfont(a) == a
    assert sf_module.find_soundfont() == b
    monkeypatch.setenv(sf_module.ENV_VAR, str(tmp_path / "missing.sf2"))
    with pytest.raises(SoundFontError, match=r"missing\.sf2"):
        sf_module.find_soundfont()
    with pytest.raises(SoundFontError, match=r"nope\.sf2: SoundFont file not found"):
        sf_module.find_soundfont(tmp_path / "nope.sf2")
    monkeypatch.delenv(sf_module.ENV_VAR)
    monkeypatch.setattr(sf_module, "STANDARD_LOCATIONS", (tmp_path / "none.sf2", a))
    assert sf_module.find_soundfont() == a


def test_a_broken_soundfont_is_a_clear_error(song, tmp_path):
    bad = tmp_path / "bad.sf2"
    bad.write_bytes(b"this is not a soundfont")
    with pytest.raises(SoundFontError, match=r"bad\.sf2: not a usable SoundFont"):
        render_tracks(song, SR, soundfont=bad)


def test_bad_sample_rate_is_refused(song):
    with pytest.raises(RenderError, match="sample rate"):
        render_tracks(song, 100)


def test_progress_runs_from_zero_to_one(song):
    seen = []
    render_tracks(song, SR, synth="builtin", progress=seen.append)
    assert seen and seen[-1] == 1.0
    assert all(0 <= a <= b <= 1 for a, b in itertools.pairwise(seen))


def test_an_empty_song_renders_silence_of_its_length():
    song = Song(tracks=(Track("Empty"),), length=BAR)
    stems = render_tracks(song, SR, synth="builtin")
    (audio,) = stems.values()
    assert len(audio) == SR * 2 and not audio.any()


def test_a_zero_length_note_sounds_briefly_and_ends(synth_kwargs):
    song = Song(tracks=(Track("Strings", 48, notes=(Note(60, 0, 0, 100),)),), length=2 * BAR)
    (audio,) = render_tracks(song, SR, **synth_kwargs).values()
    assert np.abs(audio[: SR // 10]).max() > 0.01
    assert np.abs(audio[-SR // 2 :]).max() < 1e-3  # released, not stuck until the end


def test_each_soundfont_stem_starts_from_silence(soundfont):
    # A crash cymbal rings on into the synth's next track unless its voices are silenced.
    drums = Track("Drums", 0, True, DRUM_CHANNEL, notes=(Note(49, 960, 60, 127),))
    organ = Track("Organ", 19, notes=(Note(60, 4 * BAR, 480, 100),))
    song = Song(tracks=(drums, organ))
    stems = render_tracks(song, SR, soundfont, synth="soundfont")
    assert np.abs(stems[drums.id]).max() > 0.01
    before_organ = stems[organ.id][: 3 * SR]  # the organ comes in at 8 s
    assert not before_organ.any()


def test_a_kit_plays_its_general_midi_2_kit_or_the_standard_one(soundfont):
    # A drum track's program picks the SoundFont's percussion preset (bank 128): the
    # TR-808 (25) is another sound than the standard kit; a kit the SoundFont lacks
    # (program 99: no GM2 kit, in neither FluidR3 nor TimGM6mb) plays the standard kit,
    # not silence.
    hits = tuple(Note(k, i * 240, 60, 110) for i, k in enumerate((36, 38, 42, 39)))
    kits = {p: Track(f"Kit {p}", p, True, DRUM_CHANNEL, notes=hits) for p in (0, 25, 99)}
    stems = render_tracks(Song(tracks=tuple(kits.values()), length=BAR), SR, soundfont,
                          synth="soundfont")
    standard, tr808, missing = (stems[kits[p].id] for p in (0, 25, 99))
    assert np.abs(tr808).max() > 0.01 and np.abs(missing).max() > 0.01
    assert rms(tr808 - standard) > 0.1 * rms(standard)  # the 808 is its own kit
    np.testing.assert_allclose(missing, standard, atol=1e-6)


def test_a_kit_missing_from_the_soundfont_falls_back_to_the_standard_kit():
    # Whatever a synth does with a preset it lacks (TinySoundFont may refuse it), the
    # track asks for the standard kit.
    class Font:
        presets = {(128, 0), (128, 25)}

        def sfpreset_name(self, sfid, bank, preset):
            return "kit" if (bank, preset) in self.presets else None

    assert [sf_module.kit_preset(Font(), 0, p) for p in (0, 25, 56, 24)] == [0, 25, 0, 0]


def test_a_tail_cut_at_the_limit_fades_out(soundfont, monkeypatch):
    monkeypatch.setattr(sf_module, "MAX_TAIL_S", 0.1)
    song = Song(tracks=(Track("Organ", 19, notes=(Note(60, 0, 480, 100),)),))
    (audio,) = render_tracks(song, SR, soundfont, synth="soundfont").values()
    tail = audio[-int(0.05 * SR):]
    assert np.abs(audio).max() > 0.01 and np.abs(tail[-2:]).max() < 1e-3


def test_stems_that_appear_during_a_render_stop_it_with_nothing_written(song, tmp_path):
    stems = tmp_path / "stems"
    stems.mkdir()
    # What the caller saw before rendering: an empty folder. Meanwhile another render
    # (into the same folder) wrote its stems:
    (stems / "01 - Lead.wav").write_bytes(b"another song")
    with pytest.raises(RenderError, match="another render wrote stems here meanwhile"):
        render_files(song, None, stems, sample_rate=SR, synth="builtin", known_stale=[])
    assert sorted(p.name for p in stems.iterdir()) == ["01 - Lead.wav"]
    # Known before (the CLI's --clean deletes them afterwards): written.
    report = render_files(song, None, stems, sample_rate=SR, synth="builtin",
                          known_stale=[stems / "01 - Lead.wav"])
    assert report.stem_paths and all(p.exists() for p in report.stem_paths)


def test_a_folder_of_another_songs_stems_is_refused_by_default(song, tmp_path):
    # render_files mixed two songs' stems in one folder unless the caller passed known_stale.
    stems = tmp_path / "stems"
    render_files(song, None, stems, sample_rate=SR, synth="builtin")
    before = sorted(p.name for p in stems.iterdir())
    other = Song((Track("Other", notes=(Note(60, 0, 480),)),))
    with pytest.raises(RenderError, match=r"holds other stems .*nothing written"):
        render_files(other, None, stems, sample_rate=SR, synth="builtin")
    assert sorted(p.name for p in stems.iterdir()) == before
    render_files(song, None, stems, sample_rate=SR, synth="builtin")  # its own: fine


def test_the_mix_is_a_wav_file_name(song, tmp_path):
    with pytest.raises(RenderError, match="the mix is written as WAV"):
        render_files(song, tmp_path / "mix.mp3", sample_rate=SR, synth="builtin")
    assert not any(tmp_path.iterdir())


def test_stems_are_streamed_from_disk_and_equal_the_tracks_rendered_in_memory(song, tmp_path):
    """render_files holds pieces of one track at a time (a 7-minute, 15-track song peaked
    at 3.1 GB when it held every stem): each stem waits on disk unscaled, then is scaled
    block by block (test_streaming: the files are those of the whole tracks, to the bit)."""
    from engine.render.renderer import scaled_chunks

    report = render_files(song, None, tmp_path / "stems", sample_rate=SR, synth="builtin")
    tracks = render_tracks(song, SR, synth="builtin")
    gain = 10 ** (report.gain_db / 20)
    for path, audio in zip(report.stem_paths, tracks.values(), strict=True):
        np.testing.assert_allclose(sf.read(str(path), dtype="float32")[0], audio * gain,
                                   atol=2e-7 + 1e-6)
    assert sorted(p.name for p in (tmp_path / "stems").iterdir()) == [
        p.name for p in report.stem_paths]  # no waiting file left behind
    raw = tmp_path / "raw"
    block = np.arange(10, dtype=np.float32).reshape(5, 2)
    block.tofile(raw)
    chunks = list(scaled_chunks(raw, 5, 8, 0.5, chunk=3)())
    assert [len(c) for c in chunks] == [3, 3, 2]
    np.testing.assert_array_equal(np.concatenate(chunks)[:5], block * 0.5)
    assert not np.concatenate(chunks)[5:].any()  # padded with silence


def test_an_interrupted_stems_render_leaves_nothing_behind(song, tmp_path, monkeypatch):
    from engine.render.builtin import BuiltinSynth

    real = BuiltinSynth.render_into
    calls = []

    def stop_at_the_second(self, s, track, sink, progress=None):
        calls.append(track)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, s, track, sink, progress)

    monkeypatch.setattr(BuiltinSynth, "render_into", stop_at_the_second)
    with pytest.raises(KeyboardInterrupt):
        render_files(song, tmp_path / "mix.wav", tmp_path / "new" / "stems", sample_rate=SR,
                     synth="builtin")
    assert list(tmp_path.iterdir()) == []  # no stems folder made, no waiting stem left
    calls.clear()  # the mix alone: its tracks wait beside it, one at a time
    with pytest.raises(KeyboardInterrupt):
        render_files(song, tmp_path / "new" / "mix.wav", sample_rate=SR, synth="builtin")
    assert list(tmp_path.iterdir()) == []


def test_rendering_files_says_each_stage_and_moves_through_the_writing(
        song, tmp_path, monkeypatch):
    # An export of 200 bars and 11 tracks sat at 90 % for 8 s saying "Rendering audio and
    # stems…" throughout: the writing was a fixed 10 %, reported only at its end.
    monkeypatch.setattr(renderer, "WRITE_CHUNK", SR // 4)  # a few reports a file
    seen: list[tuple[str, float]] = []
    stage = ["(none)"]
    render_files(song, tmp_path / "mix.wav", tmp_path / "stems", sample_rate=SR,
                 synth="builtin", stage=lambda what: stage.__setitem__(0, what),
                 progress=lambda f: seen.append((stage[0], f)))
    stages = list(dict.fromkeys(s for s, _ in seen))
    assert stages == [
        "Rendering track 1 of 3: Piano", "Rendering track 2 of 3: Bass",
        "Rendering track 3 of 3: Drums", "Mixing",
        "Writing mix.wav (1 of 4)", "Writing 01 - Piano.wav (2 of 4)",
        "Writing 02 - Bass.wav (3 of 4)", "Writing 03 - Drums.wav (4 of 4)"]
    fractions = [f for _, f in seen]
    assert fractions[-1] == 1.0 and all(0 <= a <= b <= 1 for a, b in itertools.pairwise(
        fractions))
    # Each stage moves the bar on, the writing of every file too (it was one jump).
    for what in stages:
        if what != "Mixing":
            during = [f for s, f in seen if s == what]
            assert len(set(during)) > 1 and during[-1] > during[0], what
    writing = [f for s, f in seen if s.startswith("Writing")]
    assert writing[0] < 0.9 and len(set(writing)) >= 8


def test_removing_dc_a_stretch_at_a_time_reports_and_changes_nothing(monkeypatch):
    from engine.render import mixing

    t = np.arange(SR * 30) / SR  # 30 s: two stretches of 20 s
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    audio = np.stack([tone + 0.2, tone - 0.1], axis=1).astype(np.float32)  # DC on both sides
    seen: list[float] = []
    clean = mixing.remove_dc(audio, SR, progress=seen.append)
    assert np.abs(clean[SR:-SR].mean(axis=0)).max() < 1e-3  # the offset is gone
    assert rms(clean[SR:-SR, 0] - tone[SR:-SR]) < 1e-3  # the tone is kept
    assert len(seen) == 4 and seen[-1] == 1.0 and seen == sorted(seen)  # 2 passes × 2
    monkeypatch.setattr(mixing, "DC_STRETCH", 1 << 30)  # the whole song in one pass
    assert np.array_equal(mixing.remove_dc(audio, SR), clean)


def test_silence_before_a_note_with_an_offset_stays_digital_silence():
    """QA: a SoundFont note with a DC offset after a rest had a ramp to −48 dBFS written
    into the quarter second of silence before it, drawn ahead of the transient in a DAW."""
    from engine.render import mixing

    t = np.arange(SR * 2) / SR
    tone = (0.3 * np.sin(2 * np.pi * 440 * t) + 0.05).astype(np.float32)  # an offset
    audio = np.zeros((SR * 4, 2), np.float32)
    audio[SR:3 * SR] = tone[:, None]  # silence, two seconds of note, silence
    clean = mixing.remove_dc(audio, SR)
    assert not clean[:SR].any() and not clean[3 * SR + SR // 100:].any()
    assert abs(clean[SR + SR // 2:3 * SR - SR // 2, 0].mean()) < 1e-3  # offset gone inside


def test_the_soundfont_synth_is_called_a_little_at_a_time():
    # Each call into TinySoundFont holds Python's GIL: one call for a sustained chord
    # between two events (2.5 s) held it 40 ms, freezing the studio's window while
    # playback rendered ahead.
    lengths: list[int] = []

    class Synth:
        def generate_simple(self, n, buffer):
            lengths.append(n)
            np.frombuffer(buffer, np.float32)[:] = len(lengths)

    view = np.zeros((SR * 3, 2), np.float32)
    sf_module._generate(Synth(), view[5:])
    assert max(lengths) == sf_module.GENERATE_FRAMES and sum(lengths) == len(view) - 5
    assert view[0, 0] == 0 and view[5, 0] == 1 and view[-1, 0] == len(lengths)
    assert sf_module.GENERATE_FRAMES % 64 == 0  # TinySoundFont's effect block


def test_rendering_a_little_at_a_time_gives_the_same_samples(soundfont, monkeypatch):
    from engine.render.soundfont import SoundFontSynth

    pad = Track("Pad", 89, notes=(Note(48, 0, 4 * BAR, 90), Note(55, 0, 4 * BAR, 90),
                                  Note(64, 30, 4 * BAR, 90), Note(67, 3 * BAR + 7, BAR, 90)))
    song = Song(tracks=(pad,))
    synth = SoundFontSynth(soundfont, SR)
    pieces = synth.render_track(song, pad)
    monkeypatch.setattr(sf_module, "GENERATE_FRAMES", 1 << 30)  # one call per stretch
    assert np.array_equal(synth.render_track(song, pad), pieces)


def test_16_bit_files_are_dithered_and_32_bit_float_kept_as_rendered(tmp_path):
    """A DAW's 16-bit bounce is dithered: a tone too quiet for 16 bits is not rounded
    away to silence (or to a square-ish wave that follows it), but heard in steady noise."""
    from engine.render.files import write_wavs

    t = np.arange(8000) / 8000
    quiet = np.repeat((0.4 / 32768 * np.sin(2 * np.pi * 100 * t))[:, None], 2, axis=1)
    quiet = quiet.astype(np.float32)
    a, b, c = tmp_path / "a.wav", tmp_path / "b.wav", tmp_path / "c.wav"
    write_wavs([(a, quiet), (b, lambda: iter([quiet[:4000], quiet[4000:]]))], 8000, "16")
    write_wavs([(c, quiet)], 8000, "32f")
    for path in (a, b):
        assert sf.info(str(path)).subtype == "PCM_16"
        steps = sf.read(str(path), dtype="int16")[0][:, 0].astype(float)
        assert np.count_nonzero(steps) > 1000  # undithered: every sample rounds to 0
        assert abs(np.corrcoef(steps, quiet[:, 0])[0, 1]) > 0.1  # the tone is in there
    assert sf.info(str(c)).subtype == "FLOAT"
    np.testing.assert_array_equal(sf.read(str(c), dtype="float32")[0], quiet)
    with pytest.raises(ValueError, match="bit depth"):
        write_wavs([(tmp_path / "d.wav", quiet)], 8000, "8")


def test_pan_is_constant_power_with_the_centre_at_unity():
    from engine.render.mixing import pan_gains

    assert pan_gains(0.0) == (1.0, 1.0)  # the centre: both sides as they are
    assert pan_gains(-1.0) == (pytest.approx(np.sqrt(2)), 0.0)  # hard left: +3.01 dB
    assert pan_gains(1.0) == (0.0, pytest.approx(np.sqrt(2)))
    for pan in (-1.0, -0.5, 0.0, 0.3, 1.0):  # a mono sound keeps its power anywhere
        left, right = pan_gains(pan)
        assert left ** 2 + right ** 2 == pytest.approx(2.0)
    left, right = pan_gains(-0.5)  # sin/cos, as FluidSynth's CC10: +2.32 / -5.33 dB
    assert 20 * np.log10(left) == pytest.approx(2.32, abs=0.01)
    assert 20 * np.log10(right) == pytest.approx(-5.33, abs=0.01)
    song = Song(tracks=(Track("Tone", 80, notes=(Note(69, 0, 480, 100),)),))
    centre = render_tracks(song, SR, synth="builtin")[song.tracks[0].id]
    for pan in (-1.0, 1.0):
        panned = replace(song.tracks[0], pan=pan)
        audio = render_tracks(replace(song, tracks=(panned,)), SR,
                              synth="builtin")[panned.id]
        assert np.sum(audio.astype(np.float64) ** 2) == pytest.approx(
            np.sum(centre.astype(np.float64) ** 2), rel=1e-4)
        assert np.abs(audio[:, 1 if pan < 0 else 0]).max() == 0


def test_dry_stems_leave_out_volume_and_pan_but_the_mix_keeps_them(tmp_path):
    notes = (Note(60, 0, 480, 100), Note(64, 480, 480, 100))
    turned = Track("Keys", 0, notes=notes, volume=64 / 127, pan=-1.0)  # the studio's 64 / -64
    full = replace(turned, volume=1.0, pan=0.0)
    a = render_files(Song(tracks=(turned,)), tmp_path / "a.wav", tmp_path / "a",
                     sample_rate=SR, synth="builtin", bit_depth="32f", dry_stems=True)
    b = render_files(Song(tracks=(full,)), tmp_path / "b.wav", tmp_path / "b",
                     sample_rate=SR, synth="builtin", bit_depth="32f")
    assert a.dry_stems and not b.dry_stems
    dry, _ = sf.read(str(a.stem_paths[0]), dtype="float32")
    plain, _ = sf.read(str(b.stem_paths[0]), dtype="float32")
    np.testing.assert_array_equal(dry, plain)  # the stem at 127 and in the centre
    mixed, _ = sf.read(str(a.mix_path), dtype="float32")
    assert np.abs(mixed[:, 1]).max() == 0  # the mix: still hard left…
    np.testing.assert_allclose(mixed[:, 0], plain[:, 0] * 64 / 127 * np.sqrt(2), atol=1e-6)


def test_the_report_gives_each_stem_files_peak_so_silence_can_be_named(tmp_path):
    """A track at volume 0 writes a stem of silence as an empty one does: its peak says
    so (-inf), the dry stem's is the track's own."""
    song = Song(tracks=(Track("Keys", notes=(Note(60, 0, 480),)),
                        Track("808", 38, notes=(Note(36, 0, 480),), volume=0.0),
                        Track("Empty")))
    keys, kick, empty = (t.id for t in song.tracks)
    report = render_files(song, tmp_path / "m.wav", tmp_path / "stems", sample_rate=8000,
                          synth="builtin")
    peaks = report.stem_track_peaks_dbfs
    assert peaks[kick] == peaks[empty] == float("-inf")
    assert peaks[keys] == pytest.approx(report.stem_peak_dbfs)
    assert mixing.silent_stems(song, peaks) == [
        "Empty has no notes: its stem is silence",
        "808 is at volume 0: its stem is silence"]
    dry = render_files(song, None, tmp_path / "dry", sample_rate=8000, synth="builtin",
                       dry_stems=True).stem_track_peaks_dbfs
    assert dry[kick] > -40 and dry[empty] == float("-inf")
    assert render_files(song, tmp_path / "m.wav", sample_rate=8000,
                        synth="builtin").stem_track_peaks_dbfs == {}  # no stems written


def test_render_files_refuses_a_song_too_long_before_allocating_it(tmp_path):
    from engine.render import RenderError, render_files
    from engine.render.limits import MAX_RENDER_FRAMES

    far = Song(tracks=(Track("Piano", 0, notes=(Note(60, 0, 480), Note(60, 10**12, 480))),))
    with pytest.raises(RenderError, match=r"the song is [\d,]+ bars long \([\d,]+ days .*\): "
                       r"more audio than Partita renders at once, at most 3 h 22 min at "
                       r"44100 Hz: render a range of its bars instead"):
        render_files(far, tmp_path / "mix.wav")
    assert not (tmp_path / "mix.wav").exists()
    assert MAX_RENDER_FRAMES * 8 <= 4 * 2**30  # the mix in memory: float32 stereo
