"""Rehearsal mixes (a choir's learning tracks): one file per part with that part forward,
the others quieter behind it, as long as the mix, never clipping; and the count-in."""

from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

from engine.render import RenderError, render_files
from engine.render.clicks import CLICK_HIGH, CLICK_LOW, start_count_in
from engine.render.files import rehearsal_names
from engine.render.mixing import (
    CEILING,
    COUNT_IN_UNDER_DB,
    REHEARSAL_MARGIN_DB,
    REHEARSAL_OTHERS_DB,
    REHEARSAL_OTHERS_RANGE_DB,
    rehearsal_others_db,
    sung_energies,
)
from engine.score import DRUM_CHANNEL, Note, Song, TimeSignature, Track

RATE = 22050
# Two voices whose fundamentals and harmonics lie apart (C#5 and Bb3), so each one's
# level can be read from its own band of the spectrum.
SOPRANO, ALTO = 73, 58


def hz(pitch: int) -> float:
    return 440 * 2 ** ((pitch - 69) / 12)


def choir(velocity: int = 90, drums: bool = True) -> Song:
    def part(name: str, pitch: int, channel: int) -> Track:
        return Track(name, 52, channel=channel,
                     notes=tuple(Note(pitch, i * 480, 460, velocity) for i in range(8)))
    kit = Track("Drums", 0, True, DRUM_CHANNEL,
                notes=tuple(Note(36, i * 480, 100, 100) for i in range(8)))
    return Song(tracks=(part("Soprano", SOPRANO, 0), part("Alto", ALTO, 1),
                        *((kit,) if drums else ())))


def band_db(audio: np.ndarray, pitch: int) -> float:
    """The energy (dB) of both channels within a quarter tone of ``pitch``."""
    spectrum = sum(np.abs(np.fft.rfft(audio[:, c])) ** 2 for c in (0, 1))
    freqs = np.fft.rfftfreq(len(audio), 1 / RATE)
    near = (freqs > hz(pitch) * 0.985) & (freqs < hz(pitch) * 1.015)
    return 10 * float(np.log10(spectrum[near].sum()))


def read(path):
    audio, rate = sf.read(str(path), dtype="float32")
    assert rate == RATE
    return audio


def test_each_part_stands_the_same_margin_over_the_others_however_loud_it_is(tmp_path):
    """A choir director's QA: with the others cut a fixed 9 dB, the bass's mix had the
    bass 0.1 dB under the other three, the soprano's had her 6.4 dB over them. The cut is
    now each part's own: here a quiet alto (velocity 40) and a loud soprano."""
    song = choir(drums=False)
    song = replace(song, tracks=(song.tracks[0], replace(song.tracks[1], notes=tuple(
        replace(n, velocity=40) for n in song.tracks[1].notes))))
    report = render_files(song, tmp_path / "mix.wav", tmp_path / "stems",
                          rehearsal_dir=tmp_path / "learn", sample_rate=RATE,
                          synth="builtin")
    assert [p.name for p in report.rehearsal_paths] == [
        "Rehearsal - Soprano.wav", "Rehearsal - Alto.wav"]
    mix = read(tmp_path / "mix.wav")
    stems = [read(p) for p in report.stem_paths]
    cuts = [rehearsal_others_db(*sung_energies(stems[0] + stems[1], s)) for s in stems]
    # Each part, by its RMS where it sings, the margin over the other, or more where the
    # cut's limit keeps the others from coming closer (the loud soprano's alto at -3 dB).
    stands = [10 * np.log10(np.divide(*sung_energies(stems[0] + stems[1], own)))
              for own in stems]
    assert cuts[0] == REHEARSAL_OTHERS_RANGE_DB[1] and stands[0] - cuts[0] > 6
    assert stands[1] - cuts[1] == pytest.approx(REHEARSAL_MARGIN_DB)
    assert cuts[1] < REHEARSAL_OTHERS_DB - 3  # the quiet alto's others down further
    in_mix = band_db(mix, SOPRANO) - band_db(mix, ALTO)  # the soprano over the alto
    assert in_mix > 6  # the alto is quiet: 9 dB would not bring it forward
    soprano = read(tmp_path / "learn" / "Rehearsal - Soprano.wav")
    alto = read(tmp_path / "learn" / "Rehearsal - Alto.wav")
    assert len(soprano) == len(alto) == len(mix)
    # ... heard so in the files: each part over the other by its cut.
    for audio, own, other, stands, cut in ((soprano, SOPRANO, ALTO, in_mix, cuts[0]),
                                           (alto, ALTO, SOPRANO, -in_mix, cuts[1])):
        assert band_db(audio, own) - band_db(audio, other) == pytest.approx(
            stands - cut, abs=0.1)
    assert band_db(alto, ALTO) > band_db(alto, SOPRANO) + 3  # the quiet part forward
    # The part as loud as in the mix (the same gain: nothing here comes near clipping),
    # the others behind it; the part a little to the left, the others to the right.
    own_left, own_right = (band_db(alto[:, [c, c]], ALTO) for c in (0, 1))
    other_left, other_right = (band_db(alto[:, [c, c]], SOPRANO) for c in (0, 1))
    assert own_left == pytest.approx(band_db(mix[:, [0, 0]], ALTO), abs=0.05)
    assert own_left > own_right + 2 and other_right > other_left + 2


