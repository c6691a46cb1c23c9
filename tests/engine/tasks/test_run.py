"""Generation tasks: nothing outside the mask ever changes, one undo step per take."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest
import torch

from engine import tasks
from engine.models import vocab
from engine.models.grid_plugin import GridModelPlugin
from engine.plugins.api import Cancelled, GenerateOptions, ModelInfo
from engine.plugins.result import ModelFailed
from engine.score import (
    EditGroup,
    Mask,
    Note,
    Region,
    Song,
    TimeMap,
    TimeSignature,
    Track,
    mask_tails,
)
from tests.engine.jobs.toy_models import Answers

Q = 120
BAR = 16 * Q


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def random_logits(tokens, roles, beat_pos):
    """A fresh random opinion at every call: the harshest test of the mask guarantees."""
    g = torch.Generator().manual_seed(int(tokens.sum()) % 2**31)
    logits = 3.0 * torch.randn(*tokens.shape, vocab.VOCAB_SIZE, generator=g)
    logits[..., vocab.REST] += 5.0
    logits[..., vocab.HOLD] += 5.0
    return logits


random_logits.max_steps = 48


def model() -> GridModelPlugin:
    return GridModelPlugin(ModelInfo("random", "0", max_lanes=8), random_logits, context_bars=1)


OPTS = GenerateOptions(seed=11, steps=3)


def random_song(rng: np.random.Generator) -> Song:
    """A few tracks of on- and off-grid notes (triplets, odd lengths, zero-length, chords)."""
    tracks = []
    for i in range(int(rng.integers(1, 5))):
        is_drum = bool(rng.random() < 0.25)
        program = int(rng.choice([0, 33, 48, 52, 73, 25]))
        notes = []
        for _ in range(int(rng.integers(0, 40))):
            grid = int(rng.choice([Q, Q, 160, 7, 1]))
            start = int(rng.integers(0, 6 * BAR // grid)) * grid
            dur = int(rng.choice([0, Q, 2 * Q, 4 * Q, 90, 8 * Q]))
            pitch = int(rng.choice([36, 38, 42, 46, 49, 35]) if is_drum else rng.integers(30, 90))
            notes.append(Note(pitch, start, dur, int(rng.integers(1, 128))))
        tracks.append(Track(name=f"T{i}", program=program, is_drum=is_drum,
                            channel=9 if is_drum else i, notes=tuple(notes)))
    meter = [TimeSignature(0, 4, 4)]
    if rng.random() < 0.4:
        meter.append(TimeSignature(2 * BAR, 3, 4))
    return Song(tracks=tuple(tracks), time_signatures=tuple(meter), length=BAR)


def outside(song: Song, mask: Mask, track_ids) -> dict:
    """What must not change: notes outside the mask, with their ids, per original track."""
    return {tid: {(n.id, n.key()) for n in song.track(tid).notes
                  if not mask.contains_note(tid, n)} for tid in track_ids}


def check_take(take: tasks.TaskResult) -> Song:
    before, after = take.before, take.after
    ids = [t.id for t in before.tracks]
    kept, now = outside(before, take.mask, ids), outside(after, take.mask, ids)
    # What sounds outside the mask is what sounded there: the notes kept, with their ids,
    # and the tails of replaced notes that sounded on past it, struck again where the
    # mask ends or held on by a new note of their pitch.
    tails = mask_tails(EditGroup(take.prep).apply(before), take.mask)
    for tid in ids:
        assert kept[tid] <= now[tid]
        extra = {key for _, key in now[tid] - kept[tid]}
        for _, tail in tails.get(tid, ()):
            held = any(n.pitch == tail.pitch and n.start < tail.start and n.end == tail.end
                       for n in after.track(tid).notes)
            assert tail.key() in extra or held
            extra.discard(tail.key())
        assert not extra, f"track {tid}: notes outside the mask that are no tails: {extra}"
    for tid, notes in take.new_notes.items():
        assert all(take.mask.contains_note(tid, n) for n in notes)
    for t in before.tracks:  # track settings untouched
        a = after.track(t.id)
        assert (a.name, a.program, a.is_drum, a.channel) == (t.name, t.program, t.is_drum,
                                                             t.channel)
    assert take.edit.inverse().apply(after) == before  # one undo step restores everything
    return after


def test_random_masks_on_random_songs_never_change_anything_outside():
    m = model()
    written = 0
    for i in range(12):
        rng = np.random.default_rng(100 + i)
        song = random_song(rng)
        if not song.tracks:
            continue
        chosen = [t.id for t in song.tracks if rng.random() < 0.6] or [song.tracks[0].id]
        first = int(rng.integers(0, 5))
        lo = int(rng.integers(0, 100))
        pitch = (lo, int(rng.integers(lo, 128))) if rng.random() < 0.5 else None
        try:
            take = tasks.repaint(song, chosen, first, first + int(rng.integers(1, 3)),
                                 pitch_range=pitch, model=m, options=OPTS)
        except tasks.TaskError as e:  # a band no chosen part can play is refused
            assert "lies outside the range" in str(e)
        else:
            check_take(take)
            written += sum(map(len, take.new_notes.values()))
        # A raw mask with ragged, off-grid edges through the plugin itself.
        a = int(rng.integers(0, 5 * BAR))
        mask = Mask.of(Region(frozenset(chosen), a, a + int(rng.integers(1, 2 * BAR))))
        take = tasks.run._run("repaint", song, (), mask, m, OPTS, None, None, "Repaint")
        check_take(take)
        written += sum(map(len, take.new_notes.values()))
    assert written > 100  # the model did write: the guarantee was tested, not dodged


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_task_keeps_the_outside_of_its_mask(seed):
    rng = np.random.default_rng(seed)
    song = random_song(rng)
    while not any(t.notes and not t.is_drum for t in song.tracks):
        song = random_song(rng)
    m = model()
    melody = next(t for t in song.tracks if t.notes and not t.is_drum)  # drums: no melody
    check_take(tasks.regenerate(song, song.tracks[-1].id, model=m, options=OPTS))
    check_take(tasks.continue_(song, 2, model=m, options=OPTS))
    check_take(tasks.harmonize(song, melody.id, model=m, options=OPTS))


def chorale_melody() -> Song:
    notes = tuple(Note(p, i * 4 * Q, 4 * Q, 70 + i % 5) for i, p in
                  enumerate([67, 67, 69, 71, 72, 71, 69, 67, 69, 71, 69, 67, 66, 67, 67, 67]))
    return Song(tracks=(Track(name="Soprano", program=52, notes=notes),))


def test_harmonize_a_lone_melody_adds_voices_in_the_same_take():
    song = chorale_melody()
    take = tasks.harmonize(song, song.tracks[0].id, model=model(), options=OPTS)
    after = check_take(take)
    assert [t.name for t in after.tracks] == ["Soprano", "Alto", "Tenor", "Bass"]
    assert after.tracks[0].notes == song.tracks[0].notes
    assert all(take.new_notes[t.id] for t in after.tracks[1:])
    assert take.edit.inverse().apply(after).tracks == song.tracks
    band = tasks.harmonize(song, song.tracks[0].id, accompaniment="band", model=model(),
                           options=OPTS).after
    # The band asked for has a drummer (a songwriter's lyric melody got none).
    assert [(t.name, t.program, t.is_drum) for t in band.tracks[1:]] == [
        ("Piano", 0, False), ("Bass", 33, False), ("Drums", 0, True)]
    # A song with chord symbols is a band's chart: auto adds Piano and Bass, no choir.
    from engine.score.lead_sheet import with_lead_sheet

    chart = with_lead_sheet(song, "C | G | C")
    after = tasks.harmonize(chart, chart.tracks[0].id, model=model(), options=OPTS).after
    assert [t.name for t in after.tracks[1:]] == ["Piano", "Bass"]


@pytest.mark.parametrize(("name", "program", "expected"), [
    # A tune with no name and no instrument (a score's part read as the default piano):
    # a choir's four parts, not "Acoustic Grand Piano" over three piano voices.
    ("", 0, [("Soprano", 52), ("Alto", 52), ("Tenor", 52), ("Bass", 52)]),
    ("Acoustic Grand Piano", 0, [("Soprano", 52), ("Alto", 52), ("Tenor", 52), ("Bass", 52)]),
    ("Choir Aahs", 52, [("Soprano", 52), ("Alto", 52), ("Tenor", 52), ("Bass", 52)]),
    # Another instrument is the user's (the studio names a track after the one picked):
    # its part and its voices keep it.
    ("Church Organ", 19, [("Church Organ", 19), ("Alto", 19), ("Tenor", 19), ("Bass", 19)]),
    # A name of the user's own is kept, and a keyboard they named plays every part.
    ("Piano", 0, [("Piano", 0), ("Alto", 0), ("Tenor", 0), ("Bass", 0)]),
    ("Hymn", 0, [("Hymn", 0), ("Alto", 0), ("Tenor", 0), ("Bass", 0)]),
])
def test_satb_under_a_nameless_tune_makes_it_the_soprano(name, program, expected):
    melody = replace(chorale_melody().tracks[0], name=name, program=program)
    song = Song(tracks=(melody,))
    take = tasks.harmonize(song, melody.id, accompaniment="satb", model=model(),
                           options=OPTS)
    after = take.after  # (check_take: a take changes no track's settings; this one may)
    assert [(t.name, t.program) for t in after.tracks] == expected
    assert after.tracks[0].notes == melody.notes
    assert take.edit.inverse().apply(after).tracks == song.tracks  # one undo: as it was
    # The studio's Harmonize, answered "Alto, Tenor, Bass", does the same.
    from engine.tasks import requests

    add, chorale = requests.accompaniment(melody, "Alto, Tenor, Bass", alone=True)
    plan = requests.harmonize(song, Mask(), melody.id, add, chorale)
    planned = EditGroup(plan.prep).apply(song)
    assert [(t.name, t.program) for t in planned.tracks] == expected
    # The band is no choir: the melody keeps its name.
    band = tasks.harmonize(song, melody.id, accompaniment="band", model=model(),
                           options=OPTS).after
    assert band.tracks[0].name == name


def overlapping(notes) -> bool:
    """Whether two of these notes sound at once."""
    notes = sorted(notes, key=lambda n: n.start)
    return any(b.start < a.end for a, b in pairwise(notes))


@pytest.mark.parametrize("program", [0, 19])  # Piano, Church Organ
def test_satb_voices_under_a_keyboard_melody_sing_one_line_each(program):
    """A keyboard's voices kept its chord lanes: each of Alto, Tenor and Bass played up
    to four-note chords under a piano melody."""
    song = chorale_melody()
    song = Song(tracks=(replace(song.tracks[0], program=program),))
    for seed in (1, 2):
        after = tasks.harmonize(song, song.tracks[0].id, accompaniment="satb",
                                model=model(), options=replace(OPTS, seed=seed)).after
        assert [(t.name, t.program) for t in after.tracks[1:]] == [
            ("Alto", program), ("Tenor", program), ("Bass", program)]
        for track in after.tracks[1:]:
            assert track.notes and not overlapping(track.notes), (seed, track.name)


def test_harmonize_writes_satb_voices_without_parallels_and_leaves_other_options():
    seen = []

    class Recorder:
        info = model().info

        def generate(self, song, mask, options, progress, cancel):
            seen.append(options.avoid_parallels)
            return {}

    song = chorale_melody()
    tasks.harmonize(song, song.tracks[0].id, accompaniment="satb", model=Recorder(),
                    options=OPTS)
    tasks.harmonize(song, song.tracks[0].id, accompaniment="band", model=Recorder(),
                    options=OPTS)
    assert seen == [True, False]


def test_harmonize_writes_nothing_after_the_melodys_last_note():
    song = chorale_melody()  # 16 quarters; the song's last bar is a partial one
    song = Song(tracks=(song.tracks[0].with_notes(song.tracks[0].notes[:-2]),))  # 3.5 bars
    take = tasks.harmonize(song, song.tracks[0].id, model=model(), options=OPTS)
    end = max(n.end for n in song.tracks[0].notes)
    assert take.mask.span[1] == end
    assert all(n.end <= end for notes in take.new_notes.values() for n in notes)


def test_harmonize_writes_nothing_before_the_melody_comes_in():
    """A film cue's flute entering at bar 9: oboe and bassoon wrote eight bars of their
    own before it. Harmonize writes from the bar the melody's first note is in."""
    from engine.tasks import requests
    from engine.tasks.texture import melody_span

    song = chorale_melody()
    late = song.tracks[0].with_notes(replace(n, start=n.start + 2 * 16 * Q + 4 * Q)
                                     for n in song.tracks[0].notes)  # on beat 2 of bar 3
    song = Song(tracks=(late,))
    assert melody_span(song, late) == (2 * 16 * Q, max(n.end for n in late.notes))
    take = tasks.harmonize(song, late.id, model=model(), options=OPTS)
    assert take.mask.span[0] == 2 * 16 * Q
    assert all(n.start >= 2 * 16 * Q for notes in take.new_notes.values() for n in notes)
    plan = requests.harmonize(song.with_tracks([late, Track("Bass", program=33)]),
                              Mask(), late.id)
    assert plan.mask.span[0] == 2 * 16 * Q


