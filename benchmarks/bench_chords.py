"""Does a band harmonization follow the song's chord symbols? A 12-bar F blues, a
32-bar AABA rhythm-changes tune in B♭ and an 8-bar pop verse in G on plain triads.

    .venv/bin/python benchmarks/bench_chords.py [--model partita-base] [--seeds 3]
                                                [--tunes blues,aaba,pop] [--follow-only]

Three mido-built melodies (480 PPQ, 8ths swung 66 %, accented as a player accents them:
velocity 100 on the beats, 82 off) get their changes as a lead sheet
(:func:`engine.score.lead_sheet.with_lead_sheet`, what ``partita convert --chords`` sets)
and are harmonized with the band (Piano and Bass), seeds 1..N, with the chords ignored
(``GenerateOptions.follow_chords`` False: what the model hears) and followed
(:mod:`engine.models.chord_follow`):

- *blues*: a tenor sax head at 140 BPM over ``F7 | Bb7 | … | F7 | Gm7 C7``, its last
  note F4 in bar 13, past the last chord's bar, ending off the bar line (a ragged end);
- *aaba*: a tenor sax tune at 180 BPM over rhythm changes in B♭ with the colours an
  arranger writes (G7b9, G7alt, Am7b5, Dm7b5, C7/E, Cm7/F, F7alt), ending on B♭4;
- *pop*: a songwriter's vocal verse at 96 BPM, straight quarters and halves (velocity
  100 on the beats), over ``G | D | Em | C | G | D | C | D``: triads, no 7th.

Per run it prints:

- ``root``: bars whose bass strikes its lowest note on the downbeat on the chord's root;
- ``bass ct``: the share of the bass's sounding time on a tone of the chord in force;
- ``comp ct``: the share of the accompaniment's notes (piano and bass) struck on a tone
  of the chord in force;
- ``m2``: accompaniment notes sounding on a beat a minor 2nd (or 9th) from a tone of the
  chord there, not one of its tones (B3 against B♭7);
- ``m2 13``: those of them on beats 1 and 3 (a walking bass's passing tones on 2 and 4
  are meant to rub);
- ``held``: accompaniment notes sounding on across a change of chord into one they are
  not a tone of (the slash bass counts as one): a piano's B♭3 from F7 held into C7;
- ``guide``: chord symbols with a 3rd and a 7th during which the piano sounds both;
- ``chrom``: chord symbols with a tone outside the tune's key (F major, B♭ major) during
  which the piano sounds one of those tones (D7's F♯, G7's B);
- ``loud``: accompaniment notes struck louder than the melody note sounding then;
- ``close``: what sounds under the melody's last note: the bass's lowest note, and the
  piano's notes;
- ``walk``: bars whose bass strikes a note on every beat (a walking bass's quarters);
- ``rep``: beats whose bass strikes the pitch it struck on the beat before, of the
  consecutive beats both struck;
- ``appr``: chord changes on a beat whose bass on the beat before (its lowest note
  sounding there) lies a half or whole step — in pitch, not pitch class: D2 → E♭3 is no
  approach — from the lowest note the bass strikes on the change, of the changes on a
  beat;
- ``bounce``: beats whose bass strikes the pitch it struck two beats before, the beat
  between another (F C F, B♭ A♭ B♭), of the runs of three beats all struck;
- ``steps``: moves of the bass from one beat to the next by a half or whole step, of the
  consecutive beats both struck;
- ``leaps``: those moves larger than a perfect 5th (an octave too);
- ``2&4``: the bass's notes struck on beats 2 and 4, counted as chord tones / other
  tones of the chord's scale (:func:`engine.models.chord_follow.chord_scale`: F7's G,
  B♭, D) / others (chromatic);
- ``chr``: those chromatic ones with both beats around them struck, as passing tones
  (a half or whole step from both, between them: G G♯ A) / approaches (a half or whole
  step from the beat after, not between: A B♭ B) / others.

The pop verse prints, in place of the jazz columns (``walk`` … ``chrom``), how the piano
voices its triads:

- ``r/3/5``: the shares (%) of the piano's notes struck on the chord's root, 3rd, 5th;
- ``full``: chord symbols during which the piano at some onset sounds all three tones;
- ``dbl3``: the piano's onsets at which two or more of its sounding notes are the
  chord's 3rd (B3 and B4 over G), of its onsets;
- ``low3``: the piano's onsets whose lowest sounding note is the chord's 3rd below E3
  (E2 over C: mud under the bass), of its onsets.

Figures are counts over seeded runs (paired across code versions), not timings.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import mido

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import tasks  # noqa: E402
from engine.io import load_song  # noqa: E402
from engine.models.chord_follow import (  # noqa: E402
    ChordGuide,
    chord_guide,
    chord_scale,
    clash_classes,
)
from engine.models.plugin import plugin_from_folder, shipped_model_folder  # noqa: E402
from engine.plugins.api import GenerateOptions  # noqa: E402
from engine.score import Song, TimeMap  # noqa: E402
from engine.score.chord_symbols import parse_chord_symbol  # noqa: E402
from engine.score.instruments import role_of  # noqa: E402
from engine.score.lead_sheet import with_lead_sheet  # noqa: E402
from engine.score.spelling import scale_pitch_classes  # noqa: E402

PPQ = 480
BAR = 4 * PPQ
SWUNG = round(0.66 * PPQ)  # the off-beat 8th, 66 % into its beat
ON_BEAT, OFF_BEAT = 100, 82  # a player's accents
BLUES = "F7 | Bb7 | F7 | F7 | Bb7 | Bb7 | F7 | F7 | C7 | Bb7 | F7 | Gm7 C7"
# Rhythm changes in B♭, AABA, with the altered and slash chords an arranger writes.
_A = "Bbmaj7 G7b9 | Cm7 F7 | Dm7 G7alt | Cm7 F7 | Fm7 Bb7 | Ebmaj7 Ab7 | Dm7 G7b9 | Cm7 F7"
_A_LAST = ("Bbmaj7 G7b9 | Cm7 F7 | Dm7 G7alt | Cm7 F7 | Fm7 Bb7 | Ebmaj7 Ab7 "
           "| Cm7/F F7alt | Bb6")
_BRIDGE = "Am7b5 D7 | D7 | Dm7b5 G7 | G7 | C7 | C7/E | Cm7/F | F7alt"
AABA = " | ".join((_A, _A_LAST, _BRIDGE, _A_LAST))
# A blues head: per bar, (beat in 8ths, 8ths long, pitch); riffs on the F blues scale
# moved with the changes, as a tenor player states a head.
_RIFF = [(0, 1, 65), (1, 1, 68), (2, 1, 70), (3, 1, 72), (4, 3, 75), (7, 1, 72)]
_ANSWER = [(0, 2, 77), (2, 1, 75), (3, 1, 72), (4, 4, 70)]
_CHANGES = [0, 5, 0, 0, 5, 5, 0, 0, 7, 5, 0, 7]


def _at(bar: int, eighth: int) -> int:
    """The tick of a swung 8th ``eighth`` (from the bar's start) in ``bar``."""
    return bar * BAR + (eighth // 2) * PPQ + (SWUNG if eighth % 2 else 0)


def _write(path: Path, bpm: int, notes: list[tuple[int, int, int]],
           name: str = "Tenor Sax", program: int = 66) -> None:
    """A one-track MIDI file (a tenor sax, GM 66, unless said) of ``notes`` (start, end,
    pitch), accented on the beats."""
    mid = mido.MidiFile(ticks_per_beat=PPQ)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm)))
    track.append(mido.MetaMessage("time_signature", numerator=4, denominator=4))
    track.append(mido.MetaMessage("track_name", name=name))
    track.append(mido.Message("program_change", program=program))
    events = []
    for start, end, pitch in notes:
        events += [(start, 1, pitch), (end, 0, pitch)]
    now = 0
    for tick, on, pitch in sorted(events):
        velocity = (ON_BEAT if tick % PPQ == 0 else OFF_BEAT) if on else 0
        kind = "note_on" if on else "note_off"
        track.append(mido.Message(kind, note=pitch, velocity=velocity, time=tick - now))
        now = tick
    mid.save(path)


