"""Build Partita's demo song, "Lanterns", and write it to ``assets/demo/demo.mid``.

An original 32-bar piece in D minor at 104 BPM, 4/4, 480 PPQ, with five tracks: drums,
finger bass, piano, an alto-sax lead that switches to flute for the second verse, and
strings. Form: intro (4 bars), verse (8), chorus (8), verse 2 (8), outro (4) with a
ritardando over the last two bars. Everything is deterministic (seeded "humanising").

Run: ``.venv/bin/python assets/demo/make_demo.py [OUT.mid]``
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from engine.score import (
    DRUM_CHANNEL,
    TRACK_COLOURS,
    KeySignature,
    Marker,
    Note,
    ProgramChange,
    Song,
    TempoChange,
    TimeMap,
    TimeSignature,
    Track,
)
from engine.score.instruments import program_name

PPQ = 480
BAR = 4 * PPQ
BPM = 104
HERE = Path(__file__).resolve().parent

# One chord per bar: (root pitch class name, quality). Intro, verse, chorus, verse 2, outro.
PITCH_CLASS = {"C": 0, "C#": 1, "D": 2, "Eb": 3, "E": 4, "F": 5, "G": 7, "A": 9, "Bb": 10}
QUALITY = {"m": (0, 3, 7), "": (0, 4, 7), "7": (0, 4, 7, 10)}
VERSE = [("D", "m"), ("Bb", ""), ("F", ""), ("C", "")] * 2
CHORUS = [("G", "m"), ("Bb", ""), ("F", ""), ("C", ""), ("G", "m"), ("Bb", ""), ("A", ""),
          ("A", "7")]
CHORDS = VERSE[:4] + VERSE + CHORUS + VERSE + [("G", "m"), ("A", "7"), ("D", "m"), ("D", "m")]
SECTIONS = [(0, "Intro"), (4, "Verse"), (12, "Chorus"), (20, "Verse 2"), (28, "Outro")]
# Bass roots chosen for short moves between chords (D2 = 38).
BASS_ROOT = {"D": 38, "Bb": 34, "F": 41, "C": 36, "G": 31, "A": 33}

# Melody phrases as (beat, length in beats, pitch), beats from the phrase's first bar.
VERSE_TUNE = [
    (0.5, .5, 69), (1, 1, 74), (2, .5, 72), (2.5, 1.5, 69),          # Dm: the motif
    (4.5, .5, 65), (5, 1, 70), (6, .5, 69), (6.5, .5, 67), (7, 1, 65),  # Bb: its answer
    (8, 1, 69), (9, .5, 72), (9.5, 1.5, 77), (11, 1, 76),             # F: reach up
    (12, 1.5, 72), (13.5, .5, 74), (14, 2, 76),                       # C: half cadence
    (16.5, .5, 69), (17, 1, 74), (18, .5, 72), (18.5, 1.5, 69),      # Dm: motif again
    (20.5, .5, 65), (21, 1, 70), (22, .5, 74), (22.5, .5, 72), (23, 1, 70),
    (24, 1, 69), (25, 1, 72), (26, 1, 69), (27, 1, 67),
    (28, 1.5, 67), (29.5, .5, 65), (30, 2, 64),                       # C: rest on E
]
CHORUS_TUNE = [
    (0, 1.5, 74), (1.5, .5, 74), (2, 1, 70), (3, 1, 74),              # Gm
    (4, 1.5, 77), (5.5, .5, 74), (6, 2, 77),                          # Bb
    (8, 1.5, 77), (9.5, .5, 76), (10, 1, 72), (11, 1, 69),            # F
    (12, 1, 72), (13, 1, 74), (14, 2, 76),                            # C
    (16, 1.5, 74), (17.5, .5, 74), (18, 1, 70), (19, 1, 74),          # Gm
    (20, 1.5, 77), (21.5, .5, 74), (22, 1, 77), (23, 1, 79),          # Bb: climb to G
    (24, 2, 76), (26, 1, 73), (27, 1, 76),                            # A: C# leading tone
    (28, 2, 76), (30, 1, 73), (31, 1, 69),                            # A7
]
OUTRO_TUNE = [(0, 2, 70), (2, 2, 69), (4, 2, 73), (6, 2, 76), (8, 8, 74)]

_rng = random.Random(1729)


def _cc_volume(cc: int) -> float:
    """Track volume as MIDI CC7 stores it, so the song survives a MIDI round trip exactly."""
    return cc / 127


def _cc_pan(cc: int) -> float:
    """Track pan as MIDI CC10 stores it (64 is the centre)."""
    return (cc - 64) / (63 if cc >= 64 else 64)


def _vel(base: int, spread: int = 5) -> int:
    return max(1, min(127, base + _rng.randint(-spread, spread)))


def _t(bar: int, beat: float = 0.0) -> int:
    return bar * BAR + round(beat * PPQ)


def chord_pitches(bar: int) -> list[int]:
    root, quality = CHORDS[bar]
    return [PITCH_CLASS[root] + i for i in QUALITY[quality]]


def voice_lead(pcs: list[int], previous: list[int] | None, low: int, high: int) -> list[int]:
    """A close voicing of pitch classes ``pcs`` in [low, high], nearest to ``previous``."""
    options = []
    for bass in range(low, high + 1):
        if bass % 12 not in pcs:
            continue
        voicing = [bass]
        for pc in pcs:
            if pc != bass % 12:
                p = bass + (pc - bass) % 12
                voicing.append(p)
        voicing.sort()
        if voicing[-1] <= high:
            options.append(voicing)
    if previous is None:
        return options[len(options) // 2]

    def distance(v: list[int]) -> int:  # total movement of the voices, extra voices count
        moved = sum(abs(a - b) for a, b in zip(v, previous, strict=False))
        return moved + abs(len(v) - len(previous))

    return min(options, key=distance)


def drums() -> Track:
    notes: list[Note] = []
    kick, snare, hat, open_hat, crash, ride = 36, 38, 42, 46, 49, 51
    toms = (50, 48, 45, 43)

    def hit(key: int, bar: int, beat: float, vel: int, spread: int = 5) -> None:
        notes.append(Note(key, _t(bar, beat), PPQ // 8, _vel(vel, spread)))

    for bar in range(32):
        section = max(i for i, (start, _) in enumerate(SECTIONS) if start <= bar)
        fill = bar in (11, 19, 27)
        if bar < 2:
            continue
        if bar < 4:  # intro: hats and a soft pulse
            for e in range(8):
                hit(hat, bar, e / 2, 70 if e % 2 == 0 else 50)
            hit(kick, bar, 0, 85)
            if bar == 3:
                for b in (3, 3.5, 3.75):
                    hit(snare, bar, b, 70 + int(b * 8))
            continue
        if bar >= 30:  # ritardando: a last crash, then let it ring
            if bar == 30:
                hit(crash, bar, 0, 110, 2)
                hit(kick, bar, 0, 110, 2)
                hit(snare, bar, 2, 90)
                hit(kick, bar, 2.5, 85)
            else:
                hit(crash, bar, 0, 100, 2)
                hit(kick, bar, 0, 105, 2)
            continue
        if bar in (4, 12, 20, 28):
            hit(crash, bar, 0, 108, 3)
        chorus = section == 2
        # Kick: 1, and-of-2, 3 (plus and-of-4 in the chorus); snare on the backbeat.
        for b in (0, 1.5, 2) + ((3.5,) if chorus else ()):
            hit(kick, bar, b, 105 if b == 0 else 92)
        for b in (1, 3):
            if not (fill and b == 3):
                hit(snare, bar, b, 104)
        top = ride if section == 3 else hat
        for e in range(8 if not fill else 4):
            if e == 7 and bar % 2 == 1:
                hit(open_hat, bar, 3.5, 82)
            else:
                hit(top, bar, e / 2, 88 if e % 2 == 0 else 62, 6)
        if fill:  # sixteenth-note fill down the toms into the next section
            for i in range(8):
                key = snare if i < 2 else toms[(i - 2) * len(toms) // 6]
                hit(key, bar, 2 + i / 4, 80 + i * 4, 3)
    return Track("Drums", 0, True, DRUM_CHANNEL, tuple(notes), TRACK_COLOURS[0],
                 volume=_cc_volume(114))


def bass() -> Track:
    notes: list[Note] = []
    for bar in range(2, 32):
        root_name, _ = CHORDS[bar]
        root = BASS_ROOT[root_name]
        fifth = root + 7
        if bar < 4:
            notes.append(Note(root, _t(bar), BAR - PPQ // 4, _vel(82)))
        elif bar >= 30:
            notes.append(Note(BASS_ROOT["D"], _t(bar), BAR - PPQ // 8, _vel(96 - 8 * (bar - 30))))
        elif 12 <= bar < 20:  # chorus: driving eighths, octave pop on the and-of-4
            for e in range(8):
                pitch = root + 12 if e == 7 else root
                notes.append(Note(pitch, _t(bar, e / 2), PPQ // 2 - 30,
                                  _vel(100 if e % 2 == 0 else 84)))
        else:  # verse: syncopated root figure with a fifth leading to the next bar
            for beat, length, pitch, vel in ((0, 1.5, root, 104), (1.5, 0.5, root, 86),
                                             (2.5, 1.0, root, 94), (3.5, 0.5, fifth, 84)):
                notes.append(Note(pitch, _t(bar, beat), round(length * PPQ) - 30, _vel(vel)))
    return Track("Bass", 33, False, 1, tuple(notes), TRACK_COLOURS[1], volume=_cc_volume(95))


def piano() -> Track:
    notes: list[Note] = []
    previous = None
    for bar in range(32):
        pcs = sorted({p % 12 for p in chord_pitches(bar)})
        voicing = voice_lead(pcs, previous, 57, 74)
        previous = voicing
        if bar < 4:  # intro: rolling eighths over the chord
            pattern = [voicing[i % len(voicing)] for i in (0, 1, 2, 1, 0, 1, 2, 1)]
            for e, p in enumerate(pattern):
                notes.append(Note(p, _t(bar, e / 2), PPQ // 2, _vel(72 if e % 4 == 0 else 60)))
            continue
        if bar >= 30:  # outro: whole-bar chords, the last one left to ring
            for p in voicing:
                notes.append(Note(p, _t(bar), BAR - PPQ // 8, _vel(80 if bar == 30 else 70)))
            continue
        rhythm = ((0, 1.5), (1.5, 1.0), (3, 1.0)) if bar < 12 or bar >= 20 else \
            ((0, 1.0), (1, 1.0), (2, 1.0), (3, 0.5), (3.5, 0.5))
        for beat, length in rhythm:
            accent = 92 if beat == 0 else 76
            for p in voicing:
                notes.append(Note(p, _t(bar, beat), round(length * PPQ) - 40, _vel(accent, 4)))
        notes.append(Note(BASS_ROOT[CHORDS[bar][0]] + 12, _t(bar), BAR // 2, _vel(70)))
    return Track("Piano", 0, False, 2, tuple(notes), TRACK_COLOURS[2], volume=_cc_volume(121),
                 pan=_cc_pan(48))


def lead() -> Track:
    notes: list[Note] = []

    def phrase(tune, first_bar: int, base_vel: int) -> None:
        for beat, length, pitch in tune:
            downbeat = float(beat).is_integer() and int(beat) % 2 == 0
            vel = base_vel + (8 if downbeat else 0) + (6 if pitch >= 76 else 0)
            notes.append(Note(pitch, _t(first_bar, beat), round(length * PPQ) - 24, _vel(vel, 4)))

    phrase(VERSE_TUNE, 4, 84)
    phrase(CHORUS_TUNE, 12, 94)
    phrase(VERSE_TUNE, 20, 80)  # verse 2 on flute (program change below), softer
    phrase(OUTRO_TUNE, 28, 86)
    changes = (ProgramChange(_t(20), 73), ProgramChange(_t(28), 65))  # flute, then sax again
    return Track("Lead", 65, False, 3, tuple(notes), TRACK_COLOURS[3], volume=_cc_volume(108),
                 pan=_cc_pan(70),
                 program_changes=changes)


def strings() -> Track:
    notes: list[Note] = []
    previous = None
    for bar in range(32):
        # Rest in the first verse, enter halfway through verse 2; hold the final chord.
        if 4 <= bar < 12 or 20 <= bar < 24 or bar == 31:
            previous = None
            continue
        pcs = sorted({p % 12 for p in chord_pitches(bar)})
        voicing = voice_lead(pcs, previous, 50, 67)
        previous = voicing
        length = 2 * BAR if bar == 30 else BAR
        vel = 66 if bar < 4 else 78
        for p in voicing:
            notes.append(Note(p, _t(bar), length - 10, _vel(vel, 3)))
    return Track("Strings", 48, False, 4, tuple(notes), TRACK_COLOURS[4], volume=_cc_volume(76),
                 pan=_cc_pan(83))


def build_song() -> Song:
    tempo_us = round(60_000_000 / BPM)
    tempos = (
        TempoChange(0, tempo_us),
        TempoChange(_t(30), round(60_000_000 / 96)),  # ritardando over the last two bars
        TempoChange(_t(31), round(60_000_000 / 84)),
    )
    return Song(
        tracks=(drums(), bass(), piano(), lead(), strings()),
        ppq=PPQ,
        tempos=tempos,
        time_signatures=(TimeSignature(0, 4, 4),),
        key_signatures=(KeySignature(0, "Dm"),),
        markers=tuple(Marker(_t(bar), name) for bar, name in SECTIONS),
        title="Lanterns",
        length=32 * BAR,
    )


def summary(song: Song) -> str:
    tm = TimeMap.of(song)
    seconds = tm.tick_to_seconds(song.end)
    lines = [f"{song.title!r}: {tm.bar_count(song.end)} bars, {song.note_count} notes, "
             f"{seconds:.1f} s, {BPM} BPM → 84 BPM ritardando, key Dm, {song.ppq} PPQ"]
    for i, t in enumerate(song.tracks, 1):
        pitches = [n.pitch for n in t.notes]
        lines.append(f"  {i}. {t.name:8s} {program_name(t.program, t.is_drum):22s} "
                     f"{len(t.notes):4d} notes, pitches {min(pitches)}..{max(pitches)}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    from engine.io import write_midi

    out = Path(argv[0]) if argv else HERE / "demo.mid"
    song = build_song()
    write_midi(song, out)
    print(summary(song))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
