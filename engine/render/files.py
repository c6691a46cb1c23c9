"""Writing audio files: 16-bit, 24-bit or 32-bit float WAV, stem names, and no
half-written files ever.

Each file is written under a temporary name in its destination folder and renamed into
place only once complete, so an error (or Ctrl-C) never leaves a truncated WAV behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np
import soundfile as sf

from engine.io.atomic import refuse_read_only, temp_sibling
from engine.score import Song, Track, track_labels
from engine.score.instruments import program_name

from .events import frames_of

# The bit depths a render writes (``partita render --bit-depth``, the studio's export) →
# soundfile's subtype: 24-bit PCM unless asked, what a DAW session records at; 16-bit for
# a CD or a demo (dithered: tpdf_dither), 32-bit float for one that wants the render as is.
BIT_DEPTHS: dict[str, str] = {"16": "PCM_16", "24": "PCM_24", "32f": "FLOAT"}
BIT_DEPTH_NAMES = {"16": "16-bit", "24": "24-bit", "32f": "32-bit float"}
DEFAULT_BIT_DEPTH = "24"
SUBTYPE = BIT_DEPTHS[DEFAULT_BIT_DEPTH]
DITHER_SEED = 16  # the dither's noise is the same every render: the same song, the same bytes
# What no file name should hold: what Windows forbids, C0 and C1 control characters (a
# MIDI file's name bytes read as Latin-1 can be C1) and lone surrogates (not encodable).
# Both cleaners below drop them and refuse Windows's device names, each in its own way:
# a song title becomes a whole name a person reads, so its "/" and ":" become the
# dashes a person would type ("AC/DC: Live" -> "AC-DC - Live", title_file_stem); a
# track's name is one part of a stem's name beside a number, so each run becomes "_",
# as DAWs write it, and says where a character was (_label).
_UNSAFE_CHARS = r'<>:"/\\|?*\x00-\x1f\x7f-\x9f\ud800-\udfff'
_UNSAFE = re.compile(f"[{_UNSAFE_CHARS}]+")
_UNSAFE_SPACED = re.compile(rf"\s*[{_UNSAFE_CHARS}]+\s*")  # with the spaces around it
# Names Windows keeps for devices, with any extension: "CON.wav" opens the console.
DEVICE_NAMES = {"CON", "PRN", "AUX", "NUL", *(f"{d}{i}" for d in ("COM", "LPT")
                                              for i in range(1, 10))}
MAX_SUGGESTED_BYTES = 200  # of a suggested name's stem: room for " (export).musicxml"
MAX_NAME = 80  # characters of a track's name in its file's name
# Bytes a whole file name may have on most file systems (ext4, APFS; NTFS counts 255
# UTF-16 units, never more than the UTF-8 bytes): 70 emoji are 280 (QA: "file name too
# long" from render --stems).
MAX_FILE_NAME_BYTES = 255
# What a stem file of ours is called: "01 - Piano.wav" (see stem_names).
STEM_RE = re.compile(r"\d{2,} - .+\.wav", re.IGNORECASE)
REHEARSAL_PREFIX = "Rehearsal - "
REHEARSAL_RE = re.compile(r"Rehearsal - .+\.wav", re.IGNORECASE)  # a rehearsal mix of ours


def is_device_name(stem: str) -> bool:
    """Whether a file named ``stem`` (with any extension) is a device on Windows."""
    return stem.split(".")[0].strip().upper() in DEVICE_NAMES


def title_file_stem(title: str) -> str:
    """The file name Save As and the exports suggest for a song never saved: its title,
    made safe on every file system ("AC/DC: Live" is "AC-DC - Live"), else "Untitled"
    (QA: "Untitled.partita" was suggested for "My First Song")."""
    stem = _UNSAFE_SPACED.sub(lambda m: "-" if m.group() == m.group().strip() else " - ",
                              " ".join(title.split()))
    stem = stem.encode()[:MAX_SUGGESTED_BYTES].decode(errors="ignore")
    stem = stem.strip(" .-")  # no hidden ".name", no name Windows cuts at a final dot
    if is_device_name(stem):  # "CON" is a device on Windows
        stem = f"{stem} song"
    return stem or "Untitled"


def _label(track: Track, room: int) -> str:
    """The track's name as a file name's part, safe on every OS (its instrument when it
    has none): at most :data:`MAX_NAME` characters and ``room`` bytes of UTF-8, cut
    between characters; a device name marked with "_" (``--stem-names '{track}'`` of a
    track called "CON" wrote CON.wav)."""
    label = _UNSAFE.sub("_", track.name).strip().rstrip(".").strip()[:MAX_NAME]
    label = label.encode()[:room].decode(errors="ignore").strip().rstrip(".").strip()
    if is_device_name(label):  # a few bytes: room for one more
        label = f"{label}_"
    return label or program_name(track.program, track.is_drum)


def _room(*parts: str) -> int:
    """The bytes a file name has for a track's name beside ``parts`` (number, suffix)."""
    return MAX_FILE_NAME_BYTES - sum(len(p.encode()) for p in parts)


