"""Which key "Auto" reads around a region (`engine.score.keys.context_key`), on music
whose key is known and on music whose key is not.

    .venv/bin/python benchmarks/bench_keys.py [--tops 1 2 3 4 24] [--step 10]

(a) Real music with a key signature: music21's corpus (folk tunes from Ryan's Mammoth
Collection and O'Neill's Music of Ireland, Schumann, Mozart, Haydn and Beethoven
quartets, Monteverdi madrigals, Palestrina masses; not Bach, whose chorales train and
test the shipped models). Each piece is cut into 8-bar windows (a window where the key
signature changes is left out); a window's notes, all parts, with no key signature, are
the context of a new empty track over the window, and its key is read as a user's "Auto"
would. A reading is *right* when it has the signature the score declares there (C major
or A minor for no sharps or flats): for a scale constraint the signature is what
matters, since a key and its relative minor hold the same notes but the leading tone. It
is *wrong* with another signature, and *none* when no key is read (new notes are then
unconstrained). *Exact* counts the readings that also name the mode music21's
`analyze("key")` gives the whole piece, where that analysis has the declared signature.
A wrong reading is not always a mistake: a window that modulates (a development in the
dominant) is in another key than its signature says.

Each rule is counted on the same windows: PROFILE_TOP = 24 is the rule before
Krumhansl–Kessler agreement (any key whose scale holds 95 % of the notes), the others
keep a fitting key only when its signature is one of the first N signatures among the
keys ranked by profile correlation (shipped: 2; `--tops 24 1 2 3 4` compares more).

(b) ../shared/data/midi-real/: no labels; what a whole-song regenerate of the first
pitched track reads, and what its 8-bar windows read. openmsx-1 is a C blues/rock tune
(G minor was read, and generation kept in it).

(c) Synthetic: a 12-bar C blues (C7 F7 G7 comping, a blues-scale melody) and a chromatic
line should read None or C (or C minor).

(d) ``--modes``: major or its relative minor, on whole tunes whose key is known, read
before (``keys.BREAK_MODE_TIES`` off: the key the scale fits best, the major on a tie)
and after (the tune's tonic decides: ``keys.minor_lean``). Each tune is read as a new
empty track over all of it ("whole") and as a continuation, 2 bars after its end
("continue": its last 8 bars around). Sets: the JSB chorales' train split
(../shared/data/jsb; the key: the tonic is the last bass note, the mode the one of the
two keys on it whose scale holds more of the sounding time; chorales ending elsewhere,
on V, count with that tonic all the same), Essen folk songs and Ryan's Mammoth tunes
from music21's corpus (their K: field's tonic, where the tune ends on it, and the mode
as the chorales'), and
small tunes written with mido (hand-made, in the keys their names say).
Figures are counts, not timings.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.io.midi_import import read_midi  # noqa: E402
from engine.score import (  # noqa: E402
    Mask,
    Note,
    Region,
    Song,
    TimeMap,
    TimeSignature,
    Track,
    keys,
)
from engine.score.spelling import key_on  # noqa: E402

PPQ = 480
WINDOW = 8  # bars
# Corpus folders and how many of their files to read (every step-th, for spread).
# Not the Essen folk songs: their K: fields often disagree with the notes (Herzog Ernst,
# K:E, naturalises every C, F and G: A minor), so their signature is no reference.
CORPUS = (("ryansMammoth", 60), ("oneills1850", 2), ("schumann_robert", 7),
          ("mozart", 8), ("haydn", 6), ("beethoven", 3), ("monteverdi", 12),
          ("palestrina", 25))
MAX_WINDOWS = 16  # windows from one piece at most: a long quartet does not outweigh the rest
OPUS_TUNES = 40  # tunes read from each file of many (an O'Neill's file holds 50 to 100)


def key_of_signature(sharps: int, minor: bool) -> str:
    major_tonic = sharps * 7 % 12
    return key_on((major_tonic + 9) % 12 if minor else major_tonic, minor)


def corpus_scores():
    """(folder, title, music21 score) for the pieces :data:`CORPUS` names."""
    from music21 import corpus, stream

    paths = [str(p) for p in corpus.getPaths()]
    for folder, count in CORPUS:
        chosen = sorted(p for p in paths if f"/corpus/{folder}/" in p
                        and p.endswith((".mxl", ".xml", ".krn", ".abc")))
        if folder == "beethoven":  # not opus 132 and 133: an hour-long read between them
            chosen = [p for p in chosen if p.endswith(".mxl") and "opus13" not in p]
        step = max(1, len(chosen) // count)
        for path in chosen[::step][:count]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    parsed = corpus.parse(path)
                except Exception as e:  # a corpus file music21 cannot read
                    print(f"  skipped {path}: {e}")
                    continue
            scores = (list(parsed.scores)[:OPUS_TUNES] if isinstance(parsed, stream.Opus)
                      else [parsed])
            for score in scores:
                yield folder, Path(path).stem, score


def score_windows(score):
    """(notes by part, window length in ticks, declared sharps, meter) per 8-bar window
    of ``score`` that keeps one key signature; notes in ticks from the window's start."""
    score = score.stripTies()
    parts = [p for p in score.parts if p.recurse().notes]
    if not parts:
        return
    measures = list(parts[0].getElementsByClass("Measure"))
    if len(measures) < WINDOW:
        return
    flat = parts[0].flatten()  # offsets from the score's start, read once
    sigs = sorted((float(k.offset), k.sharps)
                  for k in flat.getElementsByClass("KeySignature"))
    if not sigs:
        return
    meter = flat.getElementsByClass("TimeSignature").first()
    num, den = (meter.numerator, meter.denominator) if meter else (4, 4)
    notes = []
    for part in parts:
        out = []
        for n in part.flatten().notes:
            at = float(n.offset)
            for p in n.pitches:
                out.append((p.midi, at, float(n.quarterLength)))
        notes.append(out)
    starts = [float(m.offset) for m in measures]
    ends = [*starts[1:], float(score.highestTime)]
    for i in range(0, min(len(measures) - WINDOW + 1, WINDOW * MAX_WINDOWS), WINDOW):
        lo, hi = starts[i], ends[i + WINDOW - 1]
        in_force = [s for at, s in sigs if at <= lo + 1e-6] or [sigs[0][1]]
        if any(lo + 1e-6 < at < hi for at, _ in sigs if _ != in_force[-1]):
            continue
        window = [[Note(p, round((at - lo) * PPQ), max(1, round(d * PPQ)))
                   for p, at, d in part if lo <= at < hi and d > 0] for part in notes]
        yield window, round((hi - lo) * PPQ), in_force[-1], (num, den)


