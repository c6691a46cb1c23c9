"""General MIDI instrument names, families and the coarse *roles* the models condition on."""

from __future__ import annotations

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

GM_FAMILIES: tuple[str, ...] = (
    "Piano", "Chromatic Percussion", "Organ", "Guitar", "Bass", "Strings", "Ensemble", "Brass",
    "Reed", "Pipe", "Synth Lead", "Synth Pad", "Synth Effects", "Ethnic", "Percussive",
    "Sound Effects",
)

# Coarse roles the models condition on (ids are part of the model files: append only).
ROLES: tuple[str, ...] = ("melody", "bass", "chords", "piano", "strings", "drums", "voice")
ROLE_IDS = {name: i for i, name in enumerate(ROLES)}


def program_name(program: int, is_drum: bool = False) -> str:
    """Instrument name a musician recognises ("Drum Kit" for drum tracks)."""
    if is_drum:
        return "Drum Kit"
    return GM_PROGRAMS[program] if 0 <= program < 128 else f"Program {program}"


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