# What render --stem-names fills in, and the names it writes when not given one.
STEM_FIELDS = ("song", "nn", "track")
DEFAULT_STEM_NAMES = "{nn} - {track}"


def stem_names_problem(template: str) -> str | None:
    """Why ``template`` cannot name stems (``render --stem-names``), or None: only
    ``{song}``, ``{nn}`` and ``{track}``, ``{track}`` among them (every track's file must
    differ), no character a file name cannot hold around them."""
    import string

    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as e:  # "{song" unclosed, a lone "}"
        return f"{template!r} is not a name template ({e}); e.g. '{{song}}_{{nn}}_{{track}}'"
    fields = [f for _, f, _, _ in parts if f is not None]
    unknown = [f for f in fields if f not in STEM_FIELDS]
    if unknown:
        return (f"{template!r}: no field {{{unknown[0]}}}: use {{song}} (the song's file "
                "name), {nn} (the track's number) and {track} (its name)")
    if any(spec or conv for _, f, spec, conv in parts if f is not None):
        return f"{template!r}: a field takes no format ({{track}}, not {{track:…}})"
    if "track" not in fields:
        return f"{template!r}: needs {{track}}, so each track's stem has its own name"
    literal = "".join(text for text, _, _, _ in parts)
    if _UNSAFE.search(literal):
        bad = _UNSAFE.search(literal).group()[0]
        return (f"{template!r}: {bad!r} cannot be in a file name on every system "
                "(no folders: the stems go in --stems DIR)")
    return None


def stem_names(song: Song, template: str = DEFAULT_STEM_NAMES,
               song_name: str = "") -> dict[int, str]:
    """File name per track id: ``"01 - Piano.wav"``, in track order, safe on every OS.

    The number prefix keeps names unique and sorts stems in track order in a file browser
    or DAW. Tracks that share a name are told apart as the command line tells them
    (:func:`~engine.score.track_labels`): ``"02 - Piano (2).wav"``, the track's number.
    ``template`` (:func:`stem_names_problem`) names them otherwise, for middleware that
    wants every variation of a loop in one folder: ``"{song}_{track}"`` with
    ``song_name`` "loop-2" gives ``"loop-2_Piano.wav"`` (unsafe characters become "_").
    """
    width = max(2, len(str(len(song.tracks))))
    labels = track_labels(song)
    song_part = _UNSAFE.sub("_", song_name).strip().rstrip(".").strip()[:MAX_NAME] or "song"

    def told_apart(t: Track) -> str:  # " (2)" when the name is shared, else ""
        name = t.name.strip()
        return labels[t.id][len(name):] if name and labels[t.id].startswith(name) else ""

    names = {}
    for i, t in enumerate(song.tracks, start=1):
        nn, told = f"{i:0{width}d}", told_apart(t)
        around = template.format(song=song_part, nn=nn, track="")
        track = _label(t, _room(around, told, ".wav")) + told
        names[t.id] = template.format(song=song_part, nn=nn, track=track) + ".wav"
    return names