def window_song(parts: list[list[Note]], length: int,
                meter: tuple[int, int] = (4, 4)) -> tuple[Song, Mask]:
    """A song of ``parts`` without a key signature and a new empty track over it all."""
    tracks = [Track(f"Part {i + 1}", notes=tuple(sorted(p, key=lambda n: n.start)))
              for i, p in enumerate(parts)] + [Track("New")]
    song = Song(tracks=tuple(tracks), ppq=PPQ,
                time_signatures=(TimeSignature(0, *meter),))
    return song, Mask.of(Region(frozenset({tracks[-1].id}), 0, length))


def read_with(top: int, song: Song, mask: Mask) -> str | None:
    saved, keys.PROFILE_TOP = keys.PROFILE_TOP, top
    try:
        return keys.context_key(song, mask)
    finally:
        keys.PROFILE_TOP = saved


def bench_corpus(tops: list[int]) -> None:
    t0 = time.perf_counter()
    tally: dict[tuple[str, int], Counter] = {}
    pieces, seconds = Counter(), Counter()
    clock = time.perf_counter()
    for folder, _title, score in corpus_scores():
        try:
            mode = score.analyze("key")
            analysed = (mode.sharps, mode.mode == "minor")
        except Exception:  # a score music21 cannot analyse: no exact key
            analysed = None
        pieces[folder] += 1
        for parts, length, sharps, meter in score_windows(score):
            song, mask = window_song(parts, length, meter)
            exact = (key_of_signature(sharps, analysed[1])
                     if analysed and analysed[0] == sharps else None)
            for top in tops:
                key = read_with(top, song, mask)
                for group in (folder, "all"):
                    c = tally.setdefault((group, top), Counter())
                    c["windows"] += 1
                    if key is None:
                        c["none"] += 1
                    elif keys.signature_of(key) == sharps * 7 % 12:
                        c["right"] += 1
                        c["exact"] += key == exact
                    else:
                        c["wrong"] += 1
                    c["exact_known"] += exact is not None
        seconds[folder] += time.perf_counter() - clock
        clock = time.perf_counter()
    print(f"(a) music21 corpus, 8-bar windows, key signature stripped "
          f"({time.perf_counter() - t0:.0f} s)")
    print(f"    {'group':28} {'PROFILE_TOP':>11} {'windows':>7} {'right':>12} "
          f"{'wrong':>12} {'none':>12} {'exact':>7}")
    groups = [f for f, _ in CORPUS if pieces[f]] + ["all"]
    for group in groups:
        for top in tops:
            c = tally.get((group, top))
            if not c:
                continue
            n = c["windows"]

            def pct(k, c=c, n=n):
                return f"{c[k]:5d} {100 * c[k] / n:5.1f}%"
            label = (f"{group} ({pieces[group]}, {seconds[group]:.0f} s)"
                     if group != "all" else "all")
            print(f"    {label:28} {top:>11} {n:7d} {pct('right'):>12} {pct('wrong'):>12} "
                  f"{pct('none'):>12} {c['exact']:7d}")


