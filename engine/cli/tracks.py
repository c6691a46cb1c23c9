"""``partita tracks``: list a song's tracks with their mixer settings, or change them.

    partita tracks SONG                                   the tracks, volume, pan, mute/solo
    partita tracks SONG -o OUT --add Strings --rename 2=Bass Guitar --volume Drums=90
    partita tracks SONG -o OUT.musicxml --transposition Clarinet=Bb --transposition Horn=F
    partita tracks SONG -o OUT --quantize Piano=1/8 --swing 62   quantize with 62 % swing
    partita tracks SONG -o OUT --quantize Piano=1/16 --strength 60   each note 60 % of the way
    partita tracks SONG -o OUT --merge 1,2,3 [--drop-controllers]  one track of three

The studio's track list without the window: add (an instrument, optionally named), remove,
rename, set the instrument, move, volume (0–127, the MIDI value), pan (−64 left … +64
right), colour, mute, solo, the key a transposing instrument's part is written in (what a
MusicXML score shows); and the piano roll's whole-track note edits: transpose,
quantize (straight, or with ``--swing`` and ``--strength`` as the studio's Quantize…), legato,
velocity (set, shift or scale); and merge tracks into one, as Track ▸ Merge Tracks…
(a MIDI guitar's six strings, read as six tracks, made one guitar).
Edits run in the order given, each on the song as the previous ones
left it (so ``--add Flute --volume Flute=80`` works); all are checked before anything is
written, and ``OUT`` is written once, atomically — never the input song.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.score.instruments import (
    HIGHEST_TRANSPOSITION,
    LOWEST_TRANSPOSITION,
    TRANSPOSITION_KEYS,
)

from .common import (
    CliError,
    GivenOnce,
    add_quiet_option,
    check_song_output,
    json_text,
    load_with_studio,
    restore_takes,
    save_song_file,
)

VOLUME_MAX = 127  # the studio's slider and MIDI CC7
PAN_MAX = 64  # the studio's slider: -64 (left) .. +64 (right)


class _Ordered(argparse.Action):
    """Collects every edit option into one list, in the order typed."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        ops = list(getattr(namespace, "ops", None) or [])
        ops.append((self.dest, values))
        namespace.ops = ops


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "tracks",
        help="list or change tracks: add, remove, rename, instrument, move, volume, pan, "
             "colour, mute, solo, transposition, transpose, quantize, legato, velocity",
        description="List a song's tracks with their mixer settings, or change them and "
                    "write the result to OUT. Tracks are given by number (from 1) or name "
                    "(a name that is a number wins over the number: '#2' is always track "
                    "2); "
                    "edits apply in the order given.",
    )
    p.add_argument("song", metavar="SONG", type=Path, help="song file (MIDI, .partita or MusicXML)")
    p.add_argument("-o", "--output", type=Path, metavar="OUT",
                   help="where to write the changed song (.mid, .partita, or .musicxml/.mxl; never "
                   "SONG)")
    p.add_argument("--json", action="store_true",
                   help="print the track list as JSON (with -o: the tracks written)")
    add_quiet_option(p)
    p.set_defaults(func=run_tracks, ops=[])
    edits = p.add_argument_group("edits (each may be repeated)")
    edit = {"action": _Ordered, "default": argparse.SUPPRESS}
    edits.add_argument("--add", metavar="[NAME=]INSTRUMENT", **edit,
                       help="add a track at the end: Piano, Bass, Drums, Strings, a GM name "
                            "or number 1-128 (e.g. 'Pad=Warm Pad', 'Choir')")
    edits.add_argument("--remove", metavar="T", **edit, help="delete a track and its notes")
    edits.add_argument("--rename", metavar="T=NAME", **edit, help="rename a track")
    edits.add_argument("--instrument", metavar="T=INSTRUMENT", **edit,
                       help="change a track's instrument (as --add; Drums makes it a kit on "
                            "channel 10)")
    edits.add_argument("--move", metavar="T=N", **edit, help="move a track to position N")
    edits.add_argument("--volume", metavar="T=V", **edit,
                       help=f"volume 0-{VOLUME_MAX} (MIDI CC7; {VOLUME_MAX} is full)")
    edits.add_argument("--pan", metavar="T=P", **edit,
                       help=f"pan -{PAN_MAX} (left) .. +{PAN_MAX} (right); C or 0 the centre")
    edits.add_argument("--transpose", metavar="T=N", **edit,
                       help="move every note of a track N semitones (+12: an octave up); "
                            "every pitched track moved by one interval moves the song's key "
                            "signatures too")
    edits.add_argument("--transposition", metavar="T=KEY", **edit,
                       help="the key a transposing instrument's part is written in, as a "
                            "MusicXML export writes it (the notes keep their sounding "
                            f"pitch): {TRANSPOSITION_KEYS} (concert pitch), or the semitones "
                            "from written to sounding (-2, +9, -14 a bass clarinet; "
                            f"{LOWEST_TRANSPOSITION} to +{HIGHEST_TRANSPOSITION})")
    # dest as typed: the option's name in every message (--bend-range, not --bend_range)
    edits.add_argument("--bend-range", metavar="T=SEMITONES", dest="bend-range", **edit,
                       help="how far the track's pitch wheel bends, 0-24 semitones each "
                            "way (RPN 0, which a MIDI file and a project keep and the "
                            "render plays; 2 until set; e.g. 808=12 for an 808's glides)")
    edits.add_argument("--quantize", metavar="T=GRID", **edit,
                       help="move every note's start to the nearest line of a grid counted "
                            "from each bar line: Bar, 1/2, 1/4, 1/8, 1/16, 1/32, or triplets "
                            "1/4T, 1/8T, 1/16T, 1/32T (the studio's Q)")
    # Not an edit of its own: how every --quantize of the command swings, as an MPC's
    # swing setting (and the studio's Quantize…) applies to each quantize; --strength too.
    edits.add_argument("--swing", action=GivenOnce, metavar="PERCENT",
                       help="quantize with swing: every --quantize (to 1/8 or 1/16) moves "
                            "every second grid line later, 50-75 %% of the way through its "
                            "pair of lines (50 straight, 66.7 a triplet swing, 75 the most; "
                            "an MPC's swing, Logic's Q-Swing)")
    edits.add_argument("--strength", action=GivenOnce, metavar="PERCENT",
                       help="quantize part of the way: every --quantize moves each note "
                            "1-100 %% of the way to its grid line (100, the default, all "
                            "of it), keeping some of a played feel (Logic's Q-Strength, "
                            "Ableton's Amount)")
    edits.add_argument("--legato", metavar="T", **edit,
                       help="each note lasts until the track's next onset: gaps close, "
                            "overlaps shorten (the studio's Ctrl+L)")
    edits.add_argument("--velocity", metavar="T=V", **edit,
                       help="every note's velocity: V (1-127) sets it, +N or -N shifts it, "
                            "xF scales it (x0.8 softer); kept within 1..127")
    edits.add_argument("--merge", metavar="T1,T2,...", **edit,
                       help="merge the tracks' notes into the first of them, one track "
                            "(its instrument, channel and mix); refused when their pitch "
                            "bends or controllers differ, which one channel cannot hold, "
                            "unless --drop-controllers")
    edits.add_argument("--drop-controllers", action="store_true",
                       help="with --merge: merge even tracks whose pitch bends, aftertouch "
                            "or controllers differ, dropping those (said, with how many)")
    edits.add_argument("--colour", "--color", metavar="T=#RRGGBB", dest="colour", **edit,
                       help="the track's colour in the studio (e.g. Lead=#e06c75)")
    for name, what in (("mute", "mute"), ("unmute", "unmute"), ("solo", "solo"),
                       ("unsolo", "take the solo off")):
        edits.add_argument(f"--{name}", metavar="T", **edit, help=f"{what} a track")