def bar_one_note(song: Song, sample_rate: int, *, mix: bool = True,
                 stems: bool = True) -> str | None:
    """Where bar 1 falls in the mix and stems of a song that opens with a pickup (they
    start at the pickup's start, as the song's MIDI file does), for placing them in a DAW:
    ``"the mix and stems start with the pickup: bar 1 at 0.600 s (sample 26460 at 44100
    Hz) ..."``, naming what was written (``mix``, ``stems``: "the mix starts …"); None
    without a pickup (bar 1 is at 0)."""
    tm, to_frames = frames_of(song, sample_rate)  # as the renderer places every tick
    if not tm.has_pickup:
        return None
    seconds = tm.tick_to_seconds(tm.bar_to_tick(1))
    sample = int(to_frames([tm.bar_to_tick(1)])[0])
    written, them = (("the mix and stems start", "them") if mix and stems
                     else ("the mix starts", "it") if mix else ("the stems start", "them"))
    return (f"{written} with the pickup: bar 1 at {seconds:.3f} s (sample {sample} at "
            f"{sample_rate} Hz): place {them} there on your DAW's bar 1, or with the "
            "pickup's start on it (as the song's MIDI file has it)")


def rehearsal_ids(song: Song) -> list[int]:
    """The tracks that get a rehearsal mix (:func:`~.mixing.rehearsal_mix`): every pitched
    track with notes that is heard in the mix (mute and solo honoured), in track order.
    Drums are heard behind the others but have no part to learn."""
    heard = set(song.audible_ids())
    return [t.id for t in song.tracks if not t.is_drum and t.notes and t.id in heard]


def rehearsal_names(song: Song) -> dict[int, str]:
    """File name per track id of :func:`rehearsal_ids`: ``"Rehearsal - Alto.wav"``, what a
    singer looks for; a second track of the same name ``"Rehearsal - Violin (2).wav"``
    (names compared as a case-blind file system does)."""
    names: dict[int, str] = {}
    seen: dict[str, int] = {}
    by_id = {t.id: t for t in song.tracks}
    # Room for the widest " (N)" too: names cut alike are told apart by it.
    room = _room(REHEARSAL_PREFIX, f" ({len(song.tracks)})", ".wav")
    for tid in rehearsal_ids(song):
        label = _label(by_id[tid], room)
        n = seen[label.casefold()] = seen.get(label.casefold(), 0) + 1
        names[tid] = f"{REHEARSAL_PREFIX}{label}{f' ({n})' if n > 1 else ''}.wav"
    return names


def stale_stems(folder: Path, names: Iterable[str]) -> list[Path]:
    """Stem files (``"NN - Name.wav"``) in ``folder`` that writing ``names`` would not
    overwrite: left over from another song's export. Sorted; empty when no folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    ours = set(names)
    return sorted(p for p in folder.iterdir()
                  if p.name not in ours and STEM_RE.fullmatch(p.name) and p.is_file())


def stale_rehearsals(folder: Path, names: Iterable[str]) -> list[Path]:
    """Rehearsal mixes (``"Rehearsal - Name.wav"``) in ``folder`` that writing ``names``
    would not overwrite: another song's parts (an SATB song's Alto beside a piano
    song's), as :func:`stale_stems` finds stems."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    ours = set(names)
    return sorted(p for p in folder.iterdir()
                  if p.name not in ours and REHEARSAL_RE.fullmatch(p.name) and p.is_file())


def remove_stems(paths: Iterable[Path]) -> None:
    """Delete stale stem files (:func:`stale_stems`) once the new ones are written; one
    already gone is fine. An ``OSError`` names the file it could not delete."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


# What a file is written from: the samples, or a function giving them a block at a time
# (a long stem streamed from disk instead of held in memory).
AudioSource = np.ndarray | Callable[[], Iterable[np.ndarray]]


def tpdf_dither(block: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``block`` (float, full scale ±1) as 16-bit samples, with triangular (TPDF) noise
    of ±1 step added before rounding: the rounding error becomes a steady hiss at about
    −93 dBFS instead of distortion that follows the music (a fade's tail, a quiet
    release gone grainy), as a DAW's 16-bit bounce does.

    Digital silence stays digital silence: a sample exactly 0.0 has no rounding error
    to hide, so it is written 0, undithered. An empty track's stem is all zeros and a
    rest between notes is silent, as a DAW's strip-silence expects (dithered, each was
    ±1 step of hiss, and seven summed stems seven noise floors)."""
    samples = np.asarray(block, np.float32)
    noise = (rng.random(block.shape, dtype=np.float32)
             - rng.random(block.shape, dtype=np.float32))
    noise[samples == 0] = 0  # (drawn all the same: the noise after it stays the same)
    scaled = samples * 32767.0 + noise
    return np.clip(np.rint(scaled), -32768, 32767).astype(np.int16)


