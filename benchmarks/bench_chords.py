"""Does a band harmonization follow the song's chord symbols? A 12-bar F blues.

    .venv/bin/python benchmarks/bench_chords.py [--model partita-base] [--seeds 3]

A swung tenor-sax melody (mido-built, 480 PPQ, 64 % swing) gets the changes of a 12-bar
F blues as a lead sheet (:func:`engine.score.lead_sheet.with_lead_sheet`, what ``partita
convert --chords`` sets) and is harmonized with the band (Piano and Bass), seeds 1..N,
with the chords ignored (``GenerateOptions.follow_chords`` False: what the model hears)
and followed (:mod:`engine.models.chord_follow`). Per run it prints:

- ``root``: bars whose bass strikes its lowest note on the downbeat on the chord's root;
- ``bass ct``: the share of the bass's sounding time on a tone of the chord in force;
- ``comp ct``: the share of the accompaniment's notes (piano and bass) struck on a tone
  of the chord in force;
- ``m2``: accompaniment notes sounding on a beat a minor 2nd (or 9th) from a tone of the
  chord there, not one of its tones (B3 against B♭7).

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
from engine.models.chord_follow import chord_guide, clash_classes  # noqa: E402
from engine.models.plugin import plugin_from_folder, shipped_model_folder  # noqa: E402
from engine.plugins.api import GenerateOptions  # noqa: E402
from engine.score import Song, TimeMap  # noqa: E402
from engine.score.instruments import role_of  # noqa: E402
from engine.score.lead_sheet import with_lead_sheet  # noqa: E402

PPQ = 480
BAR = 4 * PPQ
SWUNG = 307  # the off-beat 8th, 64 % into its beat
BLUES = "F7 | Bb7 | F7 | F7 | Bb7 | Bb7 | F7 | F7 | C7 | Bb7 | F7 | C7"
# A blues head: per bar, (beat in 8ths, 8ths long, pitch); riffs on the F blues scale
# moved with the changes, as a tenor player states a head.
_RIFF = [(0, 1, 65), (1, 1, 68), (2, 1, 70), (3, 1, 72), (4, 3, 75), (7, 1, 72)]
_ANSWER = [(0, 2, 77), (2, 1, 75), (3, 1, 72), (4, 4, 70)]
_CHANGES = [0, 5, 0, 0, 5, 5, 0, 0, 7, 5, 0, 7]


def blues_melody(path: Path) -> None:
    """Write the tenor sax head (GM 66) as a one-track MIDI file."""
    mid = mido.MidiFile(ticks_per_beat=PPQ)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(132)))
    track.append(mido.MetaMessage("time_signature", numerator=4, denominator=4))
    track.append(mido.MetaMessage("track_name", name="Tenor Sax"))
    track.append(mido.Message("program_change", program=66))
    events = []
    for bar, up in enumerate(_CHANGES):
        phrase = _RIFF if bar % 2 == 0 else _ANSWER
        for eighth, length, pitch in phrase:
            start = bar * BAR + (eighth // 2) * PPQ + (SWUNG if eighth % 2 else 0)
            end = bar * BAR + ((eighth + length) // 2) * PPQ + (
                SWUNG if (eighth + length) % 2 else 0) - 30
            note = pitch + up - 12 * (up == 7)  # over C7 the riff sits a 5th down
            events += [(start, 1, note), (end, 0, note)]
    now = 0
    for tick, on, pitch in sorted(events):
        kind = "note_on" if on else "note_off"
        track.append(mido.Message(kind, note=pitch, velocity=90 if on else 0, time=tick - now))
        now = tick
    mid.save(path)


def figures(song: Song) -> tuple[int, float, float, int]:
    """(root bars, bass chord-tone time share, accompaniment chord-tone note share,
    minor-2nd clashes on beats) of a harmonized song."""
    tm = TimeMap.of(song)
    ticks = list(range(0, 12 * BAR + 1, PPQ // 4))
    guide = chord_guide(song, ticks)
    assert guide is not None

    def tones(tick: int) -> set[int]:
        cell = min(tick // (PPQ // 4), len(guide.chord) - 1)
        return set(map(int, guide.tones[cell].nonzero()[0]))

    melody = song.tracks[0].id
    comp = [t for t in song.tracks if t.id != melody and not t.is_drum]
    bass = [t for t in comp if role_of(t.program, False) == "bass"]
    roots = 0
    for bar in range(12):
        at = tm.bar_to_tick(bar)
        struck = [n.pitch for t in bass for n in t.notes if abs(n.start - at) <= PPQ // 16]
        cell = at // (PPQ // 4)
        if struck and min(struck) % 12 == guide.bass[cell]:
            roots += 1
    on = total = 0
    for t in bass:
        for n in t.notes:
            for tick in range(n.start, min(n.end, 12 * BAR), PPQ // 4):
                total += 1
                on += n.pitch % 12 in tones(tick)
    notes = [n for t in comp for n in t.notes if n.start < 12 * BAR]
    share = sum(n.pitch % 12 in tones(n.start) for n in notes) / max(1, len(notes))
    clashes = 0
    for beat in range(0, 12 * BAR, PPQ):
        cell = beat // (PPQ // 4)
        bad = clash_classes(guide.tones[cell])
        clashes += sum(1 for n in notes if n.start <= beat < n.end and bad[n.pitch % 12])
    return roots, on / max(1, total), share, clashes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="partita-base")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--precision", default="auto")
    args = ap.parse_args()
    folder = Path(args.model)
    model = plugin_from_folder(folder if folder.is_dir() else shipped_model_folder(args.model))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "blues.mid"
        blues_melody(path)
        song = with_lead_sheet(load_song(path), BLUES)
    print(f"{args.model}: 12-bar F blues, band harmonization; {BLUES}")
    print(f"{'chords':8} {'seed':>4} {'root':>7} {'bass ct':>8} {'comp ct':>8} {'m2':>4}")
    for follow in (False, True):
        for seed in range(1, args.seeds + 1):
            options = GenerateOptions(seed=seed, precision=args.precision,
                                      follow_chords=follow)
            take = tasks.harmonize(song, song.tracks[0].id, accompaniment="band",
                                   model=model, options=options)
            roots, bass_ct, comp_ct, clashes = figures(take.after)
            print(f"{'follow' if follow else 'ignore':8} {seed:>4} {roots:>4}/12 "
                  f"{bass_ct:>8.0%} {comp_ct:>8.0%} {clashes:>4}")


if __name__ == "__main__":
    main()
