"""Does a take keep the groove and the harmony of a swung hip-hop loop? A producer's QA case.

    .venv/bin/python benchmarks/bench_groove.py [--model partita-base] [--seeds 4]
                                                [--feel 16th|8th] [--save loop.mid]

Builds, with mido, an 8-bar loop at 90 BPM and 96 PPQ — Drums, "808 Bass" (program 38),
Keys (electric piano: Am7, Fmaj7 over its third, Dm7, Em7, one chord a bar) and a Lead —
swung: with ``--feel 16th`` every off-beat 16th is 8 ticks late (a triplet 16th feel),
with ``--feel 8th`` the off-beat 8ths are 16 ticks late (2:1, triplet 8ths). It loads the
file as the app imports one and, for seeds 1..N, prints:

- *groove*: regenerate Drums, and continue 8 bars (every track; bars 9–16): how many of
  the new notes sit late by the loop's offset, of all and of those on the swung positions
  (the off-beat 16ths, or the off-beat 8ths), against the loop's own;
- *bass*: regenerate the 808 Bass under the kept Keys: on how many bar downbeats with a
  bass onset it strikes the bar's chord root (the loop's own bass: all), and how many of
  its notes are tones of the chord the Keys sound at their onset.

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
from engine.models.plugin import plugin_from_folder, shipped_model_folder  # noqa: E402
from engine.plugins.api import GenerateOptions  # noqa: E402
from engine.score import Note, Song  # noqa: E402

PPQ = 96
BARS = 8
SIXTEENTH = PPQ // 4
# One chord a bar (root, voicing): Am7, Fmaj7 over its third, Dm7, Em7.
CHORDS = ((9, (57, 60, 64, 67)), (5, (57, 60, 64, 65)), (2, (62, 65, 69, 72)),
          (4, (55, 59, 62, 64)))
BASS_ROOTS = {9: 33, 5: 29, 2: 38, 4: 40}  # the 808's root notes (A1, F1, D2, E2)
LEAD = (69, 72, 74, 76, 79, 81, 79, 76)  # A minor pentatonic
# Per feel: (16th of the bar, length in 16ths) for each part; the swung 16th positions in
# the beat and how late they sit.
PATTERNS = {
    "16th": dict(
        hats=[(s, 1) for s in range(16)], kick=[(0, 1), (3, 1), (8, 1)],
        snare=[(4, 1), (12, 1)], bass=[(0, 5), (7, 1), (8, 3), (11, 1), (13, 2)],
        keys=[(0, 6), (7, 5), (13, 3)], lead=[(0, 3), (3, 3), (6, 2), (8, 2), (10, 1),
                                               (11, 3), (14, 2)],
        swung=(1, 3), late=8),
    "8th": dict(
        hats=[(s, 2) for s in range(0, 16, 2)], kick=[(0, 2), (6, 2), (8, 2)],
        snare=[(4, 2), (12, 2)], bass=[(0, 6), (6, 2), (8, 4), (14, 2)],
        keys=[(0, 6), (6, 8), (14, 2)], lead=[(0, 2), (2, 4), (6, 2), (8, 2), (10, 4),
                                              (14, 2)],
        swung=(2,), late=16),
}


def swung_tick(bar: int, step: int, feel: dict) -> int:
    """Tick of 16th ``step`` of ``bar`` in the loop's swing."""
    late = feel["late"] if step % 4 in feel["swung"] else 0
    return bar * 16 * SIXTEENTH + step * SIXTEENTH + late


def build_loop(path: Path, feel_name: str) -> None:
    """Writes the loop as a type-1 MIDI file (a tempo track and four parts)."""
    feel = PATTERNS[feel_name]
    parts: dict[str, tuple[int, int, list[tuple[int, int, int, int]]]] = {
        "Drums": (9, 0, []), "808 Bass": (1, 38, []), "Keys": (2, 4, []), "Lead": (3, 80, [])}

    def put(part: str, pitch: int, bar: int, step: int, length: int, velocity: int,
            release: int = 0) -> None:
        start = swung_tick(bar, step, feel)
        end = swung_tick(bar, step + length, feel) - release
        parts[part][2].append((pitch, start, max(1, end - start), velocity))

    for bar in range(BARS):
        root, voicing = CHORDS[bar % len(CHORDS)]
        for i, (s, n) in enumerate(feel["hats"]):
            put("Drums", 42, bar, s, n, 74 if i % 2 == 0 else 52, release=n * SIXTEENTH // 2)
        for s, n in feel["kick"]:
            put("Drums", 36, bar, s, n, 112, release=n * SIXTEENTH // 2)
        for s, n in feel["snare"]:
            put("Drums", 38, bar, s, n, 104, release=n * SIXTEENTH // 2)
        low = BASS_ROOTS[root]
        for i, (s, n) in enumerate(feel["bass"]):
            pitch = low + (12 if i == 3 else 7 if i == 2 else 0)
            put("808 Bass", pitch, bar, s, n, 100, release=4)
        for s, n in feel["keys"]:
            for p in voicing:
                put("Keys", p, bar, s, n, 72, release=6)
        for i, (s, n) in enumerate(feel["lead"]):
            put("Lead", LEAD[(i + bar) % len(LEAD)], bar, s, n, 90, release=6)

    mid = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    meta = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(90), time=0),
                           mido.MetaMessage("time_signature", numerator=4, denominator=4,
                                            time=0)])
    mid.tracks.append(meta)
    for name, (channel, program, notes) in parts.items():
        events = [(0, 1, mido.MetaMessage("track_name", name=name, time=0))]
        if channel != 9:
            events.append((0, 2, mido.Message("program_change", channel=channel,
                                              program=program, time=0)))
        for pitch, start, length, velocity in notes:
            events.append((start, 4, mido.Message("note_on", channel=channel, note=pitch,
                                                  velocity=velocity, time=0)))
            events.append((start + length, 3, mido.Message("note_off", channel=channel,
                                                           note=pitch, velocity=0, time=0)))
        track = mido.MidiTrack()
        now = 0
        for tick, _, msg in sorted(events, key=lambda e: (e[0], e[1])):
            track.append(msg.copy(time=tick - now))
            now = tick
        mid.tracks.append(track)
    mid.save(path)