def blues_melody(path: Path) -> None:
    """The tenor head over 12 bars, then F4 on bar 13's downbeat, let go a little past
    beat 2 (a ragged end)."""
    notes = []
    for bar, up in enumerate(_CHANGES):
        phrase = _RIFF if bar % 2 == 0 else _ANSWER
        for eighth, length, pitch in phrase:
            note = pitch + up - 12 * (up == 7)  # over C7 the riff sits a 5th down
            notes.append((_at(bar, eighth), _at(bar, eighth + length) - 30, note))
    notes.append((12 * BAR, 12 * BAR + PPQ + 290, 65))
    _write(path, 140, notes)


def aaba_melody(path: Path, changes: str) -> None:
    """A tune on the chord tones: per chord, its tones rising from B♭3 up in swung 8ths
    (a beat's rest where a bar has one chord), the last bar B♭4 held."""
    notes = []
    bars = [b.split() for b in changes.split("|")]
    for bar, chords in enumerate(bars[:-1]):
        for i, text in enumerate(chords):
            c = parse_chord_symbol(text)
            assert c is not None and c.root is not None
            eighths = 8 // len(chords)
            first = i * eighths
            tones = [58 + (t - 10) % 12 for t in c.tones][: eighths - (len(chords) == 1) * 2]
            for k, pitch in enumerate(sorted(tones)[::(-1) ** bar]):
                notes.append((_at(bar, first + k), _at(bar, first + k + 1) - 30, pitch))
    last = len(bars) - 1
    notes.append((last * BAR, last * BAR + 3 * PPQ, 70))
    _write(path, 180, notes)


