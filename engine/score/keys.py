"""Which key the music around a region is in: the key new notes keep by default.

A small model drifts out of key where a musician would not (a QA pass measured 21–40 % of
new notes outside D minor in a song with none). So the notes around a region name its key:
the key signature in force there, if the notes fit its scale, else the major or minor key
they fit best, if they fit one clearly (:func:`context_key`) and it is a key they sound
in. Music that fits no key (atonal, modulating, chromatic) names none.
:mod:`engine.tasks.keys` decides when a task uses it.

A scale that holds the notes is not enough: a minor scale here (natural minor and the
leading tone, 8 pitch classes) held a C blues's C E♭ E F G A B♭ as G minor, and a game
composer's regenerated bass lost every E and played D 116 times. So the key must also
have one of the :data:`PROFILE_TOP` key signatures the notes, weighted by duration,
correlate best with on the Krumhansl–Kessler key profiles (:func:`profile_keys`; the
signature, as a scale constraint keeps a key and its relative minor alike). On 745
8-bar windows of music21's corpus (benchmarks/bench_keys.py) that took wrong signatures
from 148 to 124 and right ones from 424 to 426; the rest name none.

A key and its relative minor hold the same notes but the minor's leading tone, so where
both fit, the scale cannot say which (the major won every tie: an E-minor tune with no
D♯ was "kept in G major"). The tonic the music rests on does, as a musician hears it
(:func:`minor_lean`): the last chord's bass, phrase ends, the longest notes, the leading
tone (benchmarks/bench_keys.py --modes: JSB train chorales read whole, right key 69 →
120 of 132).

A new sketch has few notes (a QA pass's C4 E4 G4 C5 | E4 A4 B4, repainted, got C#, A#
and G# in half its new notes: fewer than :data:`MIN_NOTES` named no key). Such a tune
still has one for a musician, who hears it as :func:`tune_key` does: of the keys whose
scale holds every note, the one whose tonic chord the tune leans on — its first note, its
last (when it closes after the region), its downbeats — then the one whose notes dwell on
that chord, major before its relative minor, and the plainer key signature last (the
notes are written alike in every candidate: a musician writes none of the accidentals no
note needs). Fewer than :data:`FEW_NOTES` notes, or under :data:`FEW_CLASSES` pitch
classes (C and G alone are C major or minor alike), name none.
"""

from __future__ import annotations

from .chord_symbols import parse_chord_symbol
from .lead_sheet import chords_span_end
from .region import Mask
from .song import Note, Song
from .spelling import MAJOR_KEYS, key_on, key_text, scale_pitch_classes, tonic_of
from .timing import TimeMap

CONTEXT_BARS = 8  # bars each side of the region whose notes say what the key is
MIN_NOTES = 16  # fewer context notes than this say nothing reliable about a key
MIN_FIT = 0.95  # share of context notes a key's scale must hold
# Share of the context's sounding time a *declared* key's scale must hold: a signature is
# the composer's word, and passing notes are short (an orchestral QA's D-major mock-up,
# 93 % of its notes and 95 % of their time in D, lost its key to them, and the leading
# tone of B minor's wider scale then won: A♯ over A-major chords).
DECLARED_FIT = 0.9
FEW_NOTES = 5  # below MIN_NOTES, the fewest context notes tune_key reads a key from
FEW_CLASSES = 3  # ... and the fewest pitch classes (two do not tell major from minor)
TONICS = MAJOR_KEYS  # chord roots, spelt as the major keys on them are
# The 24 keys a key is found among, as musicians spell them (C♯ minor, not D♭ minor: the
# name said and the signature written), C, Cm, D♭, C♯m, …: on a tie the first wins.
KEYS = tuple(key_on(tonic, minor) for tonic in range(12) for minor in (False, True))
# Krumhansl–Kessler key profiles (probe-tone ratings, tonic first): how much each pitch
# class says "this key" to a listener.
KK_MAJOR = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
KK_MINOR = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)
PROFILE_TOP = 2  # a key the scale fits must have one of the notes' best so many signatures
# A major key within this share of its relative minor's fit (which holds every note of
# it and the leading tone) is a near tie the tonic breaks (context_key): a G-major
# chorale's V of vi put 5-10 % of its notes on D♯.
RELATIVE_FIT = 0.85
# How much each cue says "this tonic" where a key and its relative minor both fit the
# notes (minor_lean; weights tuned on benchmarks/bench_keys.py --modes).
LEAN_WEIGHTS = {"close": 2.5, "chord": 1.0, "phrases": 1.5, "longest": 1.0,
                "opening": 1.0, "leading": 1.5, "profile": 1.0}