def run_tracks(args: argparse.Namespace) -> int:
    args.swing = _swing(args.swing, args.ops)
    if args.drop_controllers and not any(option == "merge" for option, _ in args.ops):
        raise CliError("--drop-controllers is for --merge: give --merge T1,T2 too")
    args.strength = _strength(args.strength, args.ops)
    if args.ops and args.output is None:
        raise CliError("these edits write a new song: give -o OUT")
    if args.output is not None:
        if not args.ops:
            raise CliError("-o needs an edit (--add, --remove, --rename, --instrument, "
                           "--move, --volume, --pan, --colour, --mute, --solo, --transposition, "
                           "--transpose, "
                           "--bend-range, --quantize, --legato, --velocity, --merge …)")
        check_song_output(args.output, [args.song])
    # --instrument may be making the kit a kit already: no hint to do so then.
    song, studio = load_with_studio(args.song, rewriting=bool(args.ops),
                                    kits=not any(op == "instrument" for op, _ in args.ops),
                                    splits=not any(op == "merge" for op, _ in args.ops))
    if not args.ops:
        rows = track_rows(song)
        print(json_text(rows) if args.json
              else format_rows(str(args.song), rows))
        return 0
    return _edit(args, song, studio)


def _edit(args: argparse.Namespace, song: Any, studio: dict[str, Any]) -> int:
    from engine.io import load_song
    from engine.score import EditError

    done = []
    shifts: dict[int, int] = {}  # track id → semitones its notes were transposed, in all
    for option, value in args.ops:
        edit = _edit_for(song, option, value, args.song, args.swing, args.strength,
                         args.drop_controllers)
        if edit is None:
            continue
        try:
            song = edit.apply(song)
        except EditError as e:
            raise CliError(f"--{option} {value}: {e}") from None
        done.append(edit)
        if option == "transpose":
            shift = int(value.partition("=")[2])  # checked by _edit_for
            shifts[edit.track_id] = shifts.get(edit.track_id, 0) + shift
    if not done:
        raise CliError(f"{args.song}: nothing to change (the tracks are already so)")
    keys, kept = _keys_after_transposing(song, shifts)
    if keys is not None:  # the whole song moved: its key signatures and chords with it
        song = keys.apply(song)
        done.append(keys)
    studio = _studio_after(studio, song, args.song)
    from engine.io import file_kind

    if file_kind(args.output) == "midi" and any(option == "colour" for option, _ in args.ops):
        print(f"partita: warning: {args.output}: a MIDI file keeps no track colours "
              "(save a .partita project to keep them)", file=sys.stderr)
    if file_kind(args.output) == "midi" and any(op == "transposition" for op, _ in args.ops):
        print(f"partita: warning: {args.output}: a MIDI file keeps no transpositions (save "
              "a .partita project or a MusicXML score to keep them)", file=sys.stderr)
    for warning in save_song_file(song, args.output, studio or None,
                                  shown=f"tracks {args.output}", quiet=args.quiet):
        print(f"partita: warning: {args.output}: {warning}", file=sys.stderr)
    # The list is of the file written: a MIDI file drops an empty track no channel is
    # left for and may move a track to another channel.
    rows = track_rows(load_song(args.output))
    if args.json:
        if kept:
            print(f"partita: note: {kept}", file=sys.stderr)
        print(json_text(rows))
        return 0
    print(f"{args.output}: {'; '.join([e.label for e in done] + ([kept] if kept else []))}")
    print(format_rows(str(args.output), rows, header=False))
    return 0


