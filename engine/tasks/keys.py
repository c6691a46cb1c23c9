"""The key new notes keep when the user names none (``GenerateOptions.key``).

A task's key option defaults to :data:`AUTO`: the key the music around the region is in
(:func:`engine.score.keys.context_key`), resolved before a model runs. The user can always
name a key, or ``None`` for none.

``harmonize`` keeps it too, but for a chorale (``avoid_parallels``): its harmony is what
it writes, and a melody alone does not say which chromatic chords belong to it. Measured
on the 76 JSB valid chorales: 69 sopranos fit a key, and 6.9 % of Bach's alto, tenor and
bass 16ths in those lie outside it (secondary dominants, chromatic passing notes), so a
key would forbid them. A Piano and Bass under a plain G-major tune with no key signature,
left free as well once, put 19-43 % of their notes outside G major (seeds 1-4, flute or
band; the bass 8 of 22 under the flute, seed 1), where chorale-jsb's voices put 0-5 %.

``compose`` has no music around it: it keeps the song's key signature, or else a key
drawn from the seed (:func:`new_piece_key`) — left free, the shipped models wander
through all twelve pitch classes (a QA pass's 8-bar piece had no pitch class above 21 %).

A key the user names is also the one a score should show: it becomes the song's key
signature where none is declared (:func:`named_key_signature`, :func:`new_piece_signature`),
so a MIDI file or MusicXML score written from the result says it.
"""

from __future__ import annotations

import random
from dataclasses import replace

from engine.plugins.api import GenerateOptions
from engine.score import Edit, Mask, Song, TimeMap, set_time_from_bar
from engine.score.keys import (
    changes_within,
    chords_key,
    context_key,
    no_key_reason,
)
from engine.score.lead_sheet import chord_symbol_bars, chords_span_end
from engine.score.spelling import key_name, key_text

AUTO = "auto"  # GenerateOptions.key: the context's key (resolve_key), before a model runs
# The keys a new piece is written in when the user names none: the common ones.
NEW_PIECE_KEYS = ("C", "G", "D", "F", "Bb", "A", "Eb", "Am", "Em", "Dm", "Gm", "Cm")


def new_piece_key(seed: int | None) -> str:
    """A key for a new piece: one of :data:`NEW_PIECE_KEYS`, the same for the same seed
    (any key when ``seed`` is None)."""
    return random.Random(seed).choice(NEW_PIECE_KEYS)


def resolve_key(options: GenerateOptions, song: Song, mask: Mask,
                task: str = "repaint") -> GenerateOptions:
    """``options`` with an :data:`AUTO` key replaced by :func:`context_key` (for
    ``harmonize`` and ``compose``: the module docstring; None where only drum tracks are
    written), and a named key in the one spelling a model reads (``"f# minor"`` →
    ``"F#m"``, :func:`~engine.score.spelling.key_name`)."""
    if options.key is None:
        return options
    if options.key != AUTO:
        return replace(options, key=key_name(options.key))
    pitched = any(not t.is_drum for t in song.tracks if t.id in mask.track_ids)
    if not pitched:  # drums have no key to keep
        return replace(options, key=None)
    if task == "harmonize" and options.avoid_parallels:
        # A chorale's harmony stays free (module docstring). Other accompaniment keeps the
        # key of the music around it, as any task does: a plain G-major tune with no key
        # signature got 19-43 % of its Piano and Bass notes outside G major.
        return replace(options, key=None)
    if task == "compose":  # nothing around it: the key signature, else a new one
        start = mask.span[0]
        return replace(options, key=song.key_at(start) or context_key(song, mask)
                       or new_piece_key(options.seed))
    # Under and past chord symbols the chords say the key better than the notes: a blues
    # head's blue notes read as E-flat major where its changes say F (docs QA).
    return replace(options, key=_lead_sheet_key(options, song, mask)
                   or context_key(song, mask))


def _lead_sheet_key(options: GenerateOptions, song: Song, mask: Mask) -> str | None:
    """Where chords are followed, the song declares no key at ``mask`` and the region
    lies under chord symbols or past the last one's bar (a continuation of a chorded
    blues), the key of the chords around it, before any the notes suggest
    (:func:`~engine.score.keys.chords_key`): past their bar the key alone applies, and
    with none the new bars followed nothing; under them it is the key of the tones
    between the chords' (a blues head read as E♭ major kept a harmonized bass off F's
    leading tone, E, and warned of its 1 E in 143 notes: jazz QA). None otherwise (a
    key change inside the region keeps none, as ever)."""
    if (not options.follow_chords or not song.chords or song.key_at(mask.span[0])
            or changes_within(song, mask)):
        return None
    if (mask.span[1] <= chords_span_end(song)
            and chord_symbol_bars(song, *mask.span) is None):
        return None  # all before the first chord symbol: the notes say the key
    return chords_key(song, mask)


