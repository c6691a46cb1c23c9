"""How busy is each part a model writes, against real music? Notes per 16th by role.

    .venv/bin/python benchmarks/bench_texture.py [--model partita-base] [--seeds 3]
                                                 [--real ../shared/data/midi-real]

A new track's density comes from the sampler's target (``sampler.ROLE_RATE`` for a new
piece; for a track added beside others, its role's rate scaled by how busy they are).
For each role this prints the notes per 16th step in the bars the track plays, the notes
per onset (chords), the share of a line's notes that repeat the pitch before (the top
note of each onset), and the share of its onsets that fall on an onset of the melody
(medians over tracks; that share's mean):

- ``real``: the tracks of the MIDI files in ``--real`` and the demo song (medians);
- ``compose 4/4`` / ``compose 6/8``: Flute, Piano, Bass, Drums, 8 bars, seeds 1..N;
  the key as the CLI and the studio leave it (auto: drawn from the seed for a new piece);
- ``harmonize``: the demo's Lead alone, and three jigs of music21's folk corpus when
  music21 is installed, each given a Piano and a Bass (``tasks.harmonize``, band).

Then how long the notes of a regenerated part last against the part's own (the
sampler's sustain target, ``sampler.context_sustain``): every pitched track with at least
8 notes of the real files and the demo, regenerated whole (seed 1), split by its notes'
median length (held parts: a half note or longer): medians over tracks of the notes'
median length in 16ths and of the share of the song's time the track sounds in. For the
bass parts among them (a bass instrument) it also counts, against the chord the other
parts sound in each bar's first beat (:func:`engine.score.chords.recognise_chord`), the
bar downbeats with a bass onset on a clear chord's root, and the bass notes that are tones
of what the others sound at their onset: the part's own, then the regenerated one.

Figures are counts over seeded runs (paired across code versions), not timings.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import tasks  # noqa: E402
from engine.io import load_song  # noqa: E402
from engine.models.plugin import plugin_from_folder, shipped_model_folder  # noqa: E402
from engine.plugins.api import GenerateOptions  # noqa: E402
from engine.score import Song, TimeMap  # noqa: E402
from engine.score.chords import recognise_chord, sounding_weights  # noqa: E402
from engine.score.instruments import role_of  # noqa: E402

ROLE_ORDER = ("melody", "bass", "piano", "chords", "strings", "voice", "drums")
FIGURES = ("notes/16th", "notes/onset", "repeats", "with melody")
HELD = 8  # 16ths: a part whose notes' median is a half note or longer is a held part


def track_figures(song: Song) -> dict[str, list[tuple[float, float, float, float]]]:
    """Per role, one (notes per 16th, notes per onset, repeated-pitch share, share of
    onsets on a melody onset) per track with notes."""
    tm = TimeMap.of(song)
    sixteenth = song.ppq / 4
    melody = set()
    for t in song.tracks:
        if role_of(t.program, t.is_drum) == "melody":
            melody |= {n.start for n in t.notes}
    out: dict[str, list[tuple[float, float, float, float]]] = defaultdict(list)
    for t in song.tracks:
        if not t.notes:
            continue
        role = role_of(t.program, t.is_drum)
        bars = {tm.tick_to_bar(n.start) for n in t.notes}
        steps = sum(tm.bar_to_tick(b + 1) - tm.bar_to_tick(b) for b in bars) / sixteenth
        top: dict[int, int] = {}
        for n in t.notes:
            top[n.start] = max(top.get(n.start, n.pitch), n.pitch)
        line = [top[s] for s in sorted(top)]
        repeats = float(np.mean([a == b for a, b in pairwise(line)])) if len(line) > 1 else 0.0
        shared = (len(set(top) & melody) / len(top)) if melody and role != "melody" \
            else float("nan")
        out[role].append((len(t.notes) / steps, len(t.notes) / len(top), repeats, shared))
    return out


def merge(into: dict[str, list], more: dict[str, list]) -> None:
    for role, rows in more.items():
        into[role].extend(rows)


def report(label: str, figures: dict[str, list]) -> None:
    for role in ROLE_ORDER:
        rows = np.array(figures.get(role, []), dtype=float)
        if not len(rows):
            continue
        cells = []
        for i, name in enumerate(FIGURES):
            col = rows[:, i][np.isfinite(rows[:, i])]
            # Medians, but the melody share's mean: several real files share nothing
            # (their parts sit a few ticks apart), and the median hid every other file.
            if not len(col):
                cells.append(f"{name}    -")
                continue
            value = np.mean(col) if name == "with melody" else np.median(col)
            cells.append(f"{name} {value:4.2f}")
        print(f"{label:<19} {role:<7} n={len(rows):<3} " + " | ".join(cells))


def jigs(count: int) -> list[Song]:
    """A few 6/8 jigs of music21's corpus as one-track songs (none when it is absent)."""
    try:
        from music21 import corpus
    except ImportError:
        return []
    from engine.models.corpus import score_to_song

    out = []
    for meta in corpus.search("jig", "title"):
        song = score_to_song(meta.parse(), title=str(meta.metadata.title))
        sig = song.time_signatures[0] if song.time_signatures else None
        if sig and (sig.numerator, sig.denominator) == (6, 8) and len(song.tracks) == 1 \
                and song.tracks[0].notes:
            out.append(song)
        if len(out) == count:
            break
    return out