def _keys_after_transposing(song: Any, shifts: dict[int, int]) -> tuple[Any, str]:
    """After ``--transpose`` (``shifts``: track id → semitones in all), as the studio's
    ↑/↓ decide: every pitched track moved by one interval moves the key signatures and
    the chord symbols too (the edit, labelled with the keys: "Key signature G major →
    F major; chords transposed too"); a part of the song leaves them, and the reason is
    said ("key signature unchanged (1 of 3 pitched tracks transposed)"). ``(None, "")``
    when the song has neither or nothing moved but by octaves."""
    from engine.score import transpose_key_signatures, transposes_whole_song
    from engine.score.spelling import key_text

    pitched = [t for t in song.tracks if not t.is_drum and t.notes]
    moved = {t.id: shifts[t.id] for t in pitched if shifts.get(t.id, 0) % 12}
    if not (song.key_signatures or song.chords) or not moved:
        return None, ""
    intervals = {s % 12 for s in moved.values()}
    if len(intervals) == 1 and transposes_whole_song(
            song, {t.id: len(t.notes) for t in pitched if t.id in moved}):
        semitones = next(iter(moved.values()))
        edit = transpose_key_signatures(song, semitones)
        if edit is None:  # only N.C. and texts that name no pitch
            return None, ""
        after = edit.apply(song)
        said = []
        if after.key_signatures != song.key_signatures:
            pairs = [f"{key_text(a.key)} → {key_text(b.key)}" for a, b in zip(
                song.key_signatures, after.key_signatures, strict=True)]
            said.append("Key signature " + pairs[0] if len(pairs) == 1 else
                        f"Key signatures {', '.join(pairs[:3])}"
                        f"{', …' if len(pairs) > 3 else ''}")
        if after.chords != song.chords:
            said.append("chords transposed too" if said else "Chords transposed too")
        return replace(edit, label="; ".join(said)), ""
    why = ", by different intervals" if len(intervals) > 1 else ""
    what = " and ".join(w for w, there in (("key signature", song.key_signatures),
                                           ("chords", song.chords)) if there)
    return None, (f"{what} unchanged ({len(moved)} of {len(pitched)} pitched "
                  f"tracks transposed{why})")


