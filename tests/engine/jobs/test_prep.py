"""Jobs with preparatory edits: new tracks and a longer song, applied with the take."""

from __future__ import annotations

from engine.jobs import JobQueue, JobRequest, apply_take
from engine.score import InsertTrack, Mask, Note, Region, Track, add_notes, set_song_props
from tests.engine.jobs.toy_models import StepModel, toy_song


def test_a_take_with_prep_adds_the_track_and_its_notes_in_one_undoable_edit():
    song, piano, _bass = toy_song()
    strings = Track("Strings", program=48, channel=2)
    prep = (InsertTrack(strings, len(song.tracks)), set_song_props(song, length=8 * 1920))
    mask = Mask.of(Region({strings.id}, 4 * 1920, 6 * 1920))
    with JobQueue() as queue:
        job = queue.submit(JobRequest(song, mask, StepModel(), prep=prep))
        assert job.wait(5) and job.take is not None, job.error
    take = job.take
    assert take.base_song is song and take.prep == prep
    applied, edit = apply_take(song, take)
    assert applied.track(strings.id).notes == take.notes[strings.id]
    assert applied.length == 8 * 1920
    assert edit.inverse().apply(applied) == song

    # An edit outside the region does not conflict; the prep still applies on top of it.
    edited = add_notes(piano.id, [Note(50, 0, 100)]).apply(song)
    assert not take.conflicts_with(edited)
    applied2, _ = apply_take(edited, take)
    assert [t.name for t in applied2.tracks] == ["Piano", "Bass", "Strings"]


def test_forcing_a_conflicting_take_with_prep_still_adds_its_track():
    song, piano, _bass = toy_song()
    extra = Track("Extra", channel=3)
    prep = (InsertTrack(extra, 2),)
    mask = Mask.of(Region({piano.id, extra.id}, 0, 960))
    with JobQueue() as queue:
        job = queue.submit(JobRequest(song, mask, StepModel(), prep=prep))
        assert job.wait(5) and job.take is not None, job.error
    edited = add_notes(piano.id, [Note(90, 10, 100)]).apply(song)  # inside the region
    assert job.take.conflicts_with(edited)
    applied, edit = apply_take(edited, job.take, force=True)
    assert applied.track(extra.id).notes and edit.inverse().apply(applied) == edited


class CountingEdit:
    """An edit that counts how often it is applied (a long song's prep is not free)."""

    label = "Longer"

    def __init__(self, inner) -> None:
        self.inner, self.applied = inner, 0

    def apply(self, song):
        self.applied += 1
        return self.inner.apply(song)

    def inverse(self):
        return self.inner.inverse()


def test_the_queue_applies_a_requests_prep_once():
    song, piano, _bass = toy_song()
    longer = CountingEdit(set_song_props(song, length=8 * 1920))
    mask = Mask.of(Region({piano.id}, 4 * 1920, 6 * 1920))
    with JobQueue() as queue:
        job = queue.submit(JobRequest(song, mask, StepModel(), prep=(longer,)))
        assert job.wait(5) and job.take is not None, job.error
    assert longer.applied == 1  # at submit; the model and the take use that song
    assert job.take.edit.apply(song).length == 8 * 1920
