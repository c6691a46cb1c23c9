"""Autosave and crash recovery, as plain calls (the studio drives them from its own timer).

Each running studio session owns one recovery file, ``<session>.partita`` in the recovery
directory: an ordinary project file (so it opens like any other) plus a ``"recovery"``
object saying which document it belongs to, when, and which process wrote it::

    store = RecoveryStore()                    # default directory, new session id
    for r in store.pending():                  # at start-up: what a crashed session left
        ask_user(r.document, r.saved_at); project = r.load(); store.discard(r)
    store.save(song, document_path, studio)    # on the autosave timer, when dirty
    store.discard()                            # after a clean save or close

The directory is ``$PARTITA_STATE_DIR/recovery`` if that is set, else
``$XDG_STATE_HOME/partita/recovery`` (default ``~/.local/state/partita/recovery``).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.score import Song

from .atomic import atomic_write
from .project import Project, load_project, project_bytes

SUFFIX = ".partita"


def default_recovery_dir() -> Path:
    """Where recovery files live unless a directory is given (see module docstring)."""
    state = os.environ.get("PARTITA_STATE_DIR")
    if state:
        return Path(state).expanduser() / "recovery"
    xdg = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(xdg).expanduser() / "partita" / "recovery"


@dataclass(frozen=True)
class Recovery:
    """A recovery file left by a session: what it is for and when it was written."""

    path: Path
    """The recovery file itself (a loadable ``.partita`` project)."""
    document: Path | None
    """The document being edited, or None for a song never saved."""
    saved_at: datetime
    """When the autosave was written (timezone-aware, UTC)."""
    session: str
    pid: int
    host: str

    def load(self) -> Project:
        """The recovered song and studio state."""
        return load_project(self.path)


class RecoveryStore:
    """Recovery files of one studio session, and a view of those other sessions left."""

    def __init__(self, directory: str | os.PathLike[str] | None = None,
                 session: str | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_recovery_dir()
        self.session = session or f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(4)}"

    @property
    def path(self) -> Path:
        """This session's recovery file."""
        return self.directory / f"{self.session}{SUFFIX}"

    def save(self, song: Song, document: str | os.PathLike[str] | None = None,
             studio: dict[str, Any] | None = None) -> Path:
        """Write this session's recovery file atomically (replacing the previous one)."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        meta = {
            "document": str(Path(document).absolute()) if document is not None else None,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "session": self.session,
            "pid": os.getpid(),
            "host": socket.gethostname(),
        }
        atomic_write(self.path, project_bytes(song, studio, extra={"recovery": meta}))
        return self.path

    def pending(self, include_running: bool = False) -> list[Recovery]:
        """Recovery files other sessions left behind, newest first.

        This session's own file is never listed, nor (unless ``include_running``) those of
        other Partita processes still running on this machine. Unreadable files are
        skipped (they stay on disk).
        """
        found = []
        if not self.directory.is_dir():
            return found
        for path in self.directory.glob(f"*{SUFFIX}"):
            if path == self.path:
                continue
            recovery = _read_meta(path)
            if recovery is None:
                continue
            if not include_running and _is_running(recovery):
                continue
            found.append(recovery)
        return sorted(found, key=lambda r: r.saved_at, reverse=True)

    def discard(self, recovery: Recovery | None = None) -> None:
        """Delete a recovery file: this session's (default) or one from :meth:`pending`."""
        path = self.path if recovery is None else recovery.path
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _read_meta(path: Path) -> Recovery | None:
    try:
        meta = json.loads(path.read_bytes()).get("recovery")
        document = meta["document"]
        saved_at = datetime.fromisoformat(meta["saved_at"])
        return Recovery(
            path=path,
            document=Path(document) if document else None,
            saved_at=saved_at if saved_at.tzinfo else saved_at.replace(tzinfo=UTC),
            session=str(meta["session"]),
            pid=int(meta["pid"]),
            host=str(meta["host"]),
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _is_running(recovery: Recovery) -> bool:
    """Whether the process that wrote ``recovery`` still runs here (best effort)."""
    if recovery.host != socket.gethostname() or os.name == "nt":
        return False  # on Windows os.kill(pid, 0) would terminate the process
    if recovery.pid == os.getpid():
        return False  # an earlier store in this same process: its session is over
    try:
        os.kill(recovery.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return False
    return True