def _studio_after(studio: dict[str, Any], song: Any, path: Path) -> dict[str, Any]:
    """The project's studio state for the edited song: waiting takes that write a track
    now gone are dropped, and said so (the studio would drop them on opening)."""
    if not studio.get("takes"):
        return studio
    from engine.jobs.saved_takes import takes_to_json

    restored = restore_takes(studio, song, path)
    return {**studio, "takes": takes_to_json(restored.store, restored.request_labels,
                                             restored.active)}


# -- one option → one edit -------------------------------------------------------------------


def _swing(text: str | None, ops: list[tuple[str, str]]) -> float:
    """``--swing`` as a fraction of a pair of grid lines (0.5 when not given), checked."""
    from engine.score.snap import STRAIGHT

    if text is None:
        return STRAIGHT
    return _quantize_share(
        "--swing", text, ops, (50, 75), "give a swing of 50-75 per cent (50 is straight, "
        "66.7 a triplet swing, 75 the most)", "it swings a quantize: give --quantize T=1/8 "
        "(or 1/16) too")


def _strength(text: str | None, ops: list[tuple[str, str]]) -> float:
    """``--strength`` as the share of the way a quantize moves a note (1 when not given),
    checked."""
    if text is None:
        return 1.0
    return _quantize_share(
        "--strength", text, ops, (1, 100), "give a strength of 1-100 per cent (100 moves "
        "each note onto its grid line, 50 halfway)", "it is how far a quantize moves the "
        "notes: give --quantize T=1/16 too")


def _quantize_share(option: str, text: str, ops: list[tuple[str, str]],
                    bounds: tuple[int, int], out_of_range: str, alone: str) -> float:
    """A per-cent option of every --quantize of the command (``--swing``, ``--strength``)
    as a fraction: within ``bounds`` (a NaN is no number either), and refused without a
    --quantize to apply to."""
    percent = _percent(text)
    if percent is None or not bounds[0] <= percent <= bounds[1]:
        raise CliError(f"{option} {text}: {out_of_range}")
    if not any(op == "quantize" for op, _ in ops):
        raise CliError(f"{option} {text}: {alone}")
    return percent / 100


def _percent(text: str) -> float | None:
    """``62``, ``62 %``, ``62,5``: the number, or None."""
    try:
        return float(text.strip().removesuffix("%").strip().replace(",", "."))
    except ValueError:
        return None


