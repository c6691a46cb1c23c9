"""What a take did not do that it was asked to, told as a musician would.

Three kinds: new notes **off the key** they were to keep (a model that ignores the key),
**parallel fifths or octaves** they were to avoid (one that ignores the voice-leading
option; a built-in model follows it, and one slips through only where its rules left a
voice no other note: said as that, with another seed to try), and four-part chorale
voices written by a **general model** — they clash where the chorale model, made for
them, writes them well (the general model: 51-69 % of its notes consonant with a JSB
soprano, against ~92 %).

The rule of that third kind: the model is not a chorale model (it is not
:data:`~engine.tasks.CHORALE_MODEL` and declares no ``"voice"`` among the instruments it
writes, as the chorale model does), and the request is one *Auto* gives the chorale model
(:func:`~engine.tasks.writes_chorale_voices`: a song of Soprano, Alto, Tenor and Bass
parts, or harmonize's Alto, Tenor and Bass under a lone melody). "No parallel 5ths / 8ves"
alone is not chorale writing: it asks a piano or a bass for careful voice leading, which
the chorale model is not the one to write.

A fourth kind is not the model's doing: the **controls dropped** with the old notes —
the pitch bends inside a region that covers every pitch of a track, which shaped the
notes the take replaces (:func:`~engine.score.edits.replace_in_mask`), counted by kind,
so a take does not lose 301 bends without a word.

A fifth kind is the song's shape kept: a part the take replaces that **rested** through
two whole bars or more of the region (the drums of an 8-bar song that play bars 1–2
only) rests there in the take too — the built-in models keep a replaced part silent
where it was (:func:`engine.models.sampler.shaped_targets`) — so a take of "30 notes"
says where it left the part resting and how to fill it, rather than leave a drummer
wondering why the groove stops.

A sixth is the grid's: **off-grid notes replaced** — triplets, strummed or rolled chords'
later strings and other timing between the 16ths (:func:`engine.score.grid_fit.grid_fit`:
not the swing, which a take puts back on its own notes) among the notes a take replaces,
that no new note starts on: the model writes 16ths, so a triplet fill comes back straight
and a strum as a block chord. Kept notes never move; this says what
the region held.

A seventh is the words': **lyrics dropped** — syllables sung on the notes a take replaces
that no new note sings now. A new note starting where one was sung takes it
(:func:`~engine.score.edits.with_syllables`: with kept rhythm, every one); the others go
with the old notes, and the take says how many and in which bars, rather than lose a
verse's words without a word (a repaint of a vocal's bars 5–6 took 26 syllables to 18).

One place decides them for every caller: the command line prints them after a generation
(on stderr, :data:`CLI` words), the job queue puts them on each take
(:attr:`~engine.jobs.Take.warnings`, :data:`STUDIO` words: the takes bar marks the take
with ⚠ and the status bar says them) and a project keeps them with its waiting takes
(:mod:`engine.jobs.saved_takes`). Pure: no Qt, no model runs; parallels are read as the
built-in models avoid them (:func:`engine.models.voice_leading.written_parallels`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

from engine.models.chord_follow import chords_in_force
from engine.models.voice_leading import written_parallels
from engine.plugins.api import GenerateOptions, ModelInfo
from engine.plugins.builtin import GRID_OPTIONS, builtin_names
from engine.score import (
    EditGroup,
    InsertTrack,
    Mask,
    Note,
    Region,
    Song,
    TimeMap,
    listed,
    plural,
)
from engine.score.edits import dropped_controls, dropped_syllables
from engine.score.grid_fit import OTHER, STRUM_NOTE, STRUMMED, TRIPLET, grid_fit
from engine.score.lyrics import midi_lyric_text
from engine.score.spelling import key_text, scale_pitch_classes
from engine.tasks import AUTO, CHORALE_MODEL, track_labels, writes_chorale_voices

if TYPE_CHECKING:
    from engine.score import Edit
    from engine.tasks import TaskResult

    from .take import Take

OFF_KEY = "off-key"  # new notes outside the key they were to keep
PARALLELS = "parallels"  # parallel fifths or octaves, asked to avoid them
GENERAL_MODEL = "general-model"  # chorale voices by a model not made for them
DROPPED_CONTROLS = "dropped-controls"  # pitch bends in the region, gone with the old notes
RESTED = "rested"  # a replaced part rested through whole bars, and rests there still
OFF_GRID = "off-grid"  # triplets, strums or other timing between the 16ths, replaced by 16ths
DROPPED_LYRICS = "dropped-lyrics"  # syllables sung on replaced notes that no new note sings
LOST_KINDS = (TRIPLET, STRUMMED, OTHER)  # the off-grid kinds a take may lose (swing it keeps)
KINDS = (OFF_KEY, PARALLELS, GENERAL_MODEL, DROPPED_CONTROLS, RESTED, OFF_GRID,
         DROPPED_LYRICS)
RESTED_BARS = 2  # whole bars in a row a part rests before it is said (not a bar's break)
Bands = tuple[tuple[int, int], ...]  # the pitch bands (lo, hi) a region paints in a bar

# How a control kind is counted in words (ControlEvent.kind).
CONTROL_WORDS = {"pitchwheel": "pitch bend", "control_change": "controller event",
                 "aftertouch": "aftertouch event", "polytouch": "poly aftertouch event"}


@dataclass(frozen=True, slots=True)
class TakeWarning:
    """One thing a take did not do as asked: its ``kind`` (:data:`KINDS`), a one-line
    ``message`` — the model, what it was asked, what it did, what to do — and ``detail``,
    where it happened by track and bar (the studio's tooltip shows it; the command line
    prints the message only)."""

    kind: str
    message: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Wording:
    """How the user names the settings a warning points to."""

    key: str  # the key new notes keep
    parallels: str  # no parallel fifths or octaves
    use_model: str  # how to choose a model; ``{model}`` is its name
    fill: str  # how to fill bars parts rest in; ``{regions}``: them, as ``--region``s
    keep_rhythm: str  # keeping the replaced notes' rhythm
    new_seed: str  # asking again with another seed


CLI = Wording("--key", "--avoid-parallels", "--model {model}",
              "repaint those bars to fill them (repaint {regions})", "--keep-rhythm",
              "try another --seed")
STUDIO = Wording("the Key setting", "the “No parallel 5ths / 8ves” setting",
                 "choose it, or Auto, as the Generate panel's model",
                 "repaint those bars to fill them",
                 "“Keep the rhythm of the masked notes”",
                 "Ctrl+G asks again with new seeds")


@dataclass(frozen=True, slots=True)
class _Written:
    """One take as the checks read it."""

    song: Song  # with the take's notes (and the tracks it adds) in
    notes: Mapping[int, tuple[Note, ...]]  # its new notes, per track id
    options: GenerateOptions  # as the model ran them (key and voice leading settled)
    tracks: frozenset[int]  # the tracks it writes
    added: tuple[str, ...]  # the names of the tracks it adds
    edit: Edit | None = None  # the take's whole edit (what it takes out of the song)
    mask: Mask | None = None  # where it wrote
    before: Song | None = None  # the song the model wrote into (its prep applied)

    @property
    def chorale(self) -> bool:
        return writes_chorale_voices(self.song, self.tracks, self.added)


def take_warnings(take: Take, model: ModelInfo, prepared: Song | None = None, *,
                  key_found: bool = False) -> tuple[TakeWarning, ...]:
    """The warnings of one take ``model`` made, in the studio's words (the job queue puts
    them on the take). ``prepared``: the song the model wrote into (the take's base song
    after its prep), when the caller has it — a long song's prep is not free;
    ``key_found``: its key was found around the region, not named."""
    if prepared is None:
        prepared = EditGroup(take.prep).apply(take.base_song) if take.prep else take.base_song
    # The take's edit is its prep, then the new notes (make_take).
    song = EditGroup(take.edit.edits[len(take.prep):]).apply(prepared)
    written = _Written(song, take.notes, take.options, take.mask.track_ids,
                       _added(take.prep), take.edit, take.mask, prepared)
    return tuple(_warnings([written], model, STUDIO, asked_parallels=False,
                           key_found=key_found))


def result_warnings(results: Sequence[TaskResult], model: ModelInfo,
                    wording: Wording = CLI, *,
                    asked_parallels: bool = False,
                    key_found: bool = False) -> list[TakeWarning]:
    """The warnings of a request's takes (its variations) ``model`` made, each kind once
    for them all: counts summed, the first parallel the first take's. ``asked_parallels``:
    the user asked for no parallels (``--avoid-parallels``), rather than chorale writing
    turning them off; ``key_found``: the key was found around the region (no key named),
    so the user did not ask for it."""
    written = [_Written(r.after, r.new_notes, r.options or GenerateOptions(key=r.key),
                        r.mask.track_ids, _added(r.prep), r.edit, r.mask,
                        EditGroup(r.prep).apply(r.before) if r.prep else r.before)
               for r in results]
    return _warnings(written, model, wording, asked_parallels=asked_parallels,
                     key_found=key_found)


def _added(prep: Iterable[Edit]) -> tuple[str, ...]:
    return tuple(e.track.name for e in prep if isinstance(e, InsertTrack))


def _warnings(written: list[_Written], model: ModelInfo, wording: Wording, *,
              asked_parallels: bool, key_found: bool = False) -> list[TakeWarning]:
    found = (_off_key(written, model, wording, key_found),
             _parallels(written, model, wording, asked_parallels),
             _general_model(written, model, wording),
             _dropped_controls(written),
             _rested(written, wording),
             _off_grid(written, wording),
             _dropped_lyrics(written, wording))
    return [w for w in found if w is not None]


def _dropped_lyrics(written: list[_Written], wording: Wording) -> TakeWarning | None:
    """The syllables sung on notes a take replaced that it sings no more
    (:func:`~engine.score.edits.dropped_syllables`), of the take that drops the most:
    how many, whose, in which bars; with the words themselves in the detail."""
    most: dict[int, tuple[Note, ...]] = {}
    taken: _Written | None = None
    for w in written:
        if w.mask is None or w.before is None:
            continue
        lost = dropped_syllables(w.before, w.song, w.mask)
        if sum(map(len, lost.values())) > sum(map(len, most.values())):
            most, taken = lost, w
    if taken is None:
        return None
    tm, labels = TimeMap.of(taken.before), track_labels(taken.before)

    def bars(notes: Iterable[Note]) -> str:
        return _bars({tm.bar_number(tm.tick_to_bar(n.start)) for n in notes})

    def words(notes: Iterable[Note]) -> str:  # "Hal- le- lu- jah", as sung
        return " ".join(midi_lyric_text(n.lyric) for n in sorted(notes, key=lambda n: n.start)
                        if n.lyric is not None)

    count = sum(map(len, most.values()))
    where = listed([f"{labels[t]}'s in {bars(notes)}" for t, notes in most.items()])
    keep = ("" if taken.options.keep_rhythm
            else f" ({wording.keep_rhythm} keeps each on the new note at its onset)")
    return TakeWarning(
        DROPPED_LYRICS,
        f"{plural(count, 'syllable')} of the lyrics went with the old notes ({where}): no "
        f"new note starts where {'it was' if count == 1 else 'they were'} sung{keep}",
        "Lyrics dropped: " + "; ".join(
            f"{labels[t]} “{words(notes)}” in {bars(notes)}" for t, notes in most.items()))


def _off_grid(written: list[_Written], wording: Wording) -> TakeWarning | None:
    """Triplets, strums and other notes between the 16ths that a take replaced where no new note
    of their track starts — with *keep rhythm*, where none has their exact start and
    length (a strum's strings each keep theirs), and how many did keep it — of the take
    that loses the most."""
    most: dict[int, dict[str, list[Note]]] = {}  # track id → kind → its notes, of one take
    taken: _Written | None = None
    kept_there = 0  # off-grid notes of that take whose timing a new note has
    swings = False
    for w in written:
        if w.mask is None or w.before is None:
            continue
        replaced = {t: notes for t, notes in w.mask.notes_inside(w.before).items() if notes}
        fit = grid_fit(w.before, replaced) if replaced else None
        if fit is None or not (fit.triplets or fit.other or fit.strummed):
            continue
        lost: dict[int, dict[str, list[Note]]] = {}
        kept = 0
        for tid, notes in replaced.items():
            # Kept rhythm promises the exact start and length; else a new note starting
            # there keeps the feel (its length is the articulation's).
            timed = {_timing(n, w.options.keep_rhythm) for n in w.notes.get(tid, ())}
            for n in notes:
                kind = fit.kind(tid, n.id)
                if kind not in LOST_KINDS:
                    continue
                if _timing(n, w.options.keep_rhythm) in timed:
                    kept += 1
                else:
                    lost.setdefault(tid, {}).setdefault(kind, []).append(n)
        if _lost_count(lost) > _lost_count(most):
            most, taken, kept_there = lost, w, kept
            swings = any(fit.by_id[t].swung for t in lost)
    if taken is None:
        return None
    tm, labels = TimeMap.of(taken.song), track_labels(taken.song)
    counts = {kind: sum(len(kinds.get(kind, ())) for kinds in most.values())
              for kind in LOST_KINDS}
    said = _said(counts)
    not_what = " or ".join(w for w, k in (("triplets", TRIPLET), ("strums", STRUMMED),
                                          ("free timing", OTHER)) if counts[k])
    keep = (f" ({wording.keep_rhythm} keeps their timing)" if not taken.options.keep_rhythm
            else f" ({wording.keep_rhythm} kept the timing of {kept_there} others)"
            if kept_there else "")
    return TakeWarning(
        OFF_GRID,
        f"{listed(said)} replaced in {listed([labels[t] for t in most])}: the model writes "
        f"16ths{' and the swing' if swings else ''}, not {not_what}{keep}",
        "Off the 16th grid before: " + "; ".join(
            f"{labels[t]} {_lost_text(kinds)} in "
            f"{_bars({tm.bar_number(tm.tick_to_bar(n.start)) for n in chain(*kinds.values())})}"
            for t, kinds in most.items()))


def _timing(note: Note, exact: bool) -> tuple[int, ...]:
    return (note.start, note.duration) if exact else (note.start,)


def _said(counts: Mapping[str, int], other: bool = True) -> list[str]:
    """``["3 triplet notes", "12 strummed/rolled chord notes", "5 notes of other
    micro-timing"]`` (``other``: "other" when a kind was said before it)."""
    said = [plural(counts[TRIPLET], "triplet note")] if counts.get(TRIPLET) else []
    if counts.get(STRUMMED):
        said.append(plural(counts[STRUMMED], STRUM_NOTE))
    if counts.get(OTHER):
        said.append(f"{plural(counts[OTHER], 'note')} of "
                    f"{'other ' if said and other else ''}micro-timing")
    return said


def _lost_text(kinds: Mapping[str, list[Note]]) -> str:
    """``"3 triplet notes and 5 notes of micro-timing"``: one track's lost notes."""
    return listed(_said({k: len(v) for k, v in kinds.items()}, other=False))


def _lost_count(lost: Mapping[int, Mapping[str, list[Note]]]) -> int:
    return sum(len(notes) for kinds in lost.values() for notes in kinds.values())


def _rested(written: list[_Written], wording: Wording) -> TakeWarning | None:
    """Parts the take replaces that rested through :data:`RESTED_BARS` whole bars of the
    region or more and rest there still (the take that leaves the most such bars)."""
    most: dict[int, dict[int, Bands]] = {}  # track id → its resting bars (0-based), of one take
    song = None
    for w in written:
        if w.mask is None or w.before is None:
            continue
        replaced = w.mask.notes_inside(w.before)
        rests = {t: bars for t in sorted(w.tracks) if replaced.get(t)
                 and (bars := _still_resting(w.mask, w.before, w.song, t))}
        if sum(map(len, rests.values())) > sum(map(len, most.values())):
            most, song = rests, w.song
    if song is None:
        return None
    tm, labels = TimeMap.of(song), track_labels(song)
    where = {labels[t]: _bars(tm.bar_number(b) for b in bars) for t, bars in most.items()}
    names = list(where)
    said = [f"{names[0]} rested in {where[names[0]]}",
            *(f"{name} in {where[name]}" for name in names[1:])]
    part = "the new part rests" if len(names) == 1 else "the new parts rest"
    return TakeWarning(
        RESTED,
        f"{listed(said)}, so {part} there too: "
        + wording.fill.format(regions=_region_options(song, most)),
        "Resting as before: " + "; ".join(f"{name} in {bars}" for name, bars in where.items()))


def _still_resting(mask: Mask, song_before: Song, song_after: Song,
                   track_id: int) -> dict[int, Bands]:
    """The whole bars of the region in which nothing of track ``track_id`` sounded (in
    the region's pitches) before the take nor sounds after it, in runs of
    :data:`RESTED_BARS` or more, each with the region's pitch bands there."""
    before = next((t for t in song_before.tracks if t.id == track_id), None)
    after = next((t for t in song_after.tracks if t.id == track_id), None)
    regions = [r for r in mask.regions if track_id in r.track_ids and not r.is_empty]
    if before is None or after is None or not regions:
        return {}
    tm = TimeMap.of(song_before)
    first = tm.tick_to_bar(min(r.start for r in regions))
    last = tm.tick_to_bar(max(r.end for r in regions) - 1)
    bands: dict[int, Bands] = {}  # each whole bar of the region → its pitch bands
    for bar in range(first, last + 1):
        lo, hi = tm.bar_to_tick(bar), tm.bar_to_tick(bar + 1)
        if lo < song_before.end and _covered(regions, lo, hi):  # not past the music
            bands[bar] = tuple(dict.fromkeys((r.pitch_lo, r.pitch_hi) for r in regions
                                             if r.start < hi and r.end > lo))
    sounding: set[int] = set()  # the bars something of the track sounds in, before or after
    for n in (*before.notes, *after.notes):
        for bar in range(max(first, tm.tick_to_bar(n.start)),
                         min(last, tm.tick_to_bar(max(n.start, n.end - 1))) + 1):
            if bar in bands and any(a <= n.pitch <= b for a, b in bands[bar]):
                sounding.add(bar)
    runs: list[list[int]] = []
    for bar in sorted(set(bands) - sounding):
        if runs and runs[-1][-1] == bar - 1:
            runs[-1].append(bar)
        else:
            runs.append([bar])
    return {bar: bands[bar] for run in runs if len(run) >= RESTED_BARS for bar in run}


def _covered(regions: list[Region], lo: int, hi: int) -> bool:
    """Whether the regions' spans together cover ``[lo, hi)``."""
    at = lo
    for start, end in sorted((r.start, r.end) for r in regions):
        if start > at:
            break
        at = max(at, end)
    return at >= hi


def _region_options(song: Song, resting: Mapping[int, Mapping[int, Bands]]) -> str:
    """``--region Drums:3-8 --region Bass:5-6:36-47``: the bars (0-based) each track rests
    in, as ``partita repaint --region`` takes them — one per track and pitch band (none
    said for every pitch), quoted for a shell."""
    import shlex

    tm, options = TimeMap.of(song), []
    for track_id, bars in resting.items():
        ref = _track_ref(song, track_id)
        for band in dict.fromkeys(b for bands in bars.values() for b in bands):
            numbers = [tm.bar_number(bar) for bar, bands in bars.items() if band in bands]
            spec = f"{ref}:{_bar_list(numbers)}"
            if band != (0, 127):
                spec += f":{band[0]}-{band[1]}"
            options.append(f"--region {shlex.quote(spec)}")
    return " ".join(options)


def _track_ref(song: Song, track_id: int) -> str:
    """Track ``track_id`` as the command line finds it (:meth:`Song.find_track`) in a
    ``--region``: its name when that picks it alone and reads as a name there, else its
    number (``#3``)."""
    number = song.track_index(track_id) + 1
    name = song.tracks[number - 1].name.strip()
    alone = sum(t.name.strip().lower() == name.lower() for t in song.tracks) == 1
    plain = name and not set(name) & set(",:") and not name.startswith("#") \
        and not name.isdigit()
    return name if alone and plain else f"#{number}"


def _bar_list(numbers: list[int]) -> str:
    """``"3-8"``, ``"3-4,7-8"``: bar numbers as ``--bars`` reads them."""
    return _bars(numbers).split(" ", 1)[1].replace("–", "-").replace(" ", "")


def _dropped_controls(written: list[_Written]) -> TakeWarning | None:
    """The control events (pitch bends …) the takes take out with the old notes, by kind:
    the most any one take drops (variations of one region drop much the same)."""
    most: dict[str, int] = {}  # kind → count
    per_track: dict[str, dict[str, int]] = {}  # track → kind → count, of the same take
    for w in written:
        dropped = dropped_controls(w.edit) if w.edit is not None else {}
        kinds: dict[str, int] = {}
        for counts in dropped.values():
            for kind, n in counts.items():
                kinds[kind] = kinds.get(kind, 0) + n
        if sum(kinds.values()) > sum(most.values()):
            labels = track_labels(w.song)
            most, per_track = kinds, {labels[t]: c for t, c in dropped.items()}
    if not most:
        return None
    return TakeWarning(
        DROPPED_CONTROLS,
        f"{_counted(most)} in the region went with the old notes "
        f"({', '.join(per_track)})",
        "Dropped with the old notes: " + "; ".join(
            f"{name} {_counted(counts)}" for name, counts in per_track.items()))


def _counted(kinds: Mapping[str, int]) -> str:
    """``"301 pitch bends and 2 controller events"``, in :data:`CONTROL_WORDS` order."""
    return listed([plural(kinds[k], word) for k, word in CONTROL_WORDS.items()
                    if kinds.get(k)])


def _off_key(written: list[_Written], model: ModelInfo, wording: Wording,
             key_found: bool = False) -> TakeWarning | None:
    """New pitched notes outside the key their take was asked to keep (drum notes are
    not pitches). Where the take followed chord symbols, a tone of the chord in force is
    no stray: the chord wins over the key by design (a blues's E♭ under F7 in F major,
    22 of 177 notes a jazz arranger was warned of). A key found around the region
    (``key_found``) was nobody's request: "was asked to keep" was said of a harmonize
    given no --key (jazz QA)."""
    off = total = 0
    chords = False  # whether a take followed chord symbols
    keys: list[str] = []
    bars: dict[str, set[int]] = {}  # track → the bars of its notes off the key
    for w in written:
        key = w.options.key
        if not key or key == AUTO:  # no key asked (AUTO is settled before a model runs)
            continue
        scale = scale_pitch_classes(key)
        keys.append(key_text(key))
        tm, labels = TimeMap.of(w.song), track_labels(w.song)
        for track in w.song.tracks:
            if track.id not in w.notes or track.is_drum:
                continue
            notes = w.notes[track.id]
            total += len(notes)
            strays = [n for n in notes if n.pitch % 12 not in scale]
            if strays and w.options.follow_chords and w.song.chords:
                chords = True
                forced = chords_in_force(w.song, [n.start for n in strays])
                strays = [n for n, c in zip(strays, forced, strict=True)
                          if c is None or n.pitch % 12 not in c.tones]
            off += len(strays)
            if strays:
                bars.setdefault(labels[track.id], set()).update(
                    tm.bar_number(tm.tick_to_bar(n.start)) for n in strays)
    if not off:
        return None
    key = " or ".join(dict.fromkeys(keys))
    verb = "is" if off == 1 else "are"
    # Tones of the chord in force are not counted: say so, or the count reads wrong.
    besides = " and off the chord symbols" if chords else ""
    kept = (f"was to keep new notes in {key}, the key found around them" if key_found
            else f"was asked to keep new notes in {key}")
    return TakeWarning(
        OFF_KEY,
        f"{model.name} {kept}, but {off} of its "
        f"{plural(total, 'new note')} {verb} outside it{besides} (the model does not "
        f"follow {wording.key})",
        "Outside the key: " + "; ".join(f"{name} in {_bars(b)}" for name, b in bars.items()))


def _parallels(written: list[_Written], model: ModelInfo, wording: Wording,
               asked: bool) -> TakeWarning | None:
    """Parallel fifths and octaves the new notes make, over the takes whose model was
    asked to avoid them (the option, or chorale writing, which turns it on)."""
    found = []
    for w in written:
        if w.options.avoid_parallels:
            found += [(w, p) for p in written_parallels(w.song, w.notes)]
    if not found:
        return None
    pairs: dict[str, set[int]] = {}  # "Alto and Tenor" → the bars of their parallels
    read: dict[int, tuple[dict[int, str], TimeMap]] = {}  # per take: labels, time map
    for w, p in found:
        if id(w) not in read:
            read[id(w)] = (track_labels(w.song), TimeMap.of(w.song))
        labels, tm = read[id(w)]
        pairs.setdefault(f"{labels[p.track_a]} and {labels[p.track_b]}", set()).add(
            tm.bar_number(tm.tick_to_bar(p.tick)))
    w, first = found[0]
    labels, tm = read[id(w)]
    where = tm.format_position(first.tick)
    detail = "Parallel fifths or octaves: " + "; ".join(f"{pair} in {_bars(b)}"
                                                        for pair, b in pairs.items())
    if follows_voice_leading(model):  # its sampler rules them out wherever it can
        intervals = {p.interval for _, p in found}
        kind = (f"parallel {first.interval}" if len(intervals) == 1
                else "parallel fifths or octaves")
        counted = (f"1 {kind.removesuffix('s')}" if len(found) == 1
                   else f"{len(found)} {kind}")
        pair = f"{labels[first.track_a]} and {labels[first.track_b]}"
        first_said = (f"{pair} into {where}" if len(found) == 1
                      else f"first: {pair}, into {where}" if len(intervals) == 1
                      else f"first: {first.interval}, {pair}, into {where}")
        left = "no other note was left there" if len(found) == 1 else \
            "each where no other note was left"
        return TakeWarning(
            PARALLELS, f"{counted} slipped through ({first_said}): {left}; "
                       f"{wording.new_seed}", detail)
    chorale = any(x.chorale for x in written if x.options.avoid_parallels)
    why = wording.parallels if asked or not chorale else "chorale writing"
    return TakeWarning(
        PARALLELS,
        f"{model.name} was asked for no parallel fifths or octaves ({why}), but its new "
        f"notes make {len(found)} (first: {first.interval}, {labels[first.track_a]} and "
        f"{labels[first.track_b]}, into {where}): the model does not follow "
        f"{wording.parallels}", detail)


def follows_voice_leading(model: ModelInfo) -> bool:
    """Whether ``model`` rules out the parallels ``avoid_parallels`` asks it to avoid: a
    grid model (the built-in ones, and packs of their architecture: they declare
    :data:`~engine.plugins.builtin.GRID_OPTIONS`), whose sampler lets one through only
    where its rules leave a voice no other note. A plugin may ignore the option."""
    return model.name in builtin_names() or all(o in model.options for o in GRID_OPTIONS)


def _general_model(written: list[_Written], model: ModelInfo,
                   wording: Wording) -> TakeWarning | None:
    """Four-part chorale voices written by a model not made for them (module docstring)."""
    if model.name == CHORALE_MODEL or "voice" in model.instruments:
        return None
    voices = next((w for w in written if w.chorale), None)
    if voices is None:
        return None
    labels = track_labels(voices.song)
    names = listed([labels[t.id] for t in voices.song.tracks if t.id in voices.tracks])
    use = wording.use_model.format(model=CHORALE_MODEL)
    return TakeWarning(
        GENERAL_MODEL,
        f"{model.name} is a general model: the chorale voices it wrote ({names}) clash "
        f"more often than those of {CHORALE_MODEL}, which is made for four-part chorales "
        f"({use})",
        f"Auto writes Soprano, Alto, Tenor and Bass parts with {CHORALE_MODEL}")


def _bars(numbers: Iterable[int]) -> str:
    """``"bar 3"``, ``"bars 2–4, 7"``: bar numbers as the score reads them
    (:meth:`~engine.score.TimeMap.bar_number`: a pickup is bar 0), in runs."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    text = ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs)
    return f"bar {text}" if len(runs) == 1 and runs[0][0] == runs[0][1] else f"bars {text}"


__all__ = ["CLI", "CONTROL_WORDS", "DROPPED_CONTROLS", "DROPPED_LYRICS", "GENERAL_MODEL",
           "KINDS", "OFF_GRID", "OFF_KEY", "PARALLELS", "RESTED", "STUDIO", "TakeWarning",
           "Wording", "follows_voice_leading", "result_warnings", "take_warnings"]
