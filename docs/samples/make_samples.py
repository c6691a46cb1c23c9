"""Makes docs/samples/: a few takes per task, each as MIDI, a short OGG and a piano-roll PNG.

    .venv/bin/python docs/samples/make_samples.py [--seed 1]

Uses the shipped models exactly as the app does (partita-base on the demo song,
chorale-jsb on the first JSB valid chorale) so a reader hears and sees what they do.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import soundfile as sf

from engine import tasks
from engine.io import load_song, save_song
from engine.models.chorale import chorale_to_song
from engine.models.plugin import plugin_from_folder, shipped_model_folder
from engine.plugins.api import GenerateOptions
from engine.render import mix, render_tracks
from engine.score import Song, TimeMap
from engine.tasks import AUTO

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
JSB = ROOT.parent / "shared" / "data" / "jsb" / "jsb16th_train_valid.json"
SAMPLE_RATE = 32000


def excerpt_ticks(result: tasks.TaskResult, song: Song) -> tuple[int, int]:
    """The masked span with a bar of context on each side."""
    tm = TimeMap.of(song)
    start, end = result.mask.span
    first = max(0, tm.tick_to_bar(start) - 1)
    last = tm.tick_to_bar(max(start, end - 1)) + 2
    return tm.bar_to_tick(first), min(tm.bar_to_tick(last), song.end)


def write_ogg(song: Song, span: tuple[int, int], path: Path) -> None:
    stems = render_tracks(song, sample_rate=SAMPLE_RATE)
    audio = mix(stems, song)
    tm = TimeMap.of(song)
    a, b = (int(tm.tick_to_seconds(t) * SAMPLE_RATE) for t in span)
    clip = np.asarray(audio[a:b], dtype=np.float32)
    # libsndfile's Vorbis encoder crashes on very large single writes: feed it blocks.
    with sf.SoundFile(path, "w", SAMPLE_RATE, clip.shape[1], format="OGG",
                      subtype="VORBIS") as f:
        for i in range(0, len(clip), 16384):
            f.write(clip[i : i + 16384])


def write_png(result: tasks.TaskResult, song: Song, span: tuple[int, int], path: Path,
              title: str) -> None:
    tm = TimeMap.of(song)
    fig, ax = plt.subplots(figsize=(11, 4.2), dpi=110)
    ax.set_facecolor("#1e2127")
    for region in result.mask.regions:
        ax.axvspan(tm.tick_to_beats(region.start), tm.tick_to_beats(region.end),
                   color="#e5c07b", alpha=0.13, lw=0)
    new_ids = {n.id for notes in result.new_notes.values() for n in notes}
    for track in song.tracks:
        for n in track.notes:
            if n.end < span[0] or n.start > span[1]:
                continue
            generated = n.id in new_ids
            ax.add_patch(plt.Rectangle(
                (tm.tick_to_beats(n.start), n.pitch - 0.4), max(tm.tick_to_beats(n.duration), 0.1),
                0.8, color=track.colour, alpha=1.0 if generated else 0.35,
                ec="white" if generated else "none", lw=0.6))
    bars = range(tm.tick_to_bar(span[0]), tm.tick_to_bar(max(span[0], span[1] - 1)) + 2)
    for bar in bars:
        ax.axvline(tm.tick_to_beats(tm.bar_to_tick(bar)), color="#5c6370", lw=0.6)
    ax.set_xticks([tm.tick_to_beats(tm.bar_to_tick(b)) for b in bars])
    ax.set_xticklabels([str(b + 1) for b in bars])
    pitches = [n.pitch for t in song.tracks for n in t.notes if span[0] <= n.start < span[1]]
    ax.set_xlim(tm.tick_to_beats(span[0]), tm.tick_to_beats(span[1]))
    ax.set_ylim(min(pitches, default=40) - 2, max(pitches, default=80) + 2)
    ax.set_xlabel("bar")
    ax.set_ylabel("MIDI pitch")
    ax.set_title(f"{title} — shaded: the mask; bright, outlined: the model's notes", fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    options = GenerateOptions(seed=args.seed, key=AUTO)  # the app's defaults
    base = plugin_from_folder(shipped_model_folder("partita-base"))
    demo = load_song(ROOT / "assets" / "demo" / "demo.mid")
    lead, bass = demo.find_track("Lead"), demo.find_track("Bass")
    jobs = [
        ("repaint-demo", "Repaint Lead, bars 5–8 (partita-base)",
         lambda: tasks.repaint(demo, [lead.id], 4, 8, model=base, options=options)),
        ("regenerate-demo", "Regenerate Bass (partita-base)",
         lambda: tasks.regenerate(demo, bass.id, model=base, options=options)),
        ("continue-demo", "Continue 4 bars (partita-base)",
         lambda: tasks.continue_(demo, 4, model=base, options=options)),
        ("compose-new", "Compose 8 bars for Piano, Bass and Drums (partita-base)",
         lambda: tasks.compose(tasks.SongParams(bars=8), model=base, options=options)),
        ("compose-jig", "Compose 8 bars of 6/8 for Flute, Piano, Bass and Drums (partita-base)",
         lambda: tasks.compose(tasks.SongParams(
             tracks=tuple(tasks.track_specs(["Flute", "Piano", "Bass", "Drums"])), bars=8,
             tempo=144.0, meter=(6, 8)), model=base, options=options)),
    ]
    if JSB.is_file():
        chorale = chorale_to_song(json.loads(JSB.read_text())["valid"][0])
        jsb = plugin_from_folder(shipped_model_folder("chorale-jsb"))
        soprano = chorale.tracks[0]
        # Both ways: a chorale is written without parallels unless that is turned off.
        free = replace(options, avoid_parallels=False)
        jobs.append(("harmonize-chorale", "Harmonize the soprano of JSB valid #1 (chorale-jsb, "
                     "parallels allowed: --no-avoid-parallels)",
                     lambda: tasks.harmonize(chorale, soprano.id, model=jsb, options=free)))
        jobs.append(("harmonize-chorale-no-parallels",
                     "The same, no parallel 5ths/8ves (chorale-jsb's default for a chorale)",
                     lambda: tasks.harmonize(chorale, soprano.id, model=jsb, options=options)))
    index = ["# Samples", "", "Made by `docs/samples/make_samples.py` "
             f"(seed {args.seed}) with the shipped models.", ""]
    for name, title, run in jobs:
        result = run()
        after = result.after
        span = excerpt_ticks(result, after)
        save_song(after, HERE / f"{name}.mid")
        write_ogg(after, span, HERE / f"{name}.ogg")
        write_png(result, after, span, HERE / f"{name}.png", title)
        counts = ", ".join(f"{k} {v}" for k, v in result.counts().items())
        index += [f"## {title}", "", f"Notes written: {counts}. "
                  f"[MIDI]({name}.mid) · [audio excerpt]({name}.ogg)", "",
                  f"![{title}]({name}.png)", ""]
        print(f"{name}: {counts}")
    (HERE / "README.md").write_text("\n".join(index))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
