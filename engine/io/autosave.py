"""Autosave and crash recovery, as plain calls (the studio drives them from its own timers).

Each running studio session owns one recovery file, ``<session>.partita`` in the recovery
directory: an ordinary project file (so it opens like any other) plus a ``"recovery"``
object saying which document it belongs to, when, and which process wrote it::

    store = RecoveryStore()                    # default directory, new session id
    for r in store.pending():                  # at start-up: what a crashed session left
        ask_user(r.document, r.saved_at); project = r.load(); store.discard(r)
    store.save(song, document_path, studio)    # after an edit (debounced), when dirty
    store.discard()                            # after a clean save or close
    store.note_running(["Repaint — Lead · bars 5–8 (partita-base)"])  # before a job runs

``note_running`` keeps ``<session>.running.json`` beside the copy: the generations in
flight, written at once and small, before the model starts (a model that ends the process
at its first step beat the copy written on a worker thread). A recovery reads them as
:attr:`Recovery.interrupted`; :meth:`RecoveryStore.interruptions` lists those of ended
sessions that left no copy (nothing was unsaved, but a generation did not finish).

``discard`` never raises for an OS error (a read-only folder): it returns the problem as
one line for the caller to show, or None once the file is gone.

The directory is ``$PARTITA_STATE_DIR/recovery`` if that is set, else
``$XDG_STATE_HOME/partita/recovery`` (default ``~/.local/state/partita/recovery``).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import os
import re
import secrets
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from engine.score import Song

from .atomic import atomic_write, remove_stale_temps_in
from .project import Project, load_project, project_bytes

SUFFIX = ".partita"
DAMAGED_FOLDER = "damaged"  # where a copy that cannot be read is set aside, once told
RUNNING_SUFFIX = ".running.json"  # a session's generations in flight (note_running)


def state_dir() -> Path:
    """Partita's state folder: ``$PARTITA_STATE_DIR``, else ``$XDG_STATE_HOME/partita``
    (``~/.local/state/partita``)."""
    state = os.environ.get("PARTITA_STATE_DIR")
    if state:
        return Path(state).expanduser()
    xdg = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(xdg).expanduser() / "partita"


def default_recovery_dir() -> Path:
    """Where recovery files live unless a directory is given (see module docstring)."""
    return state_dir() / "recovery"


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
    started: str | None = None
    """When the writing process started (:func:`_process_start`); None if unknown."""
    interrupted: tuple[str, ...] = ()
    """The generations that session had in flight when it ended (one line each)."""
    title: str = ""
    """The song's title ("" when it has none), to name a song never saved."""
    tracks: int | None = None
    """How many tracks the song has (None where the file says no song: a record)."""
    notes: int | None = None
    """How many notes the song has, over all its tracks: what tells copies apart."""

    def load(self) -> Project:
        """The recovered song and studio state."""
        return load_project(self.path)


