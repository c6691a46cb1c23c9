"""Takes: validation, conflicts with later edits, applying, and A/B/C bookkeeping."""

from __future__ import annotations

import pytest

from engine.jobs import (
    TakeConflict,
    TakeSet,
    TakeStatus,
    TakeStore,
    apply_take,
    make_take,
    take_letter,
)
from engine.plugins import InvalidResult
from engine.score import Mask, Note, Region, add_notes, move_notes, remove_notes
from tests.engine.jobs.toy_models import toy_song


def make(song, mask, result, **kw):
    return make_take(job_id=1, model="toy", task="repaint", mask=mask, song=song,
                     revision=3, result=result, **kw)


@pytest.fixture
def setup():
    song, piano, bass = toy_song()
    mask = Mask.of(Region({piano.id}, 960, 1920))  # beats 3-4 of bar 1
    new = (Note(72, 960, 480), Note(74, 1440, 480))
    return song, piano, bass, mask, make(song, mask, {piano.id: new})


def test_take_replaces_exactly_the_notes_inside_the_mask(setup):
    song, piano, bass, _mask, take = setup
    applied, edit = apply_take(song, take)
    notes = applied.track(piano.id).notes
    assert [(n.start, n.pitch) for n in notes if 960 <= n.start < 1920] == [(960, 72), (1440, 74)]
    assert [n for n in notes if not 960 <= n.start < 1920] == [
        n for n in piano.notes if not 960 <= n.start < 1920]
    assert applied.track(bass.id) == bass
    assert edit.inverse().apply(applied) == song
    assert take.base_revision == 3 and take.note_count == 2


def test_an_edit_outside_the_region_never_conflicts(setup):
    song, piano, bass, _mask, take = setup
    outside = piano.notes[0]  # tick 0
    edited = move_notes(piano.id, [outside], 0, 2).apply(song)
    edited = add_notes(bass.id, [Note(40, 1000, 100)]).apply(edited)  # other track
    assert not take.conflicts_with(edited)
    applied, _ = apply_take(edited, take)
    assert applied.track(piano.id).notes[0].pitch == outside.pitch + 2
    assert {n.pitch for n in applied.track(piano.id).notes if n.start == 960} == {72}


def test_an_edit_inside_the_region_conflicts(setup):
    song, piano, _bass, _mask, take = setup
    inside = next(n for n in piano.notes if n.start == 960)
    edited = move_notes(piano.id, [inside], 0, 1).apply(song)
    assert take.conflicts_with(edited)
    with pytest.raises(TakeConflict, match="edited after this take"):
        apply_take(edited, take)
    forced, edit = apply_take(edited, take, force=True)
    assert [n.pitch for n in forced.track(piano.id).notes if 960 <= n.start < 1920] == [72, 74]
    assert edit.inverse().apply(forced) == edited
    # Deleting the notes of the region is an edit inside it too.
    cleared = remove_notes(piano.id, [inside]).apply(song)
    assert take.conflicts_with(cleared)


def test_tracks_the_model_leaves_out_are_untouched(setup):
    song, piano, bass, _, _ = setup
    both = Mask.of(Region({piano.id, bass.id}, 0, 1920))
    take = make(song, both, {piano.id: ()})  # clears the piano, says nothing of the bass
    applied, _ = apply_take(song, take)
    assert applied.track(bass.id) == bass
    assert not [n for n in applied.track(piano.id).notes if n.start < 1920]
    # ...so editing the bass there is not a conflict either.
    edited = add_notes(bass.id, [Note(41, 480, 100)]).apply(song)
    assert not take.conflicts_with(edited)


def test_bad_results_are_refused(setup):
    song, piano, bass, mask, _ = setup
    with pytest.raises(InvalidResult,
                       match=r"'toy': 1 note falls outside the mask .*'Piano' \(track 1\) "
                             r"at 2\.1\.080"):
        make(song, mask, {piano.id: (Note(60, 960, 10), Note(60, 2000, 10))})
    with pytest.raises(InvalidResult, match="not in the mask"):
        make(song, mask, {bass.id: ()})
    with pytest.raises(InvalidResult, match="expected a mapping"):
        make(song, mask, [Note(60, 960, 10)])
    with pytest.raises(InvalidResult, match="expected Note"):
        make(song, mask, {piano.id: ((60, 960, 10),)})


def test_colliding_note_ids_are_renewed(setup):
    song, piano, _bass, mask, _ = setup
    outside = piano.notes[0]
    twin = Note(61, 1000, 10, id=outside.id)
    take = make(song, mask, {piano.id: (twin, Note(62, 1100, 10, id=twin.id))})
    ids = [n.id for n in take.notes[piano.id]]
    assert outside.id not in ids and len(set(ids)) == 2
    apply_take(song, take)  # no id clash


