"""Which song wrote each stem in a folder: a small sidecar file beside the stems.

Stem names say a track, not a song: two variations of a loop both write "01 - Lead.wav",
and rendering the second into the first's folder replaced its stems silently (the stale
guard, :func:`~.files.stale_stems`, finds only names this render would *not* write).
``render --stems`` records, per file it wrote, the song (its file, resolved) in
:data:`SIDECAR`; the next render into the folder reads it to refuse replacing another
song's stems, and to find a song's earlier files whatever their names
(``--stem-names``). A file not in it (stems from before, or from elsewhere) is judged by
its name alone, as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from engine.io.atomic import atomic_write

SIDECAR = ".partita-stems.json"


def stem_owners(folder: Path) -> dict[str, str]:
    """``{file name: song}`` from :data:`SIDECAR` in ``folder``, for the files still
    there; empty without one (or a damaged one: names are judged alone, as before)."""
    try:
        data = json.loads((Path(folder) / SIDECAR).read_text(encoding="utf-8"))
        files = data["files"]
        owners = {str(k): str(v) for k, v in files.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    return {name: song for name, song in owners.items()
            if Path(name).name == name and (Path(folder) / name).is_file()}


def record_owner(folder: Path, song: str, names: Iterable[str]) -> None:
    """Write :data:`SIDECAR`: ``song`` wrote ``names`` in ``folder`` (the other files it
    lists, still there, keep their songs)."""
    owners = stem_owners(folder)
    owners.update(dict.fromkeys(names, song))
    text = json.dumps({"files": dict(sorted(owners.items()))}, indent=1, ensure_ascii=False)
    atomic_write(Path(folder) / SIDECAR, (text + "\n").encode())


def other_songs_stems(folder: Path, song: str, names: Iterable[str]) -> list[Path]:
    """The files of ``names`` already in ``folder`` that another song wrote (the sidecar
    says so): what rendering ``song`` there would replace. Sorted."""
    owners = {k.casefold(): v for k, v in stem_owners(folder).items()}
    return sorted(Path(folder) / n for n in names
                  if owners.get(n.casefold(), song) != song)


def recorded_stale(folder: Path, names: Iterable[str], song: str | None = None) -> list[Path]:
    """The files the sidecar lists (``song``'s only, when given) that writing ``names``
    would not replace: an earlier render's stems under any ``--stem-names`` (the name
    pattern of :func:`~.files.stale_stems` knows only "NN - Name.wav"). Sorted."""
    ours = {n.casefold() for n in names}
    return sorted(Path(folder) / f for f, who in stem_owners(folder).items()
                  if f.casefold() not in ours and (song is None or who == song))


__all__ = ["SIDECAR", "other_songs_stems", "record_owner", "recorded_stale", "stem_owners"]