def test_compose_makes_a_new_piece_of_the_asked_shape():
    params = tasks.SongParams(tracks=tuple(map(tasks.track_spec, ["Piano", "Bass", "Drums"])),
                              bars=4, tempo=90, meter=(3, 4), key="b minor")
    take = tasks.compose(params, model=model(), options=OPTS)
    song = take.after
    assert [t.name for t in song.tracks] == ["Piano", "Bass", "Drums"]
    assert song.tracks[2].is_drum and song.tracks[2].channel == 9
    assert TimeMap.of(song).bar_count(song.end) == 4 and song.length == 4 * 3 * 4 * Q
    assert round(song.tempos[0].bpm) == 90 and song.key_signatures[0].key == "Bm"
    bass = song.tracks[1].notes
    assert all(24 <= n.pitch <= 67 for n in bass)  # a bass's range, not the whole keyboard
    assert len({n.velocity for t in song.tracks for n in t.notes}) > 5  # never one constant
    assert all(take.new_notes[t.id] for t in song.tracks)
    assert take.counts() == {t.name: len(t.notes) for t in song.tracks}
    assert len(take.edit.inverse().apply(song).tracks) == 0


def test_a_composed_piece_ends_on_the_home_chord_unless_asked_to_stay_open():
    """QA: 4 of 24 composed 8-bar pieces ended their melody on the tonic, most an offbeat
    16th before the end; a piece now closes on its last bar's downbeat, held."""
    names = ["Flute", "Piano", "Bass", "Drums"]
    params = tasks.SongParams(tracks=tuple(map(tasks.track_spec, names)), bars=4, key="G")
    assert "ending" in {o.name for o in model().info.options}  # offered by the studio
    for seed in (1, 2):
        song = tasks.compose(params, model=model(), options=replace(OPTS, seed=seed)).after
        last = 3 * BAR
        for track in song.tracks:
            ending = [n for n in track.notes if n.end > last]
            assert ending and all(n.start == last for n in ending), (seed, track.name)
            if track.is_drum:
                assert {n.pitch for n in ending} <= {36, 49}  # a kick and a crash
            else:
                assert all(n.end >= song.end - Q for n in ending)  # held to the end
        flute, piano, bass = ([n.pitch % 12 for n in t.notes if n.start == last]
                              for t in song.tracks[:3])
        assert flute == bass == [7] and set(piano) <= {7, 11, 2}
        open_ = tasks.compose(params, model=model(),
                              options=replace(OPTS, seed=seed, extra={"ending": "open"}))
        assert any(n.start > last for t in open_.after.tracks for n in t.notes)


