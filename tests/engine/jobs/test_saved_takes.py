"""Takes and the mask as a project keeps them: what comes back after a save and reopen."""

from __future__ import annotations

import json
from dataclasses import replace

from engine.jobs import TakeStore, TakeWarning, apply_take
from engine.jobs.saved_takes import (
    mask_from_json,
    mask_to_json,
    takes_from_json,
    takes_to_json,
)
from engine.jobs.take_warnings import OFF_KEY
from engine.score import (
    InsertTrack,
    Mask,
    Note,
    Region,
    Track,
    add_notes,
    move_notes,
    new_note_id,
    new_track_id,
    remove_notes,
    set_song_props,
    set_time_from_bar,
)
from engine.score.lyrics import Lyric
from tests.engine.jobs.test_takes import make
from tests.engine.jobs.toy_models import toy_song


def through_a_file(data):
    return json.loads(json.dumps(data))


def music(song):
    return {t.name: sorted(n.key() for n in t.notes) for t in song.tracks}


def test_pending_takes_come_back_with_their_letters_labels_and_audition():
    song, piano, _bass = toy_song()
    mask = Mask.of(Region({piano.id}, 960, 1920, 60, 84))
    store = TakeStore()
    a = store.add(make(song, mask, {piano.id: (Note(72, 960, 480, 70),)}))
    b = store.add(make(song, mask, {piano.id: (Note(74, 1440, 480, 90),)}))
    store.sets[mask].select(b.id)
    data = through_a_file(takes_to_json(store, {a.id: "Repaint", b.id: "Repaint"}, mask))

    restored = takes_from_json(data, song, revision=9)
    assert restored.problems == [] and restored.count == 2
    assert restored.active == mask
    take_set = restored.store.sets[mask]
    assert [t.label for t in take_set] == ["Repaint · take A", "Repaint · take B"]
    assert take_set.selected == take_set.takes[1].id
    assert set(restored.request_labels.values()) == {"Repaint"}
    for old, new in zip((a, b), take_set.takes, strict=True):
        assert new.base_revision == 9 and new.task == "repaint" and new.model == "toy"
        assert not new.conflicts_with(song)
        assert music(apply_take(song, new)[0]) == music(apply_take(song, old)[0])


def test_a_pending_takes_notes_keep_their_spellings_lyrics_and_fermatas():
    # A choir's harmonization waiting on the takes bar: its B♭ is still a B♭ (not an A♯),
    # its syllable and its fermata still there after a save and reopen, and so are the
    # old notes' names the take would put back on reject.
    song, piano, _bass = toy_song()
    mask = Mask.of(Region({piano.id}, 960, 1920))
    spelled = song.replace_track(piano.with_notes(tuple(
        replace(n, spelling="Eb") if n.pitch == 63 else n for n in piano.notes)))
    new = (Note(70, 960, 480, spelling="Bb", lyric=Lyric("Hal", "begin")),
           Note(72, 1440, 480, fermata=True))
    store = TakeStore()
    store.add(make(spelled, mask, {piano.id: new}))
    data = through_a_file(takes_to_json(store))
    take = takes_from_json(data, spelled).store.sets[mask].takes[0]
    assert [(n.pitch, n.spelling, n.lyric, n.fermata) for n in take.notes[piano.id]] == [
        (70, "Bb", Lyric("Hal", "begin"), False), (72, None, None, True)]
    before = take.write_mask.notes_inside(take.base_song)[piano.id]
    assert [n.spelling for n in before if n.pitch == 63] == ["Eb"]
    # A file from before notation was kept, or a damaged one: the notes, plainly.
    data["sets"][0]["takes"][0]["notation"] = {"notes": {str(piano.id): "⚠"}}
    restored = takes_from_json(data, spelled)
    assert restored.problems == []
    assert [n.spelling for n in restored.store.sets[mask].takes[0].notes[piano.id]] == [
        None, None]