def _edit_for(song: Any, option: str, value: str, path: Path, swing: float = 0.5,
              strength: float = 1.0, drop_controllers: bool = False) -> Any:
    """The engine edit for ``--option value`` on ``song``; ``None`` when it changes
    nothing (muting a muted track). ``swing``, ``strength``: every quantize's
    (``--swing``, ``--strength``); ``drop_controllers``: a merge may drop the controllers
    the tracks do not share."""
    from engine.score import set_track_props
    from engine.score.track_edits import (
        add_track_edit,
        delete_track_edit,
        instrument_edit,
        kit_program,
        move_track_edit,
    )

    if option == "merge":
        return _merge(song, value, path, drop_controllers)
    if option == "add":
        name, _, instrument = value.rpartition("=")
        program = _instrument(instrument, f"--add {value}")
        name = name.strip() or _default_name(instrument)
        if any(t.name.strip().lower() == name.lower() for t in song.tracks):
            print(f"partita: warning: --add {value}: another track is named {name!r}: "
                  "give the new one by its number, or name it (--add NAME=INSTRUMENT)",
                  file=sys.stderr)
        kit = kit_program(program)
        return add_track_edit(song, song.tracks[-1].id if song.tracks else None, name=name,
                              program=program if kit is None else kit, drums=kit is not None)
    if option in ("remove", "mute", "unmute", "solo", "unsolo", "legato"):
        track = _track(song, value, option, path)
        if option == "remove":
            return delete_track_edit(song, track.id)
        if option == "legato":
            return _legato(track, f"--legato {value}")
        prop, on = option.removeprefix("un"), not option.startswith("un")
        if getattr(track, prop) == on:
            return None
        return set_track_props(song, track.id, f"{option.title()} {track.name}", **{prop: on})
    ref, sep, arg = value.partition("=")
    if not sep or not ref.strip() or not arg.strip():
        raise CliError(f"--{option} {value!r}: give TRACK=VALUE (e.g. --{option} "
                       f"{_EXAMPLES[option]})")
    track = _track(song, ref, option, path)
    arg = arg.strip()
    label = f"--{option} {value}"
    if option == "rename":
        if arg == track.name:
            return None  # already so
        _warn_about_name(song, track, arg)
        return set_track_props(song, track.id, f"Rename {track.name!r} to {arg!r}", name=arg)
    if option == "instrument":
        edit = instrument_edit(song, track.id, _instrument(arg, label))
        return None if edit.before == edit.after else edit  # already this instrument
    if option == "move":
        n = _int(arg, label, 1, len(song.tracks))
        edit = move_track_edit(song, track.id, n - 1 - song.track_index(track.id))
        return replace(edit, label=f"Move {track.name!r} to position {n}") if edit else None
    if option == "volume":
        v = _int(arg, label, 0, VOLUME_MAX)
        if v == round(track.volume * VOLUME_MAX):
            return None  # as it is (the file's own fraction kept)
        return set_track_props(song, track.id, f"Volume of {track.name} {v}",
                               volume=v / VOLUME_MAX)
    if option == "pan":
        p = 0 if arg.upper() == "C" else _int(arg, label, -PAN_MAX, PAN_MAX)  # as listed
        if p == round(track.pan * PAN_MAX):
            return None
        return set_track_props(song, track.id, f"Pan of {track.name} {_pan_text(p)}",
                               pan=p / PAN_MAX)
    if option == "colour":
        colour = arg.lower()
        if not re.fullmatch(r"#[0-9a-f]{6}", colour):
            raise CliError(f"{label}: give a colour as #RRGGBB (e.g. #e06c75)")
        if colour == track.colour.lower():
            return None
        return set_track_props(song, track.id, f"Colour of {track.name} {colour}",
                               colour=colour)
    if option == "transposition":
        return _transposition(song, track, arg, label)
    if option == "bend-range":
        return _bend_range(song, track, arg, label)
    if not track.notes:
        raise CliError(f"{label}: track {track.name!r} has no notes")
    if option == "transpose":
        if track.is_drum:
            print(f"partita: warning: {track.name!r} is a drum kit: transposing it changes "
                  "which drums play (each key is a drum)", file=sys.stderr)
        return _transpose(track, _int(arg, label, -127, 127), label)
    if option == "velocity":
        return _velocity(track, arg, label)
    return _quantize(song, track, arg, label, swing, strength)