def lengths(song: Song, track_id: int) -> tuple[float, float]:
    """A track's notes' median length in 16ths, and the share of the song's time in which
    it sounds (the union of its notes, in ticks)."""
    notes = sorted((n.start, n.end) for n in song.track(track_id).notes)
    if not notes or song.end <= 0:
        return 0.0, 0.0
    sounding, reach = 0, 0
    for a, b in notes:
        sounding += max(0, b - max(a, reach))
        reach = max(reach, b)
    median = float(np.median([b - a for a, b in notes])) / (song.ppq / 4)
    return median, sounding / song.end


def bass_harmony(song: Song, track_id: int) -> np.ndarray:
    """(downbeat onsets on the root of a clear chord, downbeat onsets under one, notes on a
    tone the other pitched parts sound at their onset, notes) of a bass part."""
    tm = TimeMap.of(song)
    others = [n for t in song.tracks if t.id != track_id and not t.is_drum for n in t.notes]
    near = max(1, song.ppq // 32)
    out = np.zeros(4, dtype=int)
    for n in song.track(track_id).notes:
        sounding = {o.pitch % 12 for o in others if o.start <= n.start < o.end}
        out[2:] += (n.pitch % 12 in sounding, 1)
        bar = tm.tick_to_bar(n.start + near)
        start = tm.bar_to_tick(bar)
        if abs(n.start - start) > near:
            continue
        beats = [o for o in tm.pulse_offsets(bar) if o > 0]
        end = start + beats[0] if beats else tm.bar_to_tick(bar + 1)
        chord = recognise_chord(sounding_weights(others, start, end))
        if chord is not None:
            out[:2] += (n.pitch % 12 == chord.root, 1)
    return out


def regenerated_lengths(songs: list[Song], model, precision: str) -> None:
    """Note lengths of regenerated parts against their own, and the harmony of the bass
    parts among them (module docstring)."""
    rows: dict[str, list[tuple[float, ...]]] = defaultdict(list)
    harmony = np.zeros((2, 4), dtype=int)
    basses = 0
    for song in songs:
        for track in song.tracks:
            if track.is_drum or len(track.notes) < 8:
                continue
            before = lengths(song, track.id)
            take = tasks.regenerate(song, track.id, model=model,
                                    options=GenerateOptions(seed=1, precision=precision))
            kind = "held parts" if before[0] >= HELD else "other parts"
            rows[kind].append((*before, *lengths(take.after, track.id)))
            if role_of(track.program, track.is_drum) == "bass":
                basses += 1
                harmony += (bass_harmony(song, track.id), bass_harmony(take.after, track.id))
    for kind in ("held parts", "other parts"):
        r = np.array(rows.get(kind, []), dtype=float)
        if not len(r):
            continue
        med = np.median(r, axis=0)
        print(f"regenerate {kind:<11} n={len(r):<3} median length {med[0]:4.1f} -> "
              f"{med[2]:4.1f} 16ths | sounding {med[1]:4.2f} -> {med[3]:4.2f}")
    if basses:
        (r0, d0, c0, n0), (r1, d1, c1, n1) = harmony
        print(f"regenerate bass parts n={basses:<3} downbeats on the root {r0}/{d0} -> "
              f"{r1}/{d1} | chord tones {c0}/{n0} -> {c1}/{n1}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="partita-base", help="shipped model name or folder")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--precision", default="auto")
    ap.add_argument("--real", type=Path, default=ROOT.parent / "shared/data/midi-real",
                    help="a folder of real MIDI files as the reference")
    args = ap.parse_args()

    real: dict[str, list] = defaultdict(list)
    files = sorted(args.real.glob("*.mid")) if args.real.is_dir() else []
    real_songs = []
    for path in [*files, ROOT / "assets/demo/demo.mid"]:
        try:
            real_songs.append(load_song(path))
            merge(real, track_figures(real_songs[-1]))
        except Exception as e:  # a reference file that does not load is left out
            print(f"(left out {path.name}: {e})")
    report("real", real)

    folder = Path(args.model)
    model = plugin_from_folder(folder if folder.is_dir() else shipped_model_folder(args.model))
    specs = tuple(tasks.track_specs(["Flute", "Piano", "Bass", "Drums"]))
    for meter in ((4, 4), (6, 8)):
        figures: dict[str, list] = defaultdict(list)
        for seed in range(1, args.seeds + 1):
            params = tasks.SongParams(tracks=specs, bars=8, meter=meter)
            options = GenerateOptions(seed=seed, precision=args.precision, key=tasks.AUTO)
            merge(figures, track_figures(tasks.compose(params, model=model,
                                                       options=options).after))
        report(f"compose {meter[0]}/{meter[1]}", figures)

    demo = load_song(ROOT / "assets/demo/demo.mid")
    lead = next(t for t in demo.tracks if t.name == "Lead")
    melodies = [("demo Lead", demo.with_tracks([lead]))]
    melodies += [(f"jig {i}", song) for i, song in enumerate(jigs(3), 1)]
    for name, song in melodies:
        figures = defaultdict(list)
        for seed in range(1, args.seeds + 1):
            options = GenerateOptions(seed=seed, precision=args.precision, key=tasks.AUTO)
            take = tasks.harmonize(song, song.tracks[0].id, accompaniment="band",
                                   model=model, options=options)
            merge(figures, track_figures(take.after))
        report(f"harmonize {name}", figures)

    regenerated_lengths(real_songs, model, args.precision)


if __name__ == "__main__":
    main()
