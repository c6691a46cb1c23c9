"""Seamless loops: a model told that a song's last bar wraps to its first.

A game's 4- or 8-bar loop plays bar 1 again after its last bar, but a model sees a
song that simply ends: a repainted bar 8 cadenced into silence, not into bar 1. With
:attr:`~engine.plugins.api.GenerateOptions.loop` the model is given the song followed by
a copy of its first :data:`SEAM_BARS` bars (every track, chord symbols too), so the
context after the loop's end is its start, as it will be heard; what it writes there is
thrown away, and only the in-song result is kept. Any model gets this for free: it is
done here, around :meth:`~engine.plugins.api.ModelPlugin.generate`.

The seam is the song's last bar line (:func:`~engine.score.bar_end.last_bar_line`, where
``render --end loop`` wraps). A note cannot be held over it: a new note is cut at the
seam (a held note there would have to sound on over bar 1, which the loop's first pass
does not have); what rings on is the renderer's business (``--end loop``). Where the mask
covers bars the copy repeats (regenerating a whole track, repainting bar 1), those copied
bars are masked too: the model writes them afresh with the rest and they are discarded,
so the seam is led into bar 1's other tracks and chords, not into notes about to be
replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from engine.score import ChordSymbol, Mask, Note, Region, Song, TimeMap
from engine.score.bar_end import last_bar_line, song_bars

# Bars of the song's start put after its end: the grid models read 2 bars of context
# each side of a mask (engine.models.grid_plugin.CONTEXT_BARS), so 4 is past what any
# builtin reads, and short enough not to cost much time.
SEAM_BARS = 4
# The tasks a loop is asked of (``--loop``, the studio's Seamless loop): those that write
# into a song that is there. Harmonize fills parts around a melody the loop already
# has, and Compose starts from nothing: no seam to lead over.
LOOP_TASKS = ("regenerate", "continue", "repaint")


def loop_seam(song: Song) -> int:
    """The tick the loop wraps at: the song's last bar line (0: no whole bar)."""
    return last_bar_line(song)


def looped_song(song: Song, mask: Mask, bars: int = SEAM_BARS) -> tuple[Song, Mask]:
    """``song`` with its first ``bars`` bars (at most the whole song) copied after its
    last bar line, and ``mask`` with the copy of what it covers masked too. The song's
    first meter and tempo are put back at the seam when they changed since (the copy is
    bar 1 as it sounds); notes held past the seam are cut there, as the loop cuts them."""
    tm = TimeMap.of(song)
    seam = loop_seam(song)
    n = min(bars, song_bars(song, tm))
    if seam == 0 or n == 0:
        return song, mask
    copy_end = tm.bar_to_tick(n)  # the copy's length in ticks, from tick 0
    tracks = []
    for t in song.tracks:
        kept = [n_ if n_.end <= seam else replace(n_, duration=seam - n_.start)
                for n_ in t.notes if n_.start < seam]
        copied = [Note(n_.pitch, n_.start + seam, min(n_.end, copy_end) - n_.start,
                       n_.velocity)
                  for n_ in t.notes if n_.start < copy_end]
        tracks.append(replace(t, notes=tuple(kept + copied), id=t.id))
    first_sig, first_tempo = song.time_signatures[0], song.tempos[0]
    sigs = [s for s in song.time_signatures if s.tick < seam]
    if sigs[-1].meter != first_sig.meter:
        sigs.append(replace(first_sig, tick=seam))
    tempos = [t for t in song.tempos if t.tick < seam]
    if tempos[-1].us_per_beat != first_tempo.us_per_beat:
        tempos.append(replace(first_tempo, tick=seam))
    chords = [c for c in song.chords if c.tick < seam]
    chords += [ChordSymbol(c.tick + seam, c.text) for c in song.chords if c.tick < copy_end]
    looped = replace(song, tracks=tuple(tracks), time_signatures=tuple(sigs),
                     tempos=tuple(tempos), chords=tuple(chords), length=seam + copy_end,
                     markers=())
    # The mask kept to the loop (a note-off past the seam made the song longer), and
    # what of it the copy repeats.
    inside = [Region(r.track_ids, r.start, min(r.end, seam), r.pitch_lo, r.pitch_hi)
              for r in mask.regions]
    wrapped = [Region(r.track_ids, max(r.start, 0) + seam, min(r.end, copy_end) + seam,
                      r.pitch_lo, r.pitch_hi)
               for r in mask.regions if r.start < copy_end]
    return looped, Mask.of(*inside, *wrapped)


def in_loop(result: object, seam: int) -> object:
    """A model's answer with what it wrote at or after ``seam`` left out and the notes
    held over it cut there; anything but a mapping of notes is passed on as it came, for
    :func:`~engine.plugins.result.checked_result` to refuse, naming the model."""
    if not isinstance(result, Mapping):
        return result
    kept: dict[object, object] = {}
    for tid, notes in result.items():
        try:
            notes = list(notes)
        except TypeError:
            kept[tid] = notes
            continue
        kept[tid] = [n if not isinstance(n, Note) or n.end <= seam
                     else replace(n, duration=seam - n.start)
                     for n in notes if not isinstance(n, Note) or n.start < seam]
    return kept


def generate_looped(generate: Callable[[Song, Mask], object], song: Song,
                    mask: Mask) -> object:
    """``generate(song, mask)`` with the song's start after its end
    (:func:`looped_song`), its answer kept to the song (:func:`in_loop`)."""
    looped, wide = looped_song(song, mask)
    if looped is song:
        return generate(song, mask)
    return in_loop(generate(looped, wide), loop_seam(song))


__all__ = ["LOOP_TASKS", "SEAM_BARS", "generate_looped", "in_loop", "loop_seam", "looped_song"]