def _merge(song: Any, value: str, path: Path, drop_controllers: bool) -> Any:
    """``--merge T1,T2,…``: the tracks' notes into T1's (:mod:`engine.score.track_merge`);
    what it keeps and drops said on stderr. Tracks whose pitch bends or controllers differ
    are refused without ``--drop-controllers``: one channel cannot hold each one's."""
    from engine.score import EditError
    from engine.score.track_merge import merge_tracks

    label = f"--merge {value}"
    refs = [r for r in value.split(",") if r.strip()]
    ids = [_track(song, r, "merge", path).id for r in refs]
    try:
        plan = merge_tracks(song, ids)
    except EditError as e:
        raise CliError(f"{label}: {str(e).removeprefix('Merge Tracks: ')}") from None
    if plan.dropped and not drop_controllers:
        raise CliError(f"{label}: {plan.why_lost()}; give --drop-controllers to merge "
                       "anyway")
    print(f"partita: note: {label}: {plan.text()}", file=sys.stderr)
    return plan.edit


def _legato(track: Any, label: str) -> Any:
    from engine.score import legato_notes

    if track.is_drum:
        raise CliError(f"{label}: {track.name!r} is a drum kit: its hits have no lengths "
                       "to join")
    if not track.notes:
        raise CliError(f"{label}: track {track.name!r} has no notes")
    edit = legato_notes(track.id, track.notes)
    return None if not edit.added else replace(edit, label=f"Legato {track.name}")


def _velocity(track: Any, text: str, label: str) -> Any:
    """Every note's velocity set (``80``), shifted (``+10``, ``-10``) or scaled
    (``x0.8``), kept within 1..127 as MIDI allows a sounding note."""
    from engine.score import clamp_velocity, update_notes

    t = text.strip().lower()
    try:
        if t[:1] in "x*":
            factor = float(t[1:])
            if not 0 < factor <= 10:
                raise CliError(f"{label}: scale by a factor above 0 and at most 10")
            new = {n.id: round(n.velocity * factor) for n in track.notes}
        elif t[:1] in "+-":
            new = {n.id: n.velocity + int(t) for n in track.notes}
        else:
            value = int(t)
            if not 1 <= value <= 127:
                raise CliError(f"{label}: {value} is outside 1..127")
            new = {n.id: value for n in track.notes}
    except ValueError:
        raise CliError(f"{label}: {text!r} is not a velocity: give 1-127, +N, -N or xF "
                       "(e.g. x0.8)") from None
    new = {nid: clamp_velocity(v) for nid, v in new.items()}
    before = [n for n in track.notes if new[n.id] != n.velocity]
    if not before:
        return None
    after = [replace(n, velocity=new[n.id]) for n in before]
    return update_notes(track.id, before, after, f"Velocity of {track.name} {text.strip()}")


def _transpose(track: Any, semitones: int, label: str) -> Any:
    from engine.score import transpose_notes
    from engine.score.spelling import pitch_name

    pitches = [n.pitch for n in track.notes]
    if max(pitches) + semitones > 127:
        raise CliError(f"{label}: {pitch_name(max(pitches))} would go above G9 (127)")
    if min(pitches) + semitones < 0:
        raise CliError(f"{label}: {pitch_name(min(pitches))} would go below C-1 (0)")
    if not semitones:
        return None
    return replace(transpose_notes(track.id, track.notes, semitones),
                   label=f"Transpose {track.name} {semitones:+d}")


def _transposition(song: Any, track: Any, spec: str, label: str) -> Any:
    """The part of ``track`` written in the key ``spec`` names ("Bb", "-14", "none"); an
    empty track too (a part to be written); labelled as the report says it: "Clarinet:
    written in Bb (sounds a major second lower)"."""
    from engine.score.instruments import parse_transposition
    from engine.score.track_edits import transposition_edit

    try:  # a spec that names no interval, or a kit (EditError is a ValueError)
        return transposition_edit(song, track.id, parse_transposition(spec, track.program))
    except ValueError as e:
        raise CliError(f"{label}: {e}") from None


def _bend_range(song: Any, track: Any, arg: str, label: str) -> Any:
    """``--bend-range T=12``: the track's wheel bends 12 semitones from its start (an
    empty track too: a part to be written)."""
    from engine.score.bend_range import MAX_BEND_RANGE, bend_range_edit

    try:
        return bend_range_edit(song, track.id, _int(arg, label, 0, MAX_BEND_RANGE))
    except ValueError as e:  # a kit
        raise CliError(f"{label}: {e}") from None


