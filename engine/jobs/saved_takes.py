"""The painted mask and the takes still waiting for a decision, as JSON a project keeps.

A take is minutes of the model's work and the user's listening: it must survive a save,
a reopen and a crash like the notes do. The studio stores this beside its view state
(``"studio"`` in a ``.partita`` file and in its autosave)::

    state["mask"] = mask_to_json(mask)
    state["takes"] = takes_to_json(store, request_labels, active)
    ...
    mask = mask_from_json(state["mask"], song)
    restored = takes_from_json(state["takes"], song, revision)

Kept: the regions whose takes nobody accepted yet, with their pending takes in order (a
rejected take keeps only its place, so the others keep their letters). Each take stores
its new notes, its preparatory edits (new tracks, a longer song) and the notes that were
inside its region when it was made, so a take the user has since edited over is still
flagged as a conflict after reopening, and its warnings (:mod:`engine.jobs.take_warnings`)
as they were said when it arrived: stored, not worked out again, since they describe the
model and settings that made it (a take saved before they were kept has none; an
earlier Partita ignores the field). A take that no longer fits the song (a hand-edited
file) is skipped and counted, never fatal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from engine.io.project import (
    NOTATION_KEYS,
    notation_rows,
    note_rows,
    track_from_json,
    track_to_json,
)
from engine.plugins.api import GenerateOptions
from engine.plugins.result import written_mask
from engine.score import (
    ChangeNotes,
    Edit,
    EditError,
    EditGroup,
    InsertTrack,
    KeySignature,
    Mask,
    Note,
    Region,
    SetSongProps,
    Song,
    adopt_ids,
    new_note_id,
    set_song_props,
)
from engine.score.spelling import key_name
from engine.tasks import AUTO

from .take import Take, fit_prep, make_take
from .take_warnings import TakeWarning
from .takes import TakeStatus, TakeStore

VERSION = 1
REJECTED = {"rejected": True}  # a rejected take's place, so later takes keep their letter


@dataclass
class RestoredTakes:
    """What :func:`takes_from_json` rebuilt."""

    store: TakeStore = field(default_factory=TakeStore)
    request_labels: dict[int, str] = field(default_factory=dict)  # take id → "Repaint"
    active: Mask | None = None  # the region whose takes were on screen
    skipped: int = 0  # takes that no longer fit the song
    problems: list[str] = field(default_factory=list)  # why, one line each

    @property
    def count(self) -> int:
        """Takes waiting for a decision (a rejected take's kept place is not one)."""
        return sum(len(s.pending()) for s in self.store.sets.values())


# -- masks -------------------------------------------------------------------------------------


def mask_to_json(mask: Mask) -> list[dict[str, Any]]:
    """``[{"tracks": [ids], "start": tick, "end": tick, "pitch": [lo, hi]}, …]``."""
    return [{"tracks": sorted(r.track_ids), "start": r.start, "end": r.end,
             "pitch": [r.pitch_lo, r.pitch_hi]} for r in mask.regions]


def mask_from_json(data: Any, song: Song | None = None) -> Mask:
    """The stored mask; regions keep only tracks of ``song`` (when given). ``ValueError``
    (saying what) for anything that is not a stored mask."""
    if not isinstance(data, list):
        raise ValueError("a mask is a list of regions")
    known = {t.id for t in song.tracks} if song is not None else None
    regions = []
    for i, r in enumerate(data):
        if not isinstance(r, dict):
            raise ValueError(f"mask region {i} is not an object")
        ids, start, end = r.get("tracks"), r.get("start"), r.get("end")
        pitch = r.get("pitch", [0, 127])
        if not (isinstance(ids, list) and all(_is_int(t) for t in ids)
                and isinstance(pitch, list) and len(pitch) == 2
                and all(_is_int(v) for v in (start, end, *pitch)) and start >= 0):
            raise ValueError(f"mask region {i} is malformed")
        lo, hi = pitch
        tracks = frozenset(ids) & known if known is not None else frozenset(ids)
        regions.append(Region(tracks, start, end, lo, hi))  # raises ValueError when absurd
    return Mask.of(*regions)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and abs(v) < 2**53


# -- takes -------------------------------------------------------------------------------------


def takes_to_json(store: TakeStore, request_labels: Mapping[int, str] | None = None,
                  active: Mask | None = None,
                  cache: dict[int, Any] | None = None) -> dict[str, Any]:
    """The undecided regions of ``store`` and their pending takes; ``request_labels`` names
    each take's request ("Repaint"), ``active`` is the region on screen. ``cache`` (take id
    → its JSON) spares rebuilding a take's JSON on every autosave: takes never change."""
    labels = request_labels or {}
    cache = {} if cache is None else cache
    sets = []
    active_index = None
    for mask, take_set in store.sets.items():
        if take_set.accepted is not None:
            continue  # decided: the accepted notes are in the song
        takes: list[dict[str, Any]] = []
        for t in take_set.takes:
            if take_set.status[t.id] is not TakeStatus.PENDING:
                takes.append(REJECTED)  # a place holder: the letters stay as they were
                continue
            if t.id not in cache:
                cache[t.id] = _take_to_json(t, labels.get(t.id))
            # A take this format cannot hold keeps only its place, like a rejected one.
            takes.append(cache[t.id] if cache[t.id] is not None else REJECTED)
        if all(t is REJECTED for t in takes):
            continue
        ids = [t.id for t in take_set.takes]
        selected = ids.index(take_set.selected) if take_set.selected in ids else None
        if mask == active:
            active_index = len(sets)
        sets.append({"mask": mask_to_json(mask), "selected": selected, "takes": takes,
                     "number": take_set.number})
    return {"version": VERSION, "active": active_index, "sets": sets}


def _take_to_json(take: Take, request_label: str | None) -> dict[str, Any] | None:
    prep = []
    for edit in take.prep:
        if isinstance(edit, InsertTrack):
            prep.append({"add_track": track_to_json(edit.track), "index": edit.index})
        elif isinstance(edit, SetSongProps) and [k for k, _ in edit.after] == ["length"]:
            prep.append({"length": dict(edit.after)["length"], "label": edit.label})
        elif isinstance(edit, SetSongProps) and [k for k, _ in edit.after] == [
                "key_signatures"]:  # the key a compose take was written in
            prep.append({"key_signatures": [[k.tick, k.key] for k in
                                            dict(edit.after)["key_signatures"]],
                         "label": edit.label})
        else:
            return None  # an edit this format does not hold: the take stays in memory only
    before = take.write_mask.notes_inside(take.base_song)
    # The notes' spellings, lyrics and fermatas, beside their rows as a track keeps them.
    notation = {part: rows for part, by_track in (("before", before), ("notes", take.notes))
                if (rows := {str(tid): extra for tid, notes in by_track.items()
                             if (extra := notation_rows(notes))})}
    return {
        "task": take.task,
        "model": take.model,
        "request": request_label,
        "created": take.created,
        "options": _options_to_json(take.options),
        "prep": prep,
        "before": {str(tid): note_rows(notes) for tid, notes in before.items()},
        "notes": {str(tid): note_rows(notes) for tid, notes in take.notes.items()},
        **({"notation": notation} if notation else {}),
        **({"warnings": [_warning_to_json(w) for w in take.warnings]} if take.warnings
           else {}),
    }


def takes_from_json(data: Any, song: Song, revision: int = 0) -> RestoredTakes:
    """Rebuild the stored takes over ``song`` (the song the file holds). Never raises for
    bad data: whatever does not fit is skipped and described in ``problems``."""
    out = RestoredTakes()
    if data is None:
        return out
    if not isinstance(data, dict) or not isinstance(data.get("sets"), list):
        out.problems.append("the saved takes are not in a form Partita knows")
        return out
    for i, s in enumerate(data["sets"]):
        takes = s.get("takes") if isinstance(s, dict) else None
        if not isinstance(takes, list):
            out.problems.append(f"saved region {i + 1} is malformed")
            continue
        made: list[Take | None] = []  # None: a rejected take's place
        for j, t in enumerate(takes):
            if t == REJECTED:  # keeps the letters of the takes after it
                made.append(None)
                continue
            try:
                take, label = _take_from_json(t, s.get("mask"), song, revision)
            except (ValueError, TypeError, KeyError, EditError) as e:
                out.skipped += 1
                out.problems.append(f"take {j + 1} of saved region {i + 1}: {e}")
                continue
            made.append(take)
            if label:
                out.request_labels[take.id] = label
        real = [t for t in made if t is not None]
        if not real:
            continue
        take_set = out.store.for_mask(real[0].mask)
        number = s.get("number")  # absent in older files: their order
        if _is_int(number) and number > 0 and all(
                o.number != number for o in out.store.sets.values() if o is not take_set):
            take_set.number = number
        for take in made:
            if take is None:
                place = take_set.add(_rejected_place(take_set.mask, song, revision))
                take_set.reject(place.id)
            else:
                take_set.add(take)
        selected = s.get("selected")
        if _is_int(selected) and 0 <= selected < len(takes) and len(made) == len(takes):
            chosen = take_set.takes[selected]
            if take_set.status[chosen.id] is TakeStatus.PENDING:
                take_set.select(chosen.id)
        if data.get("active") == i:
            out.active = take_set.mask
    return out


def _rejected_place(mask: Mask, song: Song, revision: int) -> Take:
    """A rejected take's place in its region: no notes, only its letter."""
    return make_take(job_id=0, model="", task="repaint", mask=mask, song=song,
                     revision=revision, result={})


def _take_from_json(d: Any, stored_mask: Any, song: Song,
                    revision: int) -> tuple[Take, str | None]:
    if not isinstance(d, dict):
        raise ValueError("not an object")
    task, model = d.get("task"), d.get("model")
    if not (isinstance(task, str) and isinstance(model, str)):
        raise ValueError("no task or model")
    prep = _prep_from_json(d.get("prep", []), song)
    prepared = EditGroup(prep).apply(song) if prep else song
    mask = mask_from_json(stored_mask, prepared)
    notation = d.get("notation") if isinstance(d.get("notation"), dict) else {}
    notes = _notes_by_track(d.get("notes"), "notes", notation.get("notes"))
    if set(notes) - {t.id for t in prepared.tracks}:  # the user deleted it, then saved
        raise ValueError("it writes a track that was deleted after it was made")
    before = _notes_by_track(d.get("before", {}), "before", notation.get("before"))
    base = _base_song(song, mask, notes, before)
    take = make_take(job_id=0, model=model, task=task, mask=mask, song=base,
                     revision=revision, result=notes, options=_options_from_json(
                         d.get("options")), prep=prep,
                     warnings=_warnings_from_json(d.get("warnings")))
    adopt_ids(take.edit.apply(base))  # ids issued from now on never clash with the take's
    created = d.get("created")
    if isinstance(created, int | float) and not isinstance(created, bool):
        take = replace(take, created=float(created))
    request = d.get("request")
    return take, request if isinstance(request, str) else None


def _base_song(song: Song, mask: Mask, notes: Mapping[int, tuple[Note, ...]],
               before: Mapping[int, tuple[Note, ...]]) -> Song:
    """``song`` with the take's region as it was when the take was made: the conflict
    check compares that region with the current one."""
    region = written_mask(mask, notes)
    inside = region.notes_inside(song)
    edits: list[Edit] = []
    for track in song.tracks:
        if track.id in region.track_ids:
            old = tuple(n for n in before.get(track.id, ()) if region.contains_note(track.id, n))
            now = inside.get(track.id, ())
            if {(n.id, n.key()) for n in old} != {(n.id, n.key()) for n in now}:
                kept = {n.id for n in track.notes} - {n.id for n in now}
                edits.append(ChangeNotes(track.id, now, _fresh(old, kept), "Saved take"))
    return EditGroup(tuple(edits)).apply(song) if edits else song


def _fresh(notes: tuple[Note, ...], taken: set[int]) -> tuple[Note, ...]:
    """Old notes keep their ids unless the track now uses one for another note."""
    return tuple(n if n.id not in taken else replace(n, id=new_note_id())
                 for n in notes)


def _prep_from_json(items: Any, song: Song) -> tuple[Edit, ...]:
    """The stored preparatory edits, bound to ``song`` (a length change holds from the
    length the song has now)."""
    if not isinstance(items, list):
        raise ValueError("prep is not a list")
    prep: list[Edit] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"prep[{i}] is not an object")
        if "add_track" in item and _is_int(item.get("index")):
            track = track_from_json(item["add_track"], f"prep[{i}]")
            # At its place, or after the last track when tracks were removed since.
            (edit,) = fit_prep((InsertTrack(track, item["index"], label=f"Add {track.name}"),),
                               song)
        elif _is_int(item.get("length")) and item["length"] >= 0:
            label = item.get("label") if isinstance(item.get("label"), str) else "Set length"
            edit = set_song_props(song, label, length=item["length"])
        elif isinstance(item.get("key_signatures"), list):
            label = item.get("label") if isinstance(item.get("label"), str) else "Set key"
            keys = tuple(KeySignature(int(tick), str(key))
                         for tick, key in item["key_signatures"])
            if song.key_signatures:
                continue  # a key the user set (the file holds it) wins over the drawn one
            edit = set_song_props(song, label, key_signatures=keys)
        else:
            raise ValueError(f"prep[{i}] is not a known edit")
        song = edit.apply(song)
        prep.append(edit)
    return tuple(prep)


