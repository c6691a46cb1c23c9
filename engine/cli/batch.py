"""Several songs in one run, and ``--json``, for the generation commands.

``partita harmonize A.mid B.mid C.mid --out-dir DIR [--suffix -harm] [--format mid]``
writes ``DIR/A-harm.mid`` … in one process: a shell loop over 30 melodies spent ~2 s a
file importing torch and onnxruntime and loading the model again (207.8 s, against
15.3 s in one process). Each song runs exactly as the one-song command runs it (the
handler in :mod:`engine.cli.generate`, the same options and seed, so the same bytes), with
the model it resolves kept for the next song (:func:`shared_model`); a song that fails is
said and the batch goes on. ``--json`` (one song or several) prints what was written as
JSON on stdout: one object per song, a list for ``--out-dir``.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .common import (
    USER_ERRORS,
    CliError,
    check_folder,
    error_line,
    json_text,
    out_of_memory_line,
)

# --format: the extension each song is written with (default: the input's own).
SONG_FORMATS = {"mid": ".mid", "partita": ".partita", "musicxml": ".musicxml",
                "mxl": ".mxl"}
# An input without an extension (read by its content) is written as the same kind.
_KIND_SUFFIX = {"midi": ".mid", "project": ".partita", "musicxml": ".musicxml"}


def add_options(parser: argparse.ArgumentParser, *, songs: bool) -> None:
    """``--json``, and for a command that reads songs ``--out-dir``, ``--suffix`` and
    ``--format``; the command then runs through :func:`run` (its own handler becomes
    ``args.single``, run once per song)."""
    g = parser.add_argument_group("several songs" if songs else "output")
    if songs:
        g.add_argument("--out-dir", metavar="DIR", type=Path,
                       help="write each SONG to DIR/<name><suffix>.<ext> (instead of -o; "
                            "the folder is made if need be): several songs in one run, "
                            "the model loaded once; a song that fails is said and the "
                            "others go on (exit code 1 if any failed)")
        g.add_argument("--suffix", default="", metavar="TEXT",
                       help="with --out-dir: added to each song's name, e.g. -harm "
                            "(a.mid → DIR/a-harm.mid; default none)")
        g.add_argument("--format", choices=tuple(SONG_FORMATS),
                       help="with --out-dir: the kind of file to write (default: each "
                            "input's own)")
    g.add_argument("--json", action="store_true",
                   help="print what was written as JSON on stdout: input, output, model, "
                        "seed, notes per track, warnings, error"
                        + (" (a list with --out-dir)" if songs else ""))  # compose: none
    parser.set_defaults(single=parser.get_default("func"), func=run)


# -- what a song's run wrote ------------------------------------------------------------------


@dataclass
class Generated:
    """What one run of a generation command wrote: set by
    :func:`~engine.cli.generate._generate` (:func:`record`) for the batch to report."""

    model: str
    takes: list
    outputs: list[Path]
    as_takes: bool = False  # the takes wait in the one project outputs[0]


def record(args: argparse.Namespace, model: str, takes: list, outputs: list[Path]) -> None:
    args.generated = Generated(model, takes, outputs, bool(args.as_takes))


def shared_model(args: argparse.Namespace, resolve):
    """``resolve(args.model, args.task)``, once per batch: the songs of one run share the
    model (and the weights it loaded for the first song). ``args.models`` is the batch's
    cache; a one-song command has none."""
    models = getattr(args, "models", None)
    if models is None:
        return resolve(args.model, args.task)
    key = (args.model, args.task)  # a song may pick the chorale model, another not
    if key not in models:
        models[key] = resolve(*key)
    return models[key]


@dataclass
class SongResult:
    """One song of a run: what it wrote, or the error that stopped it."""

    input: Path | None  # None: compose
    generated: Generated | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    interrupted: bool = False  # Ctrl+C stopped the batch while this song ran

    def to_json(self) -> dict:
        g = self.generated
        takes = [] if g is None else [
            {"output": str(out), "seed": take.seed, "notes": take.counts(),
             "unchanged": bool(take.unchanged)}
            for take, out in zip(g.takes, _take_outputs(g), strict=True)]
        first = takes[0] if takes else {}
        return {"input": None if self.input is None else str(self.input),
                "output": first.get("output"), "model": g.model if g else None,
                "seed": first.get("seed"), "notes": first.get("notes", {}),
                "warnings": self.warnings, "error": self.error, "takes": takes,
                "interrupted": self.interrupted}


def _take_outputs(g: Generated) -> list[Path]:
    """The file each take went to: its own, or (``--as-takes``) the one project."""
    return g.outputs * len(g.takes) if g.as_takes else g.outputs


# -- stderr, per song -------------------------------------------------------------------------


_SAID_RE = re.compile(r"(partita: (?:note|warning|error): )(.*)", re.S)


def about(name: str | None, line: str, task: str = "", outputs: tuple[str, ...] = ()
          ) -> str:
    """``line`` said about the song ``name``: ``"a.mid: harmonize (tiny): 40 %"``,
    ``"partita: note: a.mid: …"``; a line that names it first already stays, and so does
    one naming a file it writes (``outputs``), after ``"<task>: "`` too: not
    ``"a.mid: harmonize: out/a.mid: …"``, the song named twice."""
    if name is None or not line.strip():
        return line
    m = _SAID_RE.fullmatch(line)
    head, rest = m.groups() if m else ("", line)
    told = rest.removeprefix(f"{task}: ") if task else rest
    if rest.startswith(f"{name}:") or any(told.startswith(f"{o}:") for o in outputs):
        return line
    return f"{head}{name}: {rest}"


class SongLines:
    """stderr while one song of a run is generated: each line starts with the song's name
    (:func:`about`), and its notes and warnings are kept for ``--json``. A terminal's
    progress bar (redrawn with carriage returns) goes through as it is."""

    def __init__(self, stream, name: str | None, task: str,
                 outputs: tuple[str, ...] = ()) -> None:
        self.stream = stream
        self.name = name
        self.task = task
        self.outputs = outputs  # the files written, which name the song already
        self.said: list[str] = []  # the notes and warnings, as the one-song command says them
        self._line = ""

    @property
    def encoding(self):
        return getattr(self.stream, "encoding", None)

    @property
    def errors(self):
        return getattr(self.stream, "errors", None)

    def isatty(self) -> bool:
        return self.stream.isatty()

    def flush(self) -> None:
        self.stream.flush()

    def write(self, text: str) -> int:
        if "\r" in text:  # tqdm redrawing its bar: not a line to name
            self.finish()
            self.stream.write(text)
            return len(text)
        *lines, self._line = (self._line + text).split("\n")
        for line in lines:
            self._say(line)
        return len(text)

    def finish(self) -> None:
        """Say what is left of an unfinished line."""
        if self._line:
            line, self._line = self._line, ""
            self._say(line)

    def _say(self, line: str) -> None:
        # A note or warning starts "partita: note:" or "<task>: "; a progress line
        # "<task> (<model>): 40 %", and a model's own print() anything.
        if line.startswith(("partita: note: ", "partita: warning: ", f"{self.task}: ")):
            self.said.append(line)
        self.stream.write(about(self.name, line, self.task, self.outputs) + "\n")


# -- the run ----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """A generation command: one song to ``-o`` (the command's own handler,
    ``args.single``), or several to ``--out-dir``, and/or ``--json``."""
    reads_songs = hasattr(args, "song")
    inputs: list[Path | None] = list(args.song) if reads_songs else [None]
    out_dir = getattr(args, "out_dir", None)
    if out_dir is None:
        _one_output(args, inputs, reads_songs)
        if reads_songs:
            args.song = inputs[0]
        if not args.json:
            return args.single(args)
        plan = [(inputs[0], args.output)]
    else:
        if args.output is not None:
            raise CliError(f"-o {args.output} and --out-dir {out_dir}: give one (-o OUT "
                           "for one song, --out-dir DIR for one or several)")
        plan = _planned(inputs, out_dir, args)
    _check_once(args, plan, out_dir)
    from engine.score.song import id_mark, rewind_ids

    results: list[SongResult] = []
    models: dict = {}  # the batch's models, each loaded once
    mark = id_mark()
    try:
        for song, output in plan:
            rewind_ids(mark)  # each song's project gets the ids a process of its own gives
            results.append(SongResult(song, interrupted=True))  # until it is done
            results[-1] = result = _run_song(args, song, output, models)
            if result.error is not None:
                print(f"partita: error: {about(_name(song), result.error)}", file=sys.stderr)
            elif not args.json and out_dir is not None:
                for line in _result_lines(song, result.generated):
                    print(line, flush=True)
    except KeyboardInterrupt:  # Ctrl+C: what was written is said all the same (QA: 10
        # files written and 0 bytes of JSON), then "partita: interrupted", exit 130
        _report(args, results, out_dir, len(plan))
        raise
    return _report(args, results, out_dir, len(plan))


def _report(args: argparse.Namespace, results: list[SongResult], out_dir: Path | None,
            planned: int) -> int:
    """The JSON of the songs run (with --json) and the count of files (with --out-dir:
    each song's takes counted, ``planned`` songs of them); the exit code: 1 if a song
    failed."""
    failed = sum(r.error is not None for r in results)
    stopped = sum(r.interrupted for r in results)
    if args.json:
        rows = [r.to_json() for r in results]
        if rows:
            print(json_text(rows if out_dir is not None else rows[0]), flush=True)
    if out_dir is not None:
        from engine.score import plural

        from .generate import _outputs

        # Files, not songs: two songs of --variations 2 are 4 files (QA: "2 files: 2
        # written" after writing 4); --as-takes keeps a song's takes in one file.
        each = len(_outputs(Path("song.mid"), args.variations, args.as_takes))
        written = sum(each if r.generated is None else len(dict.fromkeys(r.generated.outputs))
                      for r in results if r.error is None and not r.interrupted)
        lost = each * failed
        left = (f", {each * planned - written - lost} not written (interrupted)"
                if stopped else "")
        print(f"{plural(each * planned, 'file')}: {written} written, {lost} failed{left}",
              file=sys.stderr)
    return 1 if failed else 0


def _one_output(args: argparse.Namespace, inputs: list, reads_songs: bool) -> None:
    """Without --out-dir: ``-o`` is required, and writes one song."""
    if getattr(args, "suffix", "") or getattr(args, "format", None):
        given = "--suffix" if args.suffix else "--format"
        raise CliError(f"{given} goes with --out-dir DIR (-o OUT names the file itself)")
    if args.output is None:
        raise CliError(f"{args.task}: give -o OUT, the file to write"
                       + (" (or --out-dir DIR, for several songs)" if reads_songs else ""))
    if len(inputs) > 1:
        raise CliError(f"-o {args.output} writes one song, and {len(inputs)} were given: "
                       "give --out-dir DIR to write each there")


def _planned(inputs: list[Path], out_dir: Path, args: argparse.Namespace
             ) -> list[tuple[Path, Path]]:
    """Each input and the file it is written to, ``DIR/<stem><suffix>.<ext>``; refused
    (before anything is read) when two inputs would write one file, or one would write
    over an input."""
    from engine.io import same_file

    from .generate import _outputs

    plan = [(song, out_dir / f"{song.stem}{args.suffix}{_extension(song, args.format)}")
            for song in inputs]
    written: dict[Path, Path] = {}
    for song, output in plan:
        for path in _outputs(output, args.variations, args.as_takes):
            key = path.resolve()
            if key in written:
                raise CliError(f"{written[key]} and {song} would both be written to {path}: "
                               "give them different names, or run them apart")
            written[key] = song
            for src in inputs:
                if same_file(src, path):
                    raise CliError(f"{path}: would overwrite the input {src}: give "
                                   "--suffix, or another --out-dir")
    return plan


def _extension(song: Path, fmt: str | None) -> str:
    """``--format``'s, else the input's own (by content when it has none)."""
    from engine.io import content_kind, file_kind

    if fmt:
        return SONG_FORMATS[fmt]
    if file_kind(song) is not None:
        return song.suffix
    return _KIND_SUFFIX.get(content_kind(song) or "", ".mid")


def _check_once(args: argparse.Namespace, plan: list, out_dir: Path | None) -> None:
    """The options, and the first output, checked once before any song is read: a bad
    --steps or an unwritable folder is one error, not one per song."""
    from .generate import _checked, _options

    _options(args)
    if out_dir is not None and args.as_takes and any(
            out.suffix.lower() != ".partita" for _, out in plan):
        raise CliError("--as-takes keeps the takes in a project: with --out-dir, give "
                       "--format partita")
    if out_dir is not None:
        if any(sep in args.suffix for sep in ("/", "\\")):  # refused before the folder is made
            raise CliError(f"--suffix {args.suffix!r}: added to each song's name, it cannot "
                           "hold a folder (/): give the folder as --out-dir")
        check_folder(out_dir, " (--out-dir takes a folder)")
        out_dir.mkdir(parents=True, exist_ok=True)
    song, output = plan[0]
    _checked(_for_song(args, song, output), [s for s, _ in plan if s is not None])


def _for_song(args: argparse.Namespace, song: Path | None, output: Path
              ) -> argparse.Namespace:
    one = copy.copy(args)  # the handler sets the model it picks on its own copy
    one.output = output
    if song is not None:
        one.song = song
    return one


def _name(song: Path | None) -> str | None:
    return None if song is None else str(song)


def _run_song(args: argparse.Namespace, song: Path | None, output: Path,
              models: dict) -> SongResult:
    """One song through the command's own handler, its stdout (the one-song lines) kept
    back for the batch's own, its stderr named (:class:`SongLines`)."""
    one = _for_song(args, song, output)
    one.models, one.generated = models, None
    from .generate import _outputs

    written = (output, *_outputs(output, args.variations, args.as_takes))
    lines = SongLines(sys.stderr, _name(song), args.task, tuple(dict.fromkeys(map(str, written))))
    result = SongResult(song)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(lines):
            one.single(one)
        result.generated = one.generated
    except USER_ERRORS as e:  # a bad file, no such track …: said, and the next song
        result.error = out_of_memory_line(e, args.task) or error_line(e)
    except Exception as e:  # out of memory on one song: said (named by about()), the next
        result.error = out_of_memory_line(e, args.task)  # song may fit; anything else is
        if result.error is None:  # a bug: the top level's
            raise
    finally:
        lines.finish()
    result.warnings = lines.said
    return result


def _result_lines(song: Path | None, g: Generated) -> list[str]:
    """``a.mid → DIR/a-harm.mid: 48 notes (Alto 16, Tenor 16, Bass 16), seed 1``, one per
    take written."""
    from .generate import _held_over, _tried_seeds

    lines = []
    for take, output in zip(g.takes, _take_outputs(g), strict=True):
        same = ""
        if take.unchanged:
            same = (f" — {_held_over(take)}" if _held_over(take) else
                    " — the same notes as before (seeds "
                    f"{_tried_seeds(take.seed, len(g.takes))} tried): try another --seed")
        waiting = " (waiting as a take)" if g.as_takes else ""
        lines.append(f"{song} → {output}: {notes_text(take.counts())}, seed "
                     f"{take.seed}{waiting}{same}")
    return lines


def notes_text(counts: dict[str, int]) -> str:
    """``"48 notes (Alto 16, Tenor 16, Bass 16)"``; ``"no notes"``."""
    from engine.score import plural

    if not counts:
        return "no notes"
    return (f"{plural(sum(counts.values()), 'note')} ("
            + ", ".join(f"{label} {n}" for label, n in counts.items()) + ")")


__all__ = ["Generated", "SongResult", "add_options", "notes_text", "record", "run",
           "shared_model"]