def test_take_letters():
    assert [take_letter(i) for i in (0, 1, 25, 26, 27, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "ZZ", "AAA"]


def test_a_take_arriving_later_does_not_take_over_the_audition(setup):
    song, piano, _bass, mask, _ = setup
    takes = TakeSet(mask)
    a = takes.add(make(song, mask, {piano.id: (Note(72, 960, 10),)}))
    assert takes.selected == a.id  # the first take is auditioned at once
    b = takes.add(make(song, mask, {piano.id: (Note(73, 960, 10),)}))
    assert takes.selected == a.id
    takes.select(b.id)
    takes.add(make(song, mask, {piano.id: (Note(74, 960, 10),)}))
    assert takes.selected == b.id  # the user's pick stays while C arrives
    for t in list(takes.pending()):
        takes.reject(t.id)
    assert takes.selected is None
    d = takes.add(make(song, mask, {piano.id: (Note(75, 960, 10),)}))
    assert takes.selected == d.id  # nothing left to audition: the new take is


def test_take_set_bookkeeping(setup):
    song, piano, _bass, mask, _ = setup
    store = TakeStore()
    a = store.add(make(song, mask, {piano.id: (Note(72, 960, 10),)}))
    b = store.add(make(song, mask, {piano.id: (Note(73, 960, 10),)}))
    c = store.add(make(song, mask, {piano.id: (Note(74, 960, 10),)}))
    assert [a.label, b.label, c.label] == ["Repaint · take A", "Repaint · take B",
                                           "Repaint · take C"]
    assert b.edit.label == "Repaint · take B"
    takes: TakeSet = store.for_mask(mask)
    assert len(takes) == 3 and takes.selected == a.id and takes.letter(b.id) == "B"

    song2, _ = apply_take(song, takes.accept(b.id))
    assert takes.accepted is b and takes.status[b.id] is TakeStatus.ACCEPTED
    # The other takes were computed before B went in: they are flagged, not applied.
    assert takes.conflicting(song2) == [a, c]
    takes.reject(c.id)
    assert takes.pending() == [a] and takes.selected == b.id
    takes.unaccept(b.id)  # the studio undid the accept
    assert takes.accepted is None and takes.pending() == [a, b]
    assert store.find(a.id) == (takes, a)
    store.discard(mask)
    assert len(store) == 0


def test_rejecting_the_auditioned_take_moves_on_to_the_next(setup):
    """Delete on take A of A-C auditioned C (the last), skipping B: comping moves on."""
    song, piano, _bass, mask, _ = setup
    takes = TakeSet(mask)
    a, b, c = (takes.add(make(song, mask, {piano.id: (Note(p, 960, 10),)})) for p in (72, 73, 74))
    takes.reject(a.id)
    assert takes.selected == b.id
    takes.select(c.id)
    takes.reject(c.id)
    assert takes.selected == b.id  # the last one: back to the one before


def test_the_original_is_one_choice_with_the_takes(setup):
    """Key 0 (the Original) hides every take but remembers the one selected; choosing a
    take, accepting one or putting a rejected one back ends it; rejecting keeps it."""
    song, piano, _bass, mask, _ = setup
    store = TakeStore()
    a, b, c = (store.add(make(song, mask, {piano.id: (Note(p, 960, 10),)}))
               for p in (72, 73, 74))
    takes = store.for_mask(mask)
    assert not takes.original and takes.selected == a.id
    takes.select(b.id)
    takes.show_original()
    assert takes.original
    assert takes.selected == b.id  # names the region and its tracks meanwhile
    assert store.copy().sets[mask].original  # the saving thread's snapshot agrees
    takes.add(make(song, mask, {piano.id: (Note(75, 960, 10),)}))
    assert takes.original  # a take arriving later does not take over the Original
    takes.select(c.id)
    assert not takes.original and takes.selected == c.id

    takes.show_original()
    takes.reject(c.id)  # a take dropped beside the Original: it stays chosen
    assert takes.original and takes.selected != c.id
    takes.unreject(c.id)  # the reject undone: the take is back on screen
    assert not takes.original and takes.selected == c.id

    takes.show_original()
    takes.accept(a.id)  # e.g. redoing an accept: the take is the song now
    assert not takes.original and takes.selected == a.id
    takes.unaccept(a.id)
    takes.show_original()
    takes.select(a.id)  # what the studio does on undoing the accept
    assert not takes.original and takes.selected == a.id