def _notes_by_track(data: Any, what: str, notation: Any = None) -> dict[int, tuple[Note, ...]]:
    """A take's stored notes by track id, with their spellings, lyrics and fermatas from
    ``notation`` (``{track id: {"spellings": …}}``; only notation, so one that is not an
    object is left out, never fatal, as a track's own are)."""
    if not isinstance(data, dict):
        raise ValueError(f"{what} is not an object")
    notation = notation if isinstance(notation, dict) else {}
    out = {}
    for key, rows in data.items():
        try:
            tid = int(key)
        except ValueError:
            raise ValueError(f"{what}: {key!r} is not a track id") from None
        extra = notation.get(key)
        extra = {k: v for k, v in extra.items() if k in NOTATION_KEYS} if isinstance(
            extra, dict) else {}
        out[tid] = track_from_json({"notes": rows, **extra}, f"{what}[{key}]").notes
    return out



def _warning_to_json(warning: TakeWarning) -> dict[str, str]:
    out = {"kind": warning.kind, "message": warning.message}
    if warning.detail:
        out["detail"] = warning.detail
    return out


def _warnings_from_json(data: Any) -> tuple[TakeWarning, ...]:
    """The take's warnings as they were said when it was made (a kind this version does
    not know is kept: its message says it); none in a file from before they were kept,
    and whatever is not a warning is left out (they only describe the take)."""
    if not isinstance(data, list):
        return ()
    return tuple(TakeWarning(w["kind"], w["message"],
                             w["detail"] if isinstance(w.get("detail"), str) else "")
                 for w in data if isinstance(w, dict) and isinstance(w.get("kind"), str)
                 and isinstance(w.get("message"), str))