def test_compose_with_no_key_named_writes_in_a_key_drawn_from_the_seed():
    from engine.score.spelling import scale_pitch_classes
    from engine.tasks.keys import NEW_PIECE_KEYS

    params = tasks.SongParams(tracks=(tasks.track_spec("Piano"),), bars=2)
    keys = set()
    for seed in range(4):
        take = tasks.compose(params, model=model(), options=replace(OPTS, seed=seed,
                                                                   key=tasks.AUTO))
        (signature,) = take.after.key_signatures  # written into the song, for everyone
        assert signature.key in NEW_PIECE_KEYS and take.key == signature.key
        scale = scale_pitch_classes(signature.key)
        assert all(n.pitch % 12 in scale for n in take.after.tracks[0].notes)
        again = tasks.compose(params, model=model(), options=replace(OPTS, seed=seed,
                                                                    key=tasks.AUTO))
        assert again.after.key_signatures == take.after.key_signatures  # same seed, same key
        keys.add(signature.key)
    assert len(keys) > 1
    free = tasks.compose(params, model=model(), options=replace(OPTS, seed=0, key=None))
    assert free.after.key_signatures == () and free.key is None  # --key none: no key


def test_continue_writes_after_the_end_and_lengthens_the_song():
    song = chorale_melody()  # 4 bars
    take = tasks.continue_(song, 2, model=model(), options=OPTS)
    after = check_take(take)
    assert after.length == 6 * BAR
    new = take.new_notes[song.tracks[0].id]
    assert new and all(n.start >= 4 * BAR and n.end <= 6 * BAR for n in new)