def _quantize(song: Any, track: Any, grid: str, label: str, swing: float,
              strength: float = 1.0) -> Any:
    from engine.score import TimeMap, plural, quantize_notes, swing_notes
    from engine.score.overlaps import make_room
    from engine.score.snap import (
        QUANTIZE_GRIDS,
        STRAIGHT,
        SWING_GRIDS,
        quantize_line,
        snap_by_name,
        step_at,
        strength_text,
        swing_text,
    )

    match = [n for n in QUANTIZE_GRIDS if n.lower() == grid.strip().lower()]
    if not match:
        raise CliError(f"{label}: no grid {grid.strip()!r} (grids: "
                       f"{', '.join(QUANTIZE_GRIDS)})")
    if swing != STRAIGHT and match[0] not in SWING_GRIDS:
        raise CliError(f"{label}: --swing swings a 1/8 or 1/16 grid, not {match[0]}")
    snap, tm = snap_by_name(match[0]), TimeMap.of(song)
    step, line = step_at(snap, tm, 0), quantize_line(snap, tm, song.end, swing)
    end_limit = tm.whole_bars_end(song.end)
    edit = (quantize_notes(track.id, track.notes, step, strength, line=line,
                           end_limit=end_limit)
            if swing == STRAIGHT else
            swing_notes(track.id, track.notes, step, swing, line=line, end_limit=end_limit,
                        strength=strength))
    if {n.key() for n in edit.removed} == {n.key() for n in edit.added}:
        return None  # already on the grid
    swung = "" if swing == STRAIGHT else f" with {swing_text(swing)} swing"
    label = f"Quantize {track.name} to {match[0]}{swung}{strength_text(strength)}"
    # Two notes of a pitch pulled onto one line (a hat roll on a 1/16 grid) are one, as
    # the studio's quantize settles them: MIDI cannot hold both.
    edit, trimmed = make_room(song, replace(edit, label=label))
    if trimmed:
        label += f" ({plural(trimmed, 'note')} of the same pitch underneath trimmed)"
    return replace(edit, label=label)


_EXAMPLES = {"rename": "2=Bass Guitar", "instrument": "Lead=Flute", "move": "Drums=1",
             "volume": "Drums=90", "pan": "Piano=-20", "transpose": "Lead=+12",
             "quantize": "Piano=1/16", "velocity": "Piano=x0.8", "colour": "Lead=#e06c75",
             "transposition": "Clarinet=Bb", "bend-range": "808=12"}


def _warn_about_name(song: Any, track: Any, name: str) -> None:
    """A name the command line cannot pick the track by is allowed (the studio shows any
    name), and said."""
    why = []
    if "," in name or ":" in name:
        why.append("--tracks splits names at commas and --region at colons")
    number = name.strip()
    # isdecimal, not isdigit: "①" is a digit int() refuses, and a name, as find_track reads it.
    if number.isdecimal() and 1 <= int(number) <= len(song.tracks):
        why.append(f"'{number}' now names this track, and track number {number} is "
                   f"'#{number}'")
    if any(t.id != track.id and t.name.strip().lower() == name.strip().lower()
           for t in song.tracks):
        why.append("another track has this name")
    if why:
        print(f"partita: warning: --rename {track.name}={name}: {'; '.join(why)}: give "
              "this track by its number on the command line", file=sys.stderr)


def _track(song: Any, ref: str, option: str, path: Path) -> Any:
    try:
        return song.find_track(ref)
    except KeyError as e:
        raise CliError(f"{path}: --{option} {ref.strip()}: "
                       f"{e.args[0] if e.args else e}") from None


def _int(text: str, label: str, lo: int, hi: int) -> int:
    try:
        value = int(text.strip().removeprefix("+"))
    except ValueError:
        raise CliError(f"{label}: {text!r} is not a whole number ({lo}..{hi})") from None
    if not lo <= value <= hi:
        raise CliError(f"{label}: {value} is outside {lo}..{hi}")
    return value