# libsndfile's command (sndfile.h's SFC_SET_ADD_PEAK_CHUNK, which the soundfile package
# does not name) that leaves out the PEAK chunk it writes into a float WAV: the chunk
# holds the time it was written, so two renders of one song differed byte for byte.
SFC_SET_ADD_PEAK_CHUNK = 0x1050


def _wav_writer(f: BinaryIO, sample_rate: int, subtype: str) -> sf.SoundFile:
    """A stereo WAV being written to ``f``: the same samples give the same bytes (a
    float file without its PEAK chunk, which only a few readers use to skip a scan)."""
    out = sf.SoundFile(f, "w", sample_rate, 2, subtype, format="WAV")
    if subtype == "FLOAT":
        from soundfile import _ffi, _snd  # the C library behind soundfile's API

        _snd.sf_command(out._file, SFC_SET_ADD_PEAK_CHUNK, _ffi.NULL, _snd.SF_FALSE)
    return out


class _Relayed:
    """The file soundfile writes to, through a callback from C (``vio_write``) that
    cannot pass an exception on: it reports it as "ignored" and returns 0 bytes written,
    and libsndfile goes on (a header short) or soundfile fails otherwise (an
    ``AssertionError``). What the file's ``write`` raised — a Ctrl+C's
    ``KeyboardInterrupt``, a full disk's ``OSError`` — is kept here, for :func:`_write`
    to raise itself (:meth:`raise_lost`)."""

    def __init__(self, f: BinaryIO) -> None:
        self._f = f
        self.lost: BaseException | None = None

    def __getattr__(self, name: str):
        return getattr(self._f, name)

    def write(self, data: bytes) -> int | None:
        try:
            return self._f.write(data)
        except BaseException as e:
            self.lost = self.lost or e
            raise

    def raise_lost(self) -> None:
        if self.lost is not None:
            raise self.lost


# A sampler's loop in a WAV: the RIFF "smpl" chunk, one forward loop (type 0) played
# for ever (play count 0), as Kontakt, FMOD, Wwise and a hardware sampler read it.
SMPL_UNITY_NOTE = 60  # the chunk's MIDI unity note: middle C, the file played as is


def smpl_chunk(frames: int, sample_rate: int, loop_start: int = 0) -> bytes:
    """The ``smpl`` chunk of a file of ``frames`` frames that loops from ``loop_start``
    to its last frame (the chunk's loop end is inclusive: ``frames - 1``)."""
    if not 0 <= loop_start < frames:
        raise ValueError(f"a loop from frame {loop_start} of {frames}")
    period_ns = round(1e9 / sample_rate)
    header = struct.pack("<9I", 0, 0, period_ns, SMPL_UNITY_NOTE, 0, 0, 0, 1, 0)
    loop = struct.pack("<6I", 0, 0, loop_start, frames - 1, 0, 0)
    return b"smpl" + struct.pack("<I", len(header) + len(loop)) + header + loop


def _add_smpl_chunk(f: BinaryIO, frames: int, sample_rate: int, loop_start: int) -> None:
    """The loop appended to the WAV soundfile wrote to ``f`` (which libsndfile does not
    write), the RIFF size then set to the file's: a chunk after the data is read by
    every WAV reader, and skipped by one that knows no ``smpl``."""
    f.seek(0)
    if f.read(4) != b"RIFF":  # (an RF64 file, past 4 GB: no loop chunk for it)
        return
    size = f.seek(0, os.SEEK_END)
    chunk = (b"\0" if size % 2 else b"") + smpl_chunk(frames, sample_rate, loop_start)
    if size + len(chunk) - 8 > 0xFFFF_FFFF:
        return
    f.write(chunk)
    f.seek(4)
    f.write(struct.pack("<I", size + len(chunk) - 8))