def test_a_tune_closed_by_a_short_bar_goes_on_in_its_running_meter():
    # A jig: a 1/8 pickup, four bars of 6/8, and a 5/8 bar that completes the pickup.
    notes = tuple(Note(67, t, 240) for t in range(0, 240 + 4 * 1440 + 1200, 240))
    song = Song(tracks=(Track("Fiddle", program=40, notes=notes),), ppq=480,
                time_signatures=(TimeSignature(0, 1, 8), TimeSignature(240, 6, 8),
                                 TimeSignature(240 + 4 * 1440, 5, 8)))
    take = tasks.continue_(song, 2, model=model(), options=OPTS)
    after = check_take(take)
    end = 240 + 4 * 1440 + 1200
    assert TimeMap.of(after).signature_at(end + 1).numerator == 6  # 6/8 again, not 5/8
    assert after.length == end + 2 * 1440

    # A grouped dance goes on grouped: 3+2+2/8, not the 2+2+3 a bare 7/8 would count.
    dance = Song(tracks=(Track("Clarinet", program=71, notes=tuple(
        Note(69, t, 240) for t in range(0, 4 * 1680 + 720, 240))),), ppq=480,
        time_signatures=(TimeSignature(0, 7, 8, (3, 2, 2)),
                         TimeSignature(4 * 1680, 3, 8)))
    after = check_take(tasks.continue_(dance, 1, model=model(), options=OPTS))
    assert TimeMap.of(after).signature_at(4 * 1680 + 721).text == "3+2+2/8"


@pytest.mark.parametrize("meter", [(7, 8, (3, 2, 2)), (6, 8, None)])
def test_a_song_that_has_just_changed_meter_goes_on_in_it(meter):
    # Prog: three bars of 4/4, then one of 3+2+2/8 (or 6/8), shorter than 4/4 but no
    # closing bar (no pickup to complete, more than half a bar): the new bars are in it.
    numerator, denominator, pulses = meter
    bar = 240 * numerator
    notes = tuple(Note(60, t, 240) for t in range(0, 3 * BAR + bar, 240))
    sig = TimeSignature(3 * BAR, numerator, denominator, pulses) if pulses else \
        TimeSignature(3 * BAR, numerator, denominator)
    song = Song(tracks=(Track("Keys", notes=notes),), ppq=480,
                time_signatures=(TimeSignature(0, 4, 4), sig))
    after = check_take(tasks.continue_(song, 2, model=model(), options=OPTS))
    assert TimeMap.of(after).signature_at(3 * BAR + bar + 1) == sig
    assert after.length == 3 * BAR + 3 * bar


def test_variations_differ_and_repeat_with_their_seeds():
    song = chorale_melody()
    tid = song.tracks[0].id

    def run(o):
        return tasks.repaint(song, [tid], 1, 2, model=model(), options=o)

    takes = tasks.run_variations(run, OPTS, 3)
    assert len({t.signature() for t in takes}) == 3
    assert [t.seed for t in takes] == [11, 12, 13]
    assert run(GenerateOptions(seed=12, steps=3)).signature() == takes[1].signature()


