"""``partita compose | regenerate | continue | repaint | harmonize``: generate with a model.

Every command reads a song (except ``compose``), runs one task of
:mod:`engine.tasks` with the chosen model and writes the result to ``-o OUT``;
``--variations N`` writes ``OUT-1.mid`` … ``OUT-N.mid`` (seeds ``seed``, ``seed+1``, …,
never two identical takes; from 10 on ``OUT-01.mid`` …, to sort in order). Bars and
tracks are given as musicians count them: bars as a score numbers them, inclusive — the
first full bar is 1, a pickup bar 0 (``TimeMap.bar_index``; ``--bars 5-8``; ``repaint``
also takes beats, ``5.3-6.2``, and several regions) —, tracks by number from 1 or by
name (a name that is a number wins; ``#2`` is always track 2: ``Song.find_track``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import sys
import time
from dataclasses import replace
from pathlib import Path

from engine.models import DEFAULT_MODEL
from engine.plugins.api import PRECISIONS, GenerateOptions, ModelInfo, ModelPlugin, Progress
from engine.plugins.result import progress_message
from engine.score import EditGroup, listed, plural
from engine.score.spelling import key_text
from engine.tasks import AUTO, auto_key_note, key_option_hint
from engine.tasks.loop import LOOP_TASKS

from . import batch
from .common import (
    CliError,
    GivenOnce,
    add_quiet_option,
    check_number,
    check_song_output,
    is_model_path,
    load_with_studio,
    parse_meter,
    progress_bar,
    restore_takes,
    save_song_file,
    track_id,
    track_ids,
)

SONG_HELP = ("song file (MIDI, .partita or MusicXML); several with --out-dir, each "
             "written there")
_NOTE_RE = re.compile(r"^([A-Ga-g])([#b]?)(-?\d+)$")
_PCS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def register(subparsers: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-o", "--output", metavar="OUT", type=Path,  # or --out-dir: batch
                        action=GivenOnce,
                        help="song file to write (.mid, .partita, or .musicxml/.mxl for a "
                             "score; its folder is made if need be); never the input song")
    g = common.add_argument_group("model and sampling")
    g.add_argument("--model", metavar="NAME", action=GivenOnce,
                   help=f"model name or model folder (default: $PARTITA_MODEL, else the one "
                   f"`partita models default` keeps, else {DEFAULT_MODEL}, else the first "
                   "one installed)")
    g.add_argument("--precision", choices=PRECISIONS, action=GivenOnce,
                   help="weights precision (default: the "
                   "model's own)")
    g.add_argument("--steps", type=int, default=8, metavar="N", action=GivenOnce,
                   help="decoding steps (default 8; more is slower and more careful)")
    g.add_argument("--temperature", type=float, default=1.0, metavar="T", action=GivenOnce,
                   help="sampling temperature (default 1.0; lower is safer)")
    g.add_argument("--top-p", type=float, default=0.95, metavar="P", action=GivenOnce,
                   help="nucleus sampling mass (default 0.95)")
    g.add_argument("--seed", type=int, metavar="N", action=GivenOnce,
                   help="random seed, 0 or more (same seed, same take)")
    g.add_argument("--key", metavar="KEY", default=AUTO, action=GivenOnce,
                   help="keep new notes in a key, e.g. C, F#m, Bb; 'none' for no key "
                        "(default: auto, the key the music around them is clearly in; "
                        "compose: a common key drawn from the seed)")
    g.add_argument("--density", type=float, metavar="D", action=GivenOnce,
                   help="0 (sparse) .. 1 (busy); default: the track's density around the region")
    g.add_argument("--range", metavar="LO-HI", dest="pitch_range", action=GivenOnce,
                   help="the pitches new notes may take, e.g. D4-A5 (the Generate panel's "
                        "pitch range): a second part may leave the register the track has "
                        "so far, not its instrument's range (a note says where it narrows "
                        "the range; one a part cannot play is refused) (default: its own "
                        "register, ± 2 semitones; the region's "
                        "notes are replaced whatever their pitch); on a drum track the "
                        "drums to rewrite, the others keeping their hits (35-46: kick to "
                        "toms; a note says which drums it leaves as they are)")
    g.add_argument("--keep-rhythm", action="store_true",
                   help="keep the rhythm of the notes being replaced (repaint, regenerate, "
                        "harmonize over notes; refused for continue and compose, whose new "
                        "bars have no rhythm to keep)")
    g.add_argument("--avoid-parallels", action=argparse.BooleanOptionalAction, default=None,
                   help="no parallel fifths or octaves between parts (chorale style; "
                        "default: on for four-part chorale writing only — harmonize adding "
                        "SATB voices, or a song of Soprano, Alto, Tenor and Bass parts)")
    g.add_argument("--chords", choices=("follow", "ignore"), default="follow",
                   action=GivenOnce,
                   help="follow: the written parts follow the song's chord symbols where "
                        "one is in force (a bass on the chord's root where it changes, "
                        "chord tones on the beats, no minor 2nds against them; the "
                        "default); ignore: the model harmonizes as it hears the music "
                        "(a song without chord symbols is the same either way)")
    g.add_argument("--variations", type=int, default=1, metavar="N", action=GivenOnce,
                   help="write N different takes: OUT-1.EXT … OUT-N.EXT (from 10 on "
                        "OUT-01.EXT …, to sort in order), seeds SEED, SEED+1, … (a take "
                        "that repeats another is drawn again)")
    g.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                   help="a model's own option (GenerateOptions.extra), e.g. --option "
                        "style=rock for partita-drumkit; numbers and true/false are read as "
                        "such; may be repeated")
    g.add_argument("--as-takes", action="store_true",
                   help="keep the song as it is and save the takes in OUT.partita, waiting "
                        "to be decided as the studio's takes are (then: partita takes OUT "
                        "--accept 1B -o SONG); with --variations, all in one file")
    add_quiet_option(common)

    p = subparsers.add_parser("compose", parents=[common], help="compose a new piece",
                              description="Compose a new piece from scratch, in the "
                                          "--key given (else a common key drawn from the "
                                          "seed), written as its key signature.")
    p.add_argument("--tracks", default="Piano,Bass,Drums", action=GivenOnce, metavar="LIST",
                   help='instruments, comma-separated, each INSTRUMENT or NAME=INSTRUMENT as '
                        'tracks --add takes it ("Lead=Synth Lead,808,Trap Kit"; default '
                        '"Piano,Bass,Drums")')
    p.add_argument("--bars", type=int, default=8, action=GivenOnce, metavar="N",
                   help="length (default 8)")
    p.add_argument("--tempo", type=float, default=120.0, action=GivenOnce, metavar="BPM",
                   help="tempo in quarter notes a minute, as MIDI counts it (default 120; "
                        "6/8 at 80 dotted beats is --tempo 120)")
    p.add_argument("--meter", default="4/4", action=GivenOnce, metavar="N/D",
                   help="time signature (default 4/4), or grouped: 3+2+2/8 counts 7/8 as 3+2+2")
    p.add_argument("--title", default="Untitled", action=GivenOnce, help="song title")
    p.set_defaults(func=_run_compose, task="compose")

    p = subparsers.add_parser("regenerate", parents=[common], help="rewrite one whole track",
                              description="Rewrite one track over the whole song.")
    p.add_argument("song", metavar="SONG", type=Path, nargs="+", help=SONG_HELP)
    p.add_argument("--track", required=True, metavar="T", action=GivenOnce,
                   help="track number or name (a track named 808 is '808', whatever the "
                        "numbers; '#2' is always track number 2)")
    p.set_defaults(func=_run_song_task, task="regenerate")

    p = subparsers.add_parser("continue", parents=[common], help="add bars after the end",
                              description="Continue the song for N more bars.")
    p.add_argument("song", metavar="SONG", type=Path, nargs="+", help=SONG_HELP)
    p.add_argument("--bars", type=int, required=True, metavar="N", action=GivenOnce,
                   help="bars to add")
    p.add_argument("--tracks", metavar="LIST", action=GivenOnce,
                   help="only these tracks (default: the tracks playing in the last 8 "
                        "bars, and empty ones)")
    p.set_defaults(func=_run_song_task, task="continue")

    p = subparsers.add_parser("repaint", parents=[common],
                              help="rewrite a region: bars or beats of tracks, a pitch band",
                              description="Rewrite a region: bars (or beats) of some "
                                          "tracks, optionally only a pitch band; more "
                                          "regions with --region.")
    p.add_argument("song", metavar="SONG", type=Path, nargs="+", help=SONG_HELP)
    p.add_argument("--tracks", metavar="LIST", action=GivenOnce,
                   help="track numbers or names, comma-separated (a name wins over a "
                        "number; '#2' is always track 2)")
    p.add_argument("--bars", metavar="A-B", action=GivenOnce,
                   help="bars, inclusive, as a score numbers them: the first full bar is 1, "
                        "a pickup bar 0 (5-8); a bar.beat starts or ends at a beat "
                        "(5.3-6.2: from bar 5's third beat through bar 6's second); several "
                        "spans with commas (1-2,7-8). A span that runs past the song's last "
                        "bar is cut there (with a note), one that starts after it is refused: "
                        "repaint never lengthens the song (use continue to add bars)")
    p.add_argument("--pitch", metavar="LO-HI", action=GivenOnce,
                   help="only this pitch band: MIDI numbers or names (48-72, C3-C5)")
    p.add_argument("--region", action="append", metavar="TRACKS:BARS[:LO-HI]",
                   help="one more region to repaint with its own tracks, bars and pitch band, "
                        "written as --tracks, --bars and --pitch (e.g. 'Bass:5-8' or "
                        "'Piano,Strings:7.3-8:C4-C6'); may be repeated, with or without "
                        "--tracks/--bars")
    p.set_defaults(func=_run_song_task, task="repaint")

    p = subparsers.add_parser("harmonize", parents=[common], help="accompany a melody",
                              description="Write the other tracks around a melody (adds "
                                          "tracks when the melody is alone).")
    p.add_argument("song", metavar="SONG", type=Path, nargs="+", help=SONG_HELP)
    p.add_argument("--melody", required=True, metavar="T", action=GivenOnce,
                   help="melody track number or name")
    p.add_argument("--accompaniment", choices=("auto", "satb", "band"), default="auto",
                   action=GivenOnce,
                   help="tracks to add to a lone melody: satb (Alto, Tenor, Bass, written "
                        "without parallel 5ths/8ves), band (Piano, Bass, Drums) or auto "
                        "(default: satb for a sung or string melody, else Piano, Bass; Piano, Bass "
                        "in a song with chord symbols); "
                        "a song with other tracks has those harmonized (said in a note)")
    p.add_argument("--tracks", metavar="LIST", action=GivenOnce,
                   help="only fill these tracks, comma-separated (default: every other "
                        "track, drums included)")
    p.set_defaults(func=_run_song_task, task="harmonize")

    for name in LOOP_TASKS:
        subparsers.choices[name].add_argument(
            "--loop", action="store_true",
            help="the song is a loop (a game's 4- or 8-bar cue): its last bar leads into "
                 "its first. The model is given the song's first bars after its last bar "
                 "line as context and what it writes is kept to the song; a new note is "
                 "cut at the last bar line, never held over into bar 1 (README: --loop)")
    for name in ("regenerate", "continue", "repaint", "harmonize"):  # several songs, --json
        batch.add_options(subparsers.choices[name], songs=True)
    batch.add_options(subparsers.choices["compose"], songs=False)


# -- model ------------------------------------------------------------------------------------


def resolve_model(name: str | None, task: str) -> ModelPlugin:
    """The model called ``name`` (or the model folder at that path: a freshly trained
    ``runs/<name>/best``), else the registry's default: ``$PARTITA_MODEL``, else the
    built-in ``partita-base``, else the first model installed."""
    from engine.plugins.registry import Registry

    registry = Registry()
    if name and is_model_path(name):
        from engine.models.plugin import plugin_from_folder

        if not Path(name).is_dir():
            raise CliError(f"--model {name}: no such model folder")
        model = plugin_from_folder(name)
    elif name:
        model = registry.get(name)
    else:
        entry = registry.default(task)
        wanted = os.environ.get("PARTITA_MODEL")
        if wanted and entry is not None and entry.name != wanted:
            print(f"partita: warning: PARTITA_MODEL={wanted}: no usable model of that name "
                  f"can {task} (see `partita models`); using {entry.name}", file=sys.stderr)
        if entry is None or entry.plugin is None:
            raise CliError(f"{task}: no model is installed that can {task} "
                           "(see `partita models list`)")
        model = entry.plugin
    if task not in model.info.tasks:
        raise CliError(f"model {model.info.name!r} cannot {task} "
                       f"(it does: {', '.join(model.info.tasks)})")
    return model


# -- argument parsing -------------------------------------------------------------------------


_POSITION = r"(\d+)(?:\.(\d+))?"
_SPAN_RE = re.compile(rf"\s*{_POSITION}\s*(?:-\s*{_POSITION}\s*)?")


def parse_spans(text: str, song, option: str = "--bars") -> list[tuple[int, int]]:
    """Tick spans from bars as musicians count them: ``"5-8"`` (bars 5 to 8 inclusive),
    ``"5.3-6.2"`` (from bar 5's third beat to the end of bar 6's second; beats in the
    meter's unit, as the studio's ruler counts them), ``"1-2,7"`` (several spans). Bars
    are numbered as a score numbers them (:meth:`TimeMap.bar_index`): the first full bar
    is 1, a pickup bar 0."""
    from engine.score import TimeMap

    tm = TimeMap.of(song)
    bars = tm.whole_bars(song.end)
    spans = []
    for part in text.split(","):
        # "--bars '5.3-6'"; a --region names its spec already: "--region Bass:5.9"
        label = f"{option} {part.strip()!r}" if option == "--bars" else option
        m = _SPAN_RE.fullmatch(part)
        if not m:
            counted = ("the first full bar is 1, the pickup 0" if tm.has_pickup
                       else "counted from 1")
            raise CliError(f"{label}: give bars as A-B, {counted} (e.g. 5-8, or "
                           "5.3-6.2 for bar.beat)")
        bar_a, beat_a, bar_b, beat_b = m.groups()
        if bar_b is None:
            bar_b, beat_b = bar_a, beat_a
        start = _position(tm, bars, int(bar_a), beat_a, label, end=False)
        end = _position(tm, bars, int(bar_b), beat_b, label, end=True)
        if end <= start:
            raise CliError(f"{label}: the span ends before it starts")
        spans.append((start, end))
    return spans


def _position(tm, bars: int, number: int, beat: str | None, label: str, *,
              end: bool) -> int:
    """The tick where bar ``number`` (the user's: a pickup is bar 0) or bar.beat starts,
    or with ``end`` where it ends; ``bars`` is the song's length in bars, for the message.
    A bar's beats are the ones it really has: a pickup or a bar a meter change cuts
    short has fewer than its meter says."""
    bar = tm.bar_index(number)
    if bar < 0:  # bar 0 of a song without a pickup
        raise CliError(f"{label}: bars count from 1 ({tm.bar_numbers_text(bars)}; bar 0 "
                       "is a pickup, and this song has none)")
    start, after = tm.bar_to_tick(bar), tm.bar_to_tick(bar + 1)
    if beat is None:
        return after if end else start
    sig = tm.signature_at(start)
    length = tm.beat_length_for(sig)
    beats = -(-(after - start) // length)
    if not 1 <= int(beat) <= beats:
        whole = after - start == tm.bar_length_for(sig)
        raise CliError(f"{label}: bar {number} has beats 1-{beats} "
                       + (f"({sig.text})" if whole else
                          "(a short bar: a pickup, or cut by a meter change)"))
    at = tm.position_to_tick(bar, int(beat) - 1)
    return min(at + length, after) if end else at


def parse_pitch(text: str) -> int:
    """A MIDI pitch from ``"60"``, ``"C4"`` (middle C) or ``"F#3"``."""
    s = text.strip()
    if s.isdecimal():  # not isdigit: int() refuses "²"
        p = int(s)
    else:
        m = _NOTE_RE.match(s)
        if not m:
            raise CliError(f"--pitch: {text!r} is not a pitch (use 0..127 or a name like C4)")
        letter, acc, octave = m.groups()
        p = _PCS[letter.upper()] + {"#": 1, "b": -1, "": 0}[acc] + 12 * (int(octave) + 1)
    if not 0 <= p <= 127:
        raise CliError(f"--pitch: {text!r} is outside the MIDI range 0..127")
    return p


def parse_pitch_range(text: str, option: str = "--pitch") -> tuple[int, int]:
    """``"48-72"``, ``"C3-C5"``, ``"C-1-G9"`` (octave -1 has a minus of its own: every
    split at a ``-`` is tried)."""
    s = text.strip()
    cuts = [i for i, c in enumerate(s) if c == "-" and 0 < i < len(s) - 1]
    pairs = []
    for i in cuts:
        try:
            pairs.append((parse_pitch(s[:i]), parse_pitch(s[i + 1:])))
        except CliError:
            continue
    if not pairs:
        raise CliError(f"{option} {text!r}: give a range LO-HI of MIDI numbers (0-127) or "
                       "names (C4 is middle C), e.g. 48-72 or C3-C5")
    lo, hi = pairs[0]
    if lo > hi:
        raise CliError(f"{option} {text!r}: the low pitch is above the high one")
    return lo, hi


def _options(args: argparse.Namespace) -> GenerateOptions:
    if args.steps < 1:
        raise CliError("--steps must be at least 1")
    check_number("--temperature", args.temperature, args.temperature > 0, "above 0")
    check_number("--top-p", args.top_p, 0 < args.top_p <= 1, "in (0, 1]")
    if args.density is not None:
        check_number("--density", args.density, 0 <= args.density <= 1, "between 0 and 1")
    if args.seed is not None and args.seed < 0:
        raise CliError(f"--seed must be 0 or more (got {args.seed})")
    if args.variations < 1:
        raise CliError("--variations must be at least 1")
    key = _key_option(args.key)
    extra = dict(_model_option(text) for text in args.option)
    band = parse_pitch_range(args.pitch_range, "--range") if args.pitch_range else None
    return GenerateOptions(extra=extra,
        steps=args.steps, temperature=args.temperature, top_p=args.top_p, seed=args.seed,
        precision=args.precision or "auto", key=key, density=args.density,
        keep_rhythm=args.keep_rhythm, avoid_parallels=args.avoid_parallels, pitch_range=band,
        follow_chords=args.chords == "follow", loop=getattr(args, "loop", False),
    )


def _model_option(text: str) -> tuple[str, object]:
    """``--option style=rock`` → ``("style", "rock")``; ``phrase_bars=8`` → 8, ``x=true``
    → True."""
    import json

    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise CliError(f"--option {text!r}: give NAME=VALUE (e.g. --option style=rock)")
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = value
    if not isinstance(parsed, str | int | float | bool):
        parsed = value  # a JSON list or object stays the text typed
    return name.strip(), parsed


def _key_option(text: str) -> str | None:
    """``--key``: a key, ``auto`` (the context's) or ``none``."""
    if text.strip().lower() == AUTO:
        return AUTO
    if text.strip().lower() in ("none", "any"):
        return None
    from engine.score.spelling import scale_pitch_classes

    try:
        scale_pitch_classes(text)
    except ValueError as e:
        raise CliError(f"--key: {e} (or 'auto', 'none')") from e
    return text


def _files_text(paths: list[Path]) -> str:
    """``"x.mid"``; the variations ``"x-1.mid to x-3.mid"``."""
    return str(paths[0]) if len(paths) == 1 else f"{paths[0]} to {paths[-1]}"


def _outputs(path: Path, n: int, as_takes: bool = False) -> list[Path]:
    """The files ``--variations n`` writes: ``x-1.mid`` … ``x-9.mid``; from 10 on,
    numbered to the count's width, ``x-01.mid`` … ``x-12.mid``, so a file browser or a
    DAW sorts them in order (x-1, x-10, x-2 did not). Under 10 the names stay as
    earlier runs wrote them."""
    if n == 1 or as_takes:
        return [path]
    width = len(str(n))
    return [path.with_name(f"{path.stem}-{i:0{width}d}{path.suffix}") for i in range(1, n + 1)]


def _checked(args: argparse.Namespace, inputs: list[Path]) -> GenerateOptions:
    """The options, and every file ``-o`` will write, checked before anything is loaded:
    a bad value or an unwritable output fails at once, not after the model has run."""
    options = _options(args)
    if args.keep_rhythm and args.task in ("continue", "compose"):
        raise CliError(f"--keep-rhythm keeps the rhythm of the notes a take replaces, and "
                       f"{args.task} writes new bars, which have none (repaint or "
                       "regenerate bars that have notes to keep their rhythm)")
    if args.as_takes:
        from engine.io import file_kind

        if file_kind(args.output) != "project":
            raise CliError(f"{args.output}: --as-takes keeps the takes in a project: give "
                           "-o NAME.partita")
        if args.task == "compose":
            raise CliError("--as-takes needs a song to keep takes for (compose writes a new "
                           "one: use --variations)")
    for path in _outputs(args.output, args.variations, args.as_takes):
        check_song_output(path, inputs)
    return options


def _repaint_regions(args: argparse.Namespace, song, path: Path):
    """The mask ``--tracks/--bars/--pitch`` and every ``--region`` paint."""
    from engine.score import Mask, Region

    given = [(args.tracks, args.bars, args.pitch, "")] if args.tracks or args.bars else []
    if given and not (args.tracks and args.bars):
        raise CliError("--tracks and --bars go together (or give --region TRACKS:BARS)")
    if args.pitch and not given:
        raise CliError("--pitch goes with --tracks and --bars (a --region takes its own "
                       "band: TRACKS:BARS:LO-HI)")
    for spec in args.region or []:
        parts = spec.split(":")
        if len(parts) not in (2, 3) or not all(p.strip() for p in parts):
            raise CliError(f"--region {spec!r}: give TRACKS:BARS or TRACKS:BARS:LO-HI "
                           "(e.g. Bass:5-8, Piano,Strings:7.3-8:C4-C6)")
        given.append((parts[0], parts[1], parts[2] if len(parts) == 3 else None,
                      f"--region {spec}: "))
    if not given:
        raise CliError("repaint: say what to repaint: --tracks and --bars, or --region")
    regions = []
    for tracks, bars, pitch, where in given:
        ids = frozenset(track_ids(song, tracks, path))
        lo, hi = parse_pitch_range(pitch, where.rstrip(": ") or "--pitch") if pitch \
            else (0, 127)
        option = where.rstrip(": ") or "--bars"
        for text, (start, end) in zip(bars.split(","), parse_spans(bars, song, option),
                                      strict=True):
            start, end = _inside_song(song, path, start, end, text)
            regions.append(Region(ids, start, end, lo, hi))
    return Mask.of(*regions)


def _inside_song(song, path: Path, start: int, end: int, asked: str) -> tuple[int, int]:
    """A span inside the song: one that starts after the last bar is refused
    (``continue`` adds bars); one that runs past it is cut at the last bar, and any span at
    the song's end, where a song ends mid-bar (a MIDI file's last note-off): repaint never
    lengthens the song. ``asked`` is the span as typed (``"9"``, ``"5.3-40"``), for the
    messages."""
    from engine.score import TimeMap

    tm = TimeMap.of(song)
    last = tm.whole_bars_end(song.end)
    final = tm.bar_number(tm.whole_bars(song.end) - 1)  # the last bar's number
    asked = asked.strip().replace(" ", "")
    what = f"bars {asked}" if "-" in asked else f"bar {asked}"
    if start >= last:
        verb = "start" if "-" in asked else "starts"
        raise CliError(f"{path}: {what} {verb} after the song's last bar ({final}); "
                       "use `partita continue` to add bars")
    if start >= song.end:  # in the last bar, after the music ends (before a note on it)
        raise CliError(f"{path}: {what} {'start' if '-' in asked else 'starts'} after "
                       f"the song's end ({tm.format_position(song.end)}); use `partita "
                       "continue` to add bars")
    if end > last:
        first = asked.split("-")[0]
        kept = (f"from {first} to the end of bar {final}" if "." in first
                else f"bar {final}" if first == str(final) else f"bars {first}-{final}")
        print(f"partita: note: {path}: {what} run past the song's last bar ({final}): "
              f"repainting {kept}", file=sys.stderr)
        end = last
    return start, min(end, song.end)


# -- handlers ---------------------------------------------------------------------------------


def _run_compose(args: argparse.Namespace) -> int:
    from engine import tasks

    args.model_named = args.model is not None  # before Auto picks the chorale model
    options = _checked(args, [])
    meter = parse_meter(args.meter)
    try:
        specs = tuple(tasks.track_specs([n for n in args.tracks.split(",") if n.strip()]))
        params = tasks.SongParams(tracks=specs, bars=args.bars, tempo=args.tempo,
                                  meter=meter,
                                  key=options.key if options.key != AUTO else None,
                                  title=args.title)
    except tasks.TaskError as e:
        raise CliError(_task_message("compose", e)) from e
    if args.model is None and tasks.voice_parts(s.name for s in specs):  # a chorale
        args.model = _chorale_model(args, "a four-part chorale")
    return _generate(args, options, lambda model, o, p: tasks.compose(params, model=model,
                                                                      options=o, progress=p))


def _run_song_task(args: argparse.Namespace) -> int:
    from engine import tasks

    args.model_named = args.model is not None  # before Auto picks the chorale model
    options = _checked(args, [args.song])
    song, studio = load_with_studio(args.song, rewriting=True)
    task = args.task
    if task == "regenerate":
        tid = track_id(song, args.track, args.song)
        _prefer_chorale(args, song, [tid])

        def run(model, o, p):
            return tasks.regenerate(song, tid, model=model, options=o, progress=p)
    elif task == "continue":
        ids = track_ids(song, args.tracks, args.song) if args.tracks else None
        _prefer_chorale(args, song, ids or [t.id for t in song.tracks])

        def run(model, o, p):
            return tasks.continue_(song, args.bars, track_ids=ids, model=model, options=o,
                                   progress=p)
    elif task == "repaint":
        mask = _repaint_regions(args, song, args.song)
        _prefer_chorale(args, song, mask.track_ids)

        def run(model, o, p):
            return tasks.repaint_mask(song, mask, model=model, options=o, progress=p)
    else:
        tid = track_id(song, args.melody, args.song)
        fill = track_ids(song, args.tracks, args.song) if args.tracks else None
        if args.model is None and len(song.tracks) == 1 and tasks.accompaniment_kind(
                song.track(tid), args.accompaniment, lead_sheet=bool(song.chords)) == "satb":
            # The parts as they will be named: a violin's Violin II, Viola and Cello.
            added = tasks.accompaniment_specs(song.track(tid), "satb")
            args.model = _chorale_model(
                args, f"{listed([s.name for s in added])} under a lone melody")
        _prefer_chorale(args, song, fill or [t.id for t in song.tracks if t.id != tid])
        _say_accompaniment_unused(args, song, tid, fill)

        def run(model, o, p):
            return tasks.harmonize(song, tid, accompaniment=args.accompaniment,
                                   track_ids=fill, model=model, options=o, progress=p)
    return _generate(args, options, run, studio)


def _say_accompaniment_unused(args: argparse.Namespace, song, melody_id: int,
                              fill: list[int] | None) -> None:
    """``--accompaniment satb`` or ``band`` adds tracks under a lone melody only: on a song
    with other tracks those are harmonized instead, which is said (QA: satb asked, and a
    song's Piano and Bass rewritten without a word) — unless they are the voices satb
    would have added (Alto, Tenor and Bass parts, as a choir score names them)."""
    from engine.score.instruments import voice_part_of

    others = [t for t in song.tracks if t.id != melody_id]
    if args.accompaniment == "auto" or not others:
        return
    if args.accompaniment == "satb" and all(voice_part_of(t.name) for t in others):
        return
    filled = [t.name for t in others if fill is None or t.id in fill]
    print(f"partita: note: {args.output}: --accompaniment {args.accompaniment} adds tracks "
          f"under a lone melody; the song has {', '.join(t.name for t in others)}: "
          f"harmonizing {'those' if len(filled) == len(others) else ', '.join(filled)} "
          "(--tracks to choose)", file=sys.stderr)


def _prefer_chorale(args: argparse.Namespace, song, track_ids) -> None:
    """No --model, and the tracks to write are voices of a four-part chorale (a song of
    Soprano, Alto, Tenor and Bass parts): the chorale model writes them."""
    from engine.tasks import is_chorale

    if args.model is None and is_chorale(song, track_ids):
        args.model = _chorale_model(args, "a four-part chorale")


def _chorale_model(args: argparse.Namespace, why: str) -> str | None:
    """The chorale model, when no --model is given, for a four-part chorale's voices or
    the Alto, Tenor and Bass that harmonize adds under a lone sung melody (``why`` says
    which, in the note naming the output, and names the parts as they are written: a
    violin's "Violin II, Viola and Cello"): the general model writes poor four-part
    harmony (51-69 % of its notes consonant with a JSB soprano, against ~92 %)."""
    from engine.plugins.registry import Registry
    from engine.tasks import CHORALE_MODEL

    registry = Registry()
    entry = registry.find(CHORALE_MODEL)  # a built-in model: no plugin is tried
    if entry is None or entry.info is None or args.task not in entry.info.tasks:
        return None
    wanted = os.environ.get("PARTITA_MODEL")
    if wanted:  # the user's own default wins, if it is a model that can do this
        own = registry.find(wanted)
        if own is not None and own.info is not None and args.task in own.info.tasks:
            return None
        # A mistyped name is no reason to lose the chorale model (QA: PARTITA_MODEL=nonexist)
        print(f"partita: warning: PARTITA_MODEL={wanted}: no usable model of that name can "
              f"{args.task} (see `partita models`)", file=sys.stderr)
    print(f"partita: note: {args.output}: {why}: using {CHORALE_MODEL} (--model to choose)",
          file=sys.stderr)
    return CHORALE_MODEL


def _written(counts: dict[str, int]) -> str:
    """``"9 notes written (Bass 8, Piano 1)"``; ``"no notes written"`` when the model
    answered for no track (those keep their notes)."""
    if not counts:
        return "no notes written"
    per_track = ", ".join(f"{label} {n}" for label, n in counts.items())
    return f"{plural(sum(counts.values()), 'note')} written ({per_track})"


def _generate(args: argparse.Namespace, options: GenerateOptions, run,
              studio: dict | None = None) -> int:
    """Run ``run`` with the chosen model and write each take; ``studio`` is the input
    project's studio state, kept when a take is written as a project."""
    from engine import tasks
    from engine.jobs.take_warnings import OFF_KEY, result_warnings

    def resolve_and_note(name: str | None, task: str) -> ModelPlugin:
        model = resolve_model(name, task)
        note_ignored_settings(args, model.info)  # once a batch: its songs share the model
        return model

    model = batch.shared_model(args, resolve_and_note)  # a batch's songs share it
    if args.precision and args.precision not in model.info.precisions:
        raise CliError(f"model {model.info.name!r} has no {args.precision} weights "
                       f"(it has: {', '.join(model.info.precisions)})")
    outputs = _outputs(args.output, args.variations, args.as_takes)
    t0 = time.perf_counter()
    with progress_bar(1000, f"{args.task} ({model.info.name})", unit="‰",
                      quiet=args.quiet) as bar:
        def progress(p: Progress) -> None:
            done = round(1000 * p.step / max(p.total, 1))
            bar.set_message(progress_message(p.message))  # the model's own word: "bar 5"
            bar.update(max(0, done - bar.n))

        try:  # a model's print() goes to stderr: stdout says what was written
            with contextlib.redirect_stdout(sys.stderr):
                try:
                    takes = tasks.run_variations(lambda o: run(model, o, progress),
                                                 options, args.variations)
                except tasks.CannotWrite as e:  # refused before the model ran
                    model = _instead_of_default(args, e)
                    takes = tasks.run_variations(lambda o: run(model, o, progress),
                                                 options, args.variations)
        except tasks.TaskError as e:
            raise CliError(_task_message(args.task, e)) from e
        except KeyboardInterrupt as e:  # the user's Ctrl+C, or the model raised it
            e.raised_by = f"model {model.info.name!r}"  # named, unless it was Ctrl+C
            raise
    elapsed = time.perf_counter() - t0
    # What is said about the files written names each one: OUT itself is never written
    # with --variations (QA: "harmonize: x-1.mid: new notes kept in C major" said of
    # x.mid's first take as "x.mid", a file that does not exist). --as-takes: the one project.
    per_file = ([([take], path) for take, path in zip(takes, outputs, strict=True)]
                if len(outputs) > 1 else [(takes, outputs[0])])
    if len(takes) > 1 and len({t.signature() for t in takes}) < len(takes):
        print(f"partita: note: {_files_text(outputs)}: some of the {len(takes)} takes are the "
              f"same notes: {model.info.name} gave them for other seeds too (a model that "
              "ignores the seed, or a region with little room)", file=sys.stderr)
    said = [(path, group, {w.kind: w for w in result_warnings(
        group, model.info, asked_parallels=bool(options.avoid_parallels),
        key_found=options.key == AUTO)})
        for group, path in per_file]
    any_off_key = False
    for path, group, warnings in said:
        off_key = warnings.pop(OFF_KEY, None)
        any_off_key = any_off_key or off_key is not None
        if off_key:  # a model that does not follow the key: say so rather than claim it
            print(f"{args.task}: {path}: {off_key.message}", file=sys.stderr)
        elif options.key == AUTO and args.task != "compose":
            # The song as the model wrote into it: harmonize's added band is in the mask,
            # and read without it, a harmonization said nothing of its key or chords.
            take = group[0]
            prepared = EditGroup(take.prep).apply(take.before)
            note = auto_key_note(args.task, take.key, prepared, take.mask,
                                 chords=options.follow_chords)
            how = key_option_hint(args.task, take.key, prepared, take.mask,
                                  chords=options.follow_chords)
            if note:  # the key chosen for the user is said, and what --key would change
                print(f"{args.task}: {path}: new notes {note}"
                      + (f" ({how})" if how else ""), file=sys.stderr)
    if not any_off_key and options.key == AUTO and takes[0].key and args.task == "compose":
        if len(outputs) > 1:  # OUT itself is never written: each variation's file its key
            where = ", ".join(f"{path} in {key_text(t.key)}"
                              for path, t in zip(outputs, takes, strict=False) if t.key)
            told = f"compose: written: {where}"
        else:
            keys = ", ".join(dict.fromkeys(key_text(t.key) for t in takes if t.key))
            told = f"compose: {args.output}: written in {keys}"
        print(f"{told}, drawn from the seed (--key sets one, --key none lifts it)",
              file=sys.stderr)
    for path, group, warnings in said:
        drums = tasks.range_on_drums(EditGroup(group[0].prep).apply(group[0].before),
                                     group[0].mask.track_ids, options.pitch_range)
        if drums:  # a range for a melody would silently thin out the kit written beside it
            print(f"partita: note: {path}: --range {args.pitch_range.strip()} bounds "
                  f"drum notes too: {drums}", file=sys.stderr)
        narrowed = tasks.range_narrowed(EditGroup(group[0].prep).apply(group[0].before),
                                        group[0].mask.track_ids, options.pitch_range)
        if narrowed:  # a part's new notes keep to what it plays: said, not silently cut
            print(f"partita: note: {path}: --range {args.pitch_range.strip()} "
                  f"{narrowed}", file=sys.stderr)
        signature = _key_signature_written(group[0]) if args.task != "compose" else None
        if signature:  # the named key, declared where the song declared none
            print(f"{args.task}: {path}: {signature} (--key; the song declared no key "
                  "there)", file=sys.stderr)
        for warning in warnings.values():  # parallels asked to be avoided, a general model…
            print(f"{args.task}: {path}: {warning.message}", file=sys.stderr)
    if args.as_takes:
        _save_as_takes(args, model.info, takes, studio or {})
    else:
        _save_takes(takes, outputs, studio, model.info.name)
    batch.record(args, model.info.name, takes, outputs)
    print(f"{args.task}: {plural(len(takes), 'take')} with {model.info.name} in "
          f"{elapsed:.1f} s")
    return 0


# The options that set a standard sampling setting (engine.plugins.api.SAMPLING).
SAMPLING_OPTIONS = {"steps": "--steps", "temperature": "--temperature", "top_p": "--top-p",
                    "precision": "--precision"}


def note_ignored_settings(args: argparse.Namespace, info: ModelInfo) -> None:
    """Say each sampling option the user gave that the model ignores
    (``ModelInfo.sampling``): "partita: note: --steps: drumkit does not use it" — the
    take is the same whatever the value, which the user should not have to find out."""
    given = vars(args).get("_given_once", {})
    for setting, flag in SAMPLING_OPTIONS.items():
        if setting not in given or not info.ignores(setting):
            continue
        if setting == "precision" and args.precision not in info.precisions:
            continue  # refused next, naming the weights it has
        print(f"partita: note: {flag}: {info.name} does not use it", file=sys.stderr)


def _instead_of_default(args: argparse.Namespace, refused) -> ModelPlugin:
    """The model for a request the default model cannot write (``refused``, a
    :class:`~engine.tasks.CannotWrite`): the built-in default, said in a note — a default
    chosen for melodies (`partita models default markov-melody`) is not a reason to refuse
    a song with drums. A model named with --model is never replaced: ``refused`` again."""
    from engine.plugins.registry import Registry

    if getattr(args, "model_named", True):
        raise refused
    entry, note = Registry().default_for(args.task, refused.song, refused.track_ids)
    if not note or entry is None or entry.plugin is None:
        raise refused
    print(f"partita: note: {args.output}: {note} (--model to choose)", file=sys.stderr)
    return entry.plugin


def _key_signature_written(take) -> str | None:
    """``"key signature F major from bar 1"`` when ``take`` declares a key the song
    before it did not (:func:`engine.tasks.named_key_signature`), else None."""
    from engine.score import TimeMap

    before = set(take.before.key_signatures)
    new = [k for k in take.after.key_signatures if k not in before]
    if not new:
        return None
    tm = TimeMap.of(take.after)
    bar = tm.bar_number(tm.tick_to_bar(new[0].tick))  # as --bars counts: a pickup is 0
    return f"key signature {key_text(new[0].key)} from bar {bar}"


def _task_message(task: str, error: Exception) -> str:
    """``"repaint: …"``, without saying the task twice ("continue: continue needs …")."""
    text = str(error)
    return text if text.split(" ", 1)[0] == task else f"{task}: {text}"


def _save_takes(takes: list, outputs: list[Path], studio: dict | None,
                model: str = "the model") -> None:
    """Each take's song in its own file."""
    for take, path in zip(takes, outputs, strict=True):
        for warning in save_song_file(take.after, path, studio=studio or None):
            print(f"partita: warning: {path}: {warning}", file=sys.stderr)
        same = ""
        held = _held_over(take) if take.unchanged else None
        if held:  # no seed can write under a note held into the region
            same = f" — {held}"
        elif take.empty:  # its answer, drawn once: not "the same notes as before"
            answered = take.counts()  # the tracks it answered for ({}: none, all kept)
            cleared = ("the song is as it was" if take.unchanged or not answered else
                       f"the notes it replaces are gone ({', '.join(answered)})")
            print(f"{path}: {model} wrote no notes, seed {take.seed} ({cleared})")
            continue
        elif take.unchanged:  # drawn again with later seeds, each time in vain: say which
            same = (" — the same notes as before (the model kept them; seeds "
                    f"{_tried_seeds(take.seed, len(takes))} tried): try another --seed")
        print(f"{path}: {_written(take.counts())}, seed {take.seed}{same}")


def _held_over(take) -> str | None:
    """Why an unchanged take that wrote nothing could not: a one-line part's note held
    from before its region through it (a contrabass pedal from bar 1 under a repaint of
    bars 5–8 — a note belongs to the region it starts in, so it stays, and nothing can
    start under it), said as a musician reads it; None otherwise."""
    from engine.score import TimeMap

    if any(take.new_notes.values()):
        return None
    song, (lo, hi) = take.before, take.mask.span
    tm = TimeMap.of(song)
    for tid in take.mask.track_ids:
        for n in song.track(tid).notes:
            if n.start < lo and n.end >= hi:
                first, last = tm.bar_number(tm.tick_to_bar(lo)), tm.bar_number(
                    tm.tick_to_bar(hi - 1))
                bars = f"bar {first}" if first == last else f"bars {first}-{last}"
                return (f"nothing written: the {song.track(tid).name} note held from bar "
                        f"{tm.bar_number(tm.tick_to_bar(n.start))} sounds through {bars}, "
                        "and nothing can start under it: repaint from where it starts, or "
                        "shorten it first")
    return None


def _tried_seeds(seed: int | None, count: int) -> str:
    """The seeds a take that came out unchanged was drawn with (``run_variations``
    draws it again :data:`~engine.tasks.REDRAWS` times, ``count`` seeds apart), ``seed``
    the last: ``"1, 2, 3, 4 and 5"`` for --seed 1 — why it says seed 5."""
    from engine.tasks import REDRAWS

    if seed is None:
        return "several"
    seeds = [str(seed - count * (REDRAWS - r)) for r in range(REDRAWS + 1)]
    return ", ".join(seeds[:-1]) + f" and {seeds[-1]}"


def _save_as_takes(args: argparse.Namespace, model: ModelInfo, takes: list,
                   studio: dict) -> None:
    """The input song unchanged in ``OUT.partita``, with ``takes`` waiting in their region
    beside any the project already kept, as the studio saves them (with their warnings,
    in the studio's words: the studio shows them)."""
    from engine.jobs import take_from_result, take_warnings
    from engine.jobs.saved_takes import takes_to_json
    from engine.score.mask_geometry import describe

    song = takes[0].before
    restored = restore_takes(studio, song, args.song)
    store, labels = restored.store, dict(restored.request_labels)
    made = []
    for result in takes:
        take = take_from_result(result, model.name)
        take = store.add(replace(take, warnings=take_warnings(take, model)))
        labels[take.id] = result.edit.label
        made.append(take)
    take_set = store.for_mask(made[0].mask)
    region = take_set.number
    studio = {**studio, "takes": takes_to_json(store, labels, take_set.mask)}
    for warning in save_song_file(song, args.output, studio=studio):
        print(f"partita: warning: {args.output}: {warning}", file=sys.stderr)
    refs = [f"{region}{take_set.letter(t.id)}" for t in made]
    named = EditGroup(made[0].prep).apply(song)  # the tracks a take adds have names too
    print(f"{args.output}: {plural(len(made), 'take')} waiting in region {region} "
          f"({describe(made[0].mask, named)}): "
          + ", ".join(f"{ref} {plural(t.note_count, 'note')} (seed {t.options.seed})"
                      for ref, t in zip(refs, made, strict=True)))
    print(f"  keep one: partita takes {shlex.quote(str(args.output))} --accept {refs[0]} "
          "-o SONG")


__all__ = ["DEFAULT_MODEL", "parse_pitch", "parse_pitch_range", "parse_spans", "register",
           "resolve_model"]