def test_the_others_cut_follows_the_parts_level_within_its_limits():
    assert rehearsal_others_db(1.0, 1.0) == pytest.approx(-REHEARSAL_MARGIN_DB)
    assert rehearsal_others_db(1.0, 10.0) == pytest.approx(-10 - REHEARSAL_MARGIN_DB)
    low, high = REHEARSAL_OTHERS_RANGE_DB
    assert rehearsal_others_db(1.0, 1e6) == low  # a whisper: the others kept audible
    assert rehearsal_others_db(1e6, 1.0) == high  # a shout: the others still behind
    assert rehearsal_others_db(0.0, 1.0) == REHEARSAL_OTHERS_DB  # a silent part


def test_rehearsal_mixes_never_clip_and_keep_the_mixs_level_when_they_can(tmp_path):
    loud = choir(velocity=127)
    loud = replace(loud, tracks=tuple(replace(t, notes=tuple(
        replace(n, pitch=n.pitch + k) for k in (0, 4, 7, 12) for n in t.notes))
        if not t.is_drum else t for t in loud.tracks))  # chords: the sum clips at unity
    report = render_files(loud, tmp_path / "mix.wav", tmp_path / "stems",
                          rehearsal_dir=tmp_path / "learn", sample_rate=RATE,
                          synth="builtin")
    assert report.gain_db < -1  # the export's rule brought the mix down
    for path in report.rehearsal_paths:
        audio = read(path)
        assert np.abs(audio).max() <= CEILING + 1e-4
        assert len(audio) == len(read(tmp_path / "mix.wav"))
    assert report.peak_dbfs <= -1 + 1e-3


def test_the_rehearsal_mixes_honour_mute_and_solo(tmp_path):
    song = choir()
    muted = replace(song, tracks=tuple(replace(t, mute=t.is_drum) for t in song.tracks))
    report = render_files(muted, rehearsal_dir=tmp_path / "a", sample_rate=RATE,
                          synth="builtin")
    assert len(report.rehearsal_paths) == 2 and report.mix_path is None
    # No kick left: what sounds below the alto is nothing.
    soprano = read(tmp_path / "a" / "Rehearsal - Soprano.wav")
    full = render_files(song, rehearsal_dir=tmp_path / "b", sample_rate=RATE,
                        synth="builtin")
    with_kit = read(full.rehearsal_paths[0])
    assert band_db(soprano, 40) < band_db(with_kit, 40) - 20  # the kick's low end
    soloed = replace(song, tracks=tuple(replace(t, solo=t.name == "Alto")
                                        for t in song.tracks))
    assert [p.name for p in render_files(soloed, rehearsal_dir=tmp_path / "c",
                                         sample_rate=RATE,
                                         synth="builtin").rehearsal_paths] == [
        "Rehearsal - Alto.wav"]
    drums_only = replace(song, tracks=song.tracks[2:])
    with pytest.raises(RenderError, match="no pitched track"):
        render_files(drums_only, rehearsal_dir=tmp_path / "d", synth="builtin")
    assert not (tmp_path / "d").exists()


