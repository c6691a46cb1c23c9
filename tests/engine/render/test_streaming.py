"""Exports made a piece at a time: the same files, sample for sample, in a fraction of the
memory (a 6.6-minute, 11-track song at 48 kHz peaked at 0.94 GB, 0.53 GB now)."""

import io
import tracemalloc
from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

from engine.render import make_synth, mixing, render_files, render_tracks, scratch, stream, tones
from engine.render import soundfont as sf_module
from engine.render.events import frames_of
from engine.render.mixing import headroom_gains, peak, sum_tracks
from engine.render.stream import Frames, collect
from engine.score import Note, Song, Track

from .conftest import BAR, small_song

SR = 16000


@pytest.fixture(params=["builtin", "soundfont"])
def synth_kwargs(request):
    if request.param == "builtin":
        return {"synth": "builtin"}
    return {"synth": "soundfont", "soundfont": request.getfixturevalue("soundfont")}


def pcm(audio: np.ndarray, sr: int) -> np.ndarray:
    """``audio`` as the 24-bit samples a WAV of it holds."""
    buf = io.BytesIO()
    sf.write(buf, audio, sr, subtype="PCM_24", format="WAV")
    buf.seek(0)
    return sf.read(buf, dtype="int32")[0]


def written(path) -> np.ndarray:
    return sf.read(str(path), dtype="int32")[0]


def whole_tracks_files(song: Song, sr: int, **kwargs) -> tuple[np.ndarray, list[np.ndarray]]:
    """The mix and stems as exports made them before: every track rendered whole, cleaned
    and levelled whole, summed whole, scaled by one gain (from every track's mix)."""
    tracks = render_tracks(song, sr, **kwargs)
    summed = sum_tracks(tracks, song)
    gain, mix_gain = headroom_gains(peak(sum_tracks(tracks, song, every=True)),
                                    peak(*tracks.values()), peak(summed))
    return (pcm(summed * np.float32(mix_gain), sr),
            [pcm(a * np.float32(gain), sr) for a in tracks.values()])