_OPTION_FIELDS = {f.name for f in fields(GenerateOptions)} - {"extra"}


def _options_to_json(options: GenerateOptions) -> dict[str, Any]:
    out = {name: getattr(options, name) for name in _OPTION_FIELDS}
    if out["pitch_range"] is not None:
        out["pitch_range"] = list(out["pitch_range"])
    # A model's own settings (the drumkit's style), as far as a file holds them.
    extra = {str(k): v for k, v in options.extra.items() if _plain(v)}
    if extra:
        out["extra"] = extra
    return out


def _plain(value: Any) -> bool:
    return isinstance(value, str | bool | int) or (
        isinstance(value, float) and value == value and abs(value) != float("inf"))


def _options_from_json(d: Any) -> GenerateOptions:
    """The take's options as far as they are readable (they only describe the take)."""
    if not isinstance(d, dict):
        return GenerateOptions()
    known = {k: v for k, v in d.items() if k in _OPTION_FIELDS}
    if isinstance(known.get("pitch_range"), list):
        known["pitch_range"] = tuple(known["pitch_range"])
    if isinstance(known.get("key"), str) and known["key"] != AUTO:
        # A key found before keys were spelt as musicians spell them ("Dbm") is said as
        # one is now ("C# minor") in the take's warnings.
        with contextlib.suppress(ValueError):
            known["key"] = key_name(known["key"])
    extra = d.get("extra")
    if isinstance(extra, dict):
        known["extra"] = {str(k): v for k, v in extra.items() if _plain(v)}
    try:
        return GenerateOptions(**known)
    except TypeError:
        return GenerateOptions()


__all__ = ["RestoredTakes", "mask_from_json", "mask_to_json", "takes_from_json",
           "takes_to_json"]
