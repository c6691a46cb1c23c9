"""Does a band's drummer play a backbeat? Bars whose snare falls on 2 and 4.

    .venv/bin/python benchmarks/bench_backbeat.py [--seeds 4] [--write-song pop.mid]

A pop songwriter's QA: partita-base's drums under a harmonized 4/4 tune varied by seed
(the snare on all four beats, on 3, 4 and 4-and), and ``harmonize --accompaniment band``
added no drums at all. The song, built here with mido: an 8-bar 4/4 tune at 110 BPM on a
lead synth. For seeds 1..N, with partita-base:

- ``band``: ``harmonize --accompaniment band`` (now Piano, Bass and Drums), then
  ``continue`` 8 bars: the 8 harmonized bars and the 8 continued ones;
- ``count-in`` / ``crash``: the tune a bar later, the Drums holding only a count-in (four
  side sticks) or a crash and kick in that bar, Piano and Bass empty; harmonized;
- ``half time kept``: that bar holding a half-time groove (snare on 3): a kept groove,
  which the drums must go on with (a backbeat there would be made up).

Printed per case: the bars (of all seeds) whose snare strikes on beats 2 and 4 and not
on 1 or 3 (8ths after 2 or 4 allowed), and the bars with any drums. Counts over seeded
runs, not timings.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mido  # noqa: E402

from engine import tasks  # noqa: E402
from engine.io import load_song  # noqa: E402
from engine.models.plugin import plugin_from_folder, shipped_model_folder  # noqa: E402
from engine.plugins.api import GenerateOptions  # noqa: E402
from engine.score import DRUM_CHANNEL, Note, Song, Track  # noqa: E402

PPQ = 480
BAR = 4 * PPQ
SNARES = (37, 38, 39, 40)
TUNE = (64, 64, 67, 69, 67, 64, 62, 60, 62, 64, 62, 60, 59, 60, 62, 55,
        64, 64, 67, 69, 72, 71, 69, 67, 65, 64, 62, 64, 60, 60, 60, 60)


def pop_tune(path: Path) -> Path:
    """The tune as a one-track MIDI file (4/4, 110 BPM, Lead 1 (square))."""
    mf = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    meta = mido.MidiTrack()
    meta.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(110), time=0))
    meta.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    lead = mido.MidiTrack()
    lead.append(mido.MetaMessage("track_name", name="Lead", time=0))
    lead.append(mido.Message("program_change", channel=0, program=80, time=0))
    for p in TUNE:
        lead.append(mido.Message("note_on", note=p, velocity=90, time=0))
        lead.append(mido.Message("note_off", note=p, time=PPQ))
    mf.tracks += [meta, lead]
    mf.save(path)
    return path


def after_a_bar(tune: Song, drums: tuple[Note, ...]) -> Song:
    """The tune a bar later over empty Piano and Bass, Drums holding ``drums``."""
    lead = tune.tracks[0]
    moved = lead.with_notes(replace(n, start=n.start + BAR) for n in lead.notes)
    return Song(tracks=(moved, Track("Piano", program=0, channel=1),
                        Track("Bass", program=33, channel=2),
                        Track("Drums", is_drum=True, channel=DRUM_CHANNEL, notes=drums)),
                ppq=PPQ)


def bars(song: Song, first: int, last: int) -> tuple[int, int]:
    """(bars with a backbeat snare, bars with drums) in bars ``first``..``last - 1``."""
    kit = next((t for t in song.tracks if t.is_drum), None)
    if kit is None:
        return 0, 0
    backbeat = played = 0
    for b in range(first, last):
        hits = [n for n in kit.notes if b * BAR <= n.start < (b + 1) * BAR]
        snare = {(n.start - b * BAR) * 4 // PPQ for n in hits if n.pitch in SNARES}
        played += bool(hits)
        backbeat += {4, 12} <= snare and not snare & {0, 8}
    return backbeat, played


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--write-song", type=Path, default=Path("/tmp/partita-pop-tune.mid"))
    args = ap.parse_args()
    model = plugin_from_folder(shipped_model_folder("partita-base"))
    tune = load_song(pop_tune(args.write_song))
    quarter = PPQ // 4
    kept = {
        "count-in": tuple(Note(37, k * PPQ, quarter, 100) for k in range(4)),
        "crash": (Note(49, 0, quarter, 100), Note(36, 0, quarter, 100)),
        "half time kept": tuple([Note(42, e * PPQ // 2, quarter, 80) for e in range(8)]
                                + [Note(36, 0, quarter, 100), Note(38, 2 * PPQ, quarter, 100)]),
    }
    totals: dict[str, list[int]] = {}

    def add(case: str, got: tuple[int, int]) -> None:
        t = totals.setdefault(case, [0, 0, 0])
        t[0] += got[0]
        t[1] += got[1]
        t[2] += 8

    for seed in range(1, args.seeds + 1):
        options = GenerateOptions(seed=seed)
        band = tasks.harmonize(tune, tune.tracks[0].id, accompaniment="band", model=model,
                               options=options).after
        add("band: harmonized", bars(band, 0, 8))
        more = tasks.continue_(band, 8, model=model, options=options).after
        add("band: continued", bars(more, 8, 16))
        for case, drums in kept.items():
            song = after_a_bar(tune, drums)
            take = tasks.harmonize(song, song.tracks[0].id, model=model, options=options)
            add(case, bars(take.after, 1, 9))
    print(f"partita-base, seeds 1-{args.seeds}: bars with the snare on 2 and 4 / with drums")
    for case, (backbeat, played, of) in totals.items():
        print(f"  {case:18s} {backbeat:3d} / {played:3d} of {of}")


if __name__ == "__main__":
    main()