def bench_midi_real(tops: list[int]) -> None:
    print("(b) ../shared/data/midi-real: regenerate the first pitched track (the whole "
          "song's notes around it); then the 8-bar windows' readings, most common first")
    folder = ROOT.parent / "shared/data/midi-real"
    for path in sorted(folder.glob("*.mid")):
        song = read_midi(path)
        pitched = [t for t in song.tracks if not t.is_drum and t.notes]
        if not pitched:
            continue
        mask = Mask.of(Region(frozenset({pitched[0].id}), 0, song.end))
        whole = {top: read_with(top, song, mask) for top in tops}
        tm = TimeMap.of(song)
        windows = {top: Counter() for top in tops}
        bar = 0
        while tm.bar_to_tick(bar) < song.end:
            lo, hi = tm.bar_to_tick(bar), tm.bar_to_tick(bar + WINDOW)
            empty = song.with_tracks([*song.tracks, Track("New")])
            window = Mask.of(Region(frozenset({empty.tracks[-1].id}), lo, hi))
            # context_key reads 8 bars each side of the region: the window itself is
            # the region, so its readings overlap; a fair picture of where keys move.
            for top in tops:
                windows[top][read_with(top, empty, window)] += 1
            bar += WINDOW
        declared = song.key_signatures[0].key if song.key_signatures else "-"
        print(f"    {path.name:18} declares {declared:3}")
        for top in tops:
            common = ", ".join(f"{k}×{n}" for k, n in windows[top].most_common(4))
            print(f"      PROFILE_TOP {top:2}: whole {whole[top]!s:5} windows {common}")
    # The brief's figure: openmsx-1 must not read as G minor.
    song = read_midi(folder / "openmsx-1.mid")
    bass = next(t for t in song.tracks if t.name.startswith("Bass"))
    key = keys.context_key(song, Mask.of(Region(frozenset({bass.id}), 0, song.end)))
    print(f"    openmsx-1, regenerate Bass Guitar (as shipped, PROFILE_TOP "
          f"{keys.PROFILE_TOP}): {key}")