def auto_key_note(task: str, key: str | None, song: Song, mask: Mask,
                  chords: bool = False) -> str | None:
    """What an :data:`AUTO` key settled on, for the user: ``"kept in C major, the key of
    the music around them"``, or why new notes are in no key (``"are in no key: too few
    notes around them to name a key"``) — then the model may write any note, which a user should
    hear from us, not find in the take. A chorale left free says so too, with the key
    its tune is in (a plain G-major tune on a violin was said to be "in no key"; a jazz
    arranger's AABA in C got B♭, A♭, E♭ and D♭ chords, and nothing told of ``--key``).
    With ``chords`` (``GenerateOptions.follow_chords``) where the song's chord symbols
    are in force over the mask, they are what the new notes follow: ``"follow the chord
    symbols in bars 1–12"``, and the key, or none, outside those bars (``", kept in F
    major outside them"``) — "in no key" said of a blues that followed its changes; past
    them, a key read from the chords (:func:`resolve_key`) is named as theirs (``"kept in
    F major, the key of the chord symbols before them"``).
    None where there is nothing to say: drums only, ``compose`` (its own message)."""
    if task == "compose":
        return None
    pitched = any(not t.is_drum for t in song.tracks if t.id in mask.track_ids)
    if key is None and not pitched:
        return None
    followed = chord_symbol_bars(song, *mask.span) if chords and pitched else None
    if followed is not None:
        first, last, whole = followed
        tm = TimeMap.of(song)
        a, b = tm.bar_number(first), tm.bar_number(last)
        said = f"follow the chord symbols in {f'bars {a}–{b}' if b != a else f'bar {a}'}"
        if whole:
            return said
        return f"{said}, {f'kept in {key_text(key)}' if key else 'in no key'} outside them"
    if key is not None:
        heard = ("the chord symbols before them" if chords and _lead_sheet_key(
            GenerateOptions(), song, mask) == key else "the music around them")
        return f"kept in {key_text(key)}, the key of {heard}"
    heard = context_key(song, mask) if task == "harmonize" else None
    if heard is not None:  # a chorale's, left free (resolve_key): the tune's key is said
        return (f"are in {key_text(heard)}, the key of the music around them, but not kept "
                "in its scale: a chorale's chords are its own, chromatic ones too")
    return f"are in no key: {no_key_reason(song, mask)}"


def key_option_hint(task: str, key: str | None, song: Song, mask: Mask,
                    chords: bool = False) -> str | None:
    """How ``--key`` changes what :func:`auto_key_note` said, fitted to what was done
    (the same arguments): None where new notes follow chord symbols over the whole
    region (no key decides them: "--key sets another" was said of a walking bass that
    followed its changes) and where that note says nothing; ``"--key none lifts it"``
    where a key was kept; where none was, the key the music is heard in or declares
    (``"--key G keeps them in G major"``: a chorale harmonized under a G-major signature
    was told "e.g. --key C"), else any common one."""
    if auto_key_note(task, key, song, mask, chords) is None:
        return None
    pitched = any(not t.is_drum for t in song.tracks if t.id in mask.track_ids)
    followed = chord_symbol_bars(song, *mask.span) if chords and pitched else None
    if followed is not None and followed[2]:  # the chords, every bar: no key to set
        return None
    if key is not None:
        return "--key none lifts it"
    heard = context_key(song, mask) if task == "harmonize" else None
    if heard is None and not changes_within(song, mask):
        heard = song.key_at(mask.span[0])
    if heard is not None:
        return f"--key {heard} keeps them in {key_text(heard)}"
    return "--key sets one, e.g. --key C or --key Am"


def new_piece_signature(options: GenerateOptions, song: Song) -> Edit | None:
    """The key signature a new piece takes with its notes: the key ``options`` were
    settled on (:func:`resolve_key`), when ``song`` declares none at its start — written
    by compose, in the CLI and in the studio, as part of the take."""
    if not options.key or options.key == AUTO or song.key_at(0) is not None:
        return None
    return set_time_from_bar(song, 0, key=options.key)


def named_key_signature(named: str | None, options: GenerateOptions, song: Song,
                        mask: Mask) -> Edit | None:
    """The key signature a key the user named (``named``: the request's key before
    :func:`resolve_key`; not :data:`AUTO`, not None) writes with the take: ``options.key``
    where the region starts, when ``song`` declares no key there and the region is where
    a key is declared — it starts on the song's first bar (regenerate, harmonize, a
    repaint from bar 1) or on a bar line and runs to the song's end (continue, a repaint
    of the last bars). A region in the middle only keeps its notes in the key: a
    signature there would declare it for the bars after too, which it did not write.
    Drums alone have no key. ``song`` is the song the model writes into (with the task's
    preparation: continue's added bars)."""
    if named in (None, AUTO) or not options.key or options.key == AUTO:
        return None
    if not any(not t.is_drum for t in song.tracks if t.id in mask.track_ids):
        return None
    start, end = mask.span
    tm = TimeMap.of(song)
    bar = tm.tick_to_bar(start)
    if tm.bar_to_tick(bar) != start or song.key_at(start) is not None:
        return None
    if start > 0 and end < song.end:
        return None
    return set_time_from_bar(song, bar, key=options.key)
