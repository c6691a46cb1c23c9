"""Shared CLI plumbing: the user-error type and progress display."""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import PartitaError
from engine.pace import Pace, time_left

if TYPE_CHECKING:
    from engine.score import Meter


class CliError(PartitaError):
    """A problem the user can fix; printed as one line without a traceback."""


# What is printed as one line, never a traceback: every error the engine raises on
# purpose (CliError too) and any OS error (a full disk, a read-only filesystem or a name
# too long is the user's to fix, and it names its file: error_line).
USER_ERRORS: tuple[type[BaseException], ...] = (PartitaError, OSError)


class GivenOnce(argparse.Action):
    """An option that takes one value a run (``action=GivenOnce``): argparse keeps the
    last of two silently (``--tempo 120 --tempo 90`` was 90, the 120 lost), so a second,
    different value is kept in ``given_twice`` for the command to refuse in one line
    (:func:`refuse_given_twice`); the same value twice is no conflict."""

    def __call__(self, parser, namespace, values, option_string=None):
        seen = vars(namespace).setdefault("_given_once", {})
        if self.dest in seen and seen[self.dest] != values and not getattr(
                namespace, "given_twice", None):
            first, then = (f"{v:g}" if isinstance(v, float) else repr(v)
                           for v in (seen[self.dest], values))
            namespace.given_twice = (f"{option_string} given twice ({first}, then {then}): "
                                     "it takes one value; run the command again for "
                                     "another")
        seen[self.dest] = values
        setattr(namespace, self.dest, values)


def refuse_given_twice(args: argparse.Namespace) -> None:
    """The first :class:`GivenOnce` option given two values, refused."""
    if getattr(args, "given_twice", None):
        raise CliError(args.given_twice)


def error_line(e: BaseException) -> str:
    """One line, ``FILE: problem``: an OS error names its file first ("x.mid: no such
    file or directory"), not Python's "[Errno 2] … 'x.mid'"; a file that cannot be read
    is named as it was typed ("../a/x.mid: not a MIDI file …"), as a missing one is, not
    by its base name alone as the studio's dialogs name it (over several folders, which
    x.mid?)."""
    import errno

    from engine.io.errors import FileFormatError, write_problem
    from engine.io.reading import os_problem

    if isinstance(e, OSError) and e.filename is not None and e.strerror:
        if e.errno == errno.ENAMETOOLONG:  # the name's or the whole path's: which, and how long
            return f"{e.filename}: {write_problem(e, e.filename)}"
        return f"{e.filename}: {os_problem(e)}"  # "is a folder, not a file" …
    if isinstance(e, FileFormatError):
        return f"{e.path}: {e.problem}"
    return str(e)


# Out of memory, per command: what it was doing, and how to ask for less at a time.
_OUT_OF_MEMORY = {
    "render": ("rendering", "render part of it at a time with --bars A-B"),
    "repaint": ("repainting", "repaint fewer bars or tracks at a time (--bars A-B, --tracks)"),
    "continue": ("continuing", "add fewer bars at a time (--bars N), then continue again"),
    "compose": ("composing", "compose fewer bars (--bars N), then continue it"),
    "regenerate": ("regenerating", "repaint the track a few bars at a time instead "
                                   "(repaint --bars A-B --tracks T)"),
    "harmonize": ("harmonizing", "fill fewer tracks (--tracks), or repaint a few bars at "
                                 "a time (repaint --bars A-B)"),
    "info": ("reading", None),
    "convert": ("converting", None),
    "tracks": ("changing the tracks of", None),
    "takes": ("deciding the takes of", None),
}
_TOO_BIG = "the song is too big for this machine's memory (close other programs and try again)"


def is_out_of_memory(e: BaseException | None) -> bool:
    """``e`` says the machine ran out of memory: Python's ``MemoryError`` or a GPU's
    (torch's ``OutOfMemoryError``, a ``RuntimeError``: named, so torch is not imported)."""
    return isinstance(e, MemoryError) or type(e).__name__ == "OutOfMemoryError"


def out_of_memory_line(e: BaseException, command: str, file: object = None) -> str | None:
    """What ``command`` says when ``e`` is running out of memory (on ``file``), or a
    model's failure that was (``ModelFailed`` from a ``MemoryError``: "model 'x' failed:
    MemoryError"); ``None`` for any other error. Not a bug to report (it was "internal
    error: MemoryError"), but too much asked at once, and how to ask for less: "out of
    memory while rendering long.mid: render part of it at a time with --bars A-B"."""
    if not (is_out_of_memory(e)
            or (isinstance(e, PartitaError) and is_out_of_memory(e.__cause__))):
        return None
    doing, hint = _OUT_OF_MEMORY.get(command, (f"running partita {command}", None))
    on = "" if not isinstance(file, (str, Path)) else (
        f" {file}" if command in _OUT_OF_MEMORY else f" on {file}")
    return f"out of memory while {doing}{on}: {hint or _TOO_BIG}"


