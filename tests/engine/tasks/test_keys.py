"""The key new notes keep when the user names none: the one the music around is in."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from engine import tasks
from engine.plugins.api import GenerateOptions
from engine.score import EditGroup, KeySignature, Mask, Note, Region, Song, Track
from engine.score.keys import chords_key, context_key, no_key_reason
from engine.score.lead_sheet import with_lead_sheet
from engine.score.spelling import scale_pitch_classes
from engine.tasks import AUTO, resolve_key
from tests.engine.tasks.test_run import BAR, OPTS, Q, model

D_MINOR = (62, 64, 65, 67, 69, 70, 72, 73)  # natural minor and the leading tone
G_MAJOR = (55, 57, 59, 60, 62, 64, 66)
CHROMATIC = tuple(range(60, 72))
BLUES = "F7 | Bb7 | F7 | F7 | Bb7 | Bb7 | F7 | F7 | C7 | Bb7 | F7 | C7"
RHYTHM = ("Bbmaj7 G7b9 | Cm7 F7 | Dm7 G7alt | Cm7 F7 | Fm7 Bb7 | Ebmaj7 Ab7 | Cm7/F F7alt "
          "| Bb6")


def song_of(pitches, key: str | None = None, bars: int = 8) -> Song:
    notes = tuple(Note(pitches[i % len(pitches)], i * 2 * Q, 2 * Q, 80)
                  for i in range(bars * 8))
    drums = Track("Drums", is_drum=True, channel=9, notes=tuple(Note(49, i * Q, Q)
                                                                 for i in range(bars * 16)))
    return Song(tracks=(Track("Piano", notes=notes), drums),
                key_signatures=(KeySignature(0, key),) if key else ())


def middle(song: Song) -> Mask:
    return Mask.of(Region(frozenset({song.tracks[0].id}), 3 * BAR, 5 * BAR))


@pytest.mark.parametrize("pitches, declared, expected", [
    (D_MINOR, "Dm", "Dm"),  # the key signature, when the notes fit it
    (G_MAJOR, None, "G"),  # none declared: the key the notes fit (major on a tie with Em)
    (G_MAJOR, "Bb", "G"),  # a wrong signature loses to the notes
    (CHROMATIC, "C", None),  # music in no key gets no constraint (drums never count)
])
def test_the_context_key(pitches, declared, expected):
    song = song_of(pitches, declared)
    assert context_key(song, middle(song)) == expected


def test_a_declared_key_survives_short_passing_notes():
    # An orchestral QA's D-major mock-up: 93 % of the notes around the region in D (95 %
    # of their time) lost its key signature, and B minor, whose eight-note scale holds
    # the passing A♯s, was kept instead.
    d_major = (62, 64, 66, 67, 69, 71, 73)
    notes, tick = [], 0
    for i in range(96):
        long = Note(d_major[i % 7], tick, 2 * Q, 80)
        notes.append(long)
        tick += 2 * Q
        if i % 7 == 3:  # a chromatic passing 16th: A♯, then D♯, F
            notes.append(Note((70, 63, 65)[i % 3], tick, Q // 4, 80))
            tick += Q // 4
    song = Song(tracks=(Track("Violin", notes=tuple(notes)),),
                key_signatures=(KeySignature(0, "D"),))
    mask = Mask.of(Region(frozenset({song.tracks[0].id}), 8 * BAR, 10 * BAR))
    assert context_key(song, mask) == "D"


def modulating_song() -> Song:
    """8 bars of F major, then 8 of A♭ major, each declared (a jazz QA's tune)."""
    f, a_flat = (65, 67, 69, 70, 72, 74, 76), (68, 70, 72, 73, 75, 77, 79)
    notes = tuple(Note((f if i < 64 else a_flat)[i % 7], i * 2 * Q, 2 * Q, 80)
                  for i in range(128))
    return Song(tracks=(Track("Sax", notes=notes),),
                key_signatures=(KeySignature(0, "F"), KeySignature(8 * BAR, "Ab")))


def test_a_region_after_a_modulation_reads_the_new_key_not_the_old_one():
    # The context reached back across the key change: F's notes beside A♭'s fit neither,
    # and a repaint of bars 10-11 was in no key.
    song = modulating_song()
    sax = song.tracks[0].id
    after = Mask.of(Region(frozenset({sax}), 9 * BAR, 11 * BAR))
    before = Mask.of(Region(frozenset({sax}), 5 * BAR, 7 * BAR))
    assert context_key(song, after) == "Ab" and context_key(song, before) == "F"


def test_a_region_across_a_key_change_keeps_no_key_and_says_why():
    song = modulating_song()
    across = Mask.of(Region(frozenset({song.tracks[0].id}), 6 * BAR, 10 * BAR))
    assert context_key(song, across) is None
    assert no_key_reason(song, across) == (
        "the key changes inside them (F major to Ab major at bar 9): repaint each side "
        "of it for its own key")


# A C blues/rock tune's pitch classes, in quarter notes (openmsx-1, "Keep on Rolling": C
# 28 %, F 18, G 17, B♭ 17, E♭ 8, E 4, D 3, A 3, F♯ 2): G minor's eight notes hold 96 %.
C_BLUES = (60,) * 28 + (65,) * 18 + (67,) * 17 + (70,) * 17 + (63,) * 8 + (64,) * 4 + (
    62,) * 3 + (69,) * 3 + (66,) * 2
REAL_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "midi-real"


def test_a_scale_that_holds_the_notes_is_not_the_key_they_are_in():
    # A QA pass's regenerated bass in a C blues was kept in G minor: no E, and D 116
    # times. The notes sound in C (and F), not G minor: no key is read, not a wrong one.
    song = song_of(C_BLUES, bars=13)
    assert context_key(song, middle(song)) is None
    assert no_key_reason(song, middle(song)) == "the notes around them fit no one key"
    if not REAL_DIR.is_dir():
        pytest.skip(f"real MIDI corpus not found at {REAL_DIR}")
    from engine.io.midi_import import read_midi

    tune = read_midi(REAL_DIR / "openmsx-1.mid")
    bass = next(t for t in tune.tracks if t.name.startswith("Bass"))
    assert context_key(tune, Mask.of(Region(frozenset({bass.id}), 0, tune.end))) is None


def test_too_few_notes_say_nothing_about_a_key():
    song = song_of(G_MAJOR, bars=1)
    assert context_key(song, Mask.of(Region(frozenset({song.tracks[0].id}), 0, BAR))) is None
    # Four notes, or two pitch classes (C and G: C major or C minor?), name no key.
    for pitches in ((60, 64, 67, 72), (60, 67, 60, 67, 60, 67)):
        song = sketch(pitches)
        assert context_key(song, after_it(song)) is None
        assert no_key_reason(song, after_it(song)) == "too few notes around them to name a key"
    chromatic = sketch((60, 61, 62, 63, 64, 65, 66))  # in no key's scale
    assert context_key(chromatic, after_it(chromatic)) is None
    assert no_key_reason(chromatic, after_it(chromatic)) == "the notes around them fit no one key"


def test_too_few_notes_keep_the_key_signature_they_fit():
    # A sparse lead in F, repainted: its few notes cannot name a key by counting, but the
    # song's key signature still holds (a QA pass's takes had E♭, G♭, A♭ and D♭ in F).
    lead = (65, 67, 69, 70, 72)
    # D major: B♭ does not fit, and the notes' own key wins, as with more notes.
    for key, expected in (("F", "F"), ("D", "F")):
        song = song_of(lead, key, bars=2)
        song = song.with_tracks([song.tracks[0]])  # no drums: 16 lead notes minus the mask
        mask = Mask.of(Region(frozenset({song.tracks[0].id}), 0, BAR))
        assert context_key(song, mask) == expected
    empty = Song(tracks=(Track("Lead"),), key_signatures=(KeySignature(0, "Eb"),))
    assert context_key(empty, Mask.of(Region(frozenset({empty.tracks[0].id}), 0, BAR))) == "Eb"


def sketch(pitches, durations=None, **song) -> Song:
    """A hand-written tune of quarter notes (or ``durations`` in quarters) from bar 1."""
    durations = durations or [1] * len(pitches)
    starts = [sum(durations[:i]) for i in range(len(pitches))]
    beat = BAR // 4
    notes = tuple(Note(p, s * beat, d * beat, 80)
                  for p, s, d in zip(pitches, starts, durations, strict=True))
    return Song(tracks=(Track("Piano", notes=notes),), **song)


def after_it(song: Song, bars: int = 2) -> Mask:
    """The ``bars`` bars after a sketch's last bar: where a user paints to go on."""
    end = -(-song.tracks[0].notes[-1].end // BAR) * BAR
    return Mask.of(Region(frozenset({song.tracks[0].id}), end, end + bars * BAR))


def key_after(pitches, durations=None) -> str | None:
    """The key a sketch keeps when the bars after it are repainted."""
    song = sketch(pitches, durations)
    return context_key(song, after_it(song))


@pytest.mark.parametrize("pitches, durations, expected", [
    # The QA pass's sketch: C, G, Am and Em hold its notes; it opens on C, on the downbeat.
    ((60, 64, 67, 72, 64, 69, 71), (1, 1, 1, 1, 1, 1, 2), "C"),
    ((69, 72, 76, 72, 71, 69, 68, 69), None, "Am"),  # A minor's arpeggio and leading tone
    ((67, 71, 74, 71, 72, 69, 66, 67), None, "G"),  # G major: opens on G, an F♯
    ((62, 65, 69, 65, 64, 62, 61, 62), None, "Dm"),  # D minor: its C♯ leads home
    ((64, 67, 71, 67, 64, 66, 67), None, "Em"),  # Em or G: it opens on E, bar 2 too
    ((60, 60, 67, 67, 69, 69, 67, 65, 65, 64, 64, 62, 62, 60),  # Twinkle: C, F, Dm or Am
     (1,) * 6 + (2,) + (1,) * 6 + (2,), "C"),
])
def test_a_sketch_of_a_few_notes_names_the_key_a_musician_hears(pitches, durations,
                                                                 expected):
    # Fewer than 16 notes named no key, and the model wrote C♯, A♯ and G♯ into the QA's
    # C-major sketch: a few notes still name a key when a scale holds them all.
    assert key_after(pitches, durations) == expected


def test_a_few_notes_lean_on_the_tonic_chord_where_it_is_heard():
    # C D E G A (pentatonic) fits C, G, F, Am, Em and Dm: the first note and the
    # downbeats name the key. Opening on G and landing on G names G.
    assert key_after((60, 62, 64, 67, 69, 64, 60)) == "C"
    assert key_after((67, 69, 64, 62, 67, 64, 62, 67)) == "G"
    # A tune's close counts when it is heard after the region: E C E G | … | E D C B | A
    # fits C, G, Am and Em; painted over bar 2, it ends on A (its last note): A minor.
    tune = sketch((64, 60, 64, 67, 60, 60, 60, 60, 64, 62, 60, 59, 69), (1,) * 12 + (4,))
    bar2 = Mask.of(Region(frozenset({tune.tracks[0].id}), BAR, 2 * BAR))
    assert context_key(tune, bar2) == "Am"
    # Equal evidence (E on both downbeats, as much of either tonic chord): major before
    # its relative minor.
    assert key_after((64, 62, 65, 62, 64, 71, 62, 65)) == "C"


def test_only_auto_is_resolved():
    song = song_of(D_MINOR, "Dm")
    for key in ("F#", None):
        assert resolve_key(GenerateOptions(key=key), song, middle(song)).key == key
    # A key reaches a model in one spelling, however it was typed ('C', 'Bb', 'F#m').
    for typed, spelled in (("f#m", "F#m"), ("A minor", "Am"), ("eb major", "Eb")):
        assert resolve_key(GenerateOptions(key=typed), song, middle(song)).key == spelled
    assert resolve_key(GenerateOptions(key=AUTO), song, middle(song)).key == "Dm"
    # Harmonize keeps the key around it, declared or not (here Dm, which the music fits);
    # a chorale's harmony (avoid_parallels) stays free: chromatic chords are not the
    # melody's to forbid.
    assert resolve_key(GenerateOptions(key=AUTO), song, middle(song), "harmonize").key == "Dm"
    chorale = GenerateOptions(key=AUTO, avoid_parallels=True)
    assert resolve_key(chorale, song, middle(song), "harmonize").key is None
    unsigned = song_of(D_MINOR)
    assert resolve_key(GenerateOptions(key=AUTO), unsigned, middle(unsigned),
                       "harmonize").key == "Dm"
    # Drums alone have no key to keep (the CLI said "kept in Dm" for a drum repaint).
    drums = Mask.of(Region(frozenset({song.tracks[1].id}), 3 * BAR, 5 * BAR))
    assert resolve_key(GenerateOptions(key=AUTO), song, drums).key is None


def test_a_task_keeps_new_notes_in_the_songs_key_unless_told_otherwise():
    song = song_of(D_MINOR, "Dm")
    piano = song.tracks[0].id
    scale = scale_pitch_classes("Dm")

    def new_pitch_classes(key):
        take = tasks.repaint(song, [piano], 3, 5, model=model(),
                             options=GenerateOptions(seed=3, steps=3, key=key))
        return take.key, {n.pitch % 12 for n in take.new_notes[piano]}

    key, pcs = new_pitch_classes(AUTO)
    assert key == "Dm" and pcs and pcs <= scale
    key, pcs = new_pitch_classes(None)  # the random test model ignores keys of its own
    assert key is None and not pcs <= scale
    assert OPTS.key is None  # a plain GenerateOptions() constrains nothing


def test_a_named_key_becomes_the_key_signature_where_the_song_declares_none():
    # A choir director's --key F is the key a score of the result shows: written with
    # the take (rejected, it leaves nothing), where the song declares no key.
    song = song_of(G_MAJOR, None)
    piano, drums = (t.id for t in song.tracks)

    def signatures(take):
        assert take.before is song  # the song itself is untouched: the take holds it
        return take.after.key_signatures

    def opts(key):
        return GenerateOptions(seed=1, steps=2, key=key)

    named = tasks.regenerate(song, piano, model=model(), options=opts("g major"))
    assert signatures(named) == (KeySignature(0, "G"),)  # in the spelling a song keeps
    assert signatures(tasks.repaint(song, [piano], 0, 2, model=model(),
                                    options=opts("Em"))) == (KeySignature(0, "Em"),)
    # Continue: where the new bars start (the song's bars before still declare none).
    more = tasks.continue_(song, 2, track_ids=[piano], model=model(), options=opts("D"))
    assert signatures(more) == (KeySignature(8 * BAR, "D"),)
    # A region in the middle keeps its notes in the key, but declares nothing: a
    # signature there would hold for the bars after it too, which it did not write.
    assert signatures(tasks.repaint(song, [piano], 3, 5, model=model(),
                                    options=opts("G"))) == ()
    # Auto and none name no key; drums have none; a key the song declares stays.
    for key in (AUTO, None):
        assert signatures(tasks.regenerate(song, piano, model=model(), options=opts(key))
                          ) == ()
    assert signatures(tasks.regenerate(song, drums, model=model(), options=opts("G"))) == ()
    declared = song_of(G_MAJOR, "D")
    kept = tasks.regenerate(declared, declared.tracks[0].id, model=model(),
                            options=opts("G"))
    assert kept.after.key_signatures == (KeySignature(0, "D"),)


# A plain G-major tune, 32 quarters ending on G4, with no key signature (the QA's repro).
G_TUNE = (67, 69, 71, 67, 74, 71, 67, 62, 64, 66, 67, 69, 71, 69, 67, 62,
          67, 71, 74, 71, 72, 69, 66, 62, 64, 67, 66, 69, 67, 62, 66, 67)


def tune(pitches, name: str, program: int) -> Song:
    notes = tuple(Note(p, i * 4 * Q, 4 * Q, 80) for i, p in enumerate(pitches))
    return Song(tracks=(Track(name, program=program, notes=notes),))


def harmonized(song: Song, accompaniment: str = "auto") -> tuple[tasks.TaskResult, str]:
    """The take, and what the CLI and the studio say of its key."""
    take = tasks.harmonize(song, song.tracks[0].id, accompaniment=accompaniment,
                           model=model(), options=GenerateOptions(seed=1, steps=2, key=AUTO))
    prepared = EditGroup(take.prep).apply(take.before)
    return take, tasks.auto_key_note("harmonize", take.key, prepared, take.mask)


def test_a_tonal_tune_harmonized_says_its_key_and_a_chromatic_one_none():
    # QA: a plain G-major tune on a violin was harmonized "in no key", and on a flute its
    # Piano and Bass put 19-43 % of their notes outside G major.
    take, said = harmonized(tune(G_TUNE, "Violin", 40))  # a chorale: Violin II, Viola, Cello
    assert take.key is None  # its chromatic chords stay free
    assert said == ("are in G major, the key of the music around them, but not kept in "
                    "its scale: a chorale's chords are its own, chromatic ones too")
    g = scale_pitch_classes("G")
    for song, accompaniment in ((tune(G_TUNE, "Flute", 73), "auto"),
                                (tune(G_TUNE, "Violin", 40), "band")):
        take, said = harmonized(song, accompaniment)
        assert take.key == "G"
        assert said == "kept in G major, the key of the music around them"
        new = [n for notes in take.new_notes.values() for n in notes]
        pitched = {t.id for t in take.after.tracks if not t.is_drum}
        assert new and all(n.pitch % 12 in g for t, notes in take.new_notes.items()
                           if t in pitched for n in notes)
    # A chromatic line stays in no key, chorale or not.
    chromatic = tuple(60 + i * 7 % 12 for i in range(32))
    for name, program in (("Violin", 40), ("Flute", 73)):
        take, said = harmonized(tune(chromatic, name, program))
        assert take.key is None
        assert said == "are in no key: the notes around them fit no one key"


# An E-minor tune, 32 quarters opening and ending on E4, with no D♯: G major's notes.
E_TUNE = (64, 67, 71, 76, 74, 71, 67, 64, 69, 72, 71, 69, 67, 66, 64, 71,
          64, 67, 71, 67, 69, 72, 69, 66, 67, 64, 66, 62, 64, 67, 66, 64)


def test_a_minor_tune_harmonized_in_its_relatives_scale_closes_in_minor():
    # An E-minor tune with no D♯ fits G major's scale as well, and was kept in G major
    # (its close still on E). It is kept in E minor now, whose scale adds the leading
    # tone: the new parts may write D♯, and the bass closes on E.
    take, said = harmonized(tune(E_TUNE, "Flute", 73))
    assert take.key == "Em" and said == "kept in E minor, the key of the music around them"
    em = scale_pitch_classes("Em")
    assert em == scale_pitch_classes("G") | {3}
    new = [n for t, notes in take.new_notes.items() if not take.after.track(t).is_drum
           for n in notes]
    assert new and all(n.pitch % 12 in em for n in new)
    bass = next(t for t in take.after.tracks if t.name == "Bass")
    assert bass.notes[-1].pitch % 12 == 4


def with_new_track(*parts: tuple[int, ...], lengths: tuple[int, ...] = (1, 4)) -> Song:
    """Parts of notes ``lengths[i]`` quarters long (the last held twice as long), and an
    empty track to write."""
    tracks = []
    for part, length in zip(parts, lengths, strict=False):
        notes = tuple(Note(p, i * length * 4 * Q, length * 4 * Q * (2 if i == len(part) - 1 else 1),
                           80) for i, p in enumerate(part))
        tracks.append(Track(f"Part {len(tracks) + 1}", notes=notes))
    return Song(tracks=(*tracks, Track("New")))


def readings(song: Song) -> tuple[str | None, str | None]:
    """The key read over the whole song (a new part under it) and after it (continued)."""
    new = song.tracks[-1].id
    end = -(-song.end // BAR) * BAR
    return (context_key(song, Mask.of(Region(frozenset({new}), 0, end))),
            context_key(song, Mask.of(Region(frozenset({new}), end, end + 2 * BAR))))


@pytest.mark.parametrize("parts, expected", [
    # E minor with no D♯ (G major's notes): it opens and closes on E; read as G major.
    ((E_TUNE,), "Em"),
    # ... and over a bass that ends on E.
    (((71, 67, 71, 74, 72, 71, 69, 67, 66, 67, 69, 71, 69, 66, 64, 64),
      (40, 36, 43, 47, 45, 47, 35, 40)), "Em"),
    # A minor with no G♯ (C major's notes), ending on A: read as C major.
    (((69, 71, 72, 74, 76, 74, 72, 71, 69, 67, 69, 71, 72, 71, 69, 69),), "Am"),
    # A plain G-major tune ending on G: G major, as before.
    ((G_TUNE,), "G"),
    # A G-major tune harmonized with a D♯ (V of vi, B major), its bass ending on G: the
    # D♯ made E minor's scale fit best, and repaint and continue kept it in E minor.
    (((71, 74, 71, 67, 71, 75, 76, 74, 72, 71, 69, 67, 66, 69, 67, 67),
      (43, 47, 52, 47, 40, 36, 38, 43)), "G"),
])
def test_major_or_relative_minor_is_the_key_whose_tonic_the_tune_rests_on(parts, expected):
    assert readings(with_new_track(*parts)) == (expected, expected)


def jsb_train(index: int) -> Song:
    """A JSB train chorale (../shared/data/jsb): soprano, alto, tenor and bass tracks, a
    held or repeated note one note, and an empty track to write."""
    import json

    data = REAL_DIR.parent / "jsb" / "jsb16th_train_valid.json"
    if not data.is_file():
        pytest.skip(f"JSB chorales not found at {data}")
    steps = json.loads(data.read_text())["train"][index]
    tracks = []
    for voice in range(4):
        notes: list[Note] = []
        for t, step in enumerate(steps):
            if notes and notes[-1].pitch == step[voice] and notes[-1].end == t * Q:
                notes[-1] = Note(step[voice], notes[-1].start, notes[-1].duration + Q)
            elif step[voice] >= 0:
                notes.append(Note(step[voice], t * Q, Q))
        tracks.append(Track("SATB"[voice], notes=tuple(notes)))
    return Song(tracks=(*tracks, Track("New")))


def test_a_chorale_is_read_in_the_key_its_bass_closes_in():
    # Train chorale 13, in G major with D♯s (V of vi) and its bass ending on G, read as E
    # minor whole and continued; chorale 26, in A minor, stays there.
    assert readings(jsb_train(13)) == ("G", "G")
    assert readings(jsb_train(26)) == ("Am", "Am")


def test_a_minor_key_is_kept_and_written_by_its_usual_name():
    # Music in C# minor was "kept in Db minor" (a key no signature holds), and a user's
    # --key "Db minor" failed to become the key signature; both are C# minor now.
    c_sharp_minor = tuple(p - 1 for p in D_MINOR)
    song = song_of(c_sharp_minor, None)
    piano = song.tracks[0].id
    take = tasks.repaint(song, [piano], 3, 5, model=model(),
                         options=GenerateOptions(seed=3, steps=2, key=AUTO))
    assert take.key == "C#m"
    assert tasks.auto_key_note("repaint", take.key, song, middle(song)) == (
        "kept in C# minor, the key of the music around them")
    # A chorale left free of a key says so, and the key its tune is in.
    assert tasks.auto_key_note("harmonize", None, song, middle(song)) == (
        "are in C# minor, the key of the music around them, but not kept in its scale: "
        "a chorale's chords are its own, chromatic ones too")
    named = tasks.regenerate(song, piano, model=model(),
                             options=GenerateOptions(seed=1, steps=2, key="Db minor"))
    assert named.key == "C#m" and named.after.key_signatures == (KeySignature(0, "C#m"),)


def test_new_notes_that_follow_chord_symbols_say_so_not_that_they_are_in_no_key():
    # A blues harmonized over its changes was said to be "in no key".
    song = with_lead_sheet(song_of(CHROMATIC), "F7 | Bb7 | F7 | F7 | Bb7 | Bb7")  # bars 1-6
    mask = middle(song)  # bars 4-5: all under the chords
    for task in ("repaint", "harmonize"):
        assert tasks.auto_key_note(task, None, song, mask, chords=True) == (
            "follow the chord symbols in bars 4–5")
    # past the last chord's bar: the key (or none) that applies there too
    late = Mask.of(Region(frozenset({song.tracks[0].id}), 5 * BAR, 8 * BAR))
    assert tasks.auto_key_note("repaint", "F", song, late, chords=True) == (
        "follow the chord symbols in bar 6, kept in F major outside them")
    assert tasks.auto_key_note("repaint", None, song, late, chords=True) == (
        "follow the chord symbols in bar 6, in no key outside them")
    # chords ignored, or none where the new notes are: as before
    assert tasks.auto_key_note("harmonize", None, song, mask) == (
        "are in no key: the notes around them fit no one key")
    after = Mask.of(Region(frozenset({song.tracks[0].id}), 6 * BAR, 8 * BAR))
    assert tasks.auto_key_note("repaint", "F", song, after, chords=True) == (
        "kept in F major, the key of the chord symbols before them")  # (resolve_key's)
    assert tasks.auto_key_note("repaint", "C", song, after, chords=True) == (
        "kept in C major, the key of the music around them")


def test_the_key_option_hint_fits_what_was_done():
    # QA: notes that followed chord symbols were told "--key sets another", and a chorale
    # harmonized under a G-major key signature "--key sets one, e.g. --key C".
    song = with_lead_sheet(song_of(CHROMATIC), "F7 | Bb7 | F7 | F7 | Bb7 | Bb7")
    mask = middle(song)  # under the chords, every bar: no key decides the notes
    for task in ("repaint", "harmonize"):
        assert tasks.key_option_hint(task, None, song, mask, chords=True) is None
    late = Mask.of(Region(frozenset({song.tracks[0].id}), 5 * BAR, 8 * BAR))
    assert tasks.key_option_hint("repaint", "F", song, late, chords=True) == (
        "--key none lifts it")  # outside the chords, the key found
    assert tasks.key_option_hint("repaint", None, song, late, chords=True) == (
        "--key sets one, e.g. --key C or --key Am")  # none found, none declared
    assert tasks.key_option_hint("harmonize", None, song, mask) == (
        "--key sets one, e.g. --key C or --key Am")  # chords ignored: as any song
    chorale = replace(tune(G_TUNE, "Violin", 40), key_signatures=(KeySignature(0, "G"),))
    take, said = harmonized(chorale)
    assert take.key is None and said.startswith("are in G major")
    prepared = EditGroup(take.prep).apply(take.before)
    assert tasks.key_option_hint("harmonize", None, prepared, take.mask) == (
        "--key G keeps them in G major")
    flute = replace(chorale, tracks=tune(G_TUNE, "Flute", 73).tracks)
    take, _ = harmonized(flute)
    prepared = EditGroup(take.prep).apply(take.before)
    assert tasks.key_option_hint("harmonize", take.key, prepared, take.mask) == (
        "--key none lifts it")
    assert tasks.key_option_hint("compose", "C", song, mask) is None


def test_a_continuation_past_the_last_chords_bar_keeps_the_chords_key():
    # A chorded blues declaring no key, its tune in none: past the lead sheet's last bar
    # the key alone applies, and there was none, so the new bars followed nothing.
    song = with_lead_sheet(song_of(CHROMATIC, bars=12), BLUES)
    mask = Mask.of(Region(frozenset({song.tracks[0].id}), 12 * BAR, 16 * BAR))
    assert context_key(song, mask) is None
    assert chords_key(song, mask) == "F"
    assert resolve_key(GenerateOptions(key=AUTO), song, mask, "continue").key == "F"
    # A head whose notes read as another key (a blues's blue notes read as E♭ major,
    # docs QA): past the chords, their key still wins.
    flat = with_lead_sheet(song_of((63, 65, 67, 68, 70, 72, 74, 75), bars=12), BLUES)
    past = Mask.of(Region(frozenset({flat.tracks[0].id}), 12 * BAR, 16 * BAR))
    assert context_key(flat, past) == "Eb"
    assert resolve_key(GenerateOptions(key=AUTO), flat, past, "continue").key == "F"
    ignored = GenerateOptions(key=AUTO, follow_chords=False)
    assert resolve_key(ignored, song, mask, "continue").key is None
    inside = Mask.of(Region(frozenset({song.tracks[0].id}), 3 * BAR, 5 * BAR))
    assert resolve_key(GenerateOptions(key=AUTO), song, inside, "continue").key == "F"
    take = tasks.continue_(song, 4, track_ids=[song.tracks[0].id], model=model(),
                           options=GenerateOptions(seed=1, steps=2, key=AUTO))
    assert take.key == "F"
    new = [n for n in take.after.tracks[0].notes if n.start >= 12 * BAR]
    assert new and all(n.pitch % 12 in scale_pitch_classes("F") for n in new)
    assert tasks.auto_key_note("continue", take.key, take.after, take.mask, chords=True) == (
        "kept in F major, the key of the chord symbols before them")
    # the chords of the 8 bars before read: a minor blues's C minor, rhythm changes' B♭
    for changes, key in (("Cm7 | Fm7 | Cm7 | Cm7 | Fm7 | Fm7 | Cm7 | Cm7 | Ab7 | G7 | Cm7 "
                          "| G7", "Cm"), (RHYTHM, "Bb")):
        bars = changes.count("|") + 1
        after = Mask.of(Region(frozenset({song.tracks[0].id}), bars * BAR, 16 * BAR))
        assert chords_key(with_lead_sheet(song_of(CHROMATIC, bars=12), changes),
                          after) == key
    # An I-V chart is in I, not in V (smoke QA: C | G read G major, G | D7 D major; the
    # profiles alone hear the dominant's root in both chords): the key on the chord the
    # window closes on, else on the song's first chord, where the read key is its 5th.
    for changes, key in (("C | G | C | G | C | G | C | G C", "C"),
                         ("C | G | C | G | C | G | C | G", "C"),
                         ("G | D7 | G | C D7 | G | D | G D | G", "G"),
                         ("Am | E7 | Am | E7 | Am | E7 | Am | E7", "Am")):
        after = Mask.of(Region(frozenset({song.tracks[0].id}), 8 * BAR, 12 * BAR))
        assert chords_key(with_lead_sheet(song_of(CHROMATIC, bars=8), changes),
                          after) == key, changes


def test_under_the_chord_symbols_their_key_comes_before_the_notes():
    # Jazz QA: a blues head's notes read as E-flat major inside the changes' bars, so a
    # harmonized bass could not play E, F's leading tone, and was warned of it.
    flat = with_lead_sheet(song_of((63, 65, 67, 68, 70, 72, 74, 75), bars=12), BLUES)
    piano = flat.tracks[0].id
    ignored = GenerateOptions(key=AUTO, follow_chords=False)  # the notes' key, as ever
    for a, b in ((3, 5), (8, 14)):  # inside the chords' bars, and on past them
        mask = Mask.of(Region(frozenset({piano}), a * BAR, b * BAR))
        assert context_key(flat, mask) == "Eb"
        assert resolve_key(GenerateOptions(key=AUTO), flat, mask, "repaint").key == "F"
        assert resolve_key(ignored, flat, mask, "repaint").key == "Eb"
    # A declared key stays the song's word; a region before the first symbol reads notes.
    signed = replace(flat, key_signatures=(KeySignature(0, "Eb"),))
    mask = Mask.of(Region(frozenset({piano}), 3 * BAR, 5 * BAR))
    assert resolve_key(GenerateOptions(key=AUTO), signed, mask, "repaint").key == "Eb"
    late = with_lead_sheet(song_of((63, 65, 67, 68, 70, 72, 74, 75), bars=12), BLUES,
                           from_bar=4)
    intro = Mask.of(Region(frozenset({late.tracks[0].id}), 0, 2 * BAR))
    assert resolve_key(GenerateOptions(key=AUTO), late, intro, "repaint").key == "Eb"


def test_a_short_tune_ending_on_its_major_tonic_reads_major_not_its_relative_minor():
    # QA: a G-major Vocal (no chords), 9 notes around the region, leaning on E on its
    # downbeats and ending on a held G, was "kept in E minor" and got D#5 on a downbeat:
    # the short-tune path (tune_key) now breaks the tie by the tonic it rests on too.
    bars = [(76, 74, 71, 67), (76, 71, 67, 69), (71, 76, 74, 71)]
    notes = [Note(p, b * BAR + i * Q, Q - 30, 90) for b, bar in enumerate(bars)
             for i, p in enumerate(bar)] + [Note(67, 3 * BAR, BAR - 30, 90)]
    song = Song(tracks=(Track("Vocal", program=53, notes=tuple(notes)),))
    mask = Mask.of(Region(frozenset({song.tracks[0].id}), 2 * BAR, 3 * BAR))
    assert context_key(song, mask) == "G"
    assert tasks.auto_key_note("repaint", resolve_key(
        GenerateOptions(key=AUTO), song, mask).key, song, mask) == (
        "kept in G major, the key of the music around them")
    # ... and one that ends on E reads E minor
    minor = replace(song, tracks=(Track("Vocal", program=53, notes=tuple(
        [*notes[:-1], Note(64, 3 * BAR, BAR - 30, 90)])),))
    assert context_key(minor, Mask.of(Region(frozenset({minor.tracks[0].id}), 2 * BAR,
                                               3 * BAR))) == "Em"
