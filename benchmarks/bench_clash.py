"""Do new notes clash with the parts that stay? Woodwinds repainted over Haydn's strings
and a pop band's piano repainted over its bass and lead.

    .venv/bin/python benchmarks/bench_clash.py [--model partita-base] [--seeds 3]
                                               [--pieces haydn,pop] [--bars 32]

- *haydn*: the music21 corpus's ``haydn/opus74no1/movement1``, bars 1-32 (the QA's
  file: exported to MusicXML with music21 and read back, as ``partita convert`` reads
  it), the four strings set to Violin, Violin, Viola and Cello, and eight empty wind
  tracks added (Flute 1-2, Oboe 1-2, Clarinet 1-2, Bassoon 1-2), repainted over bars
  1-32 (``partita repaint --tracks 'Flute 1,...,Bassoon 2' --bars 1-32``);
- *pop*: an 8-bar pop band in G (Lead on a flute, Bass, Piano: G | D | Em | C
  twice), its Piano repainted over bars 1-8.

Per take it prints the new notes and ``clash``: those whose onset lies a minor 2nd,
major 7th or minor 9th (a pitch class a semitone away) from a note of a part that stays
sounding there, not one of whose pitch classes the new note shares; ``beat``: those of
them on a beat of the meter; and for the Haydn file the same figure for Haydn's own
Violin 2 against the three other strings (the QA's reference: 1 %). Figures are counts
over seeded runs (paired across code versions), not timings.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import tasks  # noqa: E402
from engine.io import load_song  # noqa: E402
from engine.models.plugin import plugin_from_folder, shipped_model_folder  # noqa: E402
from engine.plugins.api import GenerateOptions  # noqa: E402
from engine.score import Note, Song, TimeMap, Track  # noqa: E402
from engine.score.edits import EditGroup  # noqa: E402
from engine.score.track_edits import add_track_edit  # noqa: E402

WINDS = (("Flute 1", 73), ("Flute 2", 73), ("Oboe 1", 68), ("Oboe 2", 68),
         ("Clarinet 1", 71), ("Clarinet 2", 71), ("Bassoon 1", 70), ("Bassoon 2", 70))
STRINGS = (40, 40, 41, 42)


def haydn(bars: int) -> Song:
    """The QA's quartet with its eight empty wind tracks."""
    from music21 import corpus

    score = corpus.parse("haydn/opus74no1/movement1").measures(1, bars)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "haydn.musicxml"
        score.write("musicxml", fp=str(path))
        song = load_song(path)
    tracks = [replace(t, program=p) for t, p in zip(song.tracks, STRINGS, strict=False)]
    song = song.with_tracks(tracks)
    return _with_winds(song, WINDS)


def _with_winds(song: Song, winds: tuple[tuple[str, int], ...]) -> Song:
    edits = []
    work = song
    for name, program in winds:
        edit = add_track_edit(work, name=name, program=program)
        work = edit.apply(work)
        edits.append(edit)
    return EditGroup(tuple(edits)).apply(song)


POP_CHORDS = ((55, 59, 62), (50, 54, 57), (52, 55, 59), (48, 52, 55))  # G D Em C


def pop() -> Song:
    """An 8-bar band in G: a flute's tune, a bass on the roots, a piano on the triads."""
    ppq = 480
    bar = 4 * ppq
    tune = [67, 71, 74, 72, 71, 69, 67, 66, 64, 67, 71, 72, 74, 72, 71, 69]
    lead = [Note(start=i * 2 * ppq, duration=2 * ppq - 20, pitch=p, velocity=96)
            for i, p in enumerate(tune)]
    bass, piano = [], []
    for b in range(8):
        chord = POP_CHORDS[b % 4]
        bass += [Note(start=b * bar + k * ppq, duration=ppq - 20, pitch=chord[0] - 12,
                      velocity=90) for k in range(4)]
        piano += [Note(start=b * bar + k * 2 * ppq, duration=2 * ppq - 20, pitch=p,
                       velocity=80) for k in range(2) for p in chord]
    song = Song(ppq=ppq).with_tracks([
        Track(name="Lead", program=73, channel=0, notes=tuple(lead)),
        Track(name="Bass", program=33, channel=1, notes=tuple(bass)),
        Track(name="Piano", program=0, channel=2, notes=tuple(piano))])
    return song


def clashes(song: Song, new: dict[int, list[Note]], kept_ids: set[int]
            ) -> tuple[int, int, int]:
    """(new notes, onsets a semitone class from a sounding kept note, those on a beat)."""
    tm = TimeMap.of(song)
    kept = [n for t in song.tracks if t.id in kept_ids and not t.is_drum for n in t.notes]
    total = bad = beat = 0
    for notes in new.values():
        for n in notes:
            total += 1
            pcs = {k.pitch % 12 for k in kept if k.start <= n.start < k.end}
            pc = n.pitch % 12
            if pc not in pcs and pcs & {(pc + 1) % 12, (pc - 1) % 12}:
                bad += 1
                bar = tm.tick_to_bar(n.start)
                beat += n.start - tm.bar_to_tick(bar) in tm.pulse_offsets(bar)
    return total, bad, beat


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="partita-base")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--precision", default="auto")
    ap.add_argument("--pieces", default="haydn,pop")
    ap.add_argument("--bars", type=int, default=32)
    args = ap.parse_args()
    folder = Path(args.model)
    model = plugin_from_folder(folder if folder.is_dir() else shipped_model_folder(args.model))
    for name in args.pieces.split(","):
        if name == "haydn":
            song = haydn(args.bars)
            write = [t.id for t in song.tracks[4:]]
            bars = args.bars
            strings = [t.id for t in song.tracks[:4]]
            own = {strings[1]: list(song.track(strings[1]).notes)}
            n, bad, beat = clashes(song, own, set(strings) - {strings[1]})
            print(f"haydn: Violin 2 against the other strings: {bad}/{n} "
                  f"({100 * bad / max(n, 1):.1f} %), {beat} on a beat")
        else:
            song = pop()
            write = [song.tracks[2].id]
            bars = 8
        kept = {t.id for t in song.tracks} - set(write)
        for seed in range(1, args.seeds + 1):
            options = GenerateOptions(seed=seed, precision=args.precision)
            tm = TimeMap.of(song)  # bars as a score numbers them (a pickup is bar 0)
            take = tasks.repaint(song, write, tm.bar_index(1), tm.bar_index(bars) + 1,
                                 model=model, options=options)
            n, bad, beat = clashes(take.after, take.new_notes, kept)
            print(f"{name} seed {seed}: {n} new notes, clash {bad} "
                  f"({100 * bad / max(n, 1):.1f} %), on a beat {beat}", flush=True)


if __name__ == "__main__":
    main()
