"""Checking what a model's ``generate()`` returned before any of it is written.

Both the job queue (:func:`engine.jobs.take.make_take`) and the CLI's tasks
(:mod:`engine.tasks`) pass a model's result through :func:`checked_result`, so a
model is held to the same rules everywhere: a mapping of *masked* track ids to
:class:`~engine.score.Note` s, every note inside the mask. A masked track the model leaves
out of its result is left unchanged (:func:`written_mask`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from engine.score import Mask, Note, Song, TimeMap, new_note_id, plural
from engine.score.overlaps import resolve_overlaps

from .api import Progress
from .errors import PluginError


class ModelFailed(PluginError):
    """A model's ``generate()`` raised or returned something unusable; the message names
    the model (the CLI prints it as one line)."""


class InvalidResult(ModelFailed, ValueError):
    """A model returned something that cannot be written (the message says what)."""


def checked_progress(model: str, report: object) -> Progress:
    """``report`` as the :class:`Progress` a model's ``progress(...)`` call must pass;
    :class:`InvalidResult` saying what the model did wrong otherwise (a draft given as a
    list failed its job with "'list' object has no attribute 'items'")."""
    if not isinstance(report, Progress):
        raise InvalidResult(f"model {model!r} reported progress with "
                            f"{type(report).__name__} {report!r:.40}: pass "
                            "Progress(step, total, message)")
    if report.partial is not None and not isinstance(report.partial, Mapping):
        raise InvalidResult(f"model {model!r} reported a draft (Progress.partial) as "
                            f"{type(report.partial).__name__}: give a mapping of track id → "
                            "notes, like its result, or none")
    return report


MESSAGE_CHARS = 60  # of a Progress message, shown beside the percentage


def progress_message(message: object, limit: int = MESSAGE_CHARS) -> str:
    """What of a model's ``Progress.message`` the user is shown beside the progress
    ("bar 5", "voice leading"): its first line, spaces collapsed, cut to ``limit``
    characters with "…" — a line of progress stays one line. "" for none."""
    lines = str(message or "").strip().splitlines()
    text = " ".join(lines[0].split()) if lines else ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def written_mask(mask: Mask, track_ids: Iterable[int]) -> Mask:
    """The part of ``mask`` a result for ``track_ids`` rewrites: the masked tracks it
    answered for (the others keep their notes)."""
    return mask.subtract_tracks(mask.track_ids - set(track_ids))


def checked_result(
    result: object, *, model: str, song: Song, mask: Mask
) -> dict[int, tuple[Note, ...]]:
    """``result`` as ``{track id: notes sorted by Note.key}``; :class:`InvalidResult` if bad.

    Checks: a mapping whose keys are masked track ids and whose values hold only
    :class:`Note` s inside the mask; a note held past the song's end is cut there, and
    notes of one pitch that overlap are settled as a piano roll would
    (:func:`~engine.score.overlaps.resolve_overlaps`).
    Sequences (a generator too) are read once. Note ids
    that collide with notes the result keeps (or repeat within it) are replaced by fresh
    ones. ``song`` is the song the model was given.
    """
    if not isinstance(result, Mapping):
        raise InvalidResult(f"model {model!r} returned {type(result).__name__}, "
                            "expected a mapping of track id → notes")
    unasked = [t for t in result if t not in mask.track_ids]
    if unasked:
        tid = unasked[0]
        known = any(t.id == tid for t in song.tracks)
        raise InvalidResult(f"model {model!r} wrote {track_label(song, tid)}, which is "
                            + ("not in the mask" if known else "not a track of the song"))
    kept_ids = {n.id for notes in written_mask(mask, result).notes_outside(song).values()
                for n in notes}
    clean = {tid: _track_notes(model, song, tid, notes) for tid, notes in result.items()}
    stray = [(tid, n) for tid, notes in clean.items() for n in notes
             if not mask.contains_note(tid, n)]
    if stray:
        tid, first = min(stray, key=lambda s: s[1].key())
        verb = "falls" if len(stray) == 1 else "fall"
        where = TimeMap.of(song).format_position(first.start)
        raise InvalidResult(f"model {model!r}: {plural(len(stray), 'note')} {verb} outside "
                            f"the mask (first: {track_label(song, tid)} at {where}, "
                            f"pitch {first.pitch})")
    # A note may be held past its region (a tie into the bar after), never past the song's
    # end (or the mask, where a task lengthens the song): a take does not lengthen a song
    # its request did not — not even to its last bar line (a MIDI file ending mid-bar
    # grew by 0.77 s when its last bar was repainted, each DAW clip with it).
    end = max(song.end, mask.span[1])
    clean = {tid: tuple(replace(n, duration=max(1, end - n.start)) if n.end > end else n
                        for n in notes) for tid, notes in clean.items()}
    # One sounding note per pitch, as the built-in models' notes are: a note written twice
    # is one, one struck while another of its pitch sounds cuts that one off there, and
    # the notes that stay are never changed (a new note struck over one is dropped).
    kept = written_mask(mask, clean).notes_outside(song)
    clean = {tid: resolve_overlaps(notes, kept.get(tid, ())) for tid, notes in clean.items()}
    return {tid: _fresh_ids(notes, kept_ids) for tid, notes in clean.items()}


def track_label(song: Song, track_id: object) -> str:
    """A track as the user knows it: ``'Bass' (track 2)``, its name and its number as the
    command line lists tracks (a model's result is keyed by internal ids, which no user
    sees); ``track id 99`` for an id the song has no track of."""
    number = next((i for i, t in enumerate(song.tracks, 1) if t.id == track_id), None)
    if number is None:
        return f"track id {track_id!r}"
    return f"{song.tracks[number - 1].name!r} (track {number})"


def _track_notes(model: str, song: Song, track_id: int, notes: object) -> tuple[Note, ...]:
    try:
        notes = tuple(notes)  # type: ignore[arg-type]
    except TypeError as e:
        raise InvalidResult(f"model {model!r}: the notes of {track_label(song, track_id)} "
                            f"are {type(notes).__name__}, not a sequence") from e
    bad = next((n for n in notes if not isinstance(n, Note)), None)
    if bad is not None:
        raise InvalidResult(f"model {model!r} returned {type(bad).__name__} for "
                            f"{track_label(song, track_id)}, expected Note")
    # A note of velocity 0 is silent and no file keeps it (MIDI: a note-off; a project
    # reads it as 1): a take's notes sound, so they save and reopen as they are. A note of
    # length 0 lasts a tick, so that one written twice is found (resolve_overlaps).
    return tuple(replace(n, velocity=max(n.velocity, 1), duration=max(n.duration, 1))
                 if n.velocity == 0 or n.duration == 0 else n for n in notes)


def _fresh_ids(notes: tuple[Note, ...], taken: set[int]) -> tuple[Note, ...]:
    """``notes`` sorted, each id not in ``taken`` (which grows with the ids used)."""
    fixed = []
    for n in notes:
        if n.id in taken:
            n = replace(n, id=new_note_id())
        taken.add(n.id)
        fixed.append(n)
    return tuple(sorted(fixed, key=Note.key))