def _instrument(text: str, label: str) -> int:
    """A GM program 0..127, or a drum kit's value (:func:`~engine.score.track_edits.
    kit_value`: ``DRUMS`` the standard kit), from what a musician types: a name the
    tasks know (Piano, Bass, Drums, "TR-808", "Jazz Kit", a GM name or a unique part of
    one) or the GM number 1..128 as the studio's list shows it."""
    from engine.score.track_edits import kit_value
    from engine.tasks import TaskError, track_spec

    s = text.strip()
    if _gm_number(s):
        n = int(s)
        if not 1 <= n <= 128:
            raise CliError(f"{label}: GM instrument numbers are 1..128 (got {n})")
        return n - 1
    try:
        spec = track_spec(s)
    except TaskError as e:
        raise CliError(f"{label}: {e}") from None
    return kit_value(spec.program) if spec.is_drum else spec.program


def _default_name(instrument: str) -> str:
    """A new track's name from the instrument typed: "strings" → "Strings", "41" →
    "Violin", "TR-808" as typed (compose's names: a word with a digit keeps its case)."""
    from engine.score.instruments import GM_PROGRAMS
    from engine.tasks.instruments import typed_track_name

    s = instrument.strip()
    return GM_PROGRAMS[int(s) - 1] if _gm_number(s) else typed_track_name(s)


def _gm_number(typed: str) -> bool:
    """Whether an instrument typed is a GM number: digits that are no name the tasks know
    ("808" is a producer's sub bass, looked up as a name, not refused as GM number 808)."""
    from engine.score.instruments import INSTRUMENT_ALIASES

    # not isdigit: int("①") is a traceback; "①" is then no instrument
    return typed.isdecimal() and typed not in INSTRUMENT_ALIASES


# -- the list ---------------------------------------------------------------------------------


def track_rows(song: Any) -> list[dict[str, Any]]:
    """Each track as JSON-ready data: what ``info`` lists, with the mixer (volume 0..127,
    pan -64..64, as the studio shows them) and the interval its part is written at
    (``[steps, semitones]`` written → sounding; ``[0, 0]`` concert pitch)."""
    from engine.score.bend_range import bend_range
    from engine.score.instruments import kit_name, program_name, written_transposition

    return [{
        "number": i,
        "name": t.name,
        "instrument": kit_name(t.program) if t.is_drum else program_name(t.program),
        "channel": t.channel + 1,
        "notes": len(t.notes),
        "volume": round(t.volume * VOLUME_MAX),
        "pan": round(t.pan * PAN_MAX),
        "mute": t.mute,
        "solo": t.solo,
        "bend_range": None if t.is_drum else bend_range(t),
        "transposition": list(written_transposition(t.transposition, t.program, t.is_drum,
                                                    t.name)),
    } for i, t in enumerate(song.tracks, 1)]


def format_rows(title: str, rows: list[dict[str, Any]], header: bool = True) -> str:
    from engine.score import plural

    from .files import MAX_NAME_WIDTH, _cell, _padded, _width, instrument_cell

    lines = [f"{title}: {plural(len(rows), 'track')}"] if header else []
    if not rows:
        return "\n".join(lines)
    names = [_cell(r["name"], MAX_NAME_WIDTH) for r in rows]
    name_w = max(4, *(_width(n) for n in names))
    instruments = [instrument_cell(r) for r in rows]  # "Clarinet (in Bb)": as the header
    inst_w = max(10, *map(len, instruments))
    lines.append(f"  {'#':>3}  {'Name':<{name_w}}  {'Instrument':<{inst_w}}  {'Ch':>2}  "
                 f"{'Notes':>6}  {'Vol':>3}  {'Pan':>4}  M/S")
    for r, name, instrument in zip(rows, names, instruments, strict=True):
        flags = ("M" if r["mute"] else "") + ("S" if r["solo"] else "")
        lines.append(f"  {r['number']:>3}  {_padded(name, name_w)}  {instrument:<{inst_w}}  "
                     f"{r['channel']:>2}  {r['notes']:>6}  {r['volume']:>3}  "
                     f"{_pan_text(r['pan']):>4}  {flags}")
    return "\n".join(lines)


def _pan_text(pan: int) -> str:
    return f"{pan:+d}" if pan else "C"


__all__ = ["format_rows", "register", "track_rows"]