def test_rehearsal_file_names_say_the_part_and_never_collide():
    song = Song(tracks=(Track("Violin", 40, notes=(Note(60, 0, 480),)),
                        Track("violin", 40, notes=(Note(64, 0, 480),)),
                        Track("", 0, notes=(Note(67, 0, 480),)),
                        Track("Empty", 0),
                        Track("S/A: top", 52, notes=(Note(72, 0, 480),))))
    assert list(rehearsal_names(song).values()) == [
        "Rehearsal - Violin.wav", "Rehearsal - violin (2).wav",
        "Rehearsal - Acoustic Grand Piano.wav", "Rehearsal - S_A_ top.wav"]


def test_a_count_in_is_a_bar_from_a_downbeat_with_the_pickup_in_it():
    four = choir()
    lead = start_count_in(four, 1)
    assert lead.end == 4 * 480
    assert [(n.start, n.pitch) for n in lead.tracks[0].notes] == [
        (0, CLICK_HIGH), (480, CLICK_LOW), (960, CLICK_LOW), (1440, CLICK_LOW)]
    # A one-beat pickup before 4/4: "1, 2, 3", and it sings on 4.
    pickup = replace(four, time_signatures=(TimeSignature(0, 1, 4), TimeSignature(480, 4, 4)))
    lead = start_count_in(pickup, 1)
    assert lead.end == 3 * 480 and [n.start for n in lead.tracks[0].notes] == [0, 480, 960]
    assert lead.tracks[0].notes[0].pitch == CLICK_HIGH
    # A three-beat pickup would leave one click: a bar more ("1 2 3 4 | 1").
    long = replace(four, time_signatures=(TimeSignature(0, 3, 4), TimeSignature(1440, 4, 4)))
    lead = start_count_in(long, 1)
    assert lead.end == 5 * 480 and len(lead.tracks[0].notes) == 5
    assert start_count_in(four, 2).end == 8 * 480


def test_a_count_in_clicks_before_the_music_of_each_rehearsal_mix_only(tmp_path):
    song = choir(drums=False)  # 120 BPM: a bar is 2 s
    report = render_files(song, tmp_path / "mix.wav", rehearsal_dir=tmp_path / "learn",
                          sample_rate=RATE, synth="builtin", count_in=1)
    mix = read(tmp_path / "mix.wav")
    lead = round(2.0 * RATE)
    assert report.count_in_seconds == pytest.approx(2.0)
    for path in report.rehearsal_paths:
        audio = read(path)
        assert len(audio) == lead + len(mix)
        assert np.abs(audio[:lead]).max() > 0.01  # the click
        assert np.abs(audio[:lead // 8]).max() > 0.01  # from the first frames on
        # The click sits under the music (a choir director's QA: -3.2 dBFS before music
        # peaking at -7.3).
        music = np.abs(audio[lead:]).max()
        assert np.abs(audio[:lead]).max() <= music * 10 ** (-COUNT_IN_UNDER_DB / 20) * 1.01
    plain = render_files(song, rehearsal_dir=tmp_path / "plain", sample_rate=RATE,
                         synth="builtin")
    # After the click has rung out, the music is what it is without a count-in.
    counted = read(report.rehearsal_paths[1])
    same = read(plain.rehearsal_paths[1])
    assert np.allclose(counted[lead + RATE:], same[RATE:], atol=1e-5)


@pytest.mark.parametrize("synth", ["builtin", "soundfont"])
def test_the_metronome_clicks_under_the_music(tmp_path, synth, request):
    """A choir director's QA: the click peaked over the music it counted (FluidR3: 3.9 dB
    over a two-part choir at the old fader, 0.8). The studio's metronome (the click track
    with_metronome adds) peaks under the choir it plays with."""
    from engine.render.clicks import with_metronome

    font = request.getfixturevalue("soundfont") if synth == "soundfont" else None
    song = with_metronome(choir(drums=False))
    report = render_files(song, stems_dir=tmp_path / "stems", sample_rate=RATE,
                          synth=synth, soundfont=font)
    stems = {p.stem.split(" - ")[1]: read(p) for p in report.stem_paths}
    click = stems.pop("Metronome")
    music = sum(stems.values())
    assert np.abs(click).max() < np.abs(music).max()