def test_a_takes_warnings_are_kept_as_they_were_said():
    song, piano, _bass = toy_song()
    mask = Mask.of(Region({piano.id}, 960, 1920))
    said = (TakeWarning(OFF_KEY, "toy was asked to keep new notes in C major, but 1 of its "
                        "1 new note is outside it", "Outside the key: Piano in bar 1"),
            TakeWarning("a-kind-from-a-later-version", "said as it was"))
    store = TakeStore()
    store.add(make(song, mask, {piano.id: (Note(73, 960, 480),)}, warnings=said))
    store.add(make(song, mask, {piano.id: (Note(72, 960, 480),)}))
    data = through_a_file(takes_to_json(store))
    plain = data["sets"][0]["takes"][1]
    assert "warnings" not in plain  # a take without: the file as before
    warned, unwarned = takes_from_json(data, song).store.sets[mask].takes
    assert warned.warnings == said and unwarned.warnings == ()
    # A file from before warnings were kept, or a hand-edited one: none, never fatal.
    data["sets"][0]["takes"][0]["warnings"] = [{"kind": OFF_KEY}, "⚠", {"message": 3}]
    restored = takes_from_json(data, song)
    assert restored.problems == [] and restored.store.sets[mask].takes[0].warnings == ()
    del data["sets"][0]["takes"][0]["warnings"]
    assert takes_from_json(data, song).store.sets[mask].takes[0].warnings == ()


def test_a_take_with_new_tracks_and_a_longer_song_applies_as_before():
    song, _piano, _bass = toy_song()
    strings = Track("Strings", program=48, channel=2)
    prep = (InsertTrack(strings, 2), set_song_props(song, length=8 * 1920))
    mask = Mask.of(Region({strings.id}, 4 * 1920, 6 * 1920))
    store = TakeStore()
    old = store.add(make(song, mask, {strings.id: (Note(67, 4 * 1920, 960),)}, prep=prep))
    restored = takes_from_json(through_a_file(takes_to_json(store)), song)
    (take,) = restored.store.sets[mask].takes
    applied, edit = apply_take(song, take)
    assert music(applied) == music(apply_take(song, old)[0])
    assert applied.length == 8 * 1920 and applied.track(strings.id).program == 48
    assert edit.inverse().apply(applied) == song  # one undo step takes it all back


def test_a_compose_take_keeps_its_key_and_a_key_the_user_set_since_wins():
    # The studio's Compose writes the key it drew as the song's key signature, with the
    # take: it must survive a save (it was dropped as an edit the format cannot hold).
    song, _piano, _bass = toy_song()
    strings = Track("Strings", program=48, channel=2)
    prep = (InsertTrack(strings, 2), set_time_from_bar(song, 0, key="Bb"))
    mask = Mask.of(Region({strings.id}, 0, 1920))
    store = TakeStore()
    store.add(make(song, mask, {strings.id: (Note(70, 0, 960),)}, prep=prep))
    restored = takes_from_json(through_a_file(takes_to_json(store)), song)
    assert restored.problems == []
    (take,) = restored.store.sets[mask].takes
    applied, edit = apply_take(song, take)
    assert [k.key for k in applied.key_signatures] == ["Bb"]
    assert edit.inverse().apply(applied) == song
    # The user set D minor before deciding: accepting keeps their key, adds the notes.
    in_d = set_time_from_bar(song, 0, key="Dm").apply(song)
    applied, _ = apply_take(in_d, take)
    assert [k.key for k in applied.key_signatures] == ["Dm"]
    assert applied.track(strings.id).notes
    # And a song made longer since keeps its length.
    longer = set_song_props(song, length=20 * 1920).apply(song)
    assert apply_take(longer, take)[0].length == 20 * 1920