PHRASE_END_LENGTH = 2  # notes held this many times the median length end a phrase
LONGEST_SHARE = 10  # the longest tenth of the notes are "the longest notes"
LEADING_TONE_SHARE = 0.03  # this share of the sounding time on the minor's raised 7th: 1
PROFILE_SPAN = 0.2  # a correlation this much better for one of the two: 1
# A switch for benchmarks/bench_keys.py --modes: False reads the tie as before (the key
# the scale fits best, the major on a tie).
BREAK_MODE_TIES = True


def key_changes(song: Song) -> list[tuple[int, str, str]]:
    """``(tick, before, after)`` where the declared key signature changes (a signature
    restating the key in force is no change)."""
    out, current = [], None
    for k in sorted(song.key_signatures, key=lambda k: k.tick):
        if current is not None and k.key != current and k.tick > 0:
            out.append((k.tick, current, k.key))
        current = k.key
    return out


def changes_within(song: Song, mask: Mask) -> list[tuple[int, str, str]]:
    """The declared key changes strictly inside ``mask``'s span: the region is then in
    more than one key, and new notes keep none (one key for all would write the music
    after a modulation in the key before it)."""
    start, end = mask.span
    return [c for c in key_changes(song) if start < c[0] < end]


def context_notes(song: Song, mask: Mask, bars: int = CONTEXT_BARS) -> list[Note]:
    """The pitched notes near ``mask`` that it leaves as they are, track by track: within
    ``bars`` bars each side, and within the declared key's section around it (a repaint
    just after a modulation reads the new key's music, not the old one's as well)."""
    lo, hi = TimeMap.of(song).bars_around(*mask.span, bars)
    start, end = mask.span
    for tick, _, _ in key_changes(song):
        if tick <= start:
            lo = max(lo, tick)
        elif tick >= end:
            hi = min(hi, tick)
    out = []
    for t in song.tracks:
        if t.is_drum:
            continue
        window = t.onset_range(lo, hi)  # not a scan: a long song has thousands of notes
        out += [n for n in t.notes[window.start:window.stop]
                if not mask.contains_note(t.id, n)]
    return out


def context_pitch_classes(song: Song, mask: Mask, bars: int = CONTEXT_BARS) -> list[int]:
    """Pitch classes of the pitched notes near ``mask`` that it leaves as they are."""
    return [n.pitch % 12 for n in context_notes(song, mask, bars)]


def key_fit(key: str, pitch_classes: list[int]) -> float:
    """Share of ``pitch_classes`` in ``key``'s scale (0 for no notes)."""
    if not pitch_classes:
        return 0.0
    scale = scale_pitch_classes(key)
    return sum(pc in scale for pc in pitch_classes) / len(pitch_classes)


def profile_keys(notes: list[Note]) -> list[str]:
    """:data:`KEYS`, the one ``notes`` sound most in first: by how well their pitch
    classes, weighted by duration, correlate with the key's Krumhansl–Kessler profile."""
    weights = [0.0] * 12
    for n in notes:
        weights[n.pitch % 12] += n.duration
    return sorted(KEYS, key=lambda k: -_correlation(weights, k))


