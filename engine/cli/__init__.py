"""The ``partita`` command line: a thin shell over the engine.

Each command group lives in its own module with a ``register(subparsers)`` function;
a command's handler takes the parsed ``argparse.Namespace`` and returns an exit code.
User errors are raised as :class:`CliError` (or any other
:class:`engine.errors.PartitaError`: ``common.USER_ERRORS``) and printed as one line,
``partita: error: …``, with exit code 1 — never a traceback. Exit codes: 0 done,
:data:`USER_ERROR` (1), :data:`USAGE_ERROR` (2: arguments argparse refuses),
:data:`INTERNAL_ERROR` (3: a bug — any other exception, said as one line, its traceback
with ``--verbose``; running out of memory is no bug but a user error, said with how to
ask for less) and :data:`INTERRUPTED` (130: Ctrl+C, as a shell counts SIGINT).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
from collections.abc import Sequence

from engine import __version__

from .common import (
    USER_ERRORS,
    CliError,
    command_file,
    error_line,
    out_of_memory_line,
    refuse_given_twice,
)

USER_ERROR = 1
USAGE_ERROR = 2  # argparse's own exit code for arguments it cannot parse
INTERNAL_ERROR = 3  # a bug in Partita (or a plugin's helper it calls): not the user's to fix
INTERRUPTED = 130

# Modules that add sub-commands (a missing one is an error, not a command that vanishes).
COMMAND_MODULES = (
    "engine.cli.files",  # info, convert
    "engine.cli.render",  # render
    "engine.cli.generate",  # compose, regenerate, continue, repaint, harmonize
    "engine.cli.tracks",  # tracks (list, add, remove, rename, instrument, mixer)
    "engine.cli.takes",  # takes (a project's waiting takes: list, accept, reject)
    "engine.cli.training",  # train, eval
    "engine.cli.models",  # models list/verify/install
    "engine.cli.bench",  # bench
    "engine.cli.studio",  # studio
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partita",
        description="Partita: compose multi-track music with a local AI model.",
    )
    parser.add_argument("--version", action="version", version=f"partita {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="say more for developers: where in a damaged file a problem "
                             "is (its JSON path), the traceback of a model plugin's error "
                             "(importing it or generating), and what the engine logs")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


class _CtrlC:
    """Tells the user's Ctrl+C from a ``KeyboardInterrupt`` some code (a plugin) raised:
    only the first is "interrupted".

    A Ctrl+C that lands inside a C library's callback into Python (soundfile's
    ``vio_write`` while render writes a WAV) cannot stop it there: the callback's caller
    reports the ``KeyboardInterrupt`` as "ignored" and the library fails another way
    (soundfile: an ``AssertionError``). So once Ctrl+C was pressed, that report is kept
    quiet and whatever error ends the command is the interrupt (:func:`_run_command`)."""

    def __init__(self) -> None:
        self.pressed = False
        self._previous = None
        self._previous_unraisable = sys.unraisablehook

    def __enter__(self) -> _CtrlC:
        if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
            return self  # started with Ctrl+C ignored (a script's `partita … &`): kept so
        try:
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        except ValueError:  # not the main thread: Python delivers no signals here anyway
            self._previous = None
        self._previous_unraisable = sys.unraisablehook
        sys.unraisablehook = self._on_unraisable
        return self

    def __exit__(self, *exc: object) -> None:
        sys.unraisablehook = self._previous_unraisable
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _on_unraisable(self, unraisable) -> None:
        if self.pressed and issubclass(unraisable.exc_type, KeyboardInterrupt):
            return  # the user's Ctrl+C, inside a callback: said as "interrupted" at the end
        self._previous_unraisable(unraisable)

    def _on_sigint(self, signum: int, frame: object) -> None:
        self.pressed = True
        raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    with _CtrlC() as ctrl_c:
        try:  # the commands' modules load here: a Ctrl+C now is no traceback either
            parser = build_parser()
        except KeyboardInterrupt:
            print("partita: interrupted", file=sys.stderr)
            return INTERRUPTED
        args = _parse(parser, _dash_values(sys.argv[1:] if argv is None else argv))
        if args.verbose:
            _show_engine_log()
        if not getattr(args, "func", None):
            parser.print_help()
            return USAGE_ERROR
        _printable_stdout()
        return _run(args, ctrl_c)


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """``parser.parse_args(argv)``, but an argument no parser takes is refused with the
    usage of the command it was given to (``partita render SONG --json`` shows render's),
    not the top level's, which argparse shows as it reports them from the top."""
    args, extras = parser.parse_known_args(argv)
    if extras:
        _chosen_parser(parser, args).error(f"unrecognized arguments: {' '.join(extras)}")
    return args


def _chosen_parser(parser: argparse.ArgumentParser,
                   args: argparse.Namespace) -> argparse.ArgumentParser:
    """The deepest (sub)parser ``args`` went through: ``models verify``'s, ``render``'s."""
    for action in parser._actions:  # argparse keeps its sub-commands there only
        if isinstance(action, argparse._SubParsersAction):
            name = getattr(args, action.dest, None) if action.dest != argparse.SUPPRESS else None
            chosen = action.choices.get(name) if isinstance(name, str) else None
            if chosen is not None:
                return _chosen_parser(chosen, args)
    return parser


# Options whose value may start with "-": ``--suffix -harm`` (argparse reads "-harm" as an
# option, and says "expected one argument").
DASH_VALUE_OPTIONS = ("--suffix",)


def _dash_values(argv: Sequence[str]) -> list[str]:
    """``argv`` with ``--suffix -harm`` given as ``--suffix=-harm``, which argparse reads."""
    out: list[str] = []
    rest = iter(argv)
    for arg in rest:
        if arg == "--":  # what follows is positional
            out.append(arg)
            out.extend(rest)
            break
        value = next(rest, None) if arg in DASH_VALUE_OPTIONS else None
        out.append(arg if value is None else f"{arg}={value}")
    return out


def _printable_stdout() -> None:
    """Every line a command prints names files: one whose name is not valid UTF-8
    (Latin-1 bytes from an old zip: surrogate escapes in Python) or text the terminal's
    encoding lacks is printed with "?" there, as ``ls`` shows it, never a traceback
    (QA: "wrote \\udcdcbung.partita" raised under a locale other than C.UTF-8, whose
    stdout is strict; stderr already escapes)."""
    if getattr(sys.stdout, "errors", None) == "strict" and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")


def _show_engine_log() -> None:
    """``--verbose``: the engine's own log on stderr (a library keeps it quiet unless
    asked), once however often ``main`` runs in one process."""
    engine_log = logging.getLogger("engine")
    if not any(getattr(h, "partita_cli", False) for h in engine_log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("partita: log: %(message)s"))
        handler.partita_cli = True  # type: ignore[attr-defined]
        engine_log.addHandler(handler)
    engine_log.setLevel(logging.INFO)


def _run(args: argparse.Namespace, ctrl_c: _CtrlC) -> int:
    try:
        return _run_command(args, ctrl_c)
    finally:
        _say_plugin_notices()


def _say_plugin_notices() -> None:
    """What the plugin probe decided that the user should know: a plugin folder skipped
    because its import once hung (or just timed out, which is what the wait was)."""
    from engine.plugins import probe

    for line in probe.notices():
        print(f"partita: note: {line}", file=sys.stderr)


def _run_command(args: argparse.Namespace, ctrl_c: _CtrlC) -> int:
    try:
        refuse_given_twice(args)  # an option that takes one value, given two (GivenOnce)
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # `partita info x.mid | head`: the reader went away; that is not an error.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt as e:
        if not ctrl_c.pressed:  # raised by code, not by the user: an error, said as one
            # The command names the code it was running (generate: the model).
            who = getattr(e, "raised_by", "") or "the code that was running (a model plugin?)"
            print(f"partita: error: KeyboardInterrupt raised by {who}, not by Ctrl+C",
                  file=sys.stderr)
            return USER_ERROR
        return _interrupted()
    except USER_ERRORS as e:
        if ctrl_c.pressed:  # what the interrupt broke (a write cut short): not the user's
            return _interrupted()
        if not _said_out_of_memory(e, args):  # a model's MemoryError: said as the others
            print(f"partita: error: {error_line(e)}", file=sys.stderr)
        if args.verbose and getattr(e, "detail", ""):  # for developers: the file's own
            # terms, or the traceback of a plugin's exception (its file and line)
            print(f"partita: detail: {e.detail.rstrip()}", file=sys.stderr)
        return USER_ERROR
    except Exception as e:  # a bug: one line and its own exit code, a script can tell it
        # from a user error (a traceback was exit 1 too); the traceback for a report
        if ctrl_c.pressed:  # … unless Ctrl+C caused it (see _CtrlC): 6 of 12 Ctrl+Cs while
            return _interrupted()  # render wrote its WAVs said "internal error: AssertionError"
        if _said_out_of_memory(e, args):  # not a bug either: too much asked at once
            return USER_ERROR
        if args.verbose:
            import traceback

            traceback.print_exc(file=sys.stderr)
        text = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        print(f"partita: internal error: {' '.join(text.split())} (run with --verbose for "
              "the traceback; please report it)", file=sys.stderr)
        return INTERNAL_ERROR


def _said_out_of_memory(e: BaseException, args: argparse.Namespace) -> bool:
    """``e`` ran out of memory (a model's too): said as a user error, with what asks for
    less (``common.out_of_memory_line``)."""
    line = out_of_memory_line(e, args.command, command_file(args))
    if line is not None:
        print(f"partita: error: {line}", file=sys.stderr)
    return line is not None


def _interrupted() -> int:
    print("partita: interrupted", file=sys.stderr)
    return INTERRUPTED


__all__ = ["INTERNAL_ERROR", "INTERRUPTED", "USAGE_ERROR", "USER_ERROR", "CliError",
           "build_parser", "main"]