def command_file(args: argparse.Namespace) -> object:
    """The file a command was given (render's IN, info's FILE, a song): ``None`` for
    none, or a list for a batch of songs."""
    for name in ("input", "file", "song"):
        if getattr(args, name, None) is not None:
            return getattr(args, name)
    return None


def json_text(data: object) -> str:
    """``data`` as the JSON a ``--json`` prints: indented, text as it is (not ``\\u``
    escapes), and always valid UTF-8: a file name that is not (Latin-1 bytes, kept by
    Python as surrogate escapes) gets U+FFFD for its bad bytes, as ``info --json``'s
    ``file`` has it (:func:`~engine.io.text.display_path`). QA: a batch's
    ``"input": "\xdcbung.mid"`` wrote the raw byte 0xDC, which a script's
    ``subprocess.run(text=True)`` could not decode."""
    import json

    return json.dumps(_printable(data), indent=2, ensure_ascii=False)


def _printable(data: object) -> object:
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            try:
                return data.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            except UnicodeEncodeError:  # a surrogate no file name's bytes give
                return data.encode("utf-8", "replace").decode("utf-8")
        return data
    if isinstance(data, dict):
        return {_printable(k): _printable(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_printable(v) for v in data]
    return data


def bars_text(bars: int, pickup: bool) -> str:
    """A song's length in bars as a score editor counts it: "16 bars + pickup" when it
    opens with one (the pickup is bar 0, not one of the bars: ``TimeMap.has_pickup``),
    else "16 bars". ``bars`` counts every bar, a pickup too (``TimeMap.bar_count``)."""
    from engine.score import plural

    if not pickup:
        return plural(bars, "bar")
    return f"{plural(bars - 1, 'bar')} + pickup" if bars > 1 else "a pickup bar"


def check_folder(path: Path, why: str = "") -> None:
    """The folder ``path`` can be created or written into: every part of it that exists
    is a folder (a command that writes into ``path`` makes the missing ones). ``why`` is
    added to the message, e.g. ``" (--stems takes a folder)"``."""
    for p in (path, *path.parents):
        if p.exists():
            if not p.is_dir():
                raise CliError(f"{path}: is a file, not a folder{why}" if p == path
                               else f"{path}: {p} is a file, not a folder{why}")
            return


def check_song_output(path: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse, before any work is done, a song file ``path`` that cannot be written: an
    extension that is no song format, one of the ``inputs`` (never overwritten), a
    folder, a file in a folder that cannot be made or written in. A missing folder is
    made when the song is saved (:func:`save_song_file`), as ``render -o`` makes its
    mix's (QA: ``harmonize -o new/x.mid`` was refused, ``render -o new/x.wav`` not)."""
    from engine.io import file_kind, same_file
    from engine.io.atomic import refuse_read_only

    if file_kind(path) is None:
        raise CliError(f"{path}: cannot write {path.suffix or 'files without an extension'}: "
                       "use .partita, .mid or .midi, or .musicxml or .mxl for a score (for "
                       "audio: partita render)")
    if any(same_file(src, path) for src in inputs):
        raise CliError(f"{path}: refusing to overwrite the input file")
    if path.is_dir():
        raise CliError(f"{path}: is a folder, not a file")
    refuse_read_only(path)
    check_writable_folder(path.parent, path)


def check_writable_folder(folder: Path, shown: Path) -> None:
    """``folder`` (made if missing: then the nearest of its parents that exists) can be
    written in; else a :class:`CliError` naming ``shown``, the file or folder the command
    was asked to write, and the folder: "cannot write in …/ro (read-only, or no
    permission)". Render said "permission denied" on a hidden staging file of its own."""
    folder = next(p for p in (folder, *folder.parents) if p.exists())
    if not folder.is_dir():
        raise CliError(f"{shown}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):  # a read-only disk, another's folder
        raise CliError(f"{shown}: cannot write in {folder} (read-only, or no permission)")


def save_song_file(song, path: Path, studio: dict | None = None, *, shown: str = "",
                   quiet: bool = False) -> list[str]:
    """:func:`engine.io.save_song`, its folder made first if missing (checked by
    :func:`check_song_output`): only once there is a song to save, so a command that
    fails leaves no empty folder behind. With ``shown`` (``"convert out.musicxml"``), a
    score's writing is shown as progress under that name — seconds for a long song; the
    other kinds are written at once — unless ``quiet`` (``--quiet``)."""
    from engine.io import file_kind, save_song

    path.parent.mkdir(parents=True, exist_ok=True)
    if not shown or file_kind(path) != "musicxml":
        return save_song(song, path, studio)
    with progress_bar(1000, shown, unit="‰", quiet=quiet) as bar:
        def progress(fraction: float, stage: str) -> None:
            bar.set_postfix_str(stage, refresh=False)
            bar.update(max(0, round(fraction * 1000) - bar.n))

        return save_song(song, path, studio, progress=progress)


def load_with_studio(path: Path, *, rewriting: bool = False, kits: bool = True,
                     splits: bool = True):
    """The song at ``path`` and, for a ``.partita`` project, the studio state it holds
    (view, snap, loop...: ``{}`` for MIDI and MusicXML), so a command that writes a
    project back keeps it. ``rewriting``: the command writes the song out, so a MIDI
    file's events the song cannot hold (lyrics, sysex …) are named on stderr, as every
    command that writes a song says them. What a MIDI file cut short was missing is
    always said, and (``kits``, unless the command may be changing instruments already) a
    track named as drums that General MIDI made a pitched instrument, with the command
    making it a kit; tracks that shared a channel with different instruments, which the
    song gives each its own (their sound may differ from the file's); one MIDI track's
    channels of one sound read as a track each (a MIDI guitar's strings), with the merge
    command (``splits``, unless the command may be merging already); and what a MusicXML
    score's song approximates (grace notes left out, repeats not played out, no tempo
    mark …), and the pitch bends, program changes and controllers of MIDI channels
    without notes, dropped (always: the file's song never has them), as ``partita:
    note:`` lines."""
    from engine.io import (
        content_kind,
        load_project,
        load_song,
        read_midi_with_report,
        read_musicxml_with_report,
    )

    kind = content_kind(path)
    if kind == "musicxml":
        song, report = read_musicxml_with_report(path)
        for line in report.approximated:
            print(f"partita: note: {path}: {line}", file=sys.stderr)
        return song, {}
    if kind not in ("midi", "project"):
        return load_song(path), {}  # raises, naming the file and what it is not
    if kind == "project":
        project = load_project(path)
        for note in project.notes:  # chord symbols past the song's end, dropped
            print(f"partita: note: {path}: {note}", file=sys.stderr)
        if project.studio.get("takes"):
            from engine.jobs.saved_takes import takes_from_json

            # Waiting takes hold track and note ids of their own (the tracks a harmonize
            # take adds): registered now, an edit made before they are read back (`tracks
            # --add`) never issues one of them again.
            takes_from_json(project.studio["takes"], project.song)
        return project.song, project.studio
    song, report = read_midi_with_report(path)
    for warning in report.warnings:  # a file cut short: read as far as it goes
        print(f"partita: warning: {path}: {warning}", file=sys.stderr)
    if report.unplayed:  # pitch bends of a channel no track plays: no track to hold them
        print(f"partita: note: {path}: {report.unplayed.text()}", file=sys.stderr)
    if rewriting and report.summary(unplayed=False):
        print(f"partita: note: {path}: not kept (Partita holds no such events): "
              f"{report.summary(unplayed=False)}", file=sys.stderr)
    for shared in report.shared_channels:  # tracks a player gave one program now have two
        print(f"partita: note: {path}: {shared.text()}", file=sys.stderr)
    for split in report.split if splits else ():  # a MIDI guitar's strings, a track each
        print(f"partita: note: {path}: {split.text()}; "
              f"{merge_command(song, path, split.numbers)} makes them one", file=sys.stderr)
    for kit in report.pitched_kits if kits else ():
        print(f"partita: note: {path}: {kit.text()}; if it is a drum kit: "
              f"{make_kit_command(song, path, kit.number)}", file=sys.stderr)
    return song, {}


def make_kit_command(song, path: Path, number: int) -> str:
    """``partita tracks song.mid -o OUT --instrument Drums=Drums``: the command making
    track ``number`` (1-based) a drum kit, by its name when that picks it, else by number
    (``'#2=Drums'``), quoted for a shell."""
    import shlex

    name = song.tracks[number - 1].name.strip()
    by_name = (name and "=" not in name and not name.isdecimal()
               and sum(t.name.strip().lower() == name.lower() for t in song.tracks) == 1)
    ref = name if by_name else f"#{number}"
    return (f"partita tracks {shlex.quote(str(path))} -o OUT --instrument "
            f"{shlex.quote(ref + '=Drums')}")


def merge_command(song, path: Path, numbers: tuple[int, ...]) -> str:
    """``partita tracks song.mid -o OUT --merge 1,2,3``: the command merging tracks
    ``numbers`` (1-based), by number (``#2`` where a track's name is a number, which
    would win), quoted for a shell."""
    import shlex

    names = {t.name.strip().lower() for t in song.tracks}
    refs = ",".join(f"#{n}" if str(n) in names else str(n) for n in numbers)
    return f"partita tracks {shlex.quote(str(path))} -o OUT --merge {shlex.quote(refs)}"


def restore_takes(studio: dict, song, path: Path):
    """The waiting takes a project keeps
    (:class:`~engine.jobs.saved_takes.RestoredTakes`) over ``song``; each one that no longer
    fits it is said on stderr (a command's JSON on stdout stays JSON)."""
    from engine.jobs.saved_takes import takes_from_json

    restored = takes_from_json(studio.get("takes"), song)
    for problem in restored.problems:
        print(f"partita: warning: {path}: a waiting take is dropped: {problem}",
              file=sys.stderr)
    return restored


def track_id(song, text: str, path: Path) -> int:
    """A track by number or name; the error names the song file (``x.mid: no track …``)."""
    try:
        return song.find_track(text).id
    except KeyError as e:
        raise CliError(f"{path}: {e.args[0] if e.args else e}") from e


def track_ids(song, text: str, path: Path) -> list[int]:
    """Tracks by number or name, comma-separated (``--tracks Piano,2``)."""
    parts = [p for p in text.split(",") if p.strip()]
    if not parts:
        raise CliError("give at least one track (number or name)")
    return [track_id(song, p, path) for p in parts]


def check_number(option: str, value: float, ok: bool, rule: str) -> None:
    """``option VALUE`` must be a finite number that is ``ok`` (``rule`` says how):
    ``float("nan")`` and ``float("inf")`` pass argparse's ``type=float``."""
    if not math.isfinite(value):
        raise CliError(f"{option} must be a finite number, {rule} (got {value:g})")
    if not ok:
        raise CliError(f"{option} must be {rule} (got {value:g})")


def parse_meter(text: str, option: str = "--meter") -> Meter:
    """``"6/8"`` → ``(6, 8, ())``, ``"3+2+2/8"`` → ``(7, 8, (3, 2, 2))``
    (``TimeSignature.from_text``); a :class:`CliError` for anything else."""
    from engine.score import TimeSignature

    try:
        return TimeSignature.from_text(text).meter
    except ValueError as e:
        raise CliError(f"{option} {text.strip()!r}: {e}") from None


# Plain progress lines (stderr not a terminal: a log, a script): one at each tenth of the
# work, or after this many seconds without one while it moves.
PROGRESS_LINES = 10
PROGRESS_LINE_SECONDS = 10.0
# No estimate before this much time has passed since the start: a first step done at once
# said "02:00" left for a job that took 3.2 s.
ETA_AFTER_SECONDS = 1.0


def eta_words(seconds: float) -> str:
    """``"about 6 s left"``, ``"about 3 min left"``: an estimate, rounded as one."""
    return f"about {time_left(max(1.0, seconds))} left"


class ProgressLines:
    """Progress as plain lines for a log (``"repaint: 40 % · about 6 s left"``): a line at
    each tenth of the work, or every :data:`PROGRESS_LINE_SECONDS` while it moves — never
    a carriage-return bar, which a log keeps as one long line of redraws. The same calls
    as the terminal's bar (``n``, ``update``, ``set_postfix_str``, a context manager)."""

    def __init__(self, total: int, desc: str, stream) -> None:
        self.total = max(1, total)
        self.desc = desc
        self.stream = stream
        self.n = 0
        self.pace = Pace(total, settle=ETA_AFTER_SECONDS)
        self.stage = ""
        self.message = ""  # the model's own word on where it is ("bar 5"): set_message
        self._tenth = 0  # the last tenth said
        self._said_at = self.pace.start

    def __enter__(self) -> ProgressLines:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def update(self, k: int = 1) -> None:
        if k <= 0:
            return
        self.n = min(self.total, self.n + k)
        self.pace.seen(self.n)
        tenth = self.n * PROGRESS_LINES // self.total
        now = self.pace.clock()
        if self.n < self.total and (tenth > self._tenth
                                    or now - self._said_at >= PROGRESS_LINE_SECONDS):
            self._tenth = tenth
            self._said_at = now
            self._say()

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        self.stage = text

    def set_message(self, text: str) -> None:
        """What the work says it is doing, said after the percentage ("50 % · bar 5")."""
        self.message = text

    def _say(self, text: str | None = None) -> None:
        if text is None:
            eta = self.pace.eta(self.n)
            text = (f"{100 * self.n // self.total} %"
                    + (f" · {self.message}" if self.message else "")
                    + (f" · {eta_words(eta)}" if eta is not None else ""))
        stage = f" ({self.stage})" if self.stage else ""
        print(f"{self.desc}: {text}{stage}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.n >= self.total:
            self.stage = ""
            self._say(f"100 % · done in {self.pace.clock() - self.pace.start:.1f} s")


class NoProgress:
    """``--quiet``: progress said nowhere, with the calls of the others."""

    def __init__(self, total: int) -> None:
        self.total = max(1, total)
        self.n = 0

    def __enter__(self) -> NoProgress:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def update(self, k: int = 1) -> None:
        self.n = min(self.total, self.n + max(0, k))

    def set_message(self, text: str) -> None:
        pass  # the model's word on where it is: progress, said nowhere

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass


QUIET_HELP = ("say no progress (no bar, no progress lines); warnings, notes and what is "
              "written are still said")


def add_quiet_option(parser: argparse.ArgumentParser) -> None:
    """``-q``/``--quiet`` (:data:`QUIET_HELP`), the same on every command that shows
    progress: the generation commands, render, and those that write a song (convert,
    tracks, takes: a score takes seconds). ``info`` only reads, and has none."""
    parser.add_argument("-q", "--quiet", action="store_true", help=QUIET_HELP)


def progress_bar(total: int, desc: str, unit: str = "it", stream=None, *,
                 quiet: bool = False):
    """Progress on stderr (``stream``): a tqdm bar on a terminal, with a time left only
    once there is a pace to go on (:class:`Pace`); plain lines
    (:class:`ProgressLines`) when stderr is a log or a pipe, where it said nothing;
    none at all with ``quiet`` (``--quiet``: a script's log keeps its warnings)."""
    if quiet:
        return NoProgress(total)
    stream = sys.stderr if stream is None else stream
    if not stream.isatty():
        return ProgressLines(total, desc, stream)
    return _terminal_bar(total, desc, unit, stream)


def _terminal_bar(total: int, desc: str, unit: str, stream):
    from tqdm import tqdm

    class Bar(tqdm):
        # tqdm's own "<remaining>" is from the rate since the start, shown at once.
        def update(self, n=1):
            shown = super().update(n)
            if self.n:  # update(0) as a model loads is no step: the pace is the steps'
                pace.seen(self.n)
            return shown

        def set_message(self, text: str) -> None:  # as ProgressLines: "[…, bar 5]"
            self.set_postfix_str(text, refresh=False)

        @property
        def format_dict(self):
            d = super().format_dict
            eta = pace.eta(d["n"])
            d["eta"] = f"<{tqdm.format_interval(eta)}" if eta is not None else ""
            return d

    pace = Pace(total, settle=ETA_AFTER_SECONDS)
    return Bar(total=total, desc=desc, unit=unit, file=stream, leave=False,
               bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}{eta}{postfix}]")


def is_model_path(text: str) -> bool:
    """Whether ``--model``/``NAME`` text is a folder path (``./x``, ``runs/x/best``, an
    absolute path) rather than a model's name: every command reads it by this one rule,
    so a bare name means the installed model even when a folder of that name is here."""
    return "/" in text or os.sep in text or text.startswith(".")


def model_folder(name: str) -> Path:
    """The folder of a model whose weights a command reads (eval, bench, quantize, train
    ``--init-from``): a shipped model's name, an installed model pack's name (as
    ``partita models list`` shows it), or a model folder's path (:func:`is_model_path`;
    a bare name that no model has falls back to a folder of that name)."""
    from engine.models.plugin import shipped_model_folder

    if not name or is_model_path(name):
        return Path(name)
    folder = shipped_model_folder(name)
    if folder != Path(name):  # a shipped model
        return folder
    from engine.plugins.registry import Registry

    registry = Registry()
    found = registry.find(name)  # a usable model: found without listing the others
    entries = [found] if found is not None else [e for e in registry.entries()
                                                  if e.name == name]
    for entry in entries:
        if entry.kind == "pack" and entry.location:
            return Path(entry.location)
    if entries:
        raise CliError(f"model {name!r} is a code plugin: it has no weights folder to "
                       "read (only shipped models and model packs do)")
    return folder