def test_a_take_edited_over_before_saving_is_still_a_conflict_after_reopening():
    song, piano, bass = toy_song()
    mask = Mask.of(Region({piano.id}, 960, 1920))
    store = TakeStore()
    store.add(make(song, mask, {piano.id: (Note(72, 960, 480),)}))
    inside = next(n for n in piano.notes if n.start == 960)
    edited = move_notes(piano.id, [inside], 0, 3).apply(song)  # the user's edit, then save
    edited = add_notes(bass.id, [Note(40, 100, 50)]).apply(edited)  # outside: no conflict
    (take,) = takes_from_json(through_a_file(takes_to_json(store)), edited).store.sets[mask]
    assert take.conflicts_with(edited)
    # ...and one whose region is as it was applies without asking.
    clean = TakeStore()
    clean.add(make(edited, mask, {piano.id: (Note(72, 960, 480),)}))
    (fine,) = takes_from_json(through_a_file(takes_to_json(clean)), edited).store.sets[mask]
    assert not fine.conflicts_with(edited)
    assert apply_take(edited, fine)[0].track(bass.id) == edited.track(bass.id)


def test_decided_regions_and_rejected_takes_are_not_kept():
    song, piano, bass = toy_song()
    store = TakeStore()
    decided = Mask.of(Region({bass.id}, 0, 1920))
    store.add(make(song, decided, {bass.id: (Note(40, 0, 480),)}))
    store.add(make(song, decided, {bass.id: (Note(41, 0, 480),)}))
    store.sets[decided].accept(store.sets[decided].takes[0].id)
    open_ = Mask.of(Region({piano.id}, 0, 960))
    rejected = store.add(make(song, open_, {piano.id: (Note(70, 0, 480),)}))
    kept = store.add(make(song, open_, {piano.id: (Note(71, 0, 480),)}))
    store.sets[open_].reject(rejected.id)
    restored = takes_from_json(through_a_file(takes_to_json(store)), song)
    assert list(restored.store.sets) == [open_]
    take_set = restored.store.sets[open_]
    (take,) = take_set.pending()  # the rejected one keeps only its place...
    assert [n.pitch for n in take.notes[piano.id]] == [71]
    assert take.label == kept.label == "Repaint · take B"  # ...so B is still B
    assert take_set.selected == take.id


def test_ids_issued_after_reopening_never_clash_with_a_restored_take():
    song, piano, _bass = toy_song()
    far = 10**7  # ids of an earlier session, beyond this process's counters
    extra = Track("Extra", channel=3, id=far)
    mask = Mask.of(Region({piano.id, extra.id}, 0, 960))
    store = TakeStore()
    store.add(make(song, mask, {extra.id: (Note(60, 0, 100, id=far + 5),)},
                   prep=(InsertTrack(extra, 2),)))
    takes_from_json(through_a_file(takes_to_json(store)), song)
    assert new_note_id() > far + 5 and new_track_id() > far


def test_damaged_or_stale_takes_are_skipped_with_a_reason_never_raised():
    song, piano, bass = toy_song()
    mask = Mask.of(Region({piano.id}, 960, 1920))
    store = TakeStore()
    store.add(make(song, mask, {piano.id: (Note(72, 960, 480),)}))
    data = through_a_file(takes_to_json(store))
    for garbage in ("takes", 3, {"sets": "x"}, {"sets": [{"takes": [1, {"task": 2}]}]},
                    {"sets": [{"mask": "?", "takes": [data["sets"][0]["takes"][0]]}]}):
        restored = takes_from_json(garbage, song)
        assert restored.count == 0 and restored.problems
    # A note moved outside its region by hand:
    bad = through_a_file(data)
    bad["sets"][0]["takes"][0]["notes"][str(piano.id)][0][1] = 0
    restored = takes_from_json(bad, song)
    assert restored.count == 0 and restored.skipped == 1
    assert "outside the mask" in restored.problems[0]
    # The take's track is gone from the song: nothing to write into.
    without_piano = song.with_tracks([bass])
    restored = takes_from_json(through_a_file(data), without_piano)
    assert restored.count == 0 and restored.problems
    # ... said as what happened, not as a model writing outside its mask (a monkey test).
    assert "writes a track that was deleted after it was made" in restored.problems[0]