def c_blues() -> list[list[Note]]:
    bar, beat = 4 * PPQ, PPQ
    chords = {"C7": (48, 52, 55, 58), "F7": (53, 57, 60, 63), "G7": (55, 59, 62, 65)}
    form = ["C7", "C7", "C7", "C7", "F7", "F7", "C7", "C7", "G7", "F7", "C7", "G7"]
    comp = [Note(p, i * bar + b * beat, beat // 2) for i, c in enumerate(form)
            for b in range(4) for p in chords[c]]
    bass = [Note(chords[c][0] - 12 + (0, 4, 7, 9)[b], i * bar + b * beat, beat)
            for i, c in enumerate(form) for b in range(4)]
    blues = (72, 75, 77, 78, 79, 82, 84, 82, 79, 78, 77, 75)  # C E♭ F F♯ G B♭ C
    melody = [Note(blues[(i * 5 + j) % len(blues)], i * bar + j * beat, beat)
              for i in range(12) for j in range(4)]
    return [comp, bass, melody]


def bench_synthetic(tops: list[int]) -> None:
    print("(c) synthetic: should read None or C (or Cm)")
    chromatic = [[Note(60 + i % 12, i * PPQ, PPQ) for i in range(64)]]
    for name, parts, length in (("12-bar C blues", c_blues(), 12 * 4 * PPQ),
                                ("chromatic line", chromatic, 64 * PPQ)):
        song, mask = window_song(parts, length)
        readings = ", ".join(f"{top}: {read_with(top, song, mask)}" for top in tops)
        print(f"    {name:16} PROFILE_TOP {readings}")


JSB = ROOT.parent / "shared/data/jsb/jsb16th_train_valid.json"
FOLK = (("essenFolksong", 4, 60), ("ryansMammoth", 160, 1))  # folder, files, tunes a file


def jsb_tunes() -> list[tuple[str, list[list[Note]], str]]:
    """(name, voices, key) for the JSB train chorales (module docstring, (d))."""
    import json

    if not JSB.is_file():
        print(f"    skipped the chorales: {JSB} not found")
        return []
    out = []
    for i, steps in enumerate(json.loads(JSB.read_text())["train"]):
        voices = []
        for v in range(4):
            notes: list[Note] = []
            for t, step in enumerate(steps):
                pitch = step[v]
                if notes and notes[-1].pitch == pitch and notes[-1].end == t * PPQ // 4:
                    notes[-1] = Note(pitch, notes[-1].start, notes[-1].duration + PPQ // 4)
                elif pitch >= 0:
                    notes.append(Note(pitch, t * PPQ // 4, PPQ // 4))
            voices.append(notes)
        out.append((f"jsb-train-{i}", voices,
                    mode_on(voices[3][-1].pitch % 12, [n for v in voices for n in v])))
    return out


def folk_tunes() -> list[tuple[str, list[list[Note]], str]]:
    """(name, [notes], key) for music21 folk tunes whose K: key they end on."""
    from music21 import corpus, stream

    paths = [str(p) for p in corpus.getPaths()]
    out = []
    for folder, files, per_file in FOLK:
        chosen = sorted(p for p in paths if f"/corpus/{folder}/" in p)
        for path in chosen[::max(1, len(chosen) // files)][:files]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    parsed = corpus.parse(path)
                except Exception:
                    continue
            scores = list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]
            for score in scores[:per_file]:
                flat = score.stripTies().flatten()
                declared = [k for k in flat.getElementsByClass("KeySignature")
                            if getattr(k, "mode", None) in ("major", "minor")]
                notes = [Note(n.pitches[-1].midi, round(float(n.offset) * PPQ),
                              max(1, round(float(n.quarterLength) * PPQ)))
                         for n in flat.notes if float(n.quarterLength) > 0]
                if len(declared) != 1 or len(notes) < keys.MIN_NOTES:
                    continue
                tonic = declared[0].tonic.pitchClass
                if notes[-1].pitch % 12 == tonic:
                    out.append((f"{folder}/{Path(path).stem}", [notes], mode_on(tonic, notes)))
    return out


def mode_on(tonic: int, notes: list[Note]) -> str:
    """The major or minor key on ``tonic`` whose scale holds more of ``notes``' time: a
    chorale's mode, a folk tune's (Essen's K: field names only the tonic: K:G for a G
    dorian tune)."""
    return max((key_on(tonic, False), key_on(tonic, True)),
               key=lambda k: keys.time_fit(k, notes))


# Small tunes in quarters (a 2 is a half note), melody and an optional bass an octave or
# two down, one note a bar (a 0 rests): read back from MIDI files mido writes.
MIDO_TUNES = (
    ("E minor, D#", "Em", (64, 67, 71, 76, 75, 76, 71, 67, 69, 72, 71, 69, 67, 66, 64, 64), ()),
    ("E minor, no D#", "Em", (64, 67, 71, 76, 74, 71, 67, 64, 69, 72, 71, 69, 67, 66, 64, 71,
                              64, 67, 71, 67, 69, 72, 69, 66, 67, 64, 66, 62, 64, 67, 66, 64),
     ()),
    ("G major", "G", (67, 69, 71, 67, 74, 71, 67, 62, 64, 66, 67, 69, 71, 69, 67, 62,
                      67, 71, 74, 71, 72, 69, 66, 62, 64, 67, 66, 69, 67, 62, 66, 67), ()),
    ("A minor, G#", "Am", (69, 72, 76, 69, 68, 69, 76, 72, 74, 77, 76, 74, 72, 71, 69, 69), ()),
    ("A minor, aeolian", "Am", (69, 71, 72, 74, 76, 74, 72, 71, 69, 67, 69, 71, 72, 71, 69,
                                69), ()),
    ("C major", "C", (60, 60, 67, 67, 69, 69, 67, 65, 65, 64, 64, 62, 62, 60, 60, 60), ()),
    ("D minor, C#", "Dm", (62, 65, 69, 74, 73, 74, 69, 65, 67, 70, 69, 67, 65, 64, 62, 62),
     ()),
    ("G major, V/vi", "G", (71, 74, 71, 67, 71, 75, 76, 74, 72, 71, 69, 67, 66, 69, 67, 67),
     (43, 47, 52, 47, 40, 36, 38, 43)),
    ("E minor, bass", "Em", (71, 67, 71, 74, 72, 71, 69, 67, 66, 67, 69, 71, 69, 66, 64, 64),
     (40, 36, 43, 47, 45, 47, 35, 40)),
)


def mido_tunes() -> list[tuple[str, list[list[Note]], str]]:
    """(name, tracks, key) for :data:`MIDO_TUNES`, written by mido and read back."""
    import tempfile

    import mido

    from engine.io.midi_import import read_midi

    out = []
    with tempfile.TemporaryDirectory() as folder:
        for name, key, melody, bass in MIDO_TUNES:
            mid = mido.MidiFile(ticks_per_beat=PPQ)
            for line, length in ((melody, PPQ), (bass, 4 * PPQ)):
                if not line:
                    continue
                track = mido.MidiTrack()
                for i, pitch in enumerate(line):
                    held = 2 * length if i == len(line) - 1 else length  # the close held
                    track += [mido.Message("note_on", note=pitch, velocity=80, time=0),
                              mido.Message("note_off", note=pitch, velocity=0, time=held)]
                mid.tracks.append(track)
            path = Path(folder) / "tune.mid"
            mid.save(path)
            song = read_midi(path)
            out.append((name, [list(t.notes) for t in song.tracks if not t.is_drum], key))
    return out


def read_modes(parts: list[list[Note]], breaking: bool) -> tuple[str | None, str | None]:
    """The key read over a tune (whole) and after it (continue), ties broken or not."""
    length = max(n.end for p in parts for n in p)
    song, whole = window_song(parts, length)
    end = TimeMap.of(song).bar_to_tick(TimeMap.of(song).tick_to_bar(length - 1) + 1)
    after = Mask.of(Region(whole.track_ids, end, end + 2 * 4 * PPQ))
    saved, keys.BREAK_MODE_TIES = keys.BREAK_MODE_TIES, breaking
    try:
        return keys.context_key(song, whole), keys.context_key(song, after)
    finally:
        keys.BREAK_MODE_TIES = saved


def bench_modes() -> None:
    print("(d) major or relative minor, whole tunes: right key (tonic and mode) / right "
          "tonic / right mode / none, before -> after")
    t0 = time.perf_counter()
    sets = (("JSB chorales, train", jsb_tunes()), ("music21 folk tunes", folk_tunes()),
            ("mido tunes", mido_tunes()))
    print(f"    ({time.perf_counter() - t0:.0f} s to read)")
    for label, tunes in sets:
        if not tunes:
            continue
        minor = sum(k.endswith("m") for _, _, k in tunes)
        print(f"    {label}: {len(tunes)} tunes ({minor} minor)")
        for i, setting in enumerate(("whole", "continue")):
            tally = {b: Counter() for b in (False, True)}
            for name, parts, key in tunes:
                for breaking in (False, True):
                    read = read_modes(parts, breaking)[i]
                    c = tally[breaking]
                    if read is None:
                        c["none"] += 1
                        continue
                    c["key"] += read == key
                    c["tonic"] += keys.tonic_of(read)[0] == keys.tonic_of(key)[0]
                    c["mode"] += read.endswith("m") == key.endswith("m")
                    c["major as minor"] += read.endswith("m") and not key.endswith("m")
                    c["minor as major"] += key.endswith("m") and not read.endswith("m")
                    if breaking and label == "mido tunes":
                        before = read_modes(parts, False)[i]
                        print(f"      {setting:8} {name:18} {key:3} before {before!s:4} "
                              f"after {read!s:4}")
            cells = "  ".join(f"{k} {tally[False][k]} -> {tally[True][k]}"
                              for k in ("key", "tonic", "mode", "none", "major as minor",
                                        "minor as major"))
            print(f"      {setting:8} {cells}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tops", type=int, nargs="+", default=[24, 2],
                    help="PROFILE_TOP values to compare (24: the rule before)")
    ap.add_argument("--skip-corpus", action="store_true")
    ap.add_argument("--modes", action="store_true",
                    help="only (d): major or relative minor on whole tunes, before/after")
    args = ap.parse_args()
    if args.modes:
        bench_modes()
        return 0
    print(f"shipped: MIN_FIT {keys.MIN_FIT}, PROFILE_TOP {keys.PROFILE_TOP} "
          "(24 = every key agrees: the rule before the profile check)")
    bench_synthetic(args.tops)
    bench_midi_real(args.tops)
    if not args.skip_corpus:
        bench_corpus(args.tops)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
