"""What a take did not do that it was asked to: each warning kind, over small real songs,
in the studio's words (on the take) and the command line's (over a request's takes)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine import tasks
from engine.jobs import JobQueue, JobRequest, make_take, take_from_result, take_warnings
from engine.jobs import queue as job_queue
from engine.jobs.take_warnings import (
    CLI,
    DROPPED_CONTROLS,
    DROPPED_LYRICS,
    GENERAL_MODEL,
    OFF_GRID,
    OFF_KEY,
    PARALLELS,
    RESTED,
    STUDIO,
    result_warnings,
)
from engine.plugins.api import GenerateOptions, ModelInfo
from engine.plugins.builtin import GRID_OPTIONS
from engine.score import ChordSymbol, ControlEvent, Mask, Note, Region, Song, TimeSignature, Track
from tests.engine.jobs.toy_models import Answers

Q = 480
BAR = 4 * Q
GENERAL = ModelInfo("partita-base", "1", instruments=("any",))


def take_of(song: Song, mask: Mask, notes: dict, **options):
    return make_take(job_id=1, model="qa", task="repaint", mask=mask, song=song, revision=0,
                     result=notes, options=GenerateOptions(**options))


def minor_song() -> Song:
    """Four bars of D minor on the piano (D F A C#), a bass, and drums."""
    piano = Track("Piano", notes=tuple(Note(p, i * Q, Q) for i, p in
                                       enumerate((62, 65, 69, 73) * 4)))
    bass = Track("Bass", program=33, notes=tuple(Note(38, b * BAR, BAR) for b in range(4)))
    drums = Track("Drums", is_drum=True, channel=9,
                  notes=tuple(Note(36, i * Q, Q // 2) for i in range(16)))
    return Song((piano, bass, drums))


def duo() -> Song:
    """A lead (C D E F, a beat each) and an empty second part."""
    lead = Track("Lead", program=73, notes=tuple(Note(p, i * Q, Q)
                                                  for i, p in enumerate((72, 74, 76, 77))))
    return Song((lead, Track("Second", program=71)))


def fifths_below(song: Song, track: Track) -> tuple[Note, ...]:
    return tuple(Note(n.pitch - 7, n.start, n.duration) for n in song.find_track("Lead").notes)


def chorale() -> Song:
    """One bar of four voices: a chorale's Soprano, Alto, Tenor and Bass."""
    parts = {"Soprano": (72, 74, 76, 77), "Alto": (67, 67, 69, 69),
             "Tenor": (64, 65, 64, 65), "Bass": (48, 47, 45, 50)}
    return Song(tuple(Track(name, program=52, notes=tuple(Note(p, i * Q, Q)
                                                          for i, p in enumerate(pitches)))
                      for name, pitches in parts.items()))


# -- notes off the key ---------------------------------------------------------------------------


def test_new_notes_off_the_key_are_counted_and_placed():
    song = minor_song()
    piano, drums = song.find_track("Piano"), song.find_track("Drums")
    mask = Mask.of(Region({piano.id, drums.id}, BAR, 3 * BAR))
    new = {piano.id: (Note(62, BAR, Q), Note(63, BAR + Q, Q),  # D, and D# off D minor
                      Note(65, 2 * BAR, Q), Note(68, 2 * BAR + Q, Q)),  # F, and G#
           drums.id: (Note(42, BAR, Q),)}  # a hi-hat: not a pitch, never off the key
    (warning,) = take_warnings(take_of(song, mask, new, key="Dm"), GENERAL)
    assert warning.kind == OFF_KEY
    assert warning.message == (
        "partita-base was asked to keep new notes in D minor, but 2 of its 4 new notes are "
        "outside it (the model does not follow the Key setting)")
    assert warning.detail == "Outside the key: Piano in bars 2–3"
    # A key found around the region (none named) was nobody's request: not "asked".
    result = tasks.repaint_mask(song, mask, model=Answers(lambda s, m: new),
                                options=GenerateOptions(key="Dm"))
    (found,) = result_warnings([result], GENERAL, CLI, key_found=True)
    assert found.message == (
        "partita-base was to keep new notes in D minor, the key found around them, but 2 "
        "of its 4 new notes are outside it (the model does not follow --key)")


def test_tones_of_the_chord_in_force_are_not_counted_off_the_key():
    # A blues's E♭ under F7 is what the chord asked for, not a stray from F major: the
    # jazz arranger's --key F take was warned of 22 of 177 such notes.
    song = replace(minor_song(), chords=(ChordSymbol(0, "F7"), ChordSymbol(BAR, "D7")))
    piano = song.find_track("Piano")
    mask = Mask.of(Region({piano.id}, 0, 2 * BAR))
    tones = {piano.id: (Note(63, 0, Q), Note(66, BAR, Q))}  # E♭ under F7, F♯ under D7
    assert take_warnings(take_of(song, mask, tones, key="F"), GENERAL) == ()
    stray = {piano.id: (*tones[piano.id], Note(71, Q, Q))}  # B under F7: neither
    (warning,) = take_warnings(take_of(song, mask, stray, key="F"), GENERAL)
    assert warning.message == (
        "partita-base was asked to keep new notes in F major, but 1 of its 3 new notes is "
        "outside it and off the chord symbols (the model does not follow the Key setting)")
    assert warning.detail == "Outside the key: Piano in bar 1"
    # chords ignored, the key alone is asked: all three count
    (ignored,) = take_warnings(take_of(song, mask, stray, key="F", follow_chords=False),
                               GENERAL)
    assert "3 of its 3 new notes are outside it (" in ignored.message


def test_bars_are_numbered_as_the_score_reads_them_a_pickup_is_bar_0():
    song = minor_song()
    # A beat of pickup (1/4), then 4/4: the bar from tick Q on is bar 1.
    song = replace(song, time_signatures=(TimeSignature(0, 1, 4), TimeSignature(Q, 4, 4)))
    piano = song.find_track("Piano")
    mask = Mask.of(Region({piano.id}, Q, Q + BAR))
    new = {piano.id: (Note(63, Q, Q),)}  # D#, on the first downbeat
    (warning,) = take_warnings(take_of(song, mask, new, key="Dm"), GENERAL)
    assert warning.detail == "Outside the key: Piano in bar 1"


def test_notes_in_the_key_or_with_no_key_asked_warn_of_nothing():
    song = minor_song()
    piano = song.find_track("Piano")
    mask = Mask.of(Region({piano.id}, BAR, 2 * BAR))
    chromatic = {piano.id: tuple(Note(60 + i, BAR + i * Q // 4, Q // 4) for i in range(12))}
    assert take_warnings(take_of(song, mask, chromatic), GENERAL) == ()  # no key asked
    in_key = {piano.id: (Note(62, BAR, Q), Note(73, BAR + Q, Q))}  # C#: the leading tone
    assert take_warnings(take_of(song, mask, in_key, key="Dm"), GENERAL) == ()


# -- parallels -----------------------------------------------------------------------------------


def test_parallels_asked_to_be_avoided_are_named_with_their_tracks_and_bar():
    song = duo()
    second = song.find_track("Second")
    mask = Mask.of(Region({second.id}, 0, BAR))
    new = {second.id: fifths_below(song, second)}
    plugin = ModelInfo("my-harmonizer", "1")  # a plugin: it may ignore the option
    (warning,) = take_warnings(take_of(song, mask, new, avoid_parallels=True), plugin)
    assert warning.kind == PARALLELS
    assert warning.message == (
        "my-harmonizer was asked for no parallel fifths or octaves (the “No parallel 5ths / "
        "8ves” setting), but its new notes make 3 (first: fifths, Lead and Second, into "
        "1.2.000): the model does not follow the “No parallel 5ths / 8ves” setting")
    assert warning.detail == "Parallel fifths or octaves: Lead and Second in bar 1"
    # Not asked: parallels are the writer's to choose.
    assert take_warnings(take_of(song, mask, new, avoid_parallels=False), plugin) == ()


def test_a_parallel_a_built_in_model_let_slip_is_not_called_ignoring_the_option():
    """QA: "chorale-jsb was asked for no parallel fifths or octaves … the model does not
    follow --avoid-parallels" — the built-in models do follow it (their sampler lets one
    through only where its rules leave nothing else): said as that, with what to do."""
    song = duo()
    second = song.find_track("Second")
    mask = Mask.of(Region({second.id}, 0, BAR))
    fifths = take_of(song, mask, {second.id: fifths_below(song, second)},
                     avoid_parallels=True)
    grid_pack = ModelInfo("my-pack", "1", options=GRID_OPTIONS)  # a pack of their kind
    for model in (GENERAL, ModelInfo("chorale-jsb", "1"), grid_pack):
        (warning,) = take_warnings(fifths, model)
        assert warning.message == (
            "3 parallel fifths slipped through (first: Lead and Second, into 1.2.000): each "
            "where no other note was left; Ctrl+G asks again with new seeds")
        assert warning.detail == "Parallel fifths or octaves: Lead and Second in bar 1"
    # One octave, in the command line's words: C D an octave below the lead's, then held.
    result = tasks.repaint_mask(song, mask, model=Answers(lambda s, m: {
        second.id: (Note(60, 0, Q), Note(62, Q, 3 * Q))}), options=GenerateOptions(
            key=None, avoid_parallels=True))
    (warning,) = result_warnings([result], GENERAL, CLI, asked_parallels=True)
    assert warning.message == (
        "1 parallel octave slipped through (Lead and Second into 1.2.000): no other note "
        "was left there; try another --seed")


def test_parallels_of_a_chorale_are_said_to_be_chorale_writings():
    song = chorale()
    alto = song.find_track("Alto")
    mask = Mask.of(Region({alto.id}, 0, BAR))
    # The alto an octave under the soprano all along: parallel octaves.
    new = {alto.id: tuple(Note(n.pitch - 12, n.start, n.duration)
                          for n in song.find_track("Soprano").notes)}
    choir = ModelInfo("my-choir", "1", instruments=("voice",))
    (warning,) = take_warnings(take_of(song, mask, new, avoid_parallels=True), choir)
    assert "(chorale writing)" in warning.message
    assert "octaves, Soprano and Alto, into 1.2.000" in warning.message


def test_parallels_across_a_16th_rest_are_told_too():
    # QA: soprano and bass F#5/F#3 → E5/E3, the bass's F#3 cut to a dotted eighth.
    sop = Track("Soprano", program=52, notes=(Note(78, 0, Q), Note(76, Q, Q)))
    bass = Track("Bass", program=52, channel=3)
    song = Song((sop, bass))
    mask = Mask.of(Region({bass.id}, 0, BAR))
    new = {bass.id: (Note(54, 0, 3 * Q // 4), Note(52, Q, Q))}
    choir = ModelInfo("my-choir", "1", instruments=("voice",))
    (warning,) = take_warnings(take_of(song, mask, new, avoid_parallels=True), choir)
    assert "make 1 (first: octaves, Soprano and Bass, into 1.2.000)" in warning.message
    # A beat's rest is a breath: the bass starts again, nothing to tell.
    new = {bass.id: (Note(54, 0, Q), Note(52, 3 * Q, Q))}
    song = replace(song, tracks=(replace(sop, notes=(Note(78, 0, 3 * Q), Note(76, 3 * Q, Q))),
                                 bass))
    assert take_warnings(take_of(song, mask, new, avoid_parallels=True), choir) == ()


# -- a general model for chorale voices -----------------------------------------------------------


def test_chorale_voices_by_a_general_model_name_the_chorale_model():
    song = chorale()
    alto = song.find_track("Alto")
    mask = Mask.of(Region({alto.id}, 0, BAR))
    new = {alto.id: tuple(n for n in alto.notes)}
    (warning,) = take_warnings(take_of(song, mask, new), GENERAL)
    assert warning.kind == GENERAL_MODEL
    assert warning.message == (
        "partita-base is a general model: the chorale voices it wrote (Alto) clash more "
        "often than those of chorale-jsb, which is made for four-part chorales (choose it, "
        "or Auto, as the Generate panel's model)")
    # The chorale model, or any model that declares it writes voices, is made for them.
    for info in (ModelInfo("chorale-jsb", "1"), ModelInfo("my-choir", "1", instruments=("voice",))):
        assert take_warnings(take_of(song, mask, new), info) == ()


def test_careful_voice_leading_in_a_band_is_no_chorale():
    song = duo()
    second = song.find_track("Second")
    mask = Mask.of(Region({second.id}, 0, BAR))
    new = {second.id: (Note(64, 0, BAR),)}  # one long note: no parallels either
    assert take_warnings(take_of(song, mask, new, avoid_parallels=True), GENERAL) == ()


def alto_tenor_bass(song, mask):
    """Each new voice holds one note of a C major chord under the melody."""
    pitches = dict(zip(sorted(mask.track_ids), (64, 55, 48), strict=True))
    return {tid: (Note(p, 0, BAR),) for tid, p in pitches.items()}


def test_harmonize_adding_satb_voices_under_any_melody_is_chorale_writing():
    violin = Track("Violin", program=40, notes=tuple(Note(72, i * Q, Q) for i in range(4)))
    song = Song((violin,))
    qa = Answers(alto_tenor_bass)
    result = tasks.harmonize(song, violin.id, accompaniment="satb", model=qa,
                             options=GenerateOptions())
    kinds = [w.kind for w in result_warnings([result], qa.info, CLI)]
    assert kinds == [GENERAL_MODEL]
    assert result_warnings([result], qa.info, CLI)[0].message == (
        "qa is a general model: the chorale voices it wrote (Violin II, Viola and Cello) clash "
        "more often than those of chorale-jsb, which is made for four-part chorales (--model "
        "chorale-jsb)")
    # The same take kept for later says it in the studio's words.
    take = take_from_result(result, "qa")
    assert [w.kind for w in take_warnings(take, qa.info)] == [GENERAL_MODEL]
    band = tasks.harmonize(song, violin.id, accompaniment="band", model=Answers(
        lambda s, m: {}), options=GenerateOptions())
    assert result_warnings([band], qa.info, CLI) == []


# -- the job queue puts them on the take ----------------------------------------------------------


def chromatic(song, mask):
    start = mask.span[0]
    return {tid: tuple(Note(60 + i, start + i * Q // 4, Q // 4) for i in range(12))
            for tid in mask.track_ids}


def queued_chromatic_repaint(key_found: bool = False):
    """The finished job of a repaint in C major through the queue, by a model writing all
    twelve pitch classes."""
    song = minor_song()
    mask = Mask.of(Region({song.find_track("Piano").id}, BAR, 2 * BAR))
    with JobQueue() as queue:
        job = queue.submit(JobRequest(song, mask, Answers(chromatic), "repaint",
                                      GenerateOptions(key="C"), key_found=key_found))
        assert job.wait(10), job.error
    return job


def test_a_take_from_the_queue_carries_its_warnings():
    job = queued_chromatic_repaint()
    (warning,) = job.take.warnings
    assert warning.kind == OFF_KEY
    assert warning.message.startswith("qa was asked to keep new notes in C major, but 5 of "
                                      "its 12 new notes are outside it")
    # The Key box's Auto found the key: nobody asked for it, as the CLI says too.
    (found,) = queued_chromatic_repaint(key_found=True).take.warnings
    assert found.message.startswith("qa was to keep new notes in C major, the key found "
                                    "around them, but 5 of its 12 new notes are outside it")


def test_a_queued_harmonize_adding_satb_voices_is_told_of_the_chorale_model():
    violin = Track("Violin", program=40, notes=tuple(Note(72, i * Q, Q) for i in range(4)))
    song = Song((violin,))
    prep = tuple(tasks.new_track_edits(song, tasks.accompaniment_specs(violin, "satb")))
    mask = Mask.of(Region({e.track.id for e in prep}, 0, BAR))
    with JobQueue() as queue:
        job = queue.submit(JobRequest(song, mask, Answers(alto_tenor_bass), "harmonize",
                                      prep=prep))
        assert job.wait(10), job.error
    assert [w.kind for w in job.take.warnings] == [GENERAL_MODEL]
    assert "(Violin II, Viola and Cello)" in job.take.warnings[0].message


def test_a_failing_check_costs_no_take(monkeypatch):
    def broken(*args):
        raise RuntimeError("a bug in a check")

    monkeypatch.setattr(job_queue, "take_warnings", broken)
    job = queued_chromatic_repaint()
    assert job.take is not None and job.take.warnings == ()


@pytest.mark.parametrize("count", [1, 2])
def test_the_takes_of_one_request_are_counted_together(count):
    song = minor_song()
    piano = song.find_track("Piano")
    qa = Answers(chromatic)
    results = [tasks.repaint(song, [piano.id], 1, 2, model=qa,
                             options=GenerateOptions(key="C", seed=s)) for s in range(count)]
    (warning,) = result_warnings(results, qa.info, CLI)
    assert (f"but {5 * count} of its {12 * count} new notes are outside it (the model does "
            "not follow --key)") in warning.message


# -- controls dropped with the old notes ----------------------------------------------------------


def bent_bass() -> Song:
    """minor_song with the bass bent through bar 2 (four bends) and a modulation CC."""
    song = minor_song()
    bass = song.find_track("Bass")
    bends = tuple(ControlEvent(BAR + i * Q, "pitchwheel", 0, 1000 * (i + 1)) for i in range(4))
    mod = ControlEvent(BAR, "control_change", 1, 64)
    return song.replace_track(replace(bass, controls=(*bends, mod)))


def test_pitch_bends_dropped_with_the_old_notes_are_counted():
    song = bent_bass()
    bass = song.find_track("Bass")
    mask = Mask.of(Region({bass.id}, BAR, 2 * BAR))
    (warning,) = take_warnings(take_of(song, mask, {bass.id: (Note(40, BAR, BAR),)}),
                               GENERAL)
    assert warning.kind == DROPPED_CONTROLS
    assert warning.message == "4 pitch bends in the region went with the old notes (Bass)"
    assert warning.detail == "Dropped with the old notes: Bass 4 pitch bends"
    # The command line says the same for a request's takes: the most one take drops.
    results = [tasks.repaint(song, [bass.id], 1, 2, model=Answers(chromatic),
                             options=GenerateOptions(seed=s)) for s in range(2)]
    (said,) = [w for w in result_warnings(results, GENERAL, CLI)
               if w.kind == DROPPED_CONTROLS]
    assert said.message == "4 pitch bends in the region went with the old notes (Bass)"


def test_a_region_of_some_pitches_keeps_the_bends_and_says_nothing():
    song = bent_bass()
    bass = song.find_track("Bass")
    mask = Mask.of(Region({bass.id}, BAR, 2 * BAR, pitch_lo=36, pitch_hi=45))
    assert take_warnings(take_of(song, mask, {bass.id: (Note(40, BAR, BAR),)}),
                         GENERAL) == ()


# -- a replaced part that rested, resting still ---------------------------------------------------


def drums_in_bars_1_2() -> Song:
    """An 8-bar band whose drums play bars 1-2 only."""
    piano = Track("Piano", notes=tuple(Note(60, i * Q, Q) for i in range(32)))
    drums = Track("Drums", is_drum=True, channel=9,
                  notes=tuple(Note(36 if i % 2 == 0 else 38, i * Q, Q // 2) for i in range(8)))
    return Song((piano, drums))


def where_it_played(song, mask):
    """A model that, like the built-in ones, keeps the part resting where it rested."""
    return {tid: tuple(Note(42, i * Q // 2, Q // 4) for i in range(16)) for tid in mask.track_ids}


def everywhere(song, mask):
    start, end = mask.span
    return {tid: tuple(Note(42, t, Q // 4) for t in range(start, end, Q)) for tid in mask.track_ids}


def test_a_part_left_resting_where_it_rested_is_told():
    song = drums_in_bars_1_2()
    drums = song.find_track("Drums")
    result = tasks.regenerate(song, drums.id, model=Answers(where_it_played),
                              options=GenerateOptions(seed=1))
    (warning,) = result_warnings([result], GENERAL, CLI)
    assert warning.kind == RESTED
    assert warning.message == (
        "Drums rested in bars 3–8, so the new part rests there too: repaint those bars to "
        "fill them (repaint --region Drums:3-8)")
    # The studio's take says it in its words.
    take = take_from_result(result, "qa")
    (said,) = take_warnings(take, GENERAL)
    assert said.message == ("Drums rested in bars 3–8, so the new part rests there too: "
                            "repaint those bars to fill them")
    assert said.detail == "Resting as before: Drums in bars 3–8"
    assert STUDIO.fill in said.message


def test_a_take_that_fills_the_rests_or_a_bar_of_rest_says_nothing():
    song = drums_in_bars_1_2()
    drums = song.find_track("Drums")
    filled = tasks.regenerate(song, drums.id, model=Answers(everywhere), options=GenerateOptions())
    assert [w for w in result_warnings([filled], GENERAL, CLI) if w.kind == RESTED] == []
    # One bar's break is music, not a gap: bars 3 only, between bars 1-2 and 4.
    played = song.replace_track(drums.with_notes((*drums.notes, Note(36, 3 * BAR, Q))))
    mask = Mask.of(Region({drums.id}, 0, 4 * BAR))
    take = take_of(played, mask, {drums.id: (Note(36, 0, Q), Note(36, 3 * BAR, Q))})
    assert take_warnings(take, GENERAL) == ()
    # Nor does writing an empty track (nothing replaced, nothing to rest like).
    empty = song.replace_track(drums.with_notes(()))
    take = take_of(empty, Mask.of(Region({drums.id}, 0, 8 * BAR)),
                   {drums.id: (Note(36, 0, Q),)})
    assert take_warnings(take, GENERAL) == ()


def test_the_rests_of_a_band_are_its_pitches():
    # Repainting the hats (42-46) of a kit whose hats play bars 1-2 only, over bars 1-6:
    # bars 3-6 had kicks, but no hat, and get none.
    song = drums_in_bars_1_2()
    drums = song.find_track("Drums")
    kicks = tuple(Note(36, b * BAR, Q) for b in range(8))
    hats = tuple(Note(42, i * Q, Q // 4) for i in range(8))
    song = song.replace_track(drums.with_notes(tuple(sorted((*kicks, *hats),
                                                            key=lambda n: n.start))))
    mask = Mask.of(Region({drums.id}, 0, 6 * BAR, pitch_lo=42, pitch_hi=46))
    take = take_of(song, mask, {drums.id: hats})
    (warning,) = take_warnings(take, GENERAL)
    assert warning.message.startswith("Drums rested in bars 3–6,")


def test_the_command_line_says_a_region_per_part_with_its_band():
    # Two parts rest in different bars — the hats of a kit (a band) in bars 3-6, the
    # piano in bars 5-6 — so each gets its own --region, as `partita repaint` reads them:
    # one span for both would repaint bars where a part played.
    song = drums_in_bars_1_2()
    piano, drums = song.find_track("Piano"), song.find_track("Drums")
    hats = tuple(Note(42, i * Q, Q // 4) for i in range(8))
    kicks = tuple(Note(36, b * BAR, Q) for b in range(8))
    song = song.replace_track(drums.with_notes(sorted((*kicks, *hats), key=lambda n: n.start)))
    song = song.replace_track(piano.with_notes(n for n in piano.notes if n.start < 4 * BAR))
    mask = Mask.of(Region({drums.id}, 0, 6 * BAR, pitch_lo=42, pitch_hi=46),
                   Region({piano.id}, 0, 6 * BAR))
    result = tasks.repaint_mask(song, mask, model=Answers(
        lambda s, m: {drums.id: hats, piano.id: (Note(60, 0, Q),)}))
    (warning,) = result_warnings([result], GENERAL, CLI)
    assert warning.message == (
        "Piano rested in bars 5–6 and Drums in bars 3–6, so the new parts rest there too: "
        "repaint those bars to fill them (repaint --region Piano:5-6 "
        "--region Drums:3-6:42-46)")


def test_a_part_a_region_cannot_name_is_said_by_number():
    song = drums_in_bars_1_2()
    drums = song.find_track("Drums")
    song = song.replace_track(replace(drums, name="Kit: Rock"))
    result = tasks.regenerate(song, drums.id, model=Answers(where_it_played),
                              options=GenerateOptions(seed=1))
    (warning,) = result_warnings([result], GENERAL, CLI)
    assert warning.message.endswith("(repaint --region '#2:3-8')")


# -- triplets and other off-grid notes replaced ----------------------------------------------------


@pytest.fixture
def swing(tmp_path) -> Song:
    from engine.io import load_song
    from tests.engine.score.swing_tune import write_swing_tune

    return load_song(write_swing_tune(tmp_path / "swing.mid"))


def straight_8ths(song, mask):
    """Straight 8ths over the mask: what the grid writes before any swing."""
    lo, hi = mask.span
    return {tid: tuple(Note(70, t, Q // 2) for t in range(lo, hi, Q // 2))
            for tid in mask.track_ids}


def test_triplets_replaced_by_16ths_are_said(swing):
    # A jazz QA: the Sax's triplet fill (bar 8) repainted came back straight, unsaid.
    sax = swing.find_track("Sax")
    mask = Mask.of(Region({sax.id}, 7 * BAR, 8 * BAR))
    (warning,) = take_warnings(take_of(swing, mask, straight_8ths(swing, mask)), GENERAL)
    assert warning.kind == OFF_GRID
    assert warning.message == (
        "4 triplet notes replaced in Sax: the model writes 16ths and the swing, not triplets "
        "(“Keep the rhythm of the masked notes” keeps their timing)")
    assert warning.detail == "Off the 16th grid before: Sax 4 triplet notes in bar 8"
    # The command line's words, for a request's takes.
    results = [tasks.repaint(swing, [sax.id], 7, 8, model=Answers(straight_8ths),
                             options=GenerateOptions(seed=s)) for s in range(2)]
    (said,) = [w for w in result_warnings(results, GENERAL, CLI) if w.kind == OFF_GRID]
    assert said.message.endswith("not triplets (--keep-rhythm keeps their timing)")


def test_swung_notes_replaced_or_triplets_beside_the_region_say_nothing(swing):
    sax = swing.find_track("Sax")
    for bars in ((1, 2), (8, 9)):  # swung 8ths only; the bars after the fill
        mask = Mask.of(Region({sax.id}, bars[0] * BAR, bars[1] * BAR))
        assert take_warnings(take_of(swing, mask, straight_8ths(swing, mask)), GENERAL) == ()


def test_new_notes_where_the_triplets_were_lose_nothing(swing):
    sax = swing.find_track("Sax")
    mask = Mask.of(Region({sax.id}, 7 * BAR, 8 * BAR))
    kept = {sax.id: tuple(replace(n, pitch=n.pitch + 2) for n in mask.notes_inside(swing)[sax.id])}
    assert take_warnings(take_of(swing, mask, kept, keep_rhythm=True), GENERAL) == ()


def test_kept_rhythm_says_the_strum_notes_it_kept_and_those_it_did_not():
    # Guitarist QA: with keep rhythm every string came back on the beat and the warning
    # counted the lost starts only. A note keeps its timing with its start and length.
    strums = tuple(Note(p, b * BAR + beat * Q + 12 * i, 440 - 12 * i)
                   for b in range(2) for beat in range(4) for i, p in enumerate((45, 52, 57)))
    song = Song((Track("Rhythm Gtr", program=29, notes=strums),))
    gtr = song.tracks[0]
    mask = Mask.of(Region({gtr.id}, 0, 2 * BAR))
    same = {gtr.id: tuple(replace(n, pitch=n.pitch + 2) for n in strums)}
    assert take_warnings(take_of(song, mask, same, keep_rhythm=True), GENERAL) == ()
    # The first chord's top string ends 20 ticks late, the second's sits on the beat.
    wrong = list(same[gtr.id])
    wrong[2] = replace(wrong[2], duration=436)
    wrong[5] = replace(wrong[5], start=Q)
    (warning,) = take_warnings(take_of(song, mask, {gtr.id: tuple(wrong)}, keep_rhythm=True),
                               GENERAL)
    # A strum's later strings are said as what they are (they had been "micro-timing";
    # 30 ticks apart, "triplet notes").
    assert warning.message == (
        "2 strummed/rolled chord notes replaced in Rhythm Gtr: the model writes 16ths, not "
        "strums (“Keep the rhythm of the masked notes” kept the timing of 14 others)")
    assert warning.detail == ("Off the 16th grid before: Rhythm Gtr 2 strummed/rolled chord "
                              "notes in bar 1")


def test_other_micro_timing_replaced_is_said_without_the_swing():
    lead = Track("Lead", notes=(*(Note(60, i * Q, Q // 2) for i in range(8)),
                                Note(64, BAR + Q + 7, 100), Note(65, BAR + 320, 100)))
    song = Song((lead,))
    mask = Mask.of(Region({lead.id}, BAR, 2 * BAR))
    (warning,) = take_warnings(take_of(song, mask, straight_8ths(song, mask)), GENERAL)
    assert warning.message == (
        "1 triplet note and 1 note of other micro-timing replaced in Lead: the model writes "
        "16ths, not triplets or free timing (“Keep the rhythm of the masked notes” keeps "
        "their timing)")
    assert warning.detail == ("Off the 16th grid before: Lead 1 triplet note and 1 note of "
                              "micro-timing in bar 2")


# -- lyrics sung on the replaced notes -----------------------------------------------------


def sung_verse() -> Song:
    """A vocal of four bars, a syllable on each beat: "A- maz- ing grace how sweet the
    sound that saved a wretch like me"."""
    from engine.score.lyrics import Lyric

    words = [("A", "begin"), ("maz", "middle"), ("ing", "end"), ("grace", "single"),
             ("how", "single"), ("sweet", "single"), ("the", "single"), ("sound", "single"),
             ("that", "single"), ("saved", "single"), ("a", "single"), ("wretch", "single"),
             ("like", "single"), ("me", "single")]
    notes = tuple(Note(60 + i % 5, i * Q, Q, lyric=Lyric(*w)) for i, w in enumerate(words))
    return Song((Track("Vocal", program=52, notes=notes),))


def lyric_count(song: Song) -> int:
    return sum(n.lyric is not None for t in song.tracks for n in t.notes)


def test_a_take_that_keeps_the_rhythm_keeps_every_syllable_on_its_new_note():
    # QA (a singer-songwriter): repaint --keep-rhythm of the vocal's bars 2-3 took the
    # song's lyrics from 26 syllables to 18, without a word.
    song = sung_verse()
    vocal = song.tracks[0]
    mask = Mask.of(Region({vocal.id}, BAR, 3 * BAR))
    inside = mask.notes_inside(song)[vocal.id]
    new = {vocal.id: tuple(Note(n.pitch + 2, n.start, n.duration) for n in inside)}
    take = take_of(song, mask, new, keep_rhythm=True)
    after = take.edit.apply(song)
    assert lyric_count(after) == lyric_count(song) == 14
    assert [(n.start, n.lyric) for n in after.tracks[0].notes] == [
        (n.start, n.lyric) for n in vocal.notes]
    assert [n.pitch for n in after.tracks[0].notes[4:8]] == [n.pitch + 2 for n in inside[:4]]
    assert take_warnings(take, GENERAL) == ()
    assert take.edit.inverse().apply(after) == song  # undo gives the old notes back


def test_a_take_that_drops_syllables_says_how_many_and_where():
    song = sung_verse()
    vocal = song.tracks[0]
    mask = Mask.of(Region({vocal.id}, BAR, 3 * BAR))
    # Half notes from bar 2: the syllables on beats 2 and 4 have no new note to go on.
    halves = {vocal.id: tuple(Note(64, t, 2 * Q) for t in range(BAR, 3 * BAR, 2 * Q))}
    take = take_of(song, mask, halves)
    after = take.edit.apply(song)
    assert lyric_count(after) == 10  # 4 of the 8 in bars 2-3 are on a new note's onset
    assert [n.lyric.text for n in after.tracks[0].notes if BAR <= n.start < 3 * BAR] == [
        "how", "the", "that", "a"]
    (warning,) = take_warnings(take, GENERAL)
    assert warning.kind == DROPPED_LYRICS
    assert warning.message == (
        "4 syllables of the lyrics went with the old notes (Vocal's in bars 2–3): no new "
        "note starts where they were sung (“Keep the rhythm of the masked notes” keeps each "
        "on the new note at its onset)")
    assert warning.detail == "Lyrics dropped: Vocal “sweet sound saved wretch” in bars 2–3"
    # The command line's words, for a request's takes.
    results = [tasks.repaint(song, [vocal.id], 1, 3, model=Answers(lambda s, m: halves),
                             options=GenerateOptions(seed=1))]
    (said,) = [w for w in result_warnings(results, GENERAL, CLI) if w.kind == DROPPED_LYRICS]
    assert said.message.startswith("4 syllables of the lyrics went with the old notes "
                                   "(Vocal's in bars 2–3)")
    assert said.message.endswith("(--keep-rhythm keeps each on the new note at its onset)")