def _correlation(weights: list[float], key: str) -> float:
    tonic, minor = tonic_of(key)
    profile = KK_MINOR if minor else KK_MAJOR
    ys = [profile[(pc - tonic) % 12] for pc in range(12)]
    mx, my = sum(weights) / 12, sum(ys) / 12
    sxy = sum((x - mx) * (y - my) for x, y in zip(weights, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in weights)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / (sxx * syy) ** 0.5 if sxx else 0.0


def signature_of(key: str) -> int:
    """The tonic of ``key``'s relative major: C and A minor share a signature, 0."""
    tonic, minor = tonic_of(key)
    return (tonic + 3) % 12 if minor else tonic


def context_key(song: Song, mask: Mask) -> str | None:
    """The key the music around ``mask`` is clearly in, or None (module docstring; None
    too where the song's key signature changes inside the region)."""
    if changes_within(song, mask):
        return None
    notes = context_notes(song, mask)
    pcs = [n.pitch % 12 for n in notes]
    if not pcs:  # nothing to go by but the key signature
        return song.key_at(mask.span[0])
    declared = declared_key(song, mask, notes)
    if len(pcs) < MIN_NOTES:
        # Too few notes to find a key by counting, but enough to contradict the one the
        # song declares (a repaint of a sparse lead in F wrote E♭, G♭, A♭ and D♭), and
        # a tune's few notes still name the key a musician hears (module docstring).
        return declared or tune_key(song, mask, notes)
    if declared is not None:
        return declared
    # A scale that holds the notes is not enough: a minor scale here (its relative
    # major's plus the leading tone) holds a C blues's C E♭ E F G A B♭ as G minor, for
    # one. The key must also be one the notes sound in: its signature one of the first
    # PROFILE_TOP signatures among the keys the notes correlate best with
    # (profile_keys), else the music is in no one key (benchmarks/bench_keys.py).
    heard = list(dict.fromkeys(signature_of(k) for k in profile_keys(notes)))[:PROFILE_TOP]
    fitting = [k for k in KEYS if key_fit(k, pcs) >= MIN_FIT and signature_of(k) in heard]
    # On a tie the major, the tighter scale, wins ...
    best = max(fitting, key=lambda k: (key_fit(k, pcs), not k.endswith("m")), default=None)
    if best is None or not BREAK_MODE_TIES:
        return best
    # ... unless it and its relative both fit: the same notes but the minor's leading tone,
    # a near tie a scale cannot break (an E-minor tune with no D♯ was G major; a G-major
    # chorale's D♯s, V of vi, made it E minor). The tune's tonic says which (minor_lean).
    major = relative_key(best) if best.endswith("m") else best
    minor = relative_key(major)
    if minor not in fitting or key_fit(major, pcs) < RELATIVE_FIT:
        return best
    lean = minor_lean(song, mask, notes, major)
    return best if lean == 0 else minor if lean > 0 else major


def relative_key(key: str) -> str:
    """The key sharing ``key``'s signature in the other mode: ``"G"`` → ``"Em"``."""
    tonic, minor = tonic_of(key)
    return key_on(tonic + 3 if minor else tonic + 9, not minor)


def minor_lean(song: Song, mask: Mask, notes: list[Note], major: str) -> float:
    """How much more ``notes`` (around ``mask``) lean on the tonic of ``major``'s relative
    minor than on ``major``'s own: > 0 for the minor, < 0 for the major, 0 for neither.

    A musician hears the tonic where the music rests (:data:`LEAN_WEIGHTS`): the close —
    the bass of the context's last chord (the song's close, or where a tune being
    continued stopped: most often its tonic too), and that chord itself (E and B, or G
    and D) —, the bass where a phrase ends (its notes held, or a rest after them), the
    longest notes, the first bass note when the song opens before the region; the raised
    leading tone (D♯ in E minor) says minor; the Krumhansl–Kessler correlation weighs
    the rest."""
    lo = TimeMap.of(song).bars_around(*mask.span, CONTEXT_BARS)[0]
    major_tonic = tonic_of(major)[0]
    minor_tonic = (major_tonic + 9) % 12

    def side(pc: int) -> int:  # +1 on the minor's tonic, -1 on the major's
        return (pc % 12 == minor_tonic) - (pc % 12 == major_tonic)

    onsets: dict[int, list[Note]] = {}
    for n in notes:
        onsets.setdefault(n.start, []).append(n)
    starts = sorted(onsets)
    if not starts:
        return 0.0
    lengths = sorted(n.duration for n in notes)
    median = lengths[len(lengths) // 2]
    sounding_until = 0  # where the notes struck so far stop: a rest follows when before the next
    ends = []
    for i, start in enumerate(starts[:-1]):
        sounding_until = max(sounding_until, *(n.end for n in onsets[start]))
        if sounding_until < starts[i + 1] or min(
                n.duration for n in onsets[start]) >= PHRASE_END_LENGTH * median:
            ends.append(start)
    last = starts[-1]
    final = {n.pitch % 12 for n in notes if n.start <= last < n.end}

    def bass(tick: int) -> int:  # the lowest note sounding there, struck there or held
        return min(n.pitch for n in notes if n.start <= tick < n.end)

    longest = sorted(notes, key=lambda n: -n.duration)[:max(1, len(notes) // LONGEST_SHARE)]
    weights = [0.0] * 12
    for n in notes:
        weights[n.pitch % 12] += n.duration
    lead = weights[(minor_tonic - 1) % 12] / sum(weights)
    w = LEAN_WEIGHTS
    cues = {
        "close": side(bass(last)),
        "chord": (({minor_tonic, (minor_tonic + 7) % 12} <= final)
                  - ({major_tonic, (major_tonic + 7) % 12} <= final)),
        "phrases": sum(side(bass(s)) for s in ends) / len(ends)
        if ends else 0.0,
        "longest": sum(side(n.pitch) for n in longest) / len(longest),
        "opening": side(bass(starts[0]))
        if lo == 0 and starts[0] < mask.span[0] else 0,
        "leading": min(1.0, lead / LEADING_TONE_SHARE),
        "profile": max(-1.0, min(1.0, (_correlation(weights, relative_key(major))
                                       - _correlation(weights, major)) / PROFILE_SPAN)),
    }
    return sum(w[cue] * value for cue, value in cues.items())


def chords_key(song: Song, mask: Mask) -> str | None:
    """The key the song's chord symbols in force within :data:`CONTEXT_BARS` bars around
    ``mask`` sound in, or None where none is: the first of :func:`profile_keys` over
    their tones, each chord's as long as it lasts there (N.C. none). Where the notes name
    no key, a lead sheet still does (a blues's blue notes fit no one scale, its F7 Bb7
    C7 say F): the key a continuation past the last chord's bar keeps, so it does not
    follow nothing (:func:`engine.tasks.keys.resolve_key`). Tones without the bass: the
    last 8 bars of an F blues read F (B♭ with each root counted again, as a bass plays
    it), of rhythm changes B♭, of a C minor blues Cm, of C–G–Am–F C."""
    lo, hi = TimeMap.of(song).bars_around(*mask.span, CONTEXT_BARS)
    read = [(c.tick, parse_chord_symbol(c.text)) for c in song.chords]
    read = [(tick, c) for tick, c in read if c is not None]  # "Intro" keeps the chord
    ends = [tick for tick, _ in read[1:]] + [chords_span_end(song)]
    notes = []
    roots: list[int] = []  # the window's chords' roots, in order
    for (tick, chord), end in zip(read, ends, strict=True):
        a, b = max(tick, lo), min(end, hi)
        if a < b and not chord.no_chord:
            notes += [Note(60 + pc, a, b - a, 64) for pc in chord.tones]
            if chord.root is not None:
                roots.append(chord.root)
    if not notes:
        return None
    top = profile_keys(notes)[0]
    # The profiles alone read an I-V chart as V's key (C | G | C | G read G major, G | D7
    # D major: the dominant's root sounds in both chords; smoke QA). Where the key read
    # lies a 5th above the chord the window closes on (else the song's first chord), the
    # key on that chord is it where its scale holds every chord there (a blues's F7 | Bb7
    # closing on IV stays in F: B-flat's scale has no A-flat for Bb7).
    def held(key: str) -> int:
        scale = scale_pitch_classes(key)
        return sum(n.duration for n in notes if n.pitch % 12 in scale)

    total = sum(n.duration for n in notes)
    first = next((c.root for _, c in read if c.root is not None), None)  # the song's
    for root in [r for r in (roots[-1] if roots else None, first) if r is not None]:
        if (tonic_of(top)[0] - root) % 12 == 7:
            home = max((key_on(root, minor) for minor in (False, True)), key=held)
            if held(home) == total:  # every chord in its scale: C | G in C, not F7 | Bb7
                return home
    return top


def no_key_reason(song: Song, mask: Mask) -> str:
    """Why :func:`context_key` names no key for ``mask`` (for a message: "too few notes
    around them to name a key")."""
    changes = changes_within(song, mask)
    if changes:
        tick, before, after = changes[0]
        bar = TimeMap.of(song).tick_to_bar(tick) + 1
        return (f"the key changes inside them ({key_text(before)} to {key_text(after)} "
                f"at bar {bar}): repaint each side of it for its own key")
    pcs = context_pitch_classes(song, mask)
    if len(pcs) < FEW_NOTES or len(set(pcs)) < FEW_CLASSES:
        return "too few notes around them to name a key"
    return "the notes around them fit no one key"


def tune_key(song: Song, mask: Mask, notes: list[Note]) -> str | None:
    """The key a musician hears in a few ``notes`` around ``mask`` (the module
    docstring), or None: under :data:`FEW_NOTES` notes or :data:`FEW_CLASSES` pitch
    classes, or no key's scale holds them (a chromatic line)."""
    pcs = [n.pitch % 12 for n in notes]
    if len(pcs) < FEW_NOTES or len(set(pcs)) < FEW_CLASSES:
        return None
    fitting = [k for k in KEYS if key_fit(k, pcs) >= MIN_FIT]
    if not fitting:
        return None
    tm = TimeMap.of(song)
    lo, hi = tm.bars_around(*mask.span, CONTEXT_BARS)
    # How much each note says: a downbeat 1, the tune's first note 2 more when it opens
    # the song before the region, its last 2 more when it closes the song after it (a
    # tune stopped before the region, as a sketch being continued, has not closed).
    first, last = min(n.start for n in notes), max(n.start for n in notes)
    opens = lo == 0 and first < mask.span[0]
    closes = hi >= song.end and last >= mask.span[1]
    weights = [int(tm.metric_position(n.start)[1] == 0)
               + 2 * (opens and n.start == first) + 2 * (closes and n.start == last)
               for n in notes]

    def leaning(key: str) -> tuple[int, int, bool, int]:
        tonic, minor = tonic_of(key)
        triad = {tonic: 2, (tonic + (3 if minor else 4)) % 12: 1, (tonic + 7) % 12: 1}
        salient = sum(w * triad.get(pc, 0) for w, pc in zip(weights, pcs, strict=True))
        dwelling = sum(triad.get(pc, 0) for pc in pcs)
        return salient, dwelling, not minor, -_accidentals(tonic, minor)

    best = max(fitting, key=leaning)
    if not BREAK_MODE_TIES:
        return best
    # A key and its relative minor both fit (the minor's scale holds the major's): the
    # tonic the tune rests on says which, as context_key reads it (a G-major Vocal that
    # leant on E and ended on G was kept in E minor and got D♯5 on a downbeat: QA).
    major = relative_key(best) if best.endswith("m") else best
    minor = relative_key(major)
    if major not in fitting or minor not in fitting:
        return best
    lean = minor_lean(song, mask, notes, major)
    return best if lean == 0 else minor if lean > 0 else major


def _accidentals(tonic: int, minor: bool) -> int:
    """Sharps or flats in the signature of the key on pitch class ``tonic``."""
    sharps = (tonic + (3 if minor else 0)) * 7 % 12  # its major's place on the circle
    return min(sharps, 12 - sharps)


def declared_key(song: Song, mask: Mask, notes: list[Note] | None = None) -> str | None:
    """The key signature in force at ``mask`` when the notes around it (``notes``: read
    here when not given) fit its scale: :data:`DECLARED_FIT` of their time."""
    declared = song.key_at(mask.span[0])
    if declared is None or changes_within(song, mask):
        return None
    notes = context_notes(song, mask) if notes is None else notes
    return declared if notes and time_fit(declared, notes) >= DECLARED_FIT else None


def time_fit(key: str, notes: list[Note]) -> float:
    """Share of ``notes``' summed duration in ``key``'s scale (0 for none)."""
    total = sum(n.duration for n in notes)
    scale = scale_pitch_classes(key)
    return sum(n.duration for n in notes if n.pitch % 12 in scale) / total if total else 0.0
