"""The clefs a part is written in, for the MusicXML export: the one its instrument's
players read (a cello the bass clef, a viola the alto clef, a choir's Tenor the
octave-down treble clef), its notes' register only for an instrument with none of its
own; and the changes an engraver makes for a passage out of that clef's reach — a
cello's high passage in the tenor clef, higher still the treble clef, a viola's in the
treble clef — back where the music comes down again. No music21 here: the export turns
the names into its clefs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from engine.score.instruments import voice_part_of, voice_part_range


@dataclass(frozen=True, slots=True)
class Clef:
    """A clef by the written pitches (MIDI) of its staff: ``bottom`` and ``top`` its
    outer lines, ``below`` and ``above`` the first ledger line past each, ``low`` and
    ``high`` the second — as far as a player reads a passage without counting lines
    (the bass clef: G2–A3, E2 and C4, C2–E4)."""

    name: str
    bottom: int
    top: int
    below: int
    above: int
    low: int
    high: int

    @property
    def middle(self) -> int:
        return (self.bottom + self.top) // 2


CLEFS: dict[str, Clef] = {c.name: c for c in (
    Clef("treble", 64, 77, 60, 81, 57, 84),  # E4–F5; C4, A5; A3–C6
    Clef("bass", 43, 57, 40, 60, 36, 64),  # G2–A3; E2, C4; C2–E4
    Clef("alto", 53, 67, 50, 71, 47, 74),  # F3–G4; D3, B4; B2–D5
    Clef("tenor", 50, 64, 47, 67, 43, 71),  # D3–E4; B2, G4; G2–B4
    # The octave clefs show each note an octave above where it sounds (a guitar's E2 on
    # the treble clef's E3), so their staves lie an octave under the plain ones.
    Clef("treble8vb", 52, 65, 48, 69, 45, 72),
    Clef("bass8vb", 31, 45, 28, 48, 24, 52),
)}

VIOLA = 41  # General MIDI programs, 0-based
GUITARS = range(24, 32)
BASS_GUITARS = range(32, 38)  # acoustic, fingered, picked, fretless, slap: not synth basses
CONTRABASS = 43
# The instruments read in the bass clef: cello, contrabass, timpani, trombone, tuba,
# bassoon, the bass guitars.
BASS_CLEF_PROGRAMS = frozenset({42, CONTRABASS, 47, 57, 58, 70, *BASS_GUITARS})
# The instruments read in the treble clef whatever their part's register (a violin's
# low G string, a clarinet's chalumeau): glockenspiel, xylophone, violin, trumpets, horn
# (written in F; a low passage changes to the bass clef: :data:`CLEF_CHANGES`),
# saxophones (written), oboe, English horn, clarinet, piccolo, flute, recorder, fiddle.
# (Not the folk pipes and whistles, whose sounds a MIDI file may give a bass line.)
TREBLE_CLEF_PROGRAMS = frozenset({9, 13, 40, 56, 59, 60, *range(64, 70), 71, 72, 73, 74,
                                  110})
HORN = 60
# The clefs a part moves to, in order of preference, for a passage its own clef reaches
# only with ledger lines on ledger lines: a cello or a contrabass (written an octave up)
# the tenor clef, then the treble clef; a bassoon and a trombone the tenor clef; a viola
# the treble clef; a horn the bass clef (a horn in F's low part, written D3-F4, was all
# in the bass clef, as its register chose: a horn player reads the treble clef). A tuba,
# timpani, a bass guitar and the other treble instruments keep theirs.
CLEF_CHANGES: dict[int, tuple[str, ...]] = {
    42: ("tenor", "treble"), CONTRABASS: ("tenor", "treble"), 70: ("tenor",),
    57: ("tenor",), VIOLA: ("treble",), HORN: ("bass",)}
# A voice part's clef, as hymnals and choral scores print it.
VOICE_CLEFS = {"soprano": "treble", "alto": "treble", "tenor": "treble8vb", "bass": "bass"}
MIN_CHANGED_NOTES = 3  # a passage, not a stray note or two


def part_clefs(program: int, name: str, shift: int,
               pitches: Sequence[int]) -> tuple[str, tuple[str, ...]]:
    """The clef a part is written in, and those it may change to for a passage
    (:data:`CLEF_CHANGES`): its instrument's, else its voice part's (a choir's Tenor,
    which keeps it), else its register's (the treble or the bass clef), which changes
    between the two. ``shift``: semitones from sounding to
    written (a tenor sax +14); ``pitches``: its notes, written. A guitar, a bass guitar
    and a contrabass are written an octave above where they sound: one whose part is
    already (an octave ``shift``: a contrabass's usual one) reads the plain clef, one at
    concert pitch the octave clef, so that its notes stand where a player reads them
    (and keeps it)."""
    octave_up = abs(shift) >= 12
    if program == VIOLA:
        return "alto", CLEF_CHANGES[VIOLA]
    if program in BASS_CLEF_PROGRAMS:
        if (program == CONTRABASS or program in BASS_GUITARS) and not octave_up:
            return "bass8vb", ()
        return "bass", CLEF_CHANGES.get(program, ())
    if program in GUITARS:
        return ("treble" if octave_up else "treble8vb"), ()
    if program in TREBLE_CLEF_PROGRAMS:
        return "treble", CLEF_CHANGES.get(program, ())
    if shift == 0 and voice_part_range(name, program) is not None:
        # A choir's part reads its voice's clef in every hymn, not the one where its
        # notes lie: a choir director's exports gave 14 of 24 tenors the treble clef
        # (their median at C4-E4), which a tenor sings an octave low, and a Bass lying
        # G#3-E4 the treble clef too.
        return VOICE_CLEFS[voice_part_of(name) or "soprano"], ()
    # The register's: the clef that reads more of the notes within two ledger lines (a
    # synth pad's chords from F3 to F4, their median middle C, the bass clef: the
    # treble clef would write every F3 on three ledger lines); as many, the treble clef
    # unless most of them lie below middle C.
    ordered = sorted(pitches)
    treble, bass = CLEFS["treble"], CLEFS["bass"]
    by_treble = sum(treble.low <= p <= treble.high for p in ordered)
    by_bass = sum(bass.low <= p <= bass.high for p in ordered)
    if by_treble > by_bass or (by_treble == by_bass and (
            not ordered or ordered[len(ordered) // 2] >= 60)):
        return "treble", ("bass",)
    if voice_part_of(name) == "tenor" and ordered[0] >= 45:
        return ("treble8vb" if abs(shift) < 12 else "treble"), ()
    return "bass", ("treble",)


@dataclass(slots=True)
class _Onset:
    """The notes of a part that start at one time: when, till when, lowest and highest."""

    start: Fraction
    end: Fraction
    low: int
    high: int


def clef_plan(home: str, changes: Sequence[str],
              notes: Iterable[tuple[Fraction, Fraction, Sequence[int]]],
              bar_length: Callable[[Fraction], Fraction]) -> list[tuple[Fraction, str]]:
    """Where a part's clef is set: ``[(offset, clef name)]``, the first at 0. ``notes``:
    ``(start, length, written pitches)`` in quarter notes; ``bar_length(offset)``: the
    length of a bar there (its meter's). A passage out of ``home``'s reach — at least
    :data:`MIN_CHANGED_NOTES` notes past its two ledger lines, less than a bar apart,
    from the first one's start to the last one's end a bar or longer — is written in the
    first of ``changes`` that reads all of it (the notes between too), with the notes
    just before and after it that stand past ``home``'s first ledger line on its side
    (a cello's climb from D4); the part goes back to ``home`` at the next note ``home``
    reads. A part that opens with such a passage starts in its clef.
    """
    onsets = _onsets(notes)
    plan = [(Fraction(0), home)]
    base = CLEFS[home]
    passages = _passages(onsets, base, [CLEFS[c] for c in changes], bar_length)
    previous = -1
    for p, (first, last, clef) in enumerate(passages):
        following = passages[p + 1][0] if p + 1 < len(passages) else len(onsets)
        up = clef.middle > base.middle

        def beyond(o: _Onset, up: bool = up) -> bool:  # past the first ledger line
            return o.low > base.above if up else o.high < base.below

        while first - 1 > previous and beyond(onsets[first - 1]) \
                and _reads(clef, onsets[first - 1]):
            first -= 1
        while last + 1 < following and beyond(onsets[last + 1]) \
                and _reads(clef, onsets[last + 1]):
            last += 1
        passages[p] = (first, last, clef)
        # The part goes back at the next note its clef reads: notes neither reads (a
        # chord from F3 to F4) stay in the passage's clef, and a part whose notes
        # before it are such opens in it.
        back = next((k for k in range(last + 1, following) if _reads(base, onsets[k])), None)
        opening = previous < 0 and not any(_reads(base, o) for o in onsets[:first])
        _set(plan, Fraction(0) if opening else onsets[first].start, clef.name)
        if back is not None:
            _set(plan, onsets[back].start, home)
        previous = last
    return plan


def _set(plan: list[tuple[Fraction, str]], at: Fraction, name: str) -> None:
    """Set the clef at ``at`` (after every one set so far), unless it is in force."""
    if plan[-1][1] == name:
        return
    if plan[-1][0] == at:
        plan.pop()
        if plan and plan[-1][1] == name:
            return
    plan.append((at, name))


def _onsets(notes: Iterable[tuple[Fraction, Fraction, Sequence[int]]]) -> list[_Onset]:
    by_start: dict[Fraction, _Onset] = {}
    for start, length, pitches in notes:
        if not pitches:
            continue
        o = by_start.get(start)
        if o is None:
            by_start[start] = _Onset(start, start + length, min(pitches), max(pitches))
        else:
            o.end, o.low, o.high = (max(o.end, start + length), min(o.low, *pitches),
                                    max(o.high, *pitches))
    return [by_start[s] for s in sorted(by_start)]


def _reads(clef: Clef, o: _Onset) -> bool:
    """Whether ``clef`` reads these notes within two ledger lines."""
    return clef.low <= o.low and o.high <= clef.high


def _passages(onsets: Sequence[_Onset], base: Clef, changes: Sequence[Clef],
              bar_length: Callable[[Fraction], Fraction]) -> list[tuple[int, int, Clef]]:
    """The passages out of ``base``'s reach long enough to change clef for:
    ``(first onset, last onset, clef)``, in order."""
    out: list[tuple[int, int, Clef]] = []
    i = 0
    while i < len(onsets):
        fitting = [] if _reads(base, onsets[i]) else [
            c for c in changes if _reads(c, onsets[i])]
        if not fitting:  # read in the clef, or in no other better
            i += 1
            continue
        first = last = i
        count = 1
        for k in range(i + 1, len(onsets)):
            if _reads(base, onsets[k]):
                continue
            if onsets[k].start - onsets[last].end >= bar_length(onsets[last].end):
                break  # a bar or more back in the clef: the passage ended
            # The notes between, read in the clef, are read in the passage's too.
            fitting_here = [c for c in fitting
                            if all(_reads(c, o) for o in onsets[last + 1:k + 1])]
            if not fitting_here:
                break
            fitting, last, count = fitting_here, k, count + 1
        if count >= MIN_CHANGED_NOTES and (
                onsets[last].end - onsets[first].start >= bar_length(onsets[first].start)):
            out.append((first, last, fitting[0]))
        i = last + 1
    return out