POP = "G | D | Em | C | G | D | C | D"
# The verse's tune: per bar, (beat, beats long, pitch), on the chord's tones with a
# passing note or two, as a songwriter sings a verse.
_VERSE = [
    [(0, 1, 71), (1, 1, 74), (2, 1, 71), (3, 1, 67)],  # G: B4 D5 B4 G4
    [(0, 2, 69), (2, 1, 66), (3, 1, 69)],  # D: A4 F♯4 A4
    [(0, 1, 67), (1, 1, 71), (2, 2, 76)],  # Em: G4 B4 E5
    [(0, 1, 76), (1, 1, 74), (2, 2, 72)],  # C: E5 D5 C5
    [(0, 1, 74), (1, 1, 71), (2, 1, 67), (3, 1, 71)],  # G: D5 B4 G4 B4
    [(0, 1, 69), (1, 1, 66), (2, 2, 62)],  # D: A4 F♯4 D4
    [(0, 1, 64), (1, 1, 67), (2, 1, 72), (3, 1, 67)],  # C: E4 G4 C5 G4
    [(0, 2, 66), (2, 2, 69)],  # D: F♯4 A4, held to the bar's end
]


def pop_melody(path: Path) -> None:
    """The verse sung (a Vocal track, GM Voice Oohs) in straight quarters and halves."""
    notes = [(bar * BAR + beat * PPQ, bar * BAR + (beat + length) * PPQ - 30, pitch)
             for bar, phrase in enumerate(_VERSE) for beat, length, pitch in phrase]
    _write(path, 96, notes, name="Vocal", program=53)


def _pcs_between(notes, lo: int, hi: int) -> set[int]:
    return {n.pitch % 12 for n in notes if n.start < hi and n.end > lo}


NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def _name(pitch: int) -> str:
    return NAMES[pitch % 12] + str(pitch // 12 - 1)


def figures(song: Song, bars: int, key: str) -> dict[str, str]:
    """The columns of one harmonized song (the module's docstring)."""
    tm = TimeMap.of(song)
    ticks = list(range(0, bars * BAR + 1, PPQ // 4))
    guide = chord_guide(song, ticks)
    assert guide is not None

    def tones(tick: int) -> set[int]:
        cell = min(tick // (PPQ // 4), len(guide.chord) - 1)
        return set(map(int, guide.tones[cell].nonzero()[0]))

    melody = song.tracks[0]
    comp = [t for t in song.tracks if t.id != melody.id and not t.is_drum]
    bass = [t for t in comp if role_of(t.program, False) == "bass"]
    piano = [n for t in comp if t not in bass for n in t.notes]
    roots = 0
    for bar in range(bars):
        at = tm.bar_to_tick(bar)
        struck = [n.pitch for t in bass for n in t.notes if abs(n.start - at) <= PPQ // 16]
        cell = at // (PPQ // 4)
        if struck and min(struck) % 12 == guide.bass[cell]:
            roots += 1
    on = total = 0
    for t in bass:
        for n in t.notes:
            for tick in range(n.start, min(n.end, bars * BAR), PPQ // 4):
                total += 1
                on += n.pitch % 12 in tones(tick)
    notes = [n for t in comp for n in t.notes if n.start < bars * BAR]
    share = sum(n.pitch % 12 in tones(n.start) for n in notes) / max(1, len(notes))
    clashes = strong = 0
    for beat in range(0, bars * BAR, PPQ):
        cell = beat // (PPQ // 4)
        bad = clash_classes(guide.tones[cell])
        here = sum(1 for n in notes if n.start <= beat < n.end and bad[n.pitch % 12])
        clashes += here
        strong += here * (beat % BAR in (0, 2 * PPQ))
    changes = [int(c) for c in guide.change.nonzero()[0]]
    held = sum(1 for n in notes if any(
        n.start < c * (PPQ // 4) < n.end and not guide.tones[c, n.pitch % 12]
        and guide.bass[c] != n.pitch % 12 for c in changes))
    # Per chord symbol: its span, guide tones and tones outside the key.
    scale = scale_pitch_classes(key)
    guides = guided = chromatic = sounded = 0
    for i in sorted(set(guide.chord.tolist()) - {-1}):
        cells = (guide.chord == i).nonzero()[0]
        lo, hi = int(cells[0]) * (PPQ // 4), (int(cells[-1]) + 1) * (PPQ // 4)
        c = guide.chords[i]
        heard = _pcs_between(piano, lo, hi)
        third = [t for t in c.tones if (t - c.root) % 12 in (3, 4)][:1]
        seventh = [t for t in c.tones if (t - c.root) % 12 in (10, 11)][:1]
        if third and seventh:
            guides += 1
            guided += third[0] in heard and seventh[0] in heard
        outside = set(c.tones) - scale
        if outside:
            chromatic += 1
            sounded += bool(outside & heard)
    loud = 0
    for n in (n for t in comp for n in t.notes):
        sounding = [m for m in melody.notes if m.start <= n.start < m.end]
        loud += bool(sounding) and n.velocity > max(m.velocity for m in sounding)
    all_notes = sum(len(t.notes) for t in comp)
    final = max(melody.notes, key=lambda m: m.start)
    low = [n.pitch for t in bass for n in t.notes if n.start <= final.start < n.end]
    top = sorted(n.pitch for n in piano if n.start <= final.start < n.end)
    close = (f"{_name(min(low)) if low else '-'} | "
             f"{' '.join(map(_name, top)) if top else '-'}")
    walk, repeats, approaches, bounces, steps, leaps, weak, strays = bass_walk(
        song, bars, guide)
    return triad_voicing(piano, bars, guide) | {
            "root": f"{roots}/{bars}", "bass ct": f"{on / max(1, total):.0%}",
            "comp ct": f"{share:.0%}", "m2": str(clashes), "m2 13": str(strong), "held": str(held),
            "guide": f"{guided}/{guides}",
            "chrom": f"{sounded}/{chromatic}", "loud": f"{loud}/{all_notes}",
            "close": close, "walk": walk, "rep": repeats, "appr": approaches,
            "bounce": bounces, "steps": steps, "leaps": leaps, "2&4": weak,
            "chr": strays}


def triad_voicing(piano: list, bars: int, guide: ChordGuide) -> dict[str, str]:
    """The ``r/3/5``, ``full``, ``dbl3`` and ``low3`` columns (the module's docstring) of
    the piano's notes ``piano`` over the first ``bars`` bars."""
    cell_of = PPQ // 4

    def steps(tick: int) -> dict[int, int]:
        """Pitch class -> semitones above the root of the chord in force at ``tick``
        (empty where none is or it has no root)."""
        i = int(guide.chord[min(tick // cell_of, len(guide.chord) - 1)])
        c = guide.chords[i] if i >= 0 else None
        return {} if c is None or c.root is None else {
            t: (t - c.root) % 12 for t in c.tones}

    def third(role: dict[int, int]) -> int | None:
        return next((pc for pc, s in role.items() if s in (3, 4)), None)

    struck = [n for n in piano if n.start < bars * BAR]
    roles = [0, 0, 0]
    for n in struck:
        s = steps(n.start).get(n.pitch % 12)
        for k, want in enumerate(((0,), (3, 4), (7,))):
            roles[k] += s in want
    shares = "/".join(f"{100 * r / max(1, len(struck)):.0f}" for r in roles)
    onsets = sorted({n.start for n in struck})
    full, doubled, low = set(), 0, 0
    for tick in onsets:
        role = steps(tick)
        sounding = [n.pitch for n in struck if n.start <= tick < n.end]
        pcs = {p % 12 for p in sounding}
        if role and sum(s in (0, 7) for s in map(role.get, pcs)) == 2 and third(role) in pcs:
            full.add(int(guide.chord[tick // cell_of]))
        t3 = third(role)
        doubled += sum(p % 12 == t3 for p in sounding) >= 2
        low += t3 is not None and min(sounding) % 12 == t3 and min(sounding) < 52
    symbols = len(set(guide.chord[:bars * 16].tolist()) - {-1})
    return {"r/3/5": shares, "full": f"{len(full)}/{symbols}",
            "dbl3": f"{doubled}/{len(onsets)}", "low3": f"{low}/{len(onsets)}"}


def bass_walk(song: Song, bars: int, guide: ChordGuide
              ) -> tuple[str, str, str, str, str, str, str, str]:
    """The ``walk``, ``rep``, ``appr``, ``bounce``, ``steps``, ``leaps``, ``2&4`` and
    ``chr`` columns (the module's docstring) of the bass parts of ``song`` over its
    first ``bars`` bars of 4/4."""
    near = PPQ // 16
    bass = [n for t in song.tracks if not t.is_drum and role_of(t.program, False) == "bass"
            for n in t.notes]
    beats = range(0, bars * BAR, PPQ)
    struck = {}  # beat tick -> the lowest pitch struck on it
    sounding = {}  # beat tick -> the lowest pitch sounding on it
    for beat in beats:
        on = [n.pitch for n in bass if abs(n.start - beat) <= near]
        if on:
            struck[beat] = min(on)
        held = [n.pitch for n in bass if n.start - near <= beat < n.end]
        if held:
            sounding[beat] = min(held)
    walking = sum(all(b in struck for b in range(bar * BAR, (bar + 1) * BAR, PPQ))
                  for bar in range(bars))
    pairs = [(b - PPQ, b) for b in beats if b in struck and b - PPQ in struck]
    repeated = sum(struck[a] == struck[b] for a, b in pairs)
    changes = stepped = 0
    for beat in beats[1:]:
        cell = beat // (PPQ // 4)
        if not guide.change[cell] or guide.bass[cell] < 0:
            continue
        changes += 1
        before, on = sounding.get(beat - PPQ), struck.get(beat)
        stepped += before is not None and on is not None and abs(before - on) in (1, 2)
    runs = [b for b in beats if all(b - k * PPQ in struck for k in (1, 2)) and b in struck]
    bounced = sum(struck[b] == struck[b - 2 * PPQ] != struck[b - PPQ] for b in runs)
    moves = [abs(struck[b] - struck[a]) for a, b in pairs]
    steps = sum(m in (1, 2) for m in moves)
    leaps = sum(m > 7 for m in moves)
    kinds = [0, 0, 0]
    chromatic = [0, 0, 0]
    for beat in beats:
        cell = beat // (PPQ // 4)
        if beat % (2 * PPQ) != PPQ or beat not in struck or guide.chord[cell] < 0:
            continue
        pc = struck[beat] % 12
        scale = chord_scale(guide.chords[guide.chord[cell]])
        kind = 0 if guide.tones[cell, pc] else 1 if pc in scale else 2
        kinds[kind] += 1
        before, after = struck.get(beat - PPQ), struck.get(beat + PPQ)
        if kind == 2 and before is not None and after is not None:
            lo, hi = sorted((before, after))
            on = struck[beat]
            chromatic[0 if lo < on < hi and on - lo <= 2 and hi - on <= 2 else
                      1 if abs(after - on) in (1, 2) else 2] += 1
    return (f"{walking}/{bars}", f"{repeated}/{len(pairs)}", f"{stepped}/{changes}",
            f"{bounced}/{len(runs)}", f"{steps / max(1, len(moves)):.0%}", str(leaps),
            "/".join(map(str, kinds)), "/".join(map(str, chromatic)))


TUNES = {"blues": (blues_melody, BLUES, 12, "F"), "aaba": (aaba_melody, AABA, 32, "Bb"),
         "pop": (pop_melody, POP, 8, "G")}
JAZZ = ("root", "walk", "rep", "appr", "bounce", "steps", "leaps", "2&4", "chr",
        "bass ct", "comp ct",
        "m2", "m2 13", "held", "guide", "chrom", "loud", "close")
TRIADS = ("root", "bass ct", "comp ct", "m2", "m2 13", "held", "r/3/5", "full", "dbl3", "low3",
          "loud", "close")
WIDTHS = {"root": 7, "walk": 7, "rep": 7, "appr": 7, "bounce": 7, "steps": 6, "leaps": 6,
          "2&4": 8, "chr": 6,
          "bass ct": 8, "comp ct": 8, "m2": 4, "m2 13": 6,
          "held": 4, "guide": 7, "chrom": 7, "r/3/5": 9, "full": 5, "dbl3": 6, "low3": 6,
          "loud": 8, "close": 0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="partita-base")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--precision", default="auto")
    ap.add_argument("--tunes", default="blues,aaba,pop")
    ap.add_argument("--follow-only", action="store_true", help="skip --chords ignore")
    args = ap.parse_args()
    folder = Path(args.model)
    model = plugin_from_folder(folder if folder.is_dir() else shipped_model_folder(args.model))
    for name in args.tunes.split(","):
        columns = TRIADS if name == "pop" else JAZZ
        widths = tuple(WIDTHS[c] for c in columns)
        write, changes, bars, key = TUNES[name]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{name}.mid"
            write(path, changes) if name == "aaba" else write(path)
            song = with_lead_sheet(load_song(path), changes)
        print(f"{args.model}: {name}, band harmonization; {changes}")
        print(f"{'chords':8} {'seed':>4} "
              + " ".join(f"{c:>{w}}" if w else c for c, w in zip(columns, widths, strict=True)))
        for follow in (False, True)[args.follow_only:]:
            for seed in range(1, args.seeds + 1):
                options = GenerateOptions(seed=seed, precision=args.precision,
                                          follow_chords=follow)
                take = tasks.harmonize(song, song.tracks[0].id, accompaniment="band",
                                       model=model, options=options)
                row = figures(take.after, bars, key)
                print(f"{'follow' if follow else 'ignore':8} {seed:>4} "
                      + " ".join(f"{row[c]:>{w}}" if w else row[c]
                                 for c, w in zip(columns, widths, strict=True)), flush=True)


if __name__ == "__main__":
    main()
