"""The studio's log file: what went wrong in a session started from a desktop launcher,
which has no terminal to print on.

:func:`start_log` (called as the interactive studio starts; not for a screenshot, which
leaves the user's files alone) sends warnings and errors, and the engine's and studio's
own notes, to ``partita.log`` in Partita's state folder (``$PARTITA_STATE_DIR``, else
``$XDG_STATE_HOME/partita``: ``~/.local/state/partita/partita.log``), kept to
:data:`LOG_BYTES` with :data:`LOG_BACKUPS` older files (``partita.log.1`` …). An
uncaught exception — one in a Qt slot included, which PySide hands to
:data:`sys.excepthook` — is logged with its traceback, then handled as before (printed
on stderr). A folder that cannot be written leaves the studio without a log, never
without a start.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from engine.io.autosave import state_dir

LOG_NAME = "partita.log"
LOG_BYTES = 1_000_000
LOG_BACKUPS = 3
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger("studio")


def log_path() -> Path:
    """Where the studio's log is written."""
    return state_dir() / LOG_NAME


def start_log(path: Path | None = None) -> Path | None:
    """Log to ``path`` (default :func:`log_path`) and log uncaught exceptions; the log's
    path, or None where it cannot be written (start-up goes on without one). Starting
    again replaces the previous log file, not adds a second."""
    path = log_path() if path is None else path
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = RotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS,
                                      encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.partita_log = True  # type: ignore[attr-defined]
    stop_log()
    logging.getLogger().addHandler(handler)  # other libraries: their warnings and errors
    for name in ("engine", "studio"):  # ours: what they note too
        logging.getLogger(name).setLevel(logging.INFO)
    _install_hooks()
    from engine import __version__

    log.info("Partita %s studio started (Python %s)", __version__, sys.version.split()[0])
    return path


def stop_log() -> None:
    """Close the log file :func:`start_log` opened, if any (the hooks stay: with no file
    they only pass exceptions on)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "partita_log", False)]:
        root.removeHandler(handler)
        handler.close()


def _install_hooks() -> None:
    if getattr(sys.excepthook, "partita_log", False):
        return
    before = sys.excepthook
    thread_before = threading.excepthook

    def excepthook(kind: type[BaseException], error: BaseException,
                   tb: TracebackType | None) -> None:
        if not issubclass(kind, KeyboardInterrupt):
            with contextlib.suppress(Exception):  # the usual handling runs whatever happens
                log.critical("Uncaught exception", exc_info=(kind, error, tb))
        before(kind, error, tb)

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is not SystemExit and args.exc_value is not None:
            with contextlib.suppress(Exception):
                log.critical("Uncaught exception in thread %s",
                             args.thread.name if args.thread else "?",
                             exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
        thread_before(args)

    excepthook.partita_log = True  # type: ignore[attr-defined]
    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
