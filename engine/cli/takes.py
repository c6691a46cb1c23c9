"""``partita takes``: the takes a project keeps for later — list, accept, reject.

    partita takes SONG.partita                       list the waiting takes (1A, 1B, 2A …)
    partita takes SONG.partita --accept 1B -o OUT    apply take B of region 1 to the song
    partita takes SONG.partita --reject 1A -o OUT    drop it (the others keep their letters)

The studio (and a generation command's ``--as-takes``) saves the takes nobody has decided
on yet with its project; this is the same decision without the window, as one undo step's
worth of change written to ``OUT``
(``.partita`` keeps the other waiting takes, MIDI keeps only the song). A take whose
region was edited after it was made is applied only with ``--force`` (it overwrites those
edits), as the studio asks first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from engine.score import plural

from .common import (
    CliError,
    add_quiet_option,
    check_song_output,
    json_text,
    load_with_studio,
    restore_takes,
    save_song_file,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "takes",
        help="list, accept or reject the takes a project keeps",
        description="The generated takes a .partita project keeps undecided (the studio "
                    "saves them with the song, and so does a generation command's "
                    "--as-takes): list them, or accept or reject one and write the result "
                    "to OUT. A region keeps its number when another is decided.",
    )
    p.add_argument("song", metavar="SONG", type=Path, help="a .partita project")
    act = p.add_mutually_exclusive_group()
    act.add_argument("--accept", metavar="REF", help="apply this take, e.g. 1B (see the list)")
    act.add_argument("--reject", metavar="REF", help="drop this take")
    p.add_argument("-o", "--output", type=Path, metavar="OUT",
                   help="where to write the song after --accept or --reject (.partita keeps "
                        "the takes still waiting; never SONG itself)")
    p.add_argument("--force", action="store_true",
                   help="accept a take even though its region was edited after it was made")
    p.add_argument("--json", action="store_true",
                   help="print the list as JSON (not with --accept or --reject, which say "
                        "one line)")
    add_quiet_option(p)
    p.set_defaults(func=run_takes, takes_parser=p)


def run_takes(args: argparse.Namespace) -> int:
    from engine.io import content_kind

    if content_kind(args.song) != "project":
        raise CliError(f"{args.song}: takes are kept in .partita projects only")
    deciding = args.accept or args.reject
    if deciding and args.json:  # taken and ignored, a script would read no JSON
        args.takes_parser.error("--json prints the list of waiting takes: it does not go "
                                "with --accept or --reject")
    if deciding and args.output is None:
        raise CliError("--accept and --reject write the result: give -o OUT")
    if args.output is not None:
        if not deciding:
            raise CliError("-o needs --accept or --reject")
        check_song_output(args.output, [args.song])
    song, studio = load_with_studio(args.song)
    restored, waiting = _waiting(song, studio, args.song)
    if not deciding:
        rows = [_row(ref, take, label, song) for ref, (_, take, label) in waiting.items()]
        if args.json:
            print(json_text(rows))
        elif not rows:
            print(f"{args.song}: no takes waiting")
        else:
            print(f"{args.song}: {plural(len(rows), 'take')} waiting")
            for r in rows:
                conflict = "  (region edited since: --force to accept)" if r["conflict"] else ""
                print(f"  {r['ref']:<4} {r['label']:<28} {r['where']}  "
                      f"{plural(r['notes'], 'note')}, {r['model']}{conflict}")
                for warning in r["warnings"]:  # as the studio's takes bar says them
                    print(f"       ⚠ {warning}")
        return 0
    return _decide(args, song, studio, restored, waiting)


def _waiting(song: Any, studio: dict[str, Any],
             path: Path) -> tuple[Any, dict[str, tuple[Any, Any, str]]]:
    """The takes the project keeps (:class:`~engine.jobs.saved_takes.RestoredTakes`) and
    ``{"1A": (take set, take, request label)}`` of the pending ones, by region number (kept
    with the project: deciding region 1 leaves region 2's takes "2A", "2B") and letter."""
    restored = restore_takes(studio, song, path)
    out = {}
    for take_set in restored.store.sets.values():
        for take in take_set.pending():
            label = restored.request_labels.get(take.id) or take.label
            out[f"{take_set.number}{take_set.letter(take.id)}"] = (take_set, take, label)
    return restored, out


def _row(ref: str, take: Any, label: str, song: Any) -> dict[str, Any]:
    from engine.score import EditGroup
    from engine.score.mask_geometry import describe

    named = EditGroup(take.prep).apply(take.base_song)  # the tracks it adds have names too
    return {"ref": ref, "label": label, "task": take.task, "model": take.model,
            "where": describe(take.mask, named),
            "notes": take.note_count, "seed": take.options.seed,
            "conflict": take.conflicts_with(song),
            "warnings": [w.message for w in take.warnings]}


def _decide(args: argparse.Namespace, song: Any, studio: dict[str, Any], restored: Any,
            waiting: dict[str, tuple[Any, Any, str]]) -> int:
    from engine.io import file_kind
    from engine.jobs import TakeConflict, apply_take
    from engine.jobs.saved_takes import takes_to_json

    ref = (args.accept or args.reject).strip().upper()
    if ref not in waiting:
        known = ", ".join(waiting) or "none"
        raise CliError(f"{args.song}: no waiting take {ref!r} (waiting: {known})")
    take_set, take, label = waiting[ref]
    if args.accept:
        try:
            song, _ = apply_take(song, take, force=args.force)
        except TakeConflict:
            raise CliError(f"{args.song}: take {ref} ({label}): its region was edited "
                           "after the take was made; --force applies it anyway, "
                           "overwriting those edits") from None
        take_set.accept(take.id)
    else:
        take_set.reject(take.id)
    studio = {**studio, "takes": takes_to_json(restored.store, restored.request_labels,
                                               restored.active)}
    for warning in save_song_file(song, args.output, studio, shown=f"takes {args.output}",
                                  quiet=args.quiet):
        print(f"partita: warning: {args.output}: {warning}", file=sys.stderr)
    done = "accepted" if args.accept else "rejected"
    print(f"{args.output}: take {ref} ({label}, {plural(take.note_count, 'note')}) {done}")
    left = sum(1 for s, t, _ in waiting.values()  # still undecided, in undecided regions
               if s.accepted is None and t in s.pending())
    if left and file_kind(args.output) != "project":
        what = "the other waiting take is" if left == 1 else f"the {left} other waiting takes are"
        print(f"partita: note: {args.output} is MIDI: {what} not in it (write a "
              ".partita to keep them)", file=sys.stderr)
    return 0