# -- figures ----------------------------------------------------------------------------------


def timing(notes: list[Note], feel: dict) -> tuple[int, int, int, int]:
    """(notes late by the loop's offset, notes, of which on the swung positions: late,
    all). A note's position is its nearest grid line's (16th), or for the 8th feel the
    nearest of the straight and the swung off-beat 8th."""
    late = total = on_pos = on_pos_late = 0
    for n in notes:
        phase = n.start % PPQ
        total += 1
        if feel["swung"] == (2,):  # off-beat 8ths: straight at 48, swung at 64
            swung_slot = abs(phase - 64) <= 2
            on_slot = swung_slot or abs(phase - 48) <= 2
        else:
            step = round(phase / SIXTEENTH)
            swung_slot = phase - step * SIXTEENTH == feel["late"]
            on_slot = step % 4 in feel["swung"]
        late += swung_slot
        on_pos += on_slot
        on_pos_late += on_slot and swung_slot
    return late, total, on_pos_late, on_pos


def harmony(song: Song, bass_id: int, keys_id: int) -> tuple[int, int, int, int]:
    """(downbeats with a bass onset on the bar's root, downbeats with a bass onset, bass
    notes on a tone of the chord the keys sound at their onset, bass notes)."""
    bar = 16 * SIXTEENTH
    keys = song.track(keys_id).notes
    roots = on_root = chord_tones = 0
    notes = song.track(bass_id).notes
    for n in notes:
        sounding = {k.pitch % 12 for k in keys if k.start <= n.start < k.end}
        if not sounding:  # between two chords: the one just struck
            last = max((k.start for k in keys if k.start <= n.start), default=None)
            sounding = {k.pitch % 12 for k in keys if k.start == last}
        chord_tones += n.pitch % 12 in sounding
        if n.start % bar == 0:
            roots += 1
            on_root += n.pitch % 12 == CHORDS[(n.start // bar) % len(CHORDS)][0]
    return on_root, roots, chord_tones, len(notes)


def fraction(a: int, b: int) -> str:
    return f"{a}/{b}" + (f" ({100 * a / b:.0f} %)" if b else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="partita-base", help="shipped model name or folder")
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--feel", choices=sorted(PATTERNS), default="16th")
    ap.add_argument("--precision", default="auto")
    ap.add_argument("--save", type=Path, help="also keep the loop's MIDI file here")
    args = ap.parse_args()
    feel = PATTERNS[args.feel]

    with tempfile.TemporaryDirectory() as tmp:
        path = args.save or Path(tmp) / "loop.mid"
        build_loop(path, args.feel)
        song = load_song(path)
    folder = Path(args.model)
    model = plugin_from_folder(folder if folder.is_dir() else shipped_model_folder(args.model))
    drums, bass, keys = (song.find_track(n) for n in ("Drums", "808 Bass", "Keys"))
    end = song.end

    def show(label: str, figures: tuple[int, int, int, int]) -> None:
        late, total, pos_late, pos = figures
        print(f"{label:<26} late by {feel['late']}: {fraction(late, total):<16} "
              f"swung positions late: {fraction(pos_late, pos)}")

    print(f"loop: {args.feel} swing, {feel['late']} ticks late at {PPQ} PPQ")
    for t in song.tracks:
        show(f"loop {t.name}", timing(list(t.notes), feel))
    sums: dict[str, list[int]] = {}

    def add(label: str, notes: list[Note], seed: int) -> None:
        figures = timing(notes, feel)
        show(f"seed {seed} {label}", figures)
        sums[label] = [a + b for a, b in zip(sums.get(label, [0] * 4), figures, strict=True)]

    for seed in range(1, args.seeds + 1):
        options = GenerateOptions(seed=seed, precision=args.precision, key=tasks.AUTO)
        take = tasks.regenerate(song, drums.id, model=model, options=options)
        add("regenerate Drums", list(take.new_notes[drums.id]), seed)
        take = tasks.continue_(song, 8, model=model, options=options)
        for tid, notes in take.new_notes.items():
            add(f"continue {song.track(tid).name}", [n for n in notes if n.start >= end], seed)
    for label, figures in sums.items():
        show(f"all: {label}", tuple(figures))
    on_root, roots, tones, notes = harmony(song, bass.id, keys.id)
    print(f"{'loop 808 Bass':<26} downbeats on the root {fraction(on_root, roots):<12} "
          f"chord tones {fraction(tones, notes)}")
    totals = [0, 0, 0, 0]
    for seed in range(1, args.seeds + 1):
        options = GenerateOptions(seed=seed, precision=args.precision, key=tasks.AUTO)
        take = tasks.regenerate(song, bass.id, model=model, options=options)
        figures = harmony(take.after, bass.id, keys.id)
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        print(f"{f'seed {seed} regenerate 808 Bass':<26} downbeats on the root "
              f"{fraction(*figures[:2]):<12} chord tones {fraction(*figures[2:])}")
    print(f"{'all seeds':<26} downbeats on the root {fraction(*totals[:2]):<12} "
          f"chord tones {fraction(*totals[2:])}")


if __name__ == "__main__":
    main()