def _write(tmp: Path, audio: AudioSource, sample_rate: int, shown: Path,
           bit_depth: str = DEFAULT_BIT_DEPTH,
           rng: np.random.Generator | None = None, loop_start: int | None = None) -> None:
    """``audio`` into the new file ``tmp`` at ``bit_depth`` (16-bit dithered with
    ``rng``), with a ``smpl`` loop from frame ``loop_start`` to its end when one is given
    (:func:`smpl_chunk`); an OS error names ``shown`` (the user's file), not the temporary
    one (libsndfile's own message for it is "System error"). What soundfile's callback
    lost (:class:`_Relayed`) is raised here: a Ctrl+C while writing is an interrupt, not
    a half-written file renamed into place or an ``AssertionError``."""
    subtype = BIT_DEPTHS[bit_depth]
    if bit_depth == "16":
        noise = rng if rng is not None else np.random.default_rng(DITHER_SEED)

        def samples(block: np.ndarray) -> np.ndarray:
            return tpdf_dither(block, noise)
    else:
        def samples(block: np.ndarray) -> np.ndarray:
            return block
    relayed: _Relayed | None = None
    try:
        with open(tmp, "xb") as f:
            relayed = _Relayed(f)
            frames = 0
            with _wav_writer(relayed, sample_rate, subtype) as out:
                for block in [audio] if isinstance(audio, np.ndarray) else audio():
                    out.write(samples(block))
                    frames += len(block)
                    relayed.raise_lost()
            relayed.raise_lost()  # the header, written as the file is closed
        if loop_start is not None and frames > loop_start:
            with open(tmp, "r+b") as f:
                _add_smpl_chunk(f, frames, sample_rate, loop_start)
    except Exception as e:
        lost = relayed.lost if relayed is not None else None
        if lost is not None and lost is not e:  # soundfile failed with another error
            if not isinstance(lost, OSError):
                raise lost from None
            e = lost
        if not isinstance(e, OSError):
            raise
        raise OSError(e.errno, e.strerror, str(shown)) from None


def write_wavs(files: Sequence[tuple[Path, AudioSource]], sample_rate: int,
               bit_depth: str = DEFAULT_BIT_DEPTH,
               loops: Mapping[Path, int] | None = None) -> list[Path]:
    """Write every ``(path, audio)`` as stereo WAV at ``bit_depth`` (one of
    :data:`BIT_DEPTHS`: 24-bit unless asked), all or nothing.

    ``loops``: the files that loop, each with the frame its loop starts at (0: the whole
    file); each gets a ``smpl`` chunk with that forward loop to its last frame
    (:func:`smpl_chunk`), so a sampler or game audio middleware loops it as it loads.

    All files are first written to temporary names; only when every one succeeded are
    they renamed into place. On any error the temporaries are removed and the error
    propagates, leaving the destination as it was.
    """
    if bit_depth not in BIT_DEPTHS:
        raise ValueError(f"unknown bit depth {bit_depth!r}: use "
                         f"{', '.join(map(repr, BIT_DEPTHS))}")
    rng = np.random.default_rng(DITHER_SEED)  # one stream: each file's dither its own
    temps: list[tuple[Path, Path]] = []
    try:
        for path, _ in files:
            refuse_read_only(path)
            if path.is_dir():
                raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
        for path, audio in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = temp_sibling(path, "partial")
            temps.append((tmp, path))
            _write(tmp, audio, sample_rate, path, bit_depth, rng,
                   None if loops is None else loops.get(path))
        for tmp, path in temps:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in temps:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    return [path for _, path in temps]


def stem_paths(song: Song, stems_dir: Path, template: str = DEFAULT_STEM_NAMES,
               song_name: str = "") -> Mapping[int, Path]:
    return {tid: stems_dir / name
            for tid, name in stem_names(song, template, song_name).items()}


def rehearsal_paths(song: Song, folder: Path) -> Mapping[int, Path]:
    return {tid: folder / name for tid, name in rehearsal_names(song).items()}