def test_the_mask_round_trips_and_forgets_tracks_the_song_no_longer_has():
    song, piano, bass = toy_song()
    mask = Mask.of(Region({piano.id, bass.id}, 0, 960, 40, 80), Region({bass.id}, 1920, 3840))
    assert mask_from_json(through_a_file(mask_to_json(mask)), song) == mask
    only_bass = song.with_tracks([bass])
    assert mask_from_json(mask_to_json(mask), only_bass).track_ids == {bass.id}
    assert mask_from_json([], song).is_empty
    for bad in ("x", [1], [{"tracks": [piano.id], "start": -1, "end": 5}],
                [{"tracks": [piano.id], "start": 0, "end": 5, "pitch": [90, 10]}]):
        try:
            mask_from_json(bad, song)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")
    removed = remove_notes(piano.id, piano.notes).apply(song)  # notes gone, track kept
    assert mask_from_json(mask_to_json(mask), removed) == mask


def test_a_rejected_first_take_with_new_tracks_keeps_the_region_and_the_letters():
    song, _piano, _bass = toy_song()
    strings = Track("Strings", program=48, channel=2)
    prep = (InsertTrack(strings, 2),)
    mask = Mask.of(Region({strings.id}, 0, 1920))  # a track only the takes add
    store = TakeStore()
    first = store.add(make(song, mask, {strings.id: (Note(67, 0, 480),)}, prep=prep))
    store.add(make(song, mask, {strings.id: (Note(69, 0, 480),)}, prep=prep))
    store.sets[mask].reject(first.id)
    restored = takes_from_json(through_a_file(takes_to_json(store, active=mask)), song)
    assert list(restored.store.sets) == [mask] and restored.active == mask
    take_set = restored.store.sets[mask]
    (take,) = take_set.pending()
    assert take_set.letter(take.id) == "B" and take_set.selected == take.id
    assert apply_take(song, take)[0].track(strings.id).notes[0].pitch == 69


def test_a_take_that_adds_a_track_still_applies_after_a_track_was_removed():
    # Harmonize's new Strings (inserted after the song's 2 tracks) was refused once a track
    # was removed ("position 2 is out of range"), and dropped by a save and reopen.
    song, piano, _ = toy_song()
    strings = Track("Strings", program=48, channel=2)
    mask = Mask.of(Region({strings.id}, 0, 1920))
    store = TakeStore()
    take = store.add(make(song, mask, {strings.id: (Note(67, 0, 960),)},
                          prep=(InsertTrack(strings, 2),)))
    fewer = song.with_tracks([piano])  # Bass removed since
    applied, edit = apply_take(fewer, take)
    assert [t.name for t in applied.tracks] == ["Piano", "Strings"]
    assert edit.inverse().apply(applied) == fewer  # one undo step
    restored = takes_from_json(through_a_file(takes_to_json(store)), fewer)
    assert restored.count == 1 and restored.problems == []
    (again,) = restored.store.sets[mask].takes
    assert [t.name for t in apply_take(fewer, again)[0].tracks] == ["Piano", "Strings"]


def test_regions_keep_their_numbers_through_a_file_and_older_files_number_in_order():
    song, piano, bass = toy_song()
    first, second = (Mask.of(Region({piano.id}, 0, 960)), Mask.of(Region({bass.id}, 0, 960)))
    store = TakeStore()
    a = store.add(make(song, first, {piano.id: (Note(72, 0, 480),)}))
    store.add(make(song, second, {bass.id: (Note(40, 0, 480),)}))
    assert [s.number for s in store.sets.values()] == [1, 2]
    assert [s.number for s in store.copy().sets.values()] == [1, 2]  # a snapshot keeps them
    store.sets[first].accept(a.id)  # decided: not saved, and region 2 stays 2
    data = through_a_file(takes_to_json(store))
    restored = takes_from_json(data, song)
    assert [s.number for s in restored.store.sets.values()] == [2]
    new = restored.store.for_mask(Mask.of(Region({piano.id}, 960, 1920)))
    assert new.number == 3  # after every number in use
    for s in data["sets"]:  # a file from before numbers were kept: in order
        del s["number"]
    assert [s.number for s in takes_from_json(data, song).store.sets.values()] == [1]


