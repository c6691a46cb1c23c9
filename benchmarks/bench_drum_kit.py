"""Do regenerated drums keep the producer's kit? The share of new hits on notes it uses.

    .venv/bin/python benchmarks/bench_drum_kit.py [--seeds 5] [--real ../shared/data/midi-real]
                                                  [--write-loop loop.mid]

A DAW drum rack plays exact notes: a loop whose backbeat is a Hand Clap (39) and whose
hats are Maracas (70) has no Acoustic Snare (38) or Closed Hi-Hat (42) pad. Two songs:

- ``qa-loop``: the QA's 8-bar loop at 90 BPM (built here with mido: Drums with Kick 36 on
  1 and 3, Hand Clap 39 on 2 and 4, Maracas 70 in eighths; an "808 Bass", Keys, Lead);
- ``openmsx-6``: ``../shared/data/midi-real/openmsx-6.mid``, whose kit strikes Kick 2
  (35) and Kick (36) together on every kick, and Slap (28) under its snare.

Each is asked, for seeds 1..N, to ``repaint`` its drums in bars 5-8, ``regenerate`` them
and ``continue`` 4 bars, with ``partita-base`` and with the ``drumkit`` plugin where it
is installed. Printed per song and model: the new hits, and the share of them whose note
the track already used before the take (higher is better), then the notes written that
the kit never played. Figures are counts over seeded runs, not timings.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mido  # noqa: E402

from engine import tasks  # noqa: E402
from engine.io import load_song  # noqa: E402
from engine.models.plugin import plugin_from_folder, shipped_model_folder  # noqa: E402
from engine.plugins.api import GenerateOptions  # noqa: E402
from engine.score import Song  # noqa: E402

PPQ = 480


def qa_loop(path: Path) -> Path:
    """The QA's loop: 8 bars of 4/4 at 90 BPM, drums on channel 10."""
    bar, eighth = 4 * PPQ, PPQ // 2
    events: dict[str, list[tuple[int, int, int, int]]] = {}  # (tick, ch, note, len)
    drums = events.setdefault("Drums", [])
    bass = events.setdefault("808 Bass", [])
    keys = events.setdefault("Keys", [])
    lead = events.setdefault("Lead", [])
    chords = ((57, 60, 64), (53, 57, 60), (48, 52, 55), (55, 59, 62))  # Am F C G
    roots = (33, 29, 36, 31)
    tune = (69, 72, 76, 74, 72, 71, 69, 67)
    for b in range(8):
        t0 = b * bar
        for beat in range(4):
            note = 36 if beat in (0, 2) else 39
            drums.append((t0 + beat * PPQ, 9, note, 60))
        for e in range(8):
            drums.append((t0 + e * eighth, 9, 70, 60))
        k = b % 4
        bass += [(t0, 1, roots[k], PPQ * 3 // 2), (t0 + 3 * eighth, 1, roots[k], eighth),
                 (t0 + 2 * PPQ, 1, roots[k] + 12, PPQ)]
        keys += [(t0, 2, p, bar) for p in chords[k]]
        lead += [(t0 + i * PPQ, 3, tune[(2 * b + i) % 8], PPQ) for i in range(4)]
    programs = {"Drums": (9, 0), "808 Bass": (1, 38), "Keys": (2, 4), "Lead": (3, 80)}
    mf = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    meta = mido.MidiTrack()
    meta.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(90), time=0))
    meta.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    mf.tracks.append(meta)
    for name, notes in events.items():
        ch, program = programs[name]
        msgs = [(0, mido.MetaMessage("track_name", name=name))]
        if ch != 9:
            msgs.append((0, mido.Message("program_change", channel=ch, program=program)))
        for tick, c, note, length in notes:
            msgs.append((tick, mido.Message("note_on", channel=c, note=note, velocity=96)))
            msgs.append((tick + length, mido.Message("note_off", channel=c, note=note)))
        msgs.sort(key=lambda m: (m[0], m[1].type == "note_on"))
        track, now = mido.MidiTrack(), 0
        for tick, msg in msgs:
            track.append(msg.copy(time=tick - now))
            now = tick
        mf.tracks.append(track)
    mf.save(path)
    return path


def drum_track(song: Song) -> int:
    return next(t.id for t in song.tracks if t.is_drum)


def takes(song: Song, model, seeds: int):
    """Every take of the three tasks on the song's drums."""
    tid = drum_track(song)
    for seed in range(1, seeds + 1):
        options = GenerateOptions(seed=seed)
        yield tasks.repaint(song, [tid], 4, 8, model=model, options=options)
        yield tasks.regenerate(song, tid, model=model, options=options)
        yield tasks.continue_(song, 4, track_ids=[tid], model=model, options=options)


def measure(song: Song, model, seeds: int) -> tuple[int, int, Counter]:
    """(new hits, hits on a note the kit used, the notes it never used)."""
    tid = drum_track(song)
    used = {n.pitch for n in song.track(tid).notes}
    total = kept = 0
    foreign: Counter = Counter()
    for take in takes(song, model, seeds):
        for n in take.new_notes.get(tid, ()):
            total += 1
            if n.pitch in used:
                kept += 1
            else:
                foreign[n.pitch] += 1
    return total, kept, foreign


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--real", type=Path, default=ROOT.parent / "shared/data/midi-real")
    ap.add_argument("--write-loop", type=Path, default=Path("/tmp/partita-qa-loop.mid"))
    args = ap.parse_args()
    songs = {"qa-loop": load_song(qa_loop(args.write_loop))}
    real = args.real / "openmsx-6.mid"
    if real.is_file():
        songs["openmsx-6"] = load_song(real)
    models = {"partita-base": plugin_from_folder(shipped_model_folder("partita-base"))}
    try:
        from partita_drumkit import DrumKit

        models["drumkit"] = DrumKit()
    except ImportError:
        pass
    for name, song in songs.items():
        kit = Counter(n.pitch for n in song.track(drum_track(song)).notes)
        print(f"{name}: the kit plays {dict(sorted(kit.items()))}")
        for model_name, model in models.items():
            total, kept, foreign = measure(song, model, args.seeds)
            share = kept / total if total else float("nan")
            print(f"  {model_name:12s} {total:5d} new hits, {share:6.1%} on the kit's notes; "
                  f"others: {dict(foreign.most_common(6))}")


if __name__ == "__main__":
    main()
