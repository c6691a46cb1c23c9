"""What a render cut or looped at the last bar line says of the notes sounding across it.

``end="bar"`` cuts them there and ``end="loop"`` wraps what rings past onto the start
(:func:`~engine.render.render_files`): a pad held over the end of an 8-bar loop is heard
at the loop's start. Said, with the tracks and how many, so a loop that sounds a chord at
its start is not a surprise (QA: a game composer's loop); the command line prints it as a
note, the studio's *Export finished* message says it.
"""

from __future__ import annotations

from engine.score import Song, TimeMap, counted, held_past, last_bar_line, track_labels


def held_past_note(song: Song, end: str) -> str | None:
    """``"2 notes ring past the loop's end (the end of bar 8) and are wrapped onto its
    start: Pad 1, Bass 1"`` for ``end="loop"``, ``"… past the last bar line (…) and are
    cut there: …"`` for ``"bar"``; None for ``"tail"`` (they ring out) or when no note
    sounds across the song's last bar line (:func:`~engine.score.last_bar_line`)."""
    if end not in ("bar", "loop"):
        return None
    tm = TimeMap.of(song)
    line = last_bar_line(song, tm)
    held = held_past(song, line) if line > 0 else {}
    if not held:
        return None
    labels = track_labels(song)
    which = ", ".join(f"{labels[tid]} ({n})" for tid, n in held.items())  # Pad 1 (1)
    bar = tm.bar_number(tm.tick_to_bar(line - 1))
    n = sum(held.values())
    if end == "loop":
        return (f"{counted(n, 'note', 'ring')} past the loop's end (the end of bar {bar}) "
                f"and {'is' if n == 1 else 'are'} wrapped onto its start: {which}")
    return (f"{counted(n, 'note', 'ring')} past the last bar line (the end of bar {bar}) "
            f"and {'is' if n == 1 else 'are'} cut there: {which}")


__all__ = ["held_past_note"]