def test_a_rejected_takes_kept_place_is_not_counted_as_waiting():
    song, piano, _bass = toy_song()
    mask = Mask.of(Region({piano.id}, 0, 960))
    store = TakeStore()
    a, _b = (store.add(make(song, mask, {piano.id: (Note(p, 0, 480),)})) for p in (72, 74))
    store.sets[mask].reject(a.id)
    restored = takes_from_json(through_a_file(takes_to_json(store)), song)
    assert len(restored.store) == 2 and restored.count == 1  # B waits; A's place is kept


def test_a_takes_model_settings_come_back_with_it():
    from dataclasses import replace

    from engine.plugins import GenerateOptions

    song, piano, _bass = toy_song()
    mask = Mask.of(Region({piano.id}, 0, 960))
    store = TakeStore()
    take = make(song, mask, {piano.id: (Note(72, 0, 480),)})
    store.add(replace(take, options=GenerateOptions(seed=3, extra={
        "style": "funk", "phrase_bars": 8, "odd": object()})))
    restored = takes_from_json(through_a_file(takes_to_json(store)), song)
    (back,) = restored.store.sets[mask].takes
    assert back.options.seed == 3 and back.options.extra == {"style": "funk", "phrase_bars": 8}


def test_a_take_kept_in_a_key_partita_once_misnamed_says_its_usual_name():
    from dataclasses import replace

    from engine.plugins import GenerateOptions

    song, piano, _bass = toy_song()
    mask = Mask.of(Region({piano.id}, 0, 960))
    store = TakeStore()
    take = make(song, mask, {piano.id: (Note(72, 0, 480),)})
    store.add(replace(take, options=GenerateOptions(key="Dbm")))  # C# minor, before
    restored = takes_from_json(through_a_file(takes_to_json(store)), song)
    (back,) = restored.store.sets[mask].takes
    assert back.options.key == "C#m"


def test_a_recorded_pass_is_a_take_a_project_keeps_unless_it_carries_the_pedal():
    """Loop recording's "Pass 2": a take of notes played, no model, over the loop's span;
    kept with the project as a model's take is, its name with it. One with the pedal
    (a controllers edit this format does not hold) stays in memory only."""
    from engine.jobs import recorded_take
    from engine.score import ControlEvent

    song, piano, _bass = toy_song()
    played = (Note(67, 100, 200, 80),)
    take = recorded_take(song, 0, piano.id, (0, 1920), played, None, "Record Pass 2")
    assert take.task == "record" and take.write_mask.span == (0, 1920)
    after, _ = apply_take(song, take)
    assert [n.key() for n in after.track(piano.id).notes if n.start < 1920] == [
        (100, 67, 200, 80)]  # the bar's four notes replaced by the pass
    store = TakeStore()
    kept = store.add(take)
    restored = takes_from_json(through_a_file(takes_to_json(store, {kept.id: "Pass 2"})),
                               song)
    (back,) = restored.store.sets[take.mask].pending()
    assert back.task == "record" and restored.request_labels[back.id] == "Pass 2"
    assert music(apply_take(song, back)[0]) == music(after)
    pedalled = (ControlEvent(0, "control_change", 64, 127),
                ControlEvent(1920, "control_change", 64, 0))
    take = recorded_take(song, 0, piano.id, (0, 1920), played, pedalled, "Record Pass 1")
    assert apply_take(song, take)[0].track(piano.id).controls == pedalled
    store = TakeStore()
    store.add(take)
    assert takes_to_json(store)["sets"] == []  # its place only: nothing to restore
