"""The corpus cache: no Bach, collections chosen, appending keeps what was parsed."""

from __future__ import annotations

import pytest

from engine.models import data
from engine.models.corpus import build_corpus, corpus_paths
from engine.score import Note, Song, TimeSignature, Track

pytest.importorskip("music21")


def _folder(path) -> str:
    return path.parts[path.parts.index("corpus") + 1]


def test_corpus_paths_leave_bach_out_and_keep_only_the_chosen_collections():
    paths = corpus_paths()
    assert paths and not any("bach" in _folder(p).lower() for p in paths)
    chosen = corpus_paths(folders=["leadSheet", "miscFolk"])
    assert {_folder(p) for p in chosen} == {"leadSheet", "miscFolk"}
    assert len(chosen) < len(paths)


def test_appending_skips_parsed_files_and_keeps_the_old_pieces(tmp_path):
    # leadSheet holds 2 files: a budget that fits both on a loaded machine (a run stops
    # when every file is parsed), so the append below has nothing new to parse.
    first = build_corpus(tmp_path, minutes=2, folders=["leadSheet"])
    assert first["train"] + first["valid"] == 2
    names = [p.name for p in data.load_pieces(tmp_path / "train.npz")]
    same = build_corpus(tmp_path, minutes=2, folders=["leadSheet"], append=True)
    assert same == {**first, "failed": 0}  # every file was parsed already: nothing new
    more = build_corpus(tmp_path, minutes=0.01, folders=["leadSheet", "theoryExercises"],
                        append=True)
    after = [p.name for p in data.load_pieces(tmp_path / "train.npz")]
    assert after[: len(names)] == names and len(set(after)) == len(after)
    assert more["train"] + more["valid"] > first["train"] + first["valid"]


@pytest.mark.parametrize(("meter", "kicks", "snares"), [
    ((4, 4), [0, 4], [2, 6]),  # in eighths: beats 1 and 3, 2 and 4
    ((3, 4), [0], [4]),  # the waltz's snare on 3
    ((6, 8), [0], [3]),  # felt in two: the snare on the second dotted beat, not on 2, 4, 6
    ((7, 8), [0], [2]),  # 2+2+3
])
def test_synthetic_drums_follow_the_counted_beats(meter, kicks, snares):
    from engine.models.corpus import synthetic_drums

    bar = meter[0] * 1920 // meter[1]
    song = Song(tracks=(Track(notes=(Note(60, 0, bar),)),), ppq=480,
                time_signatures=(TimeSignature(0, *meter),), length=bar)
    drums = synthetic_drums(song, 1)
    assert sorted({n.start // 240 for n in drums.notes if n.pitch == 36}) == kicks
    assert sorted({n.start // 240 for n in drums.notes if n.pitch == 38}) == snares


def test_a_cache_of_an_older_encoding_is_refused(tmp_path):
    import numpy as np

    np.savez_compressed(tmp_path / "train.npz", names=np.array(["a"]), **{
        "0.tokens": np.ones((1, 4), dtype=np.int64), "0.roles": np.zeros(1, dtype=np.int64),
        "0.beat_pos": np.arange(4)})
    with pytest.raises(ValueError, match="build it again"):
        data.load_pieces(tmp_path / "train.npz")


def test_a_pickup_becomes_the_end_of_a_full_first_bar():
    from music21 import meter, note, stream

    from engine.models.corpus import score_to_song

    pickup = stream.Measure(number=0)
    pickup.append([meter.TimeSignature("6/8"), note.Note("E4", quarterLength=0.5)])
    bar = stream.Measure(number=1)
    bar.append([note.Note("A4", quarterLength=1), note.Note("B4", quarterLength=0.5),
                note.Note("C5", quarterLength=1.5)])
    part = stream.Part()
    part.append([pickup, bar])  # bar 1 starts half a beat in, as a score's anacrusis does
    song = score_to_song(stream.Score([part]))
    assert [(t.numerator, t.denominator) for t in song.time_signatures] == [(6, 8)]
    starts = [n.start for n in song.tracks[0].notes]
    assert starts[:3] == [1200, 1440, 1920]  # the pickup eighth ends bar 1; a on the downbeat