def mixed_song() -> Song:
    """The small song with a long pad (several DC stretches), one track muted, one
    quieter and panned."""
    song = small_song()
    pad = Track("Pad", 89, notes=(Note(48, 0, 3 * BAR, 80), Note(55, BAR // 2, 2 * BAR, 70)),
                volume=0.6, pan=-0.4)
    piano, bass, drums = song.tracks
    return replace(song, tracks=(piano, replace(bass, mute=True), drums, pad))


def test_exported_files_are_those_of_the_tracks_rendered_whole(
        synth_kwargs, monkeypatch, tmp_path):
    song = mixed_song()
    monkeypatch.setattr(mixing, "DC_STRETCH", 8)  # DC blocks summed at a time (640 frames)
    monkeypatch.setattr(stream, "CHUNK", 1 << 22)  # each track handed on in one piece
    mix, stems = whole_tracks_files(song, SR, **synth_kwargs)
    # Every piece small, so this short song crosses many of each boundary.
    monkeypatch.setattr(stream, "CHUNK", 1000)  # frames a synth hands on at a time
    monkeypatch.setattr(scratch, "PIECE_BLOCKS", 3)  # DC blocks cleaned at a time
    report = render_files(song, tmp_path / "mix.wav", tmp_path / "stems", sample_rate=SR,
                          **synth_kwargs)
    assert np.array_equal(written(report.mix_path), mix)
    for path, stem in zip(report.stem_paths, stems, strict=True):
        assert np.array_equal(written(path), stem), path.name
    # The mix alone, and the stems alone, are the same files (one gain, from all of them).
    alone = render_files(song, tmp_path / "alone" / "mix.wav", sample_rate=SR, **synth_kwargs)
    assert np.array_equal(written(alone.mix_path), mix)
    assert sorted(p.name for p in (tmp_path / "alone").iterdir()) == ["mix.wav"]  # no scratch
    stems_only = render_files(song, None, tmp_path / "only", sample_rate=SR, **synth_kwargs)
    assert all(np.array_equal(written(p), s)
               for p, s in zip(stems_only.stem_paths, stems, strict=True))


def test_a_song_longer_than_a_dc_stretch_exports_the_same_in_full_size_pieces(tmp_path):
    # 30 s at 8 kHz: two of remove_dc's 20 s stretches, the defaults throughout.
    notes = tuple(Note(48 + i % 12, i * 960, 900, 90) for i in range(30))
    song = Song(tracks=(Track("Organ", 19, notes=notes), Track("Bass", 33, notes=notes[::3])))
    mix, stems = whole_tracks_files(song, 8000, synth="builtin")
    report = render_files(song, tmp_path / "mix.wav", tmp_path / "stems", sample_rate=8000,
                          synth="builtin")
    assert len(mix) > mixing.DC_STRETCH * mixing.dc_block(8000)
    assert np.array_equal(written(report.mix_path), mix)
    assert all(np.array_equal(written(p), s)
               for p, s in zip(report.stem_paths, stems, strict=True))


def test_the_mix_alone_says_each_stage_and_cleaning_moves_the_bar_on(tmp_path, monkeypatch):
    monkeypatch.setattr(scratch, "PIECE_BLOCKS", 40)  # a few pieces a track
    seen: list[tuple[str, float]] = []
    stage = ["(none)"]
    render_files(small_song(), tmp_path / "mix.wav", sample_rate=SR, synth="builtin",
                 stage=lambda what: stage.__setitem__(0, what),
                 progress=lambda f: seen.append((stage[0], f)))
    assert list(dict.fromkeys(s for s, _ in seen)) == [
        "Rendering track 1 of 3: Piano", "Rendering track 2 of 3: Bass",
        "Rendering track 3 of 3: Drums", "Mixing", "Writing mix.wav (1 of 1)"]
    fractions = [f for _, f in seen]
    assert fractions[-1] == 1.0 and fractions == sorted(fractions)
    for what in {s for s, _ in seen if s.startswith("Rendering")}:
        assert len({f for s, f in seen if s == what}) > 5, what  # synthesis and cleaning


def test_frames_hand_on_what_was_written_in_order_whatever_the_chunk():
    rng = np.random.default_rng(7)
    starts = np.sort(rng.integers(0, 5000, 40))
    lengths = rng.integers(1, 3000, 40)  # some longer than a chunk: the window grows
    whole = np.zeros((int((starts + lengths).max()), 2), np.float32)
    for at, n in zip(starts, lengths, strict=True):
        whole[at:at + n] += np.float32(at % 7 - 3)

    def render_into(sink, chunk):
        out = Frames(sink, chunk)
        end = 0
        for at, n in zip(starts, lengths, strict=True):
            out.release(min(at, end))
            out.view(at, at + n)[:] += np.float32(at % 7 - 3)
            end = max(end, at + n)
        return out.finish(end)

    for chunk in (1, 64, 1000, 1 << 16):
        pieces: list[np.ndarray] = []
        assert render_into(lambda f, into=pieces: into.append(f.copy()), chunk) == len(whole)
        assert np.array_equal(np.concatenate(pieces), whole), chunk
        assert len(pieces) > 1 or chunk > len(whole)  # not the whole track at once
    assert np.array_equal(collect(lambda sink: render_into(sink, 64)), whole)
    with pytest.raises(ValueError, match="already handed on"):
        out = Frames(lambda f: None, 10)
        out.view(0, 100)
        out.release(50)
        out.view(20, 30)


def made_as_asked(synth, song: Song, track: Track, asked, origin: int = 0,
                  meanwhile=None) -> np.ndarray:
    """``track`` made by its synth's ``stream`` to each frame ``asked`` in turn, then to
    its end: the pieces joined, from ``origin``."""
    made = synth.stream(song, track, origin)
    pieces: list[np.ndarray] = []
    for upto in (*asked, None):
        at, audio = made.advance(upto)
        assert at == origin + sum(len(p) for p in pieces)
        if upto is not None and not made.finished:
            assert made.final >= upto
        pieces.append(audio)
        if meanwhile is not None:
            meanwhile()
    assert made.finished and made.advance(None)[1].size == 0
    return np.concatenate(pieces)


def test_a_track_made_a_window_at_a_time_is_the_track_made_whole(synth_kwargs):
    """Playback asks each track for its frames up to a window's end, then the next: the
    synth goes on from where it stopped, its notes still sounding, so the pieces are the
    track an export makes, sample for sample, wherever they are cut (an export's tracks
    made with the same synth meanwhile). Played from bar 2, the notes from there sound on
    the export's samples, and nothing is made of the silence before."""
    song = mixed_song()
    synth = make_synth(SR, synth_kwargs.get("soundfont"), synth_kwargs["synth"])
    asked = (0, 1, 1000, 1001, 5000, 17_000, 17_000, 30_000)
    for track in song.tracks:
        whole = synth.render_track(song, track)
        joined = made_as_asked(synth, song, track, asked,
                               meanwhile=lambda: synth.render_track(song, song.tracks[0]))
        assert np.array_equal(joined, whole), track.name
        later = replace(track, notes=tuple(n for n in track.notes if n.start >= BAR))
        if later.notes:
            origin = int(frames_of(song, SR)[1]([later.notes[0].start])[0])
            joined = made_as_asked(synth, song, later, asked[4:], origin)
            whole = synth.render_track(song, later)
            assert not whole[:origin].any() and np.array_equal(joined, whole[origin:])


def test_without_copies_in_the_binding_a_soundfont_track_is_made_whole_at_once(
        soundfont, monkeypatch):
    song = mixed_song()
    synth = make_synth(SR, soundfont, "soundfont")
    monkeypatch.setattr(sf_module, "_synth_sharing", lambda loaded, rate: None)
    for track in song.tracks:
        made = synth.stream(song, track)
        at, audio = made.advance(1000)
        assert at == 0 and made.finished
        assert np.array_equal(audio, synth.render_track(song, track))


def test_an_export_holds_the_mix_and_pieces_of_one_track_not_whole_tracks(tmp_path):
    # Two minutes, four tracks: each track was held whole three times over (cleaned,
    # levelled, np.abs for its peak) beside the mix. Now only the mix is whole
    # (tracemalloc sees numpy's arrays, not the SoundFont's: so the built-in synth).
    notes = tuple(Note(40 + i % 24, i * 480, 470, 90) for i in range(240))
    song = Song(tracks=tuple(Track(f"T{k}", 8 * k, notes=notes[k::4], volume=0.9)
                             for k in range(4)))
    tracemalloc.start()
    try:
        report = render_files(song, tmp_path / "mix.wav", tmp_path / "stems",
                              sample_rate=SR, synth="builtin")
        _, top = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    track_bytes = report.duration_seconds * SR * 8  # a whole track (or the mix), float32
    assert report.duration_seconds > 120
    # 62 MB when every track was held whole, 24 MB now: the mix (15 MB) and pieces.
    assert top < 2 * track_bytes, (top / 1e6, track_bytes / 1e6)


@pytest.mark.parametrize("program", [0, 19, 48, 73, 89])  # struck, organ, vibrato+chorus, …
@pytest.mark.parametrize("bent", [False, True])
def test_a_note_made_a_span_at_a_time_is_the_note_made_whole(program, bent):
    """The built-in synth makes a long note a step at a time (a key held in live monitoring
    is a 30 s note): the spans joined are the note made whole, sample for sample, however
    they are cut, the vibrato's and the bend's running phase and the release included."""
    held = 2 * SR
    length = tones.voice_frames(60, held, program, SR)
    bend = np.where(np.arange(length) < held // 3, 1.0, 1.06) if bent else None
    whole = tones.voice(60, 100, held, program, SR, bend)
    assert len(whole) == length > held
    rng = np.random.default_rng(program)
    for cuts in ([1, 2, 3], [held - 1, 1, 1], [held], [4096] * 5, list(rng.integers(1, 9000, 8))):
        note = tones.VoiceStream(60, 100, held, program, SR, bend)
        spans = [note.next(int(n)) for n in cuts]
        while not note.done:
            spans.append(note.next(int(rng.integers(1, 20000))))
        joined = np.concatenate(spans)
        assert joined.dtype == np.float32 and np.array_equal(joined, whole), cuts