def test_variations_that_add_tracks_share_them_and_so_one_region():
    """Harmonize under a lone melody adds Alto, Tenor, Bass in each variation: the takes
    write the same new tracks (one region to choose in), each still a whole take."""
    song = chorale_melody()
    tid = song.tracks[0].id
    takes = tasks.run_variations(
        lambda o: tasks.harmonize(song, tid, model=model(), options=o), OPTS, 3)
    assert len({t.mask for t in takes}) == 1 and len({t.signature() for t in takes}) == 3
    new = [e.track.id for e in takes[0].prep]
    for take in takes:
        after = check_take(take)
        assert [t.id for t in after.tracks[1:]] == new
        assert all(after.track(i).notes == take.new_notes[i] for i in new)
        assert take.edit.inverse().apply(after).tracks == song.tracks
    # Compose's other prep stays each take's own: the key signature drawn from its seed.
    params = tasks.SongParams(tracks=(tasks.track_spec("Piano"),), bars=2)
    composed = tasks.run_variations(
        lambda o: tasks.compose(params, model=model(), options=o),
        GenerateOptions(seed=1, steps=3, key="auto"), 3)
    assert len({t.mask for t in composed}) == 1
    assert [t.after.key_signatures[0].key for t in composed] == [t.key for t in composed]
    assert len({t.key for t in composed}) > 1


def test_variations_redraw_a_repeated_take():
    song = chorale_melody()
    calls = []

    def run(o):  # the first two seeds give the same music
        calls.append(o.seed)
        base = song.tracks[0].notes[0]
        note = Note(base.pitch + (0 if o.seed in (0, 1) else o.seed), 0, Q)
        mask = Mask.of(Region({song.tracks[0].id}, 0, BAR))
        return tasks.TaskResult("x", song, mask, {song.tracks[0].id: (note,)},
                                EditGroup(()), o.seed)

    takes = tasks.run_variations(run, GenerateOptions(seed=0), 2)
    assert calls == [0, 1, 3] and len({t.signature() for t in takes}) == 2


def test_variations_redraw_a_take_that_writes_back_the_notes_it_replaces():
    song = chorale_melody()
    tid = song.tracks[0].id
    mask = Mask.of(Region({tid}, 0, BAR))
    inside = mask.notes_inside(song)[tid]
    calls = []

    def run(o):  # seed 0: the very notes that are there (a keep-rhythm repaint can)
        calls.append(o.seed)
        notes = tuple(Note(n.pitch + (0 if o.seed == 0 else 2), n.start, n.duration,
                           n.velocity) for n in inside)
        return tasks.TaskResult("repaint", song, mask, {tid: notes}, EditGroup(()), o.seed)

    assert run(GenerateOptions(seed=0)).unchanged
    takes = tasks.run_variations(run, GenerateOptions(seed=0), 1)
    assert calls == [0, 0, 1] and not takes[0].unchanged


def test_variations_take_an_empty_answer_as_it_is():
    song = chorale_melody()
    tid = song.tracks[0].id
    calls = []

    def run(o):  # a model that finds nothing to write, whatever the seed
        calls.append(o.seed)
        mask = Mask.of(Region({tid}, song.length, song.length + BAR))
        return tasks.TaskResult("continue", song, mask, {tid: ()}, EditGroup(()), o.seed)

    takes = tasks.run_variations(run, GenerateOptions(seed=0), 2)
    assert calls == [0, 1] and all(t.empty for t in takes)


def test_task_errors_are_clear():
    silent = Song(tracks=(Track(name="Piano"),))
    with pytest.raises(tasks.TaskError, match="empty"):
        tasks.regenerate(silent, silent.tracks[0].id, model=model())
    with pytest.raises(tasks.TaskError, match="unknown instrument"):
        tasks.track_spec("kazoo-tron")
    assert tasks.track_spec("marimba").program == 12
    assert tasks.track_spec("Drums").is_drum
    with pytest.raises(tasks.TaskError, match="no notes"):
        empty = Song(tracks=(Track(name="M"),), length=BAR)
        tasks.harmonize(empty, empty.tracks[0].id, model=model())


# -- what a model can write: a job it cannot do is refused whole, before the model runs ------


class Declared:
    """A model that writes only ``instruments`` and returns no notes (as the drumkit does for
    a pitched track): it must be refused before it runs on a track it cannot write."""

    def __init__(self, name: str, instruments: tuple[str, ...]) -> None:
        self.info = ModelInfo(name, "0", instruments=instruments)
        self.calls: list[frozenset[int]] = []

    def generate(self, song, mask, options, progress, cancel):
        self.calls.append(mask.track_ids)
        return {}