@dataclass(frozen=True)
class DamagedRecovery:
    """A recovery file that cannot be read (a disk error, a copy cut short): never
    offered, never deleted; :meth:`RecoveryStore.damaged` lists it for the user to hear
    of once."""

    path: Path
    """The file itself (after :meth:`RecoveryStore.set_aside`, where it was moved)."""
    document: Path | None
    """The document it was a copy of, where its metadata can still be read; else None."""
    saved_at: datetime
    """When it was written: its metadata's time where readable, else the file's."""


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

    @property
    def running_path(self) -> Path:
        """This session's list of generations in flight (:meth:`note_running`)."""
        return self.directory / f"{self.session}{RUNNING_SUFFIX}"

    def save(self, song: Song, document: str | os.PathLike[str] | None = None,
             studio: dict[str, Any] | None = None) -> Path:
        """Write this session's recovery file atomically (replacing the previous one)."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        meta = {**_document_meta(document), **self._session_meta()}
        atomic_write(self.path, project_bytes(song, studio, extra={"recovery": meta}))
        return self.path

    def note_running(self, requests: Iterable[str]) -> None:
        """Record the generations this session has in flight (one line each), or, with
        none, remove the record. Small and written at once, before a job starts: a model
        that ends the process leaves the line behind for the next start to name. Raises
        OSError like :meth:`save` (the caller decides what a full disk means)."""
        lines = [str(x) for x in requests]
        if not lines:
            with contextlib.suppress(FileNotFoundError):
                self.running_path.unlink()
            return
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = {"recovery": {"document": None, **self._session_meta()}, "requests": lines}
        atomic_write(self.running_path, json.dumps(data, ensure_ascii=False).encode())

    def interruptions(self) -> list[Recovery]:
        """Ended sessions that had generations in flight but left no recovery copy (their
        songs were saved): each a :class:`Recovery` whose ``path`` is the record itself
        (not a project to load) and whose ``interrupted`` names them. Delete each with
        :meth:`discard` once told."""
        found = []
        if not self.directory.is_dir():
            return found
        for path in self.directory.glob(f"*{RUNNING_SUFFIX}"):
            session = path.name.removesuffix(RUNNING_SUFFIX)
            if session == self.session or (self.directory / f"{session}{SUFFIX}").exists():
                continue
            record = _read_meta(path)
            if record is not None and record.interrupted and not _is_running(record):
                found.append(record)
        return sorted(found, key=lambda r: r.saved_at, reverse=True)

    def _session_meta(self) -> dict[str, Any]:
        return {
            "saved_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "session": self.session,
            "pid": os.getpid(),
            "started": _process_start(os.getpid()),
            "host": socket.gethostname(),
        }

    def pending(self, include_running: bool = False) -> list[Recovery]:
        """Recovery files other sessions left behind, newest first.

        This session's own file is never listed, nor (unless ``include_running``) those of
        other Partita processes still running on this machine. Unreadable files are
        skipped (they stay on disk; :meth:`damaged` lists them). Temporary files a
        killed save left in the folder (``.NAME.XXXXXXXX.tmp``, over
        :data:`~engine.io.atomic.STALE_TEMP_SECONDS` old) are removed: their session
        never saves that name again, so nothing else would.
        """
        found = []
        if not self.directory.is_dir():
            return found
        remove_stale_temps_in(self.directory)
        for path in self.directory.glob(f"*{SUFFIX}"):
            if path == self.path:
                continue
            recovery = _read_meta(path)
            if recovery is None:
                continue
            if not include_running and _is_running(recovery):
                continue
            record = _read_meta(path.with_name(f"{recovery.session}{RUNNING_SUFFIX}"))
            if record is not None and record.interrupted:
                recovery = dataclasses.replace(recovery, interrupted=record.interrupted)
            found.append(recovery)
        return sorted(found, key=lambda r: r.saved_at, reverse=True)

    def damaged(self) -> list[DamagedRecovery]:
        """Other sessions' recovery files that :meth:`pending` skips because they cannot
        be read, newest first: for the user to be told of (a copy silently skipped
        was work lost without a word). Never deleted: :meth:`set_aside` moves one out of
        the way once told."""
        found = []
        if not self.directory.is_dir():
            return found
        for path in self.directory.glob(f"*{SUFFIX}"):
            if path != self.path and path.is_file() and _read_meta(path) is None:
                found.append(_salvage(path))
        return sorted(found, key=lambda d: d.saved_at, reverse=True)

    def set_aside(self, damaged: DamagedRecovery) -> DamagedRecovery:
        """Move a damaged copy into the ``damaged`` folder of the recovery directory (so
        it is told of once, and kept for whoever can mend it); where it now is. Raises
        OSError (a read-only folder: it stays where it was)."""
        folder = self.directory / DAMAGED_FOLDER
        folder.mkdir(exist_ok=True, mode=0o700)
        target = folder / damaged.path.name
        os.replace(damaged.path, target)
        return dataclasses.replace(damaged, path=target)

    def discard(self, recovery: Recovery | None = None) -> str | None:
        """Delete a recovery file: this session's (default) or one from :meth:`pending`.

        Never raises for an OS error (a read-only or vanished folder): returns the problem
        as one line naming the file, or None when the file is gone.
        """
        path = self.path if recovery is None else recovery.path
        # An ended session's record of generations in flight goes with its copy (this
        # session's own is note_running's: a clean save does not end the generations).
        files = [path] if recovery is None else [
            path, path.with_name(f"{recovery.session}{RUNNING_SUFFIX}")]
        for file in dict.fromkeys(files):
            try:
                file.unlink()
            except FileNotFoundError:
                pass
            except OSError as e:
                return f"{file}: cannot delete the recovery file: {e.strerror or e}"
        return None

    def discard_all(self, recoveries: Iterable[Recovery]) -> list[str]:
        """Delete each of ``recoveries`` that can be; the problems, one line each."""
        return [p for r in recoveries if (p := self.discard(r)) is not None]


# The document path goes into JSON as text, but an OS path may be any bytes (Linux) or
# hold lone surrogates (Windows), which UTF-8 JSON cannot carry. Such a path is also
# stored exactly as "document_fs": base64 of os.fsencode(path); "document" stays readable.


def _document_meta(document: str | os.PathLike[str] | None) -> dict[str, str | None]:
    if document is None:
        return {"document": None}
    raw = os.fsencode(Path(document).absolute())
    text = raw.decode("utf-8", "replace")
    if os.fsencode(text) == raw:
        return {"document": text}
    return {"document": text, "document_fs": base64.b64encode(raw).decode("ascii")}


def _document_path(meta: dict[str, Any]) -> Path | None:
    if meta.get("document_fs"):
        return Path(os.fsdecode(base64.b64decode(meta["document_fs"], validate=True)))
    return Path(meta["document"]) if meta["document"] else None


def _read_meta(path: Path) -> Recovery | None:
    try:
        data = json.loads(path.read_bytes())
        meta = data.get("recovery")
        saved_at = datetime.fromisoformat(meta["saved_at"])
        started = meta.get("started")
        requests = data.get("requests", [])
        title, tracks, notes = _song_summary(data.get("song"))
        return Recovery(
            path=path,
            document=_document_path(meta),
            saved_at=saved_at if saved_at.tzinfo else saved_at.replace(tzinfo=UTC),
            session=str(meta["session"]),
            pid=int(meta["pid"]),
            host=str(meta["host"]),
            started=str(started) if started is not None else None,
            interrupted=tuple(str(x) for x in requests) if isinstance(requests, list) else (),
            title=title, tracks=tracks, notes=notes,
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # binascii.Error (bad base64) is a ValueError too


def _song_summary(song: Any) -> tuple[str, int | None, int | None]:
    """The title (one line), tracks and notes of a copy's song as its JSON holds them
    (parsed already: no second read): what names an unsaved song in the recovery offer
    and tells copies apart. An odd shape gives none, never an error (the load says why)."""
    if not isinstance(song, dict):
        return "", None, None
    title = " ".join(str(song.get("title") or "").split())
    tracks = song.get("tracks")
    if not isinstance(tracks, list) or not all(isinstance(t, dict) for t in tracks):
        return title, None, None
    notes = [t.get("notes") for t in tracks]
    return title, len(tracks), sum(len(n) for n in notes if isinstance(n, list))


# What a damaged copy's metadata still says: it comes first in the file (project_bytes),
# so a copy cut short or with a bad byte further on usually still names its song.
_META_STRING = r'"{}"\s*:\s*("(?:[^"\\]|\\.)*")'


def _salvage(path: Path) -> DamagedRecovery:
    """What can be read of a recovery file :func:`_read_meta` cannot read."""
    try:
        head = path.read_bytes()[:65536].decode("utf-8", "replace")
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        head, mtime = "", datetime.now(UTC)

    def field(name: str) -> str | None:
        found = re.search(_META_STRING.format(name), head)
        if found is None:
            return None
        with contextlib.suppress(ValueError):
            return str(json.loads(found.group(1)))
        return None

    document = field("document")
    saved_at = mtime
    with contextlib.suppress(ValueError, TypeError):
        stamp = datetime.fromisoformat(field("saved_at") or "")
        saved_at = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return DamagedRecovery(path, Path(document) if document else None, saved_at)


def _process_start(pid: int) -> str | None:
    """An id of process ``pid``'s start that a later process with the same pid cannot
    share: the boot id and the start time in clock ticks since boot (Linux: field 22 of
    ``/proc/<pid>/stat``). None where that cannot be read (other systems)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, UnicodeDecodeError):
        return None
    # Field 2 (the command name, in parentheses) may hold spaces: count after its ")".
    fields = stat.rpartition(")")[2].split()
    return f"{boot}/{fields[19]}" if len(fields) > 19 else None


