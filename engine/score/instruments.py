"""General MIDI instrument names, families and the coarse *roles* the models condition on."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

GM_PROGRAMS: tuple[str, ...] = (
    "Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano", "Honky-tonk Piano",
    "Electric Piano 1", "Electric Piano 2", "Harpsichord", "Clavinet",
    "Celesta", "Glockenspiel", "Music Box", "Vibraphone",
    "Marimba", "Xylophone", "Tubular Bells", "Dulcimer",
    "Drawbar Organ", "Percussive Organ", "Rock Organ", "Church Organ",
    "Reed Organ", "Accordion", "Harmonica", "Tango Accordion",
    "Acoustic Guitar (nylon)", "Acoustic Guitar (steel)", "Electric Guitar (jazz)",
    "Electric Guitar (clean)", "Electric Guitar (muted)", "Overdriven Guitar",
    "Distortion Guitar", "Guitar Harmonics",
    "Acoustic Bass", "Electric Bass (finger)", "Electric Bass (pick)", "Fretless Bass",
    "Slap Bass 1", "Slap Bass 2", "Synth Bass 1", "Synth Bass 2",
    "Violin", "Viola", "Cello", "Contrabass",
    "Tremolo Strings", "Pizzicato Strings", "Orchestral Harp", "Timpani",
    "String Ensemble 1", "String Ensemble 2", "Synth Strings 1", "Synth Strings 2",
    "Choir Aahs", "Voice Oohs", "Synth Voice", "Orchestra Hit",
    "Trumpet", "Trombone", "Tuba", "Muted Trumpet",
    "French Horn", "Brass Section", "Synth Brass 1", "Synth Brass 2",
    "Soprano Sax", "Alto Sax", "Tenor Sax", "Baritone Sax",
    "Oboe", "English Horn", "Bassoon", "Clarinet",
    "Piccolo", "Flute", "Recorder", "Pan Flute",
    "Blown Bottle", "Shakuhachi", "Whistle", "Ocarina",
    "Lead 1 (square)", "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)",
    "Lead 5 (charang)", "Lead 6 (voice)", "Lead 7 (fifths)", "Lead 8 (bass + lead)",
    "Pad 1 (new age)", "Pad 2 (warm)", "Pad 3 (polysynth)", "Pad 4 (choir)",
    "Pad 5 (bowed)", "Pad 6 (metallic)", "Pad 7 (halo)", "Pad 8 (sweep)",
    "FX 1 (rain)", "FX 2 (soundtrack)", "FX 3 (crystal)", "FX 4 (atmosphere)",
    "FX 5 (brightness)", "FX 6 (goblins)", "FX 7 (echoes)", "FX 8 (sci-fi)",
    "Sitar", "Banjo", "Shamisen", "Koto",
    "Kalimba", "Bagpipe", "Fiddle", "Shanai",
    "Tinkle Bell", "Agogo", "Steel Drums", "Woodblock",
    "Taiko Drum", "Melodic Tom", "Synth Drum", "Reverse Cymbal",
    "Guitar Fret Noise", "Breath Noise", "Seashore", "Bird Tweet",
    "Telephone Ring", "Helicopter", "Applause", "Gunshot",
)

# General MIDI's percussion key map (channel 10), with General MIDI 2's keys around it
# (27–34, 82–87: a shaker or castanets part of a GM2 file): key -> (name, the short name a
# drum editor's narrow key column shows).
GM_DRUMS: dict[int, tuple[str, str]] = {
    27: ("High Q", "High Q"), 28: ("Slap", "Slap"), 29: ("Scratch Push", "Scr Push"),
    30: ("Scratch Pull", "Scr Pull"), 31: ("Sticks", "Sticks"),
    32: ("Square Click", "Sq Click"), 33: ("Metronome Click", "Met Click"),
    34: ("Metronome Bell", "Met Bell"),
    35: ("Acoustic Bass Drum", "Kick 2"), 36: ("Bass Drum 1", "Kick"),
    37: ("Side Stick", "Side Stick"), 38: ("Acoustic Snare", "Snare"),
    39: ("Hand Clap", "Clap"), 40: ("Electric Snare", "E. Snare"),
    41: ("Low Floor Tom", "Lo Fl Tom"), 42: ("Closed Hi-Hat", "Closed HH"),
    43: ("High Floor Tom", "Hi Fl Tom"), 44: ("Pedal Hi-Hat", "Pedal HH"),
    45: ("Low Tom", "Low Tom"), 46: ("Open Hi-Hat", "Open HH"),
    47: ("Low-Mid Tom", "Lo-Mid Tom"), 48: ("Hi-Mid Tom", "Hi-Mid Tom"),
    49: ("Crash Cymbal 1", "Crash 1"), 50: ("High Tom", "High Tom"),
    51: ("Ride Cymbal 1", "Ride 1"), 52: ("Chinese Cymbal", "China"),
    53: ("Ride Bell", "Ride Bell"), 54: ("Tambourine", "Tambourine"),
    55: ("Splash Cymbal", "Splash"), 56: ("Cowbell", "Cowbell"),
    57: ("Crash Cymbal 2", "Crash 2"), 58: ("Vibraslap", "Vibraslap"),
    59: ("Ride Cymbal 2", "Ride 2"), 60: ("Hi Bongo", "Hi Bongo"),
    61: ("Low Bongo", "Lo Bongo"), 62: ("Mute Hi Conga", "Mute Conga"),
    63: ("Open Hi Conga", "Open Conga"), 64: ("Low Conga", "Lo Conga"),
    65: ("High Timbale", "Hi Timbale"), 66: ("Low Timbale", "Lo Timbale"),
    67: ("High Agogo", "Hi Agogo"), 68: ("Low Agogo", "Lo Agogo"),
    69: ("Cabasa", "Cabasa"), 70: ("Maracas", "Maracas"),
    71: ("Short Whistle", "Whistle S"), 72: ("Long Whistle", "Whistle L"),
    73: ("Short Guiro", "Guiro S"), 74: ("Long Guiro", "Guiro L"),
    75: ("Claves", "Claves"), 76: ("Hi Wood Block", "Hi Wood"),
    77: ("Low Wood Block", "Lo Wood"), 78: ("Mute Cuica", "Mute Cuica"),
    79: ("Open Cuica", "Open Cuica"), 80: ("Mute Triangle", "Mute Tri"),
    81: ("Open Triangle", "Open Tri"), 82: ("Shaker", "Shaker"),
    83: ("Jingle Bell", "Jingle"), 84: ("Bell Tree", "Bell Tree"),
    85: ("Castanets", "Castanets"), 86: ("Mute Surdo", "Mute Surdo"),
    87: ("Open Surdo", "Open Surdo"),
}


# General MIDI 2's Orchestra kit (program 48), where its keys differ from the standard
# kit's: hi-hats and a ride below the map, concert bass and snare drums, castanets,
# concert cymbals, Applause past it, and timpani tuned F2 to F3 on 41-53, where the
# standard kit has its toms, hi-hats and crash (GM2 spec's drum set list; Roland's GS
# Orchestra set, SC-8850 manual, is the same map but for 35, a jazz kick there). `info`
# listed an orchestral score's timpani part as "Lo Fl Tom, Closed HH, Hi Fl Tom".
ORCHESTRA_KIT = 48
_TIMPANI = ("F2", "F#2", "G2", "G#2", "A2", "A#2", "B2", "C3", "C#3", "D3", "D#3", "E3", "F3")
KIT_DRUMS: dict[int, dict[int, tuple[str, str]]] = {
    ORCHESTRA_KIT: {
        27: ("Closed Hi-Hat 2", "Closed HH"), 28: ("Pedal Hi-Hat", "Pedal HH"),
        29: ("Open Hi-Hat 2", "Open HH"), 30: ("Ride Cymbal 1", "Ride 1"),
        35: ("Concert Bass Drum 2", "Concert BD 2"), 36: ("Concert Bass Drum 1", "Concert BD"),
        38: ("Concert Snare Drum", "Concert SD"), 39: ("Castanets", "Castanets"),
        40: ("Concert Snare Drum", "Concert SD"),
        **{41 + i: (f"Timpani {pitch}", f"Timp {pitch}") for i, pitch in enumerate(_TIMPANI)},
        57: ("Concert Cymbal 2", "Conc Cym 2"), 59: ("Concert Cymbal 1", "Conc Cym 1"),
        88: ("Applause", "Applause"),
    },
}


def drum_name(key: int, short: bool = False, kit: int | None = None) -> str | None:
    """The General MIDI drum a key plays on a kit ("Acoustic Snare"; short: "Snare"), or
    None outside the map (27..87: GM2's). ``kit``, a drum track's program, names the
    keys its GM2 kit plays otherwise (:data:`KIT_DRUMS`: the Orchestra kit's "Timpani
    F2"); the other kits play the standard kit's drums on its keys."""
    names = KIT_DRUMS.get(kit, {}).get(key) if kit is not None else None
    names = names or GM_DRUMS.get(key)
    return None if names is None else names[1 if short else 0]


GM_FAMILIES: tuple[str, ...] = (
    "Piano", "Chromatic Percussion", "Organ", "Guitar", "Bass", "Strings", "Ensemble", "Brass",
    "Reed", "Pipe", "Synth Lead", "Synth Pad", "Synth Effects", "Ethnic", "Percussive",
    "Sound Effects",
)

# Coarse roles the models condition on (ids are part of the model files: append only).
ROLES: tuple[str, ...] = ("melody", "bass", "chords", "piano", "strings", "drums", "voice")
ROLE_IDS = {name: i for i, name in enumerate(ROLES)}


# The instruments as musicians type them (`partita tracks --add`, compose's and harmonize's
# tracks): the short name → (GM program, drum kit). A track added so is named after it.
INSTRUMENT_ALIASES: dict[str, tuple[int, bool]] = {
    "piano": (0, False), "keys": (4, False), "electric piano": (4, False), "epiano": (4, False),
    "harpsichord": (6, False), "organ": (19, False), "guitar": (25, False),
    "electric guitar": (27, False), "bass": (33, False), "acoustic bass": (32, False),
    "double bass": (32, False), "strings": (48, False), "violin": (40, False),
    "viola": (41, False), "cello": (42, False), "contrabass": (43, False), "harp": (46, False),
    "choir": (52, False), "voice": (53, False), "soprano": (52, False), "alto": (52, False),
    "tenor": (52, False), "trumpet": (56, False), "trombone": (57, False), "horn": (60, False),
    "brass": (61, False), "sax": (65, False), "saxophone": (65, False), "oboe": (68, False),
    "bassoon": (70, False), "clarinet": (71, False), "flute": (73, False), "lead": (80, False),
    "synth": (80, False), "pad": (89, False), "melody": (73, False),
    "e-piano": (4, False), "rhodes": (4, False), "vocals": (52, False), "vocal": (52, False),
    "vox": (52, False), "singer": (53, False), "upright bass": (32, False),
    "synth bass": (38, False), "nylon guitar": (24, False), "steel guitar": (25, False),
    "drums": (0, True), "drum": (0, True), "drum kit": (0, True), "kit": (0, True),
    "percussion": (0, True),
    # A producer's names (compose --tracks "808,Synth Lead,Chord Pad,Trap Kit" was refused):
    # an 808 is a booming synth bass, a lead a square or saw, a pad a warm one.
    "808": (38, False), "808 bass": (38, False), "sub bass": (38, False),
    "synth lead": (80, False), "square lead": (80, False), "saw lead": (81, False),
    "sawtooth lead": (81, False), "chord pad": (89, False), "synth pad": (89, False),
}


# General MIDI 2's drum kits (GS numbers them alike), by the program that picks one on a
# drum track: what a SoundFont's percussion bank plays (docs/audio.md).
GM2_KITS: dict[int, str] = {0: "Standard", 8: "Room", 16: "Power", 24: "Electronic",
                            25: "TR-808", 32: "Jazz", 40: "Brush", 48: "Orchestra",
                            56: "SFX"}
STANDARD_KIT = 0
# The kits as producers and drummers name them, each on its GM2 program: every kit by its
# own name ("TR-808 Kit", as `partita info` writes it, "Jazz Kit", "Brush Kit"), a trap
# beat's 808 and a house track's 909 (the Electronic kit is GM2's 909-style one). They
# were all the standard acoustic kit: a producer's "Trap Kit" played a rock kit.
INSTRUMENT_ALIASES.update({f"{name.lower()} kit": (program, True)
                           for program, name in GM2_KITS.items()})
INSTRUMENT_ALIASES.update({
    "standard kit": (0, True), "acoustic kit": (0, True), "rock kit": (0, True),
    "trap kit": (25, True), "808 kit": (25, True), "808 drums": (25, True),
    "tr-808": (25, True), "tr808": (25, True), "tr 808": (25, True),
    "909 kit": (24, True), "909 drums": (24, True), "tr-909": (24, True),
    "tr909": (24, True), "tr 909": (24, True), "dance kit": (24, True),
    "electronic drums": (24, True), "jazz drums": (32, True), "brushes": (40, True),
    "orchestral kit": (48, True), "orchestral percussion": (48, True),
})


# The instruments a score's part names call them by — English, Italian, German and as
# engravers shorten them — for a part whose file declares only a piano or no instrument
# (music21's corpus quartets: "Violin 1", "Viola", "Violoncello" on a piano): the GM
# program each names. Only names that name one instrument: a "Bass" is a singer or a
# bass guitar, a "Voice" or a "Lead" is anything.
_PART_NAME_PROGRAMS: dict[str, int] = {
    **dict.fromkeys(("violin", "vln", "vn", "violino", "violini", "violine", "violon"), 40),
    **dict.fromkeys(("viola", "vla", "va", "viole", "bratsche", "alto viola"), 41),
    **dict.fromkeys(("cello", "violoncello", "violoncelli", "vc", "vlc"), 42),
    **dict.fromkeys(("contrabass", "double bass", "contrabasso", "kontrabass", "cb",
                     "string bass"), 43),
    **dict.fromkeys(("harp", "hp", "arpa", "harfe"), 46),
    **dict.fromkeys(("timpani", "timp", "pauken", "timbales"), 47),
    **dict.fromkeys(("trumpet", "tpt", "tromba", "trompete", "cornet"), 56),
    **dict.fromkeys(("trombone", "tbn", "posaune", "bass trombone"), 57),
    **dict.fromkeys(("tuba", "tba"), 58),
    **dict.fromkeys(("horn", "french horn", "hn", "corno", "cor"), 60),
    **dict.fromkeys(("soprano sax", "soprano saxophone"), 64),
    **dict.fromkeys(("alto sax", "alto saxophone"), 65),
    **dict.fromkeys(("tenor sax", "tenor saxophone"), 66),
    **dict.fromkeys(("baritone sax", "baritone saxophone"), 67),
    **dict.fromkeys(("oboe", "ob", "hautbois", "oboe d'amore"), 68),
    **dict.fromkeys(("english horn", "cor anglais", "corno inglese", "e hn"), 69),
    **dict.fromkeys(("bassoon", "bsn", "fagotto", "fagott", "basson", "contrabassoon"), 70),
    **dict.fromkeys(("clarinet", "cl", "clarinetto", "klarinette", "bass clarinet"), 71),
    **dict.fromkeys(("piccolo", "picc", "ottavino"), 72),
    **dict.fromkeys(("flute", "fl", "flauto", "flöte", "flote", "flauto traverso"), 73),
    **dict.fromkeys(("recorder", "flauto dolce", "blockflöte"), 74),
    **dict.fromkeys(("celesta", "cel"), 8), **dict.fromkeys(("glockenspiel", "glk"), 9),
    **dict.fromkeys(("vibraphone", "vib"), 11), **dict.fromkeys(("marimba", "mar"), 12),
    **dict.fromkeys(("xylophone", "xyl"), 13),
    **dict.fromkeys(("tubular bells", "chimes"), 14),
    **dict.fromkeys(("harpsichord", "cembalo", "clavecin", "hpd"), 6),
    **dict.fromkeys(("organ", "org", "organo", "orgel"), 19),
    **dict.fromkeys(("accordion",), 21), **dict.fromkeys(("classical guitar",), 24),
}
# What a part's name holds besides its instrument: its key ("in Bb"), its number (1,
# II, 1st), "solo"; and the dots of an abbreviation.
_NAME_KEY = re.compile(r"\bin\s+[a-g](?:\s*(?:b|♭|flat|#|♯|sharp))?\b")
_NAME_EXTRAS = frozenset({"i", "ii", "iii", "iv", "1st", "2nd", "3rd", "4th", "first",
                          "second", "third", "fourth", "solo", "soli", "tutti"})


def named_program(name: str) -> int | None:
    """The GM program a part's name names, where it names one instrument
    (:data:`_PART_NAME_PROGRAMS`, or a General MIDI name): ``"Violin 1"``, ``"Vln. II"``
    40, ``"Violoncello"`` 42, ``"Clarinet in Bb 2"`` 71, ``"Horn in F"`` 60; None for
    any other ("Bass", "Right Hand", "Melody")."""
    key = _NAME_KEY.sub(" ", " ".join(name.split()).casefold())
    words = [w for w in re.split(r"[\s.,:()]+", key)
             if w and not w.isdecimal() and w not in _NAME_EXTRAS]
    key = " ".join(words)
    for candidate in (key, key[:-1] if key.endswith("s") else None):  # "Violins"
        if candidate in _PART_NAME_PROGRAMS:
            return _PART_NAME_PROGRAMS[candidate]
        if candidate:
            exact = [i for i, gm in enumerate(GM_PROGRAMS) if gm.casefold() == candidate]
            if exact:
                return exact[0]
    return None


# The General MIDI sounds a score writer declares for a whole section, and the
# instruments of the section a part's name may name: MuseScore's export of music21's
# corpus mozart/k155 declares "String Ensemble 1" for its Violin I, Violin II, Viola and
# Cello, and its viola came back a string ensemble in the treble clef. Not the pizzicato
# and tremolo strings (44, 45): a part may open with one on purpose.
SECTION_PROGRAMS: dict[int, frozenset[int]] = {
    **dict.fromkeys((48, 49, 50, 51), frozenset({40, 41, 42, 43})),  # string ensembles
    **dict.fromkeys((61, 62, 63), frozenset({56, 57, 58, 59, 60})),  # brass sections
}


def part_program(declared: int, name: str) -> int | None:
    """The instrument a score's part is where its file declares ``declared`` only by
    default or for its whole section: the one its name names (:func:`named_program`)
    where ``declared`` is a piano (0: what a file without an instrument gets) and the
    name names any other, or where it is a section's sound (:data:`SECTION_PROGRAMS`:
    "String Ensemble 1") and the name names one of the section ("Viola"); None where the
    declared instrument stands."""
    named = named_program(name)
    if named is None or named == declared:
        return None
    if declared == 0 or named in SECTION_PROGRAMS.get(declared, ()):
        return named
    return None


def program_name(program: int, is_drum: bool = False) -> str:
    """Instrument name a musician recognises ("Drum Kit" for drum tracks)."""
    if is_drum:
        return "Drum Kit"
    return GM_PROGRAMS[program] if 0 <= program < 128 else f"Program {program}"


CC_BANK_MSB, CC_BANK_LSB = 0, 32


def bank_at(controls: Iterable[Any], tick: int) -> tuple[int, int]:
    """The bank select (MSB, LSB) in force at ``tick`` among a track's ``controls``
    (:class:`~engine.score.song.ControlEvent`; the last at or before it, (0, 0) without)."""
    bank = {CC_BANK_MSB: 0, CC_BANK_LSB: 0}
    for c in sorted(controls, key=lambda c: c.tick):
        if c.tick > tick:
            break
        if c.kind == "control_change" and c.number in bank:
            bank[c.number] = c.value
    return bank[CC_BANK_MSB], bank[CC_BANK_LSB]


def kit_name(program: int) -> str:
    """The GM2 drum kit a drum track's ``program`` picks, as ``partita info`` names it:
    "TR-808 Kit", "Drum Kit" for the standard one, "Drum Kit (program 5)" for one GM2
    does not name."""
    kit = GM2_KITS.get(program)
    return ("Drum Kit" if program == STANDARD_KIT else f"{kit} Kit" if kit
            else f"Drum Kit (program {program})")


def sound_name(program: int, is_drum: bool, bank: tuple[int, int] = (0, 0)) -> str:
    """The sound a track's program and bank pick, as ``partita info`` names it: "Distortion
    Guitar (bank 8)", "Electric Piano 1 (bank 0/3)" (MSB/LSB); on a drum track the GM2 kit
    its program picks — "Power Kit", "Drum Kit" for the standard one, "Drum Kit (program
    5)" for one GM2 does not name (a kit's bank is the drum channel's, not a variation)."""
    if is_drum:
        return kit_name(program)
    msb, lsb = bank
    if not (msb or lsb):
        return program_name(program)
    return f"{program_name(program)} (bank {msb}{f'/{lsb}' if lsb else ''})"


def family_name(program: int) -> str:
    return GM_FAMILIES[program // 8] if 0 <= program < 128 else "Unknown"


def role_of(program: int, is_drum: bool) -> str:
    """The model-facing role of a GM instrument."""
    if is_drum:
        return "drums"
    family = program // 8
    if family == 4:  # Bass
        return "bass"
    if family == 0 or program in (6, 7, 46):  # pianos, harpsichord, clavinet, harp
        return "piano"
    if family in (5, 6) and program not in (52, 53, 54):  # strings, ensembles
        return "strings"
    if program in (52, 53, 54, 85, 91):  # choir, voice
        return "voice"
    if family in (2, 3, 11, 1):  # organ, guitar, pads, chromatic percussion
        return "chords"
    return "melody"  # brass, reeds, pipes, leads, ethnic, ...


def role_id(program: int, is_drum: bool) -> int:
    return ROLE_IDS[role_of(program, is_drum)]


# Practical ranges (lowest, highest MIDI pitch, as sounding) per GM program, after the
# usual orchestration tables: what a player can really be written for, so a new tuba
# part is not written at 67. A family's range, then the instruments that differ from it.
_FAMILY_RANGES: tuple[tuple[int, int], ...] = (
    (21, 108),  # Piano
    (48, 96),  # Chromatic Percussion
    (24, 96),  # Organ: manuals C2–C7 and pedals from C1
    (40, 86),  # Guitar: E2 to the 22nd fret
    (28, 64),  # Bass: E1 to the 21st fret
    (28, 105),  # Strings: the section, contrabass to violin
    (28, 105),  # Ensemble
    (34, 86),  # Brass: the section
    (34, 93),  # Reed: bassoon to oboe
    (60, 96),  # Pipe: flute C4–C7
    (48, 96),  # Synth Lead
    (36, 96),  # Synth Pad
    (36, 96),  # Synth Effects
    (48, 86),  # Ethnic
    (36, 84),  # Percussive
    (36, 96),  # Sound Effects
)
_PROGRAM_RANGES: dict[int, tuple[int, int]] = {
    4: (28, 100), 5: (28, 100),  # electric pianos: 73 keys, E1–E7
    6: (29, 89), 7: (29, 88),  # harpsichord F1–F6, clavinet
    8: (60, 108), 9: (79, 108), 10: (60, 96),  # celesta, glockenspiel, music box
    11: (53, 89), 12: (45, 96), 13: (65, 108),  # vibraphone, marimba, xylophone
    14: (60, 77),  # tubular bells
    21: (41, 93), 22: (60, 96), 23: (41, 93),  # accordion, harmonica, bandoneon
    24: (40, 83), 25: (40, 84), 31: (52, 96),  # nylon and steel strings, harmonics
    32: (28, 67),  # acoustic (upright) bass: E1–G4
    38: (24, 72), 39: (24, 72),  # synth basses
    40: (55, 105), 41: (48, 88), 42: (36, 81), 43: (28, 67),  # violin, viola, cello, bass
    46: (24, 103), 47: (38, 60),  # harp, timpani
    52: (36, 84), 53: (36, 84), 54: (36, 84), 55: (36, 84),  # choir, voices, orchestra hit
    56: (54, 84), 57: (40, 77), 58: (26, 65), 59: (54, 84),  # trumpet, trombone, tuba
    60: (35, 77), 62: (36, 96), 63: (36, 96),  # horn, synth brass
    64: (56, 87), 65: (49, 80), 66: (44, 75), 67: (36, 68),  # soprano, alto, tenor, bari sax
    68: (58, 93), 69: (52, 81), 70: (34, 75), 71: (50, 94),  # oboe, cor anglais, bassoon, clarinet
    72: (74, 108), 74: (72, 98), 78: (74, 98), 79: (72, 89),  # piccolo, recorder, whistle, ocarina
    87: (28, 84),  # bass + lead
    105: (48, 86), 108: (60, 88), 109: (67, 81),  # banjo, kalimba, bagpipe chanter
    110: (55, 100), 111: (60, 88),  # fiddle, shanai
    112: (72, 108), 114: (48, 88), 116: (36, 60),  # tinkle bell, steel drums, taiko
}


def instrument_range(program: int, is_drum: bool = False) -> tuple[int, int]:
    """Practical (lowest, highest) MIDI pitch of a GM instrument (0–127 for drums and
    unknown programs)."""
    if is_drum or not 0 <= program < 128:
        return 0, 127
    return _PROGRAM_RANGES.get(program, _FAMILY_RANGES[program // 8])


# Sung parts by name (what harmonize's SATB voices are called): the role's range is the
# whole choir's, and a new Tenor written above the Alto, or a Bass in the alto's register,
# is not a chorale. These are a choir's singable ranges as harmony and choral-writing
# texts give them (S C4–G5, A G3–D5, T C3–G4, B E2–C4): what an amateur choir sings, and
# what a choir director checks a printed part against. They were Bach's extremes a tone
# wider each side (S C4–A5 … B C2–E4), and a choir director's QA of hymn tunes harmonized
# with both shipped models counted basses at C2–D2 (chorale-jsb: Bach's basses go there)
# and at D♭4–E4, and tenors at A♭4–A4 (partita-base: 183 and 30 notes in 16 takes). A
# written part goes past them only where the melody forces it
# (:data:`VOICE_MARGIN`, :func:`engine.models.constraints.track_register`).
VOICE_PART_RANGES: dict[str, tuple[int, int]] = {
    "soprano": (60, 79), "alto": (55, 74), "tenor": (48, 67), "bass": (40, 60),
}
# The most semitones a written voice under a melody goes below its range, where the
# melody itself lies below a soprano's (an alto under a tune that dips to A3 needs room
# under it): as far as the melody goes below C4, at most a tone.
VOICE_MARGIN = 2


# A voice part as choir scores and hymnals name it: "Soprano", "S.", "Sopran", "Alto 1",
# "Altos", "T.", "Ten.", "Tenor II", "Basses", "B." (case, spacing and a part number
# aside). A lone letter needs its dot: "A" and "B" name sections as often as voices.
_VOICE_NAMES = {
    "soprano": r"soprano|sopranos|soprani|sopran|sopr\.?|sop\.?|s\.?|treble|cantus"
               r"|superius|discantus",
    "alto": r"alto|altos|alti|alt\.?|a\.|contralto",
    "tenor": r"tenor|tenors|tenori|ten\.?|t\.",
    "bass": r"bass|basses|bassi|bas\.?|b\.",
}
_VOICE_PART = {part: re.compile(rf"(?:{names})(?:\s*(?:\d+|i{{1,3}}|iv)\.?)?")
               for part, names in _VOICE_NAMES.items()}


def voice_part_of(name: str) -> str | None:
    """The voice part a track's name calls it — ``"soprano"``, ``"alto"``, ``"tenor"`` or
    ``"bass"`` (:data:`_VOICE_NAMES`) — or None."""
    key = " ".join(name.split()).casefold()
    return next((part for part, rule in _VOICE_PART.items() if rule.fullmatch(key)), None)


def voice_part_range(name: str, program: int, is_drum: bool = False) -> tuple[int, int] | None:
    """The sung range of a part named Soprano, Alto, Tenor or Bass, or as a choir score
    abbreviates them (:func:`voice_part_of`; harmonize's voices share the choir's
    program), None for any other (a bass guitar named Bass too)."""
    if role_of(program, is_drum) in ("bass", "drums"):
        return None
    part = voice_part_of(name)
    return VOICE_PART_RANGES[part] if part else None


# The GM programs whose players read a grand staff (a treble and a bass staff joined by a
# brace), as a score editor's instrument list gives them two staves: the pianos,
# harpsichord and clavinet (0–7), the celesta (8), the organs (16–20; an organ's pedal
# staff is not written), the accordion and bandoneon (21, 23) and the harp (46). The
# other chromatic percussion (glockenspiel, vibraphone, xylophone, bells) and the
# harmonica (22) read one staff.
GRAND_STAFF_PROGRAMS = frozenset((*range(9), *range(16, 22), 23, 46))


def grand_staff(name: str, program: int, is_drum: bool = False) -> bool:
    """Whether a track's part is written on a grand staff: a keyboard's or a harp's
    (:data:`GRAND_STAFF_PROGRAMS`) — unless it is named as a sung part
    (:func:`voice_part_range`: harmonize's Alto, Tenor and Bass under a piano melody sing
    one line each, which one staff reads)."""
    return (not is_drum and program in GRAND_STAFF_PROGRAMS
            and voice_part_range(name, program, is_drum) is None)


# The sections of an orchestral score, which a bracket joins where two or more of their
# parts stand in a row, by GM program: the woodwinds (saxophones, reeds and pipes), the
# brass (not the synth brass), the percussion (timpani, the mallets and bells, the
# percussive sounds; a drum kit too) and the strings (violin to contrabass, the string
# sections). A keyboard, a harp and the celesta are a grand staff's brace of their own.
ORCHESTRAL_SECTIONS: dict[int, str] = {
    **dict.fromkeys(range(64, 80), "woodwinds"), **dict.fromkeys(range(56, 62), "brass"),
    **dict.fromkeys((9, 11, 12, 13, 14, 47, 113, 115, 116, 117), "percussion"),
    **dict.fromkeys((40, 41, 42, 43, 44, 45, 48, 49), "strings"),
}


def orchestral_section(program: int, is_drum: bool = False) -> str | None:
    """The section of an orchestral score a track's part sits in — ``"woodwinds"``,
    ``"brass"``, ``"percussion"`` (a drum kit's too) or ``"strings"``
    (:data:`ORCHESTRAL_SECTIONS`) — or None (a piano, a guitar, a synth)."""
    return "percussion" if is_drum else ORCHESTRAL_SECTIONS.get(program)


# The least of a voice part's range an instrument must play for the part to keep to it: a
# major sixth, room for a line (a Bass on an alto sax has D♭3–C4 of E2–C4).
SUNG_OVERLAP = 9


# An 808 — a trap or drill beat's booming sub bass, a synth bass (compose's "808" is
# Synth Bass 1) named so — sits in the sub range: its line lies around C1–C2
# (:data:`SUB_BASS_REGISTER`, where a new one is written) and goes up to about G2
# (:data:`SUB_BASS_RANGE`, its part's range). Left to the synth bass's C1–C5, a new 808
# was written around F2–F3 (QA, a hip-hop producer): a bass guitar's line, not a sub.
SUB_BASS_RANGE = (24, 43)
SUB_BASS_REGISTER = (24, 36)
# "808", "808s", "808 Bass", "Sub", "Sub Bass", "Sub-Bass 2", "808 Sub" (case and
# spacing aside); not "TR-808" or "808 Kit" (drum kits) nor "Sub Pad".
_SUB_BASS_NAME = re.compile(r"(?:808s?|sub|sub[ -]?bass|808[ -]?(?:bass|sub)|sub[ -]?808)"
                            r"(?:\s*\d+)?")


def sub_bass_part(name: str, program: int, is_drum: bool = False) -> bool:
    """Whether a track is an 808 (a sub bass) by its name (:data:`_SUB_BASS_NAME`) on an
    instrument that plays :data:`SUB_BASS_REGISTER` (a synth or any bass; not a kit)."""
    if is_drum or not _SUB_BASS_NAME.fullmatch(" ".join(name.split()).casefold()):
        return False
    lo, hi = instrument_range(program, is_drum)
    return lo <= SUB_BASS_REGISTER[0] + 4 and hi >= SUB_BASS_REGISTER[1]


def part_range(name: str, program: int, is_drum: bool = False) -> tuple[int, int]:
    """The practical range of a track's part: its instrument's, narrowed to the part's
    sung range when it is named as a voice part (:func:`voice_part_range`) and the
    instrument plays at least :data:`SUNG_OVERLAP` semitones of it (a "Bass" part on an
    alto sax keeps to the sax: D♭3–C4; a Bass on a flute, which has none of it, to the
    flute); an 808 (:func:`sub_bass_part`) to :data:`SUB_BASS_RANGE`."""
    lo, hi = instrument_range(program, is_drum)
    if sub_bass_part(name, program, is_drum):
        return max(lo, SUB_BASS_RANGE[0]), min(hi, SUB_BASS_RANGE[1])
    sung = voice_part_range(name, program, is_drum)
    if sung is not None and min(hi, sung[1]) - max(lo, sung[0]) >= SUNG_OVERLAP:
        return max(lo, sung[0]), min(hi, sung[1])
    return lo, hi


def playable_range(name: str, program: int, is_drum: bool = False,
                   pitches: Iterable[int] = ()) -> tuple[int, int]:
    """The pitches a part can be written in: its :func:`part_range`, widened to the
    ``pitches`` it has (a file's part is what it plays, whatever its program says). A
    user's pitch range is narrowed to it (``--range C0-C8`` wrote a violin's B♭2 and a
    tuba's G5), as a painted pitch band is checked against it."""
    lo, hi = part_range(name, program, is_drum)
    pitches = list(pitches)
    return min([lo, *pitches]), max([hi, *pitches])


# The transposing GM instruments as they are usually written, from the written part to
# what sounds: (diatonic steps, chromatic semitones), as MusicXML's <transpose> says it
# (Track.transposition). A trumpet, clarinet and soprano sax in B♭ a tone down, a horn and
# an English horn in F a fifth down, an alto sax in E♭ a major sixth, a tenor sax in B♭ a
# ninth, a baritone sax in E♭ an octave and a sixth; a piccolo an octave up, a
# contrabass and a banjo an octave down — the same as music21's instrument for the
# program, so a score exported without a stored transposition is written as before. And
# as orchestral scores write them (music21 writes them at sounding pitch): a celesta and
# a xylophone an octave up, a glockenspiel two octaves up, so their parts stand on the
# staff, not on ledger lines over it (a QA orchestrator's glockenspiel).
USUAL_TRANSPOSITIONS: dict[int, tuple[int, int]] = {
    8: (7, 12), 9: (14, 24), 13: (7, 12),
    43: (-7, -12), 56: (-1, -2), 59: (-1, -2), 60: (-4, -7), 64: (-1, -2), 65: (-5, -9),
    66: (-8, -14), 67: (-12, -21), 69: (-4, -7), 71: (-1, -2), 72: (7, 12), 105: (-7, -12),
}
CONCERT = (0, 0)


# "Clarinet in A", "Horn in E♭", "Trumpet in C": the key a part's name says it is in.
_IN_KEY = re.compile(r"\bin\s+([a-g])\s*(b|♭|flat|-flat|#|♯|sharp|-sharp)?(?:\s|$|\))")
_LETTER_STEPS = {"c": (0, 0), "d": (1, 2), "e": (2, 4), "f": (3, 5), "g": (4, 7),
                 "a": (5, 9), "b": (6, 11)}


def named_transposition(name: str, program: int) -> tuple[int, int] | None:
    """The transposition a part's name gives (``"Clarinet in A"``: a minor third down,
    ``(-2, -3)``; ``"Trumpet in C"``: concert pitch), in the octave nearest its
    instrument's usual one (:data:`USUAL_TRANSPOSITIONS`: a horn in E♭ sounds a sixth
    down, a clarinet in E♭ a third up), or None when the name names no key or the
    instrument is no brass, wind or other transposing one."""
    if (program not in USUAL_TRANSPOSITIONS and not 56 <= program < 80) or 8 <= program < 16:
        # brass and winds come in keys; "Piano in A minor", "Celesta in C" are no such parts
        return None
    match = _IN_KEY.search(" ".join(name.split()).casefold())
    if match is None:
        return None
    steps, semitones = _LETTER_STEPS[match.group(1)]
    accidental = match.group(2) or ""
    semitones += -1 if accidental in ("b", "♭", "flat", "-flat") else 1 if accidental else 0
    usual = USUAL_TRANSPOSITIONS.get(program, CONCERT)[1]
    octaves = round((usual - semitones) / 12)
    return steps + 7 * octaves, semitones + 12 * octaves


def written_transposition(transposition: tuple[int, int] | None, program: int,
                          is_drum: bool = False, name: str = "") -> tuple[int, int]:
    """The interval a track's part is written at (``Track.transposition``): the one
    stored, else the one its name says (:func:`named_transposition`: a copyist's "Clarinet
    in A" came back in B♭), else the usual one of its instrument
    (:data:`USUAL_TRANSPOSITIONS`: a clarinet with none stored is one in B♭), else concert
    pitch; a kit's, concert."""
    if is_drum:
        return CONCERT
    if transposition is not None:
        return transposition
    named = named_transposition(name, program) if name else None
    return named if named is not None else USUAL_TRANSPOSITIONS.get(program, CONCERT)


# A transposition as a composer gives it (``partita tracks --transposition``, the
# studio's Track ▸ Transposition…): the key the part is in ("Bb", "A", "Eb", "F"), or the
# semitones from written to sounding ("-2", "+9", "-14": a bass clarinet's ninth down).
# The keys it takes, as its error and ``tracks --help`` list them (any letter A-G, with a
# flat or a sharp, is read: a D♭ piccolo, a horn in E).
TRANSPOSITION_KEYS = "Bb, A, Eb, F, D, G (any A-G, with b or #), C or none"
# Semitones written → sounding that some instrument is written at, as a composer may type
# them: down to a subcontrabass sax's or octocontrabass clarinet's (B♭, three octaves and
# a tone), up to a glockenspiel's two octaves; "+40" is a typo, not a part (the file
# format's own bound, MAX_TRANSPOSITION, is looser so that no file once saved is refused).
LOWEST_TRANSPOSITION, HIGHEST_TRANSPOSITION = -38, 24
_KEY_SPEC = re.compile(r"(?:in\s+)?([a-g])\s*(b|♭|flat|#|♯|sharp)?")
_SEMITONE_SPEC = re.compile(r"[+-]?\d+")
# The diatonic steps of a written → sounding interval of 0..11 semitones, as transposing
# instruments are named: a minor second (a D♭ piccolo), a minor third (an E♭ clarinet),
# an augmented fourth, a minor sixth, a minor seventh.
_STEPS_OF_SEMITONES = (0, 1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 6)
_MAJOR_SEMITONES = (0, 2, 4, 5, 7, 9, 11)  # C D E F G A B above C
_INTERVAL_NAMES = ("unison", "second", "third", "fourth", "fifth", "sixth", "seventh",
                   "octave", "ninth", "tenth", "eleventh", "twelfth", "thirteenth",
                   "fourteenth", "two octaves")


def parse_transposition(text: str, program: int) -> tuple[int, int]:
    """The transposition ``text`` gives for a track of GM ``program``, written →
    sounding as ``Track.transposition`` keeps it: ``"C"``, ``"none"``, ``"concert"`` or
    ``"0"`` concert pitch; a key (``"Bb"``, ``"A"``, ``"Eb"``, ``"F"``) in the octave
    nearest the instrument's usual one (:data:`USUAL_TRANSPOSITIONS`: B♭ on a tenor sax is
    a ninth down), or on another instrument as such parts are mostly written (a fifth
    down to a fourth up: F a fifth down, D a tone up); or semitones (``"-2"``, ``"+9"``,
    ``"-14"``). Raises ValueError for anything else."""
    key = " ".join(text.split()).casefold()
    if key in ("c", "none", "concert", "0", "+0", "-0"):
        return CONCERT
    if _SEMITONE_SPEC.fullmatch(key):
        semitones = int(key)
        if not LOWEST_TRANSPOSITION <= semitones <= HIGHEST_TRANSPOSITION:
            raise ValueError(f"{semitones:+d} semitones is past any instrument's: parts "
                             f"are written from {LOWEST_TRANSPOSITION} (a subcontrabass sax) "
                             f"to +{HIGHEST_TRANSPOSITION} (a glockenspiel)")
        octaves, rest = divmod(abs(semitones), 12)
        steps = 7 * octaves + _STEPS_OF_SEMITONES[rest]
        return (steps, semitones) if semitones > 0 else (-steps, semitones)
    match = _KEY_SPEC.fullmatch(key)
    if match is None:
        raise ValueError(f"{text.strip()!r:.40} is no transposition: give a key "
                         f"({TRANSPOSITION_KEYS}) or the semitones written to sounding "
                         "(-2, +9)")
    steps, semitones = _LETTER_STEPS[match.group(1)]
    accidental = match.group(2) or ""
    semitones += -1 if accidental in ("b", "♭", "flat") else 1 if accidental else 0
    near = USUAL_TRANSPOSITIONS.get(program, (-1, -2))[1]  # else as a B♭ part would be
    octaves = round((near - semitones) / 12)
    return steps + 7 * octaves, semitones + 12 * octaves


def written_key(transposition: tuple[int, int]) -> str:
    """The key a part written at ``transposition`` is in, as a part is named: the note a
    written C sounds, "Bb" for ``(-1, -2)``, "Eb" for an alto sax's ``(-5, -9)``, "C" at
    concert pitch and for octave transpositions."""
    steps, semitones = transposition
    octaves, letter = divmod(steps, 7)
    accidental = semitones - 12 * octaves - _MAJOR_SEMITONES[letter]
    return "CDEFGAB"[letter] + ("#" * accidental if accidental > 0 else "b" * -accidental)


def written_in(transposition: tuple[int, int]) -> str:
    """A short word for a part not written at concert pitch, as the studio's track header
    and the CLI's track tables show it: "in Bb", "in Eb"; "8va" (a piccolo) and "8vb" (a
    double bass) for an octave; "" at concert pitch."""
    semitones = transposition[1]
    if not semitones:
        return ""
    key = written_key(transposition)
    if key != "C":
        return f"in {key}"
    return {12: "8va", -12: "8vb", 24: "15ma", -24: "15mb"}.get(semitones, f"{semitones:+d}")


def interval_name(steps: int, semitones: int) -> str:
    """``"a major second"``, ``"a perfect fifth"``, ``"an octave"``, ``"a major ninth"``
    (no direction); ``"26 semitones"`` past two octaves."""
    steps, semitones = abs(steps), abs(semitones)
    octaves, degree = divmod(steps, 7)
    off = semitones - 12 * octaves - _MAJOR_SEMITONES[degree]
    perfect = degree in (0, 3, 4)
    quality = ({0: "perfect", 1: "augmented", -1: "diminished"} if perfect else
               {0: "major", -1: "minor", 1: "augmented", -2: "diminished"}).get(off)
    if steps >= len(_INTERVAL_NAMES) or quality is None:
        return f"{semitones} semitones"
    name = _INTERVAL_NAMES[steps]
    if perfect and off == 0 and degree == 0:
        return name if octaves > 1 else f"an {name}"  # "an octave", "two octaves"
    return f"{'an' if quality == 'augmented' else 'a'} {quality} {name}"


def transposition_text(transposition: tuple[int, int]) -> str:
    """A track's transposition as a composer says it: ``"written in Bb (sounds a major
    second lower)"``, ``"sounds an octave higher than written"`` (a piccolo), ``"at
    concert pitch"``."""
    if not transposition[1]:
        return "at concert pitch"
    sounds = sounding_text(transposition)
    key = written_key(transposition)
    return f"{sounds} than written" if key == "C" else f"written in {key} ({sounds})"


def sounding_text(transposition: tuple[int, int]) -> str:
    """``"sounds a major second lower"`` (than written); ``"sounds as written"`` at
    concert pitch."""
    steps, semitones = transposition
    if not semitones:
        return "sounds as written"
    return f"sounds {interval_name(steps, semitones)} {'higher' if semitones > 0 else 'lower'}"