def band() -> Song:
    """Lead, Bass and Drums, four bars of notes each."""
    def part(pitch, step):
        return tuple(Note(pitch + i % 3, i * step, step, 80) for i in range(4 * BAR // step))

    return Song(tracks=(Track(name="Lead", program=73, channel=0, notes=part(72, 4 * Q)),
                        Track(name="Bass", program=33, channel=1, notes=part(36, 8 * Q)),
                        Track(name="Drums", is_drum=True, channel=9, notes=part(36, 2 * Q))))


def test_a_drum_model_refuses_pitched_tracks_and_writes_nothing():
    song = band()
    lead, bass, drums = (t.id for t in song.tracks)
    kit = Declared("drumkit", ("drums",))
    with pytest.raises(tasks.TaskError,
                       match="drumkit writes only drum tracks; it cannot write 'Bass'"):
        tasks.regenerate(song, bass, model=kit, options=OPTS)
    with pytest.raises(tasks.TaskError, match="it cannot write 'Lead'"):
        tasks.repaint(song, [lead], 4, 8, model=kit, options=OPTS)
    # A mask over drums and a pitched track: the whole job is refused, drums included.
    with pytest.raises(tasks.TaskError, match="it cannot write 'Lead', 'Bass'"):
        tasks.repaint(song, [drums, bass, lead], 0, 2, model=kit, options=OPTS)
    with pytest.raises(tasks.TaskError, match="cannot write 'Lead', 'Bass'"):
        tasks.continue_(song, 2, model=kit, options=OPTS)
    with pytest.raises(tasks.TaskError, match="cannot write 'Piano'"):
        tasks.compose(tasks.SongParams(tracks=(tasks.track_spec("Piano"),
                                               tasks.track_spec("Drums"))),
                      model=kit, options=OPTS)
    assert kit.calls == []  # the model never ran: no take, nothing deleted
    assert song == band()
    # Its own tracks it still writes.
    take = tasks.repaint(song, [drums], 0, 2, model=kit, options=OPTS)
    assert kit.calls == [{drums}] and take.mask.track_ids == {drums}


def test_a_pitched_model_refuses_drum_tracks_and_writes_any_pitched_track():
    song = band()
    lead, bass, drums = (t.id for t in song.tracks)
    voices = Declared("chorale-jsb", ("voice",))
    msg = (r"chorale-jsb cannot write drum tracks \('Drums'\); choose a model that writes "
           r"drums, e.g. partita-base")
    with pytest.raises(tasks.TaskError, match=msg):
        tasks.repaint(song, [drums, bass], 4, 8, model=voices, options=OPTS)
    with pytest.raises(tasks.TaskError, match=msg):
        tasks.continue_(song, 2, model=voices, options=OPTS)  # all tracks, drums among them
    with pytest.raises(tasks.TaskError, match=msg):
        tasks.harmonize(song, lead, model=voices, options=OPTS)
    with pytest.raises(tasks.TaskError, match=r"cannot write drum tracks \('Drums'\)"):
        tasks.compose(tasks.SongParams(), model=voices, options=OPTS)  # Piano, Bass, Drums
    assert voices.calls == []
    # A voice model may write a bass or a lead line; writing no notes there is its choice.
    take = tasks.repaint(song, [bass, lead], 0, 1, model=voices, options=OPTS)
    assert voices.calls == [{bass, lead}] and take.new_notes == {}
    check_take(take)
    assert tasks.continue_(song, 1, track_ids=[lead], model=voices, options=OPTS).counts() == {}


def test_models_that_write_anything_or_declare_a_role_list_are_checked_per_track():
    song = band()
    ids = [t.id for t in song.tracks]
    for instruments in (("any",), ("drums", "melody"), ("bass", "any")):
        tasks.repaint(song, ids, 0, 1, model=Declared("m", instruments), options=OPTS)
    with pytest.raises(tasks.TaskError, match="m declares no instruments"):
        tasks.repaint(song, ids, 0, 1, model=Declared("m", ()), options=OPTS)
    # The random grid model restricted to voices: refused before any sampling.
    voices = GridModelPlugin(ModelInfo("v", "0", instruments=("voice",), max_lanes=8),
                             random_logits, context_bars=1)
    with pytest.raises(tasks.TaskError, match="v cannot write drum tracks"):
        tasks.regenerate(song, ids[2], model=voices, options=OPTS)
    assert tasks.regenerate(song, ids[1], model=voices, options=OPTS).new_notes[ids[1]]


def test_the_drumkit_plugin_cannot_empty_a_pitched_track():
    drumkit = pytest.importorskip("partita_drumkit.plugin")
    song = band()
    _, bass, drums = (t.id for t in song.tracks)
    kit = drumkit.DrumKit()
    with pytest.raises(tasks.TaskError, match="drumkit writes only drum tracks"):
        tasks.regenerate(song, bass, model=kit, options=OPTS)
    take = tasks.regenerate(song, drums, model=kit, options=OPTS)
    assert take.after.track(bass).notes == song.track(bass).notes
    assert take.new_notes[drums]


def test_harmonize_refuses_a_drum_melody():
    song = band()
    m = Declared("any", ("any",))
    with pytest.raises(tasks.TaskError,
                       match="'Drums' is a drum track; a melody needs pitched notes"):
        tasks.harmonize(song, song.tracks[2].id, model=m, options=OPTS)
    lone = Song(tracks=(song.tracks[2],))  # a lone drum track would get a band added
    with pytest.raises(tasks.TaskError, match="drum track"):
        tasks.harmonize(lone, lone.tracks[0].id, model=m, options=OPTS)
    assert m.calls == []


def lead_only(song, mask):
    """One note per beat inside the mask, on the lead (the first masked track) only."""
    start, end = mask.span
    lead = min(mask.track_ids)
    return {lead: tuple(Note(70, t, Q, 90) for t in range(start, end, 4 * Q))}


def test_a_masked_track_the_model_leaves_out_keeps_its_notes():
    song = band()
    lead, bass, _ = (t.id for t in song.tracks)
    take = tasks.repaint(song, [lead, bass], 1, 3, model=Answers(lead_only), options=OPTS)
    after = take.after
    assert after.track(bass).notes == song.track(bass).notes
    assert [n.pitch for n in after.track(lead).notes if BAR <= n.start < 3 * BAR] == [70] * 8
    assert take.counts() == {"Lead": 8}
    empty = tasks.repaint(song, [lead, bass], 1, 3, model=Answers(lambda s, m: {}),
                          options=OPTS)
    assert empty.after.tracks == song.tracks and empty.counts() == {}


def test_a_generator_of_notes_is_written_and_counted():
    song = band()
    lead = song.tracks[0].id

    def generator(song, mask):
        return {t: (n for n in notes) for t, notes in lead_only(song, mask).items()}

    take = tasks.repaint(song, [lead], 1, 3, model=Answers(generator), options=OPTS)
    assert take.counts() == {"Lead": 8}
    assert len(take.after.track(lead).notes) == len(song.track(lead).notes)


def raises(error):
    def answer(song, mask):
        raise error
    return answer


@pytest.mark.parametrize("answer, message", [
    (raises(RuntimeError("boom")), "model 'qa' failed: RuntimeError: boom"),
    (raises(SystemExit(3)), r"model 'qa' failed: called sys.exit\(3\) while generating"),
    (lambda s, m: None, "model 'qa' returned NoneType, expected a mapping"),
    (lambda s, m: [()], "model 'qa' returned list, expected a mapping"),
    (lambda s, m: {m.track_ids and 99: ()}, "model 'qa' wrote track id 99, which is not a track"),
])
def test_a_model_that_fails_or_returns_garbage_is_one_error_naming_it(answer, message):
    song = band()
    with pytest.raises(ModelFailed, match=message):
        tasks.repaint(song, [song.tracks[0].id], 0, 1, model=Answers(answer), options=OPTS)


@pytest.mark.parametrize("error", [Cancelled(), KeyboardInterrupt()])
def test_a_cancel_or_ctrl_c_passes_through(error):
    song = band()
    with pytest.raises(type(error)):
        tasks.repaint(song, [song.tracks[0].id], 0, 1, model=Answers(raises(error)),
                      options=OPTS)


@pytest.mark.parametrize("meter", [(300, 4), (4, 3), (0, 4)])
def test_compose_refuses_a_meter_no_saved_song_can_hold(meter):
    with pytest.raises(tasks.TaskError, match="not one MIDI can hold"):
        tasks.compose(tasks.SongParams(meter=meter), model=model(), options=OPTS)


def test_the_shipped_chorale_model_holds_its_final_chord_under_a_mid_bar_ending():
    """A melody ending on beat 3: every added voice sounds under its last note, in every
    take (the lower voices used to stop a beat early, hearing the rest of the bar as the
    end)."""
    from engine.models.plugin import plugin_from_folder, shipped_model_folder

    chorale = plugin_from_folder(shipped_model_folder("chorale-jsb"))
    song = chorale_melody()
    song = Song(tracks=(song.tracks[0].with_notes(song.tracks[0].notes[:-2]),))  # 3.5 bars
    end = max(n.end for n in song.tracks[0].notes)
    for seed in (1, 2, 3):
        take = tasks.harmonize(song, song.tracks[0].id, model=chorale,
                               options=GenerateOptions(steps=8, seed=seed))
        for track in take.after.tracks[1:]:
            assert any(n.start < end <= n.end for n in track.notes), (seed, track.name)


def test_the_shipped_chorale_model_closes_a_g_major_hymn_on_g():
    """The QA pass's hymn ended on vi or IV in 6 of 8 takes; the close is now the tonic
    chord with the tonic in the bass."""
    from engine.models.plugin import plugin_from_folder, shipped_model_folder

    chorale = plugin_from_folder(shipped_model_folder("chorale-jsb"))
    song = chorale_melody()  # G major, ending on G
    end = max(n.end for n in song.tracks[0].notes)
    for seed in (1, 2, 3):
        after = tasks.harmonize(song, song.tracks[0].id, model=chorale,
                                options=GenerateOptions(steps=8, seed=seed)).after
        last = [next(n.pitch for n in t.notes if n.start < end <= n.end)
                for t in after.tracks]
        assert last[-1] % 12 == 7, (seed, last)  # the bass on G
        assert {p % 12 for p in last} <= {7, 11, 2}, (seed, last)  # a G major chord


def test_the_shipped_chorale_model_closes_a_tune_on_middle_c_in_voice_order():
    """Ending on middle C, the alto sang E4 over the melody in 5 of 5 takes (QA) and the
    final chord doubled its third in 10 of 39: now the voices stay in order, S >= A >= T
    >= B, with one third."""
    from engine.models.plugin import plugin_from_folder, shipped_model_folder

    chorale = plugin_from_folder(shipped_model_folder("chorale-jsb"))
    tune = [64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 64, 62, 62, 60]  # Ode to Joy
    notes = tuple(Note(p, i * 4 * Q, 4 * Q, 80) for i, p in enumerate(tune))
    song = Song(tracks=(Track(name="Soprano", program=19, notes=notes),))
    end = max(n.end for n in notes)
    for seed in (1, 2, 3):
        after = tasks.harmonize(song, song.tracks[0].id, accompaniment="satb", model=chorale,
                                options=GenerateOptions(steps=8, seed=seed)).after
        last = [[n.pitch for n in t.notes if n.start < end <= n.end] for t in after.tracks]
        assert all(len(p) == 1 for p in last), (seed, last)
        chord = [p[0] for p in last]
        assert chord == sorted(chord, reverse=True), (seed, chord)  # S >= A >= T >= B
        assert [p % 12 for p in chord].count(4) == 1, (seed, chord)  # one third (E)
        assert chord[-1] % 12 == 0, (seed, chord)


def test_bad_options_are_a_task_error_not_the_models_failure():
    # A typo in the key raised ModelFailed ("model 'partita-base' failed"), blaming it.
    song = Song((Track("Lead", notes=tuple(Note(60 + i % 5, i * Q, Q) for i in range(32))),))
    lead = song.tracks[0].id
    for options, problem in ((replace(OPTS, key="Zm"), "unknown key 'Zm'"),
                             (replace(OPTS, precision="fp16"), "precision must be")):
        with pytest.raises(tasks.TaskError, match=f"bad generation options: {problem}"):
            tasks.repaint(song, [lead], 0, 1, model=model(), options=options)


def test_a_song_too_coarse_for_the_grid_is_the_songs_problem_said_plainly():
    song = Song((Track("Lead", notes=tuple(Note(60 + i % 5, i, 1) for i in range(16))),),
                ppq=2)
    with pytest.raises(tasks.TaskError, match=r"resolution \(2 PPQ\) is too coarse"):
        tasks.repaint(song, [song.tracks[0].id], 0, 1, model=model(), options=OPTS)


def test_repaint_refuses_a_pitch_band_outside_the_parts_range():
    song = chorale_melody()  # a Soprano: sung G3..B5 (a tone wider than JSB's)
    with pytest.raises(tasks.TaskError, match=r"pitch band C9–G9 lies outside the range of "
                                              r"Soprano"):
        tasks.repaint(song, [song.tracks[0].id], 0, 2, pitch_range=(120, 127), model=model(),
                      options=OPTS)


def test_repaint_keeps_a_range_within_each_parts_instrument_and_refuses_one_outside():
    # QA: repaint --range C0-C8 over horn, piccolo, tuba, violin and double bass wrote a
    # violin's Bb2, a tuba's G5, a horn's A5 and a double bass's F5.
    from engine.score.instruments import instrument_range

    programs = {"Horn in F 1": 60, "Piccolo": 72, "Tuba": 58, "Violin I": 40, "Contrabass": 43}
    song = Song(tracks=tuple(Track(name, program=p, channel=i) for i, (name, p)
                             in enumerate(programs.items())), length=8 * BAR)
    ids = [t.id for t in song.tracks]
    result = tasks.repaint(song, ids, 0, 8, model=model(), options=replace(
        OPTS, pitch_range=(12, 108), key=None))
    for track in song.tracks:
        lo, hi = instrument_range(track.program)
        new = [n.pitch for n in result.new_notes[track.id]]
        assert new and lo <= min(new) and max(new) <= hi, track.name
    with pytest.raises(tasks.TaskError, match=r"pitch range C6–C8 lies outside the range of "
                                              r"Horn in F 1 B1–F5, Tuba D1–F4, Contrabass E1–G4"):
        tasks.repaint(song, ids, 0, 8, model=model(),
                      options=replace(OPTS, pitch_range=(84, 108)))


def test_the_shipped_chorale_model_keeps_a_violins_quartet_in_its_voices():
    """Named after their instruments, harmonize's Violin II, Viola and Cello lost the
    alto's, tenor's and bass's ranges and order: over a violin's G major tune reaching
    G5 the Violin II spanned F♯4–A5 and sounded above the tune in 33 of 64 eighths (QA).
    Read by the voice each plays, each part keeps to its voice's range and none sounds
    above the melody."""
    from engine.models.plugin import plugin_from_folder, shipped_model_folder
    from engine.score.instruments import part_range

    chorale = plugin_from_folder(shipped_model_folder("chorale-jsb"))
    tune = [67, 71, 74, 79, 78, 74, 76, 74, 72, 71, 69, 67, 69, 71, 74, 74,
            76, 78, 79, 74, 72, 71, 72, 74, 71, 69, 67, 69, 71, 69, 66, 67]
    notes = tuple(Note(p, i * 4 * Q, 4 * Q, 80) for i, p in enumerate(tune))
    song = Song(tracks=(Track(name="Violin", program=40, notes=notes),))

    def sounding(track: Track, tick: int) -> list[int]:
        return [n.pitch for n in track.notes if n.start <= tick < n.end]

    for seed in (1, 2):
        after = tasks.harmonize(song, song.tracks[0].id, model=chorale,
                                options=GenerateOptions(steps=8, seed=seed)).after
        melody, *parts = after.tracks
        assert [(t.name, t.program) for t in parts] == [
            ("Violin II", 40), ("Viola", 41), ("Cello", 42)]
        for track, voice in zip(parts, ("Alto", "Tenor", "Bass"), strict=True):
            lo, hi = part_range(voice, track.program)  # G3–D5, C3–G4, E2–C4
            assert track.notes, (seed, track.name)
            assert all(lo <= n.pitch <= hi for n in track.notes), (seed, track.name)
            above = [t for t in range(0, len(tune) * 4 * Q, 2 * Q)
                     if max(sounding(track, t), default=0) > min(sounding(melody, t),
                                                                 default=127)]
            assert above == [], (seed, track.name)