def _process_started_at(start: str) -> datetime | None:
    """The wall-clock time of a :func:`_process_start` id of this boot (None if unknown)."""
    try:
        ticks = int(start.rpartition("/")[2])
        stat = Path("/proc/stat").read_text()
        boot_time = next(int(line.split()[1]) for line in stat.splitlines()
                         if line.startswith("btime "))
        seconds = boot_time + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, StopIteration, AttributeError):
        return None
    return datetime.fromtimestamp(seconds, UTC)


# An autosave from before start times were stored is the running process's only if that
# process started before the file was written; the margin allows for clock adjustments.
_CLOCK_MARGIN = timedelta(minutes=1)


def _is_running(recovery: Recovery) -> bool:
    """Whether the process that wrote ``recovery`` still runs here (best effort): its pid
    exists and, where start times can be read, that process is the one that wrote it (the
    pid may be another program's after a reboot)."""
    if recovery.host != socket.gethostname() or os.name == "nt":
        return False  # on Windows os.kill(pid, 0) would terminate the process
    if recovery.pid == os.getpid():
        return False  # an earlier store in this same process: its session is over
    try:
        os.kill(recovery.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    except OSError:
        return False
    start = _process_start(recovery.pid)
    if start is None:
        return True  # cannot tell: trust the pid
    if recovery.started is not None:
        return start == recovery.started
    started_at = _process_started_at(start)
    return started_at is None or started_at <= recovery.saved_at + _CLOCK_MARGIN
