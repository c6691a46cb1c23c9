"""Track gain and pan, the mix, and the headroom rule that keeps it from clipping.

Headroom rule (peak normalisation, downwards only): the mix is summed at unity gain and,
if its sample peak would pass :data:`CEILING` (-1 dBFS), the whole mix is scaled down so
the peak sits exactly there. Quieter mixes are left alone, so levels stay comparable
between renders and dynamics are never squashed (no limiter, no compression). The gain
is decided from every track, muted or not (:func:`headroom_gains`), so muting a track
changes what the mix holds, not its level or the stems'. An export decides it from the
files it writes; the studio's playback from the same mix made a few bars at a time
(:mod:`.windowed`), by the same function.

A fixed level (``render --gain DB``, the export's Level "Fixed gain") replaces the rule:
one gain the user names, the same for every song, range and variation, so stems layered
in middleware or a DAW line up (normalised, an untouched Pad stem moved by 2.65 dB when
the Lead was repainted). It may clip: :func:`fitting_gain_db` says what fits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from engine.score import Song, Track, listed, track_labels

CEILING_DBFS = -1.0
CEILING = 10 ** (CEILING_DBFS / 20)
# A fixed gain is taken within these dB: -60 leaves a 24-bit file 84 dB of room, +24
# lifts a quiet built-in render; past them it is surely a typo.
FIXED_GAIN_RANGE_DB = (-60.0, 24.0)
# A rehearsal mix (a choir's learning track): its own part as in the mix, the others
# turned down behind it until the part stands REHEARSAL_MARGIN_DB over them all together
# (RMS, where it sings), the own part balanced a little to the left and the others as
# much to the right, so an ear can follow either. A fixed cut of 9 dB (the convention's
# -8 to -10) left a quiet part level with the rest: a bass's mix had the bass 0.1 dB
# under the other three, the soprano's had her 6.4 dB over them (a choir director's QA).
REHEARSAL_MARGIN_DB = 6.0
# The others' cut stays within these (never louder than 3 dB under the mix, never so far
# down that the harmony is lost); REHEARSAL_OTHERS_DB where the part is silent.
REHEARSAL_OTHERS_RANGE_DB = (-24.0, -3.0)
REHEARSAL_OTHERS_DB = -9.0
REHEARSAL_PAN = 0.3
# Where a part sings, for its level: blocks of this many frames whose mean square is over
# REHEARSAL_SUNG (-60 dBFS RMS); its rests and the song's silences do not count.
REHEARSAL_BLOCK = 2048
REHEARSAL_SUNG = 1e-6
# A count-in's click this far under the music's peak in a rehearsal mix, at most (a
# soprano's mix clicked at -3.2 dBFS before music peaking at -7.3: a choir director's QA).
COUNT_IN_UNDER_DB = 3.0
SQRT2 = float(np.sqrt(2))
DC_STRETCH = 1 << 12  # 5 ms blocks: 20 s of audio a pass


def pan_gains(pan: float) -> tuple[float, float]:
    """The left and right gains of a track at ``pan`` (-1 left .. +1 right).

    A constant-power (sin/cos) law, as a General MIDI player's (FluidSynth's) CC10, made
    3 dB louder so the centre passes both sides unchanged: 0 dB each side at the centre,
    hard left +3.01 dB left and nothing right, so a mono sound keeps its power wherever
    it is panned (a GM player's centre is -3 dB a side; relative to its own centre, its
    levels are these). The built-in drum kit pans its pieces the same way.
    """
    pan = float(np.clip(pan, -1.0, 1.0))
    if pan in (-1.0, 0.0, 1.0):  # exact: √2·cos(π/4) is not quite 1, cos(π/2) not 0
        return {-1.0: (SQRT2, 0.0), 0.0: (1.0, 1.0), 1.0: (0.0, SQRT2)}[pan]
    theta = (pan + 1) * np.pi / 4
    return float(SQRT2 * np.cos(theta)), float(SQRT2 * np.sin(theta))


def apply_volume_pan(audio: np.ndarray, track: Track) -> np.ndarray:
    """Scale a stereo ``(n, 2)`` signal by the track's volume and pan it (:func:`pan_gains`).

    ``volume`` is a linear gain; ``pan`` runs from -1 (left) to +1 (right): at the centre
    both sides pass unchanged.
    """
    volume = float(np.clip(track.volume, 0.0, 1.0))
    pan = float(np.clip(track.pan, -1.0, 1.0))
    if volume == 1.0 and pan == 0.0:
        return audio
    left, right = pan_gains(pan)
    return audio * np.array([volume * left, volume * right], np.float32)


def sung_energies(heard: np.ndarray, own: np.ndarray) -> tuple[float, float]:
    """The summed squares of a part's stem ``own`` and of the others (``heard`` less it)
    over the blocks of :data:`REHEARSAL_BLOCK` frames where the part sings (its mean
    square over :data:`REHEARSAL_SUNG`): what :func:`rehearsal_others_db` weighs."""
    n = len(own) // REHEARSAL_BLOCK * REHEARSAL_BLOCK
    mine = np.square(own[:n], dtype=np.float64).reshape(-1, REHEARSAL_BLOCK * 2).sum(1)
    rest = np.square(heard[:n] - own[:n], dtype=np.float64).reshape(
        -1, REHEARSAL_BLOCK * 2).sum(1)
    sung = mine > REHEARSAL_SUNG * REHEARSAL_BLOCK * 2
    return float(mine[sung].sum()), float(rest[sung].sum())


def rehearsal_others_db(own_energy: float, others_energy: float) -> float:
    """The others' gain (dB) in a part's rehearsal mix: the part :data:`REHEARSAL_MARGIN_DB`
    over them all together, from their energies where it sings (:func:`sung_energies`),
    within :data:`REHEARSAL_OTHERS_RANGE_DB`; :data:`REHEARSAL_OTHERS_DB` where the part
    is silent or alone."""
    if own_energy <= 0 or others_energy <= 0:
        return REHEARSAL_OTHERS_DB
    stands = 10 * float(np.log10(own_energy / others_energy))  # the part over the rest
    low, high = REHEARSAL_OTHERS_RANGE_DB
    return float(np.clip(stands - REHEARSAL_MARGIN_DB, low, high))


def count_in_gain(click_peak: float, music_peak: float) -> float:
    """The gain that sets a count-in's click :data:`COUNT_IN_UNDER_DB` under the peak of
    the music after it (never up)."""
    if click_peak <= 0:
        return 1.0
    return min(1.0, music_peak * 10 ** (-COUNT_IN_UNDER_DB / 20) / click_peak)


def rehearsal_mix(heard: np.ndarray, own: np.ndarray,
                  others_db: float = REHEARSAL_OTHERS_DB) -> np.ndarray:
    """A piece of a rehearsal mix of one part, from the same frames of the mix as heard
    (every audible stem summed at unity, ``own`` among them) and of that part's stem:
    the others ``others_db`` quieter (:func:`rehearsal_others_db`), the part
    :data:`REHEARSAL_PAN` left of where it was, the others as far right (a balance: the
    near side passes, the far one is turned down). Before the headroom gain."""
    others = np.float32(10 ** (others_db / 20))
    far = np.float32(1 - REHEARSAL_PAN)
    out = heard - own
    out *= others * np.array([far, 1], np.float32)
    out += own * np.array([1, far], np.float32)
    return out


def left_out(song: Song) -> tuple[list[Track], list[Track]]:
    """The tracks with notes that the mix leaves out: the muted ones, and those not
    soloed while another track is (a track muted and not soloed counts as muted)."""
    heard = set(song.audible_ids())
    out = [t for t in song.tracks if t.notes and t.id not in heard]
    return [t for t in out if t.mute], [t for t in out if not t.mute]


def why_silent(song: Song) -> str:
    """Why a mix of ``song`` holds nothing: ``"every track is muted"``, ``"the soloed
    track Lead is muted"``, ``"every track heard is at volume 0: 808, Lead"``, ... (the
    first half of :func:`silent_mix`)."""
    return silent_mix(song)[0]


def silent_mix(song: Song, fader: str = "tracks --volume T=100") -> tuple[str, str]:
    """Why a mix of ``song`` holds nothing, and what to do about it, each fitting the
    cause: ``("every track is muted", "unmute or solo a track to hear it in the mix")``,
    ``("the soloed track Empty has no notes", "solo a track with notes, or unsolo
    Empty")``, ``("every track heard is at volume 0: 808, Lead", "raise a fader
    (tracks --volume T=100)")`` (``fader``: where a fader is raised). QA: faders all at
    0 were told to unmute or solo a track."""
    soloed = [t for t in song.tracks if t.solo]
    heard = [t for t in song.tracks if t.id in set(song.audible_ids())]
    labels = track_labels(song)

    def names(tracks: list[Track]) -> str:
        return ", ".join(labels[t.id] for t in tracks)

    if not heard and not soloed:
        return "every track is muted", "unmute or solo a track to hear it in the mix"
    if not heard:
        if len(soloed) == 1:
            return (f"the soloed track {names(soloed)} is muted",
                    "unmute it, or solo another track")
        return (f"every soloed track is muted ({names(soloed)})",
                "unmute one, or solo another track")
    sounding = [t for t in heard if t.notes]
    if not sounding:
        if soloed:  # the solo picked them: unsoloing is the way out
            one = len(heard) == 1
            return (f"the soloed track{'' if one else 's'} {names(heard)} "
                    f"{'has' if one else 'have'} no notes",
                    f"solo a track with notes, or unsolo {names(heard)}")
        return (f"the tracks heard in it have no notes: {names(heard)}",
                "unmute a track with notes to hear it in the mix")
    if all(t.volume <= 0 for t in sounding):
        return (f"every track heard is at volume 0: {names(sounding)}",
                f"raise a fader ({fader})")
    return (f"the tracks heard in it make no sound here: {names(heard)}",
            "unmute or solo a track to hear it in the mix")


def silent_stems(song: Song, stem_peaks_dbfs: Mapping[int, float],
                 span: tuple[int, int] | None = None) -> list[str]:
    """What a render's stems of silence are, by cause, each worded for a sentence's end:
    ``"Bass and Drums have no notes: their stems are silence"`` (none in ``span``, the
    ticks rendered: ``"… no notes in the bars exported: …"``), ``"808 and Lead are at
    volume 0: their stems are silence"``; ``stem_peaks_dbfs`` is each stem file's peak by
    track id (a render's :attr:`~.renderer.RenderReport.stem_track_peaks_dbfs`; empty: no
    stems, nothing said). Written all the same: a DAW session expects a stem per track."""
    if not stem_peaks_dbfs:
        return []
    labels = track_labels(song)
    silent = [t for t in song.tracks if stem_peaks_dbfs.get(t.id, 0.0) == float("-inf")]
    empty = [t for t in silent if not _sounds_in(t, span)]
    faded = [t for t in silent if t not in empty and t.volume <= 0]
    notes = []
    for tracks, what in ((empty, "no notes" + ("" if span is None
                                               else " in the bars exported")),
                         (faded, "volume 0")):
        if tracks:
            one = len(tracks) == 1
            verb = ("has" if one else "have") if tracks is empty else ("is at" if one
                                                                        else "are at")
            notes.append(f"{listed([labels[t.id] for t in tracks])} {verb} {what}: "
                         f"{'its stem is' if one else 'their stems are'} silence")
    return notes


def _sounds_in(track: Track, span: tuple[int, int] | None) -> bool:
    """Whether ``track`` has a note that sounds in ``span`` (the whole song: any note)."""
    if span is None:
        return bool(track.notes)
    start, end = span
    return any(n.start < end and n.start + n.duration > start for n in track.notes)


def sum_tracks(stems: Mapping[int, np.ndarray], song: Song, *,
               every: bool = False) -> np.ndarray:
    """Unity-gain sum of the audible tracks' stems (no headroom rule); ``every``: of every
    track's, muted or not (what the headroom gain is decided from)."""
    length = max((len(a) for a in stems.values()), default=0)
    out = np.zeros((length, 2), np.float32)
    for track_id in [t.id for t in song.tracks] if every else song.audible_ids():
        audio = stems.get(track_id)
        if audio is not None:
            out[: len(audio)] += audio
    return out


def peak(*arrays: np.ndarray) -> float:
    # (max and min: np.abs made a copy of the audio, twice as slow)
    return max((max(float(a.max()), -float(a.min())) for a in arrays if a.size), default=0.0)


def gain_for_peak(p: float) -> float:
    """Linear gain (≤ 1) that brings a sample peak ``p`` to the ceiling."""
    return min(1.0, CEILING / p) if p > 0 else 1.0


def headroom_gains(every_peak: float, stem_peak: float,
                   audible_peak: float) -> tuple[float, float]:
    """The stems' gain and the mix's, from the sample peaks of the mix of every track
    (muted or not), of the loudest stem and of the mix as heard (mute and solo honoured).

    The stems' gain never depends on mute or solo, so a song always gives the same stems.
    The mix takes it too, so the stems heard in it, summed, give it back. A muted track
    may have been cancelling some of the others' peak (a kick against the bass's low end),
    so a mix with tracks muted can peak above the ceiling at that gain: it keeps the gain
    up to full scale (0 dBFS), and only one that would clip is brought down, alone, to the
    ceiling.
    """
    gain = gain_for_peak(max(every_peak, stem_peak))
    return gain, gain if audible_peak * gain <= 1.0 else gain_for_peak(audible_peak)


def kept_gain(gain: float, p: float) -> float:
    """``gain``, unless a sample peak ``p`` would pass full scale (0 dBFS) at it: then
    the gain that brings ``p`` to the ceiling. A range of bars takes the whole song's
    gain this way: a note struck again at its start (a chase) can peak above anything
    in the song."""
    return gain if p * gain <= 1.0 else gain_for_peak(p)


def fixed_gain(db: float) -> float:
    """The linear gain of a fixed level of ``db`` dB (``render_files(gain_db=…)``); a
    ValueError outside :data:`FIXED_GAIN_RANGE_DB`, or for what is not a number."""
    low, high = FIXED_GAIN_RANGE_DB
    if not low <= db <= high:  # (NaN fails both)
        raise ValueError(f"a fixed gain of {db} dB: give {low:g} to {high:+g} dB")
    return 10 ** (db / 20)


def fitting_gain_db(gain_db: float, peak_dbfs: float) -> float:
    """The fixed gain (dB, one decimal, rounded down) at which a file that peaked at
    ``peak_dbfs`` when rendered at ``gain_db`` peaks at the ceiling (-1 dBFS) or just
    under: what to render it at so that it does not clip."""
    fits = np.floor((gain_db + CEILING_DBFS - peak_dbfs) * 10 + 1e-9) / 10
    return float(fits) + 0.0  # (no "-0.0")


@dataclass(frozen=True)
class Peaks:
    """The sample peaks :func:`headroom_gains` decides the gain from (0: silence, or not
    heard yet)."""

    every: float = 0.0  # the mix of every track, muted or not
    stem: float = 0.0  # the loudest stem
    heard: float = 0.0  # the mix as heard (mute and solo honoured)

    def __or__(self, other: Peaks) -> Peaks:
        """The louder of each: what two stretches of one song reach together."""
        return Peaks(max(self.every, other.every), max(self.stem, other.stem),
                     max(self.heard, other.heard))

    @property
    def stem_gain(self) -> float:
        """The gain of the stems, whatever is muted (:func:`headroom_gains`)."""
        return headroom_gains(self.every, self.stem, self.heard)[0]

    @property
    def mix_gain(self) -> float:
        """The gain of the mix as heard (:func:`headroom_gains`)."""
        return headroom_gains(self.every, self.stem, self.heard)[1]

    def unheard(self) -> Peaks:
        """These peaks without the mix as heard's: what holds whatever is muted."""
        return replace(self, heard=0.0)


def level_key(song: Song) -> tuple:
    """What the headroom gain of ``song`` depends on but mute and solo (and names, colours,
    markers, title, length: nothing the audio holds): two songs with equal keys have the
    same :attr:`Peaks.every` and :attr:`Peaks.stem`."""
    return (song.ppq, song.tempos, tuple(
        (t.program, t.is_drum, t.channel, t.notes, t.volume, t.pan, t.program_changes,
         t.controls) for t in song.tracks))


def mix(stems: Mapping[int, np.ndarray], song: Song) -> np.ndarray:
    """The stereo mix of ``stems`` (track id → ``(n, 2)``) honouring mute/solo; never clips.

    Its gain is the one :func:`~engine.render.render_files` gives the files (see
    :func:`headroom_gains`): the same whatever is muted or soloed.
    """
    out = sum_tracks(stems, song)
    _, gain = headroom_gains(peak(sum_tracks(stems, song, every=True)),
                             peak(*stems.values()), peak(out))
    return out * np.float32(gain)


def dc_block(sample_rate: int) -> int:
    """Frames in one block of :func:`remove_dc`'s drift estimate: 5 ms."""
    return max(1, sample_rate // 200)


def dc_block_sums(stretch: np.ndarray, block: int) -> np.ndarray:
    """The sum of each ``block`` frames of ``stretch`` (a whole number of blocks), float64
    ``(blocks, 2)``: what :func:`dc_anchors` estimates the drift from."""
    blocks = stretch.reshape(-1, block, 2)
    # A channel at a time: numpy sums the two interleaved ones a dozen times slower.
    return np.stack([blocks[:, :, c].sum(axis=1, dtype=np.float64) for c in (0, 1)], axis=1)


def dc_window(block: int, sample_rate: int, window_s: float = 0.25) -> int:
    """Blocks in each boxcar of :func:`dc_anchors`: a block's drift is read from the
    blocks up to twice that many away."""
    return max(2, round(window_s * sample_rate / block))


def dc_anchors(sums: np.ndarray, block: int, sample_rate: int,
               window_s: float = 0.25) -> np.ndarray:
    """The drift at the start of each block and after the last (float32 ``(blocks + 1,
    2)``), from every block's sum (:func:`dc_block_sums`, the last block padded with
    silence): a centred triangular moving average (two boxcars of ``window_s``)."""
    w = dc_window(block, sample_rate, window_s)
    low = sums / block
    for _ in range(2):
        z = np.zeros((w // 2 + 1, 2))
        csum = np.cumsum(np.concatenate([z, low, np.zeros((w - w // 2, 2))]), axis=0)
        low = (csum[w:] - csum[:-w])[: len(sums)] / w
    # Linear ramps between block values (half a block late: immaterial for a 0.5 s drift).
    anchors = np.concatenate([low, low[-1:]]).astype(np.float32)
    # Digital silence stays silent: the centred average reads a note's offset a quarter
    # second early, and taking it out wrote a ramp (to −48 dBFS) into the silence before
    # the note, which a DAW draws ahead of the transient. Around a silent block (its sums
    # exactly 0) the drift is 0, reached within the sounding block next to it (5 ms).
    silent = ~sums.any(axis=1)
    anchors[:-1][silent] = 0
    anchors[1:][silent] = 0
    return anchors


def subtract_drift(stretch: np.ndarray, anchors: np.ndarray, block: int) -> None:
    """Take the drift out of ``stretch`` (a whole number of blocks) in place: ``anchors``
    are its blocks' (:func:`dc_anchors`) and the next block's.

    Digital silence stays digital silence to the sample: in a block that starts (ends)
    with a drift of 0, next to a silent one, the exact zeros before its first sounding
    sample (after its last) are left as they are, so the ramp from 0 starts on a note's
    onset, not up to a block (5 ms) ahead of it (−89 dBFS, drawn before the transient)."""
    blocks = stretch.reshape(-1, block, 2)
    ramp = (np.arange(block, dtype=np.float32) / block)[None, :, None]
    a = anchors
    silences = _edge_silences(blocks, a)
    drift = (a[1:] - a[:-1])[:, None, :] * ramp  # one temporary, not two
    drift += a[:-1, None, :]
    blocks -= drift
    for b, c, zeros in silences:
        blocks[b, zeros, c] = 0


def _edge_silences(blocks: np.ndarray, anchors: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
    """``(block, channel, mask)`` of the exact zeros that are a silence's: those before a
    block's first non-zero sample where its drift starts at 0, after its last where it
    ends at 0 (the few blocks next to a silence: no pass over the whole stretch)."""
    starts, ends = anchors[:-1] == 0, anchors[1:] == 0
    found = []
    for b, c in zip(*np.nonzero(starts != ends), strict=True):
        sounding = blocks[b, :, c] != 0
        if starts[b, c]:  # what comes before the first sound
            zeros = ~np.logical_or.accumulate(sounding)
        else:  # what comes after the last
            zeros = ~np.logical_or.accumulate(sounding[::-1])[::-1]
        if zeros.any():
            found.append((int(b), int(c), zeros))
    return found


def remove_dc(audio: np.ndarray, sample_rate: int, window_s: float = 0.25,
              progress: Callable[[float], None] | None = None) -> np.ndarray:
    """``audio`` minus its slow drift: a zero-phase high-pass below a few Hz.

    Some SoundFont samples (and asymmetric drum sweeps) carry a DC offset, which wastes
    headroom and clicks at edits. The drift is a centred triangular moving average (two
    boxcars of ``window_s``) taken over 5 ms block means and interpolated back, so it
    costs a few passes over the audio; it removes DC exactly and leaves everything from
    ~40 Hz up within 0.01 dB. The passes go a stretch at a time (:data:`DC_STRETCH`
    blocks: twice as fast as whole-song passes, the same numbers), ``progress`` told
    the fraction done after each. Audio shorter than two blocks is left as it is, and
    digital silence stays silent (no drift is taken out next to a silent block).
    :func:`dc_block_sums`, :func:`dc_anchors` and :func:`subtract_drift` are its steps,
    for audio that streams through a stretch at a time (``render_files``).
    """
    n = len(audio)
    block = dc_block(sample_rate)
    if n < 2 * block:
        return audio
    nb = -(-n // block)
    padded = np.zeros((nb * block, 2), np.float32)
    padded[:n] = audio
    starts = range(0, nb, DC_STRETCH)

    def stretch(i: int) -> np.ndarray:
        return padded[i * block:(i + DC_STRETCH) * block]

    def done(i: int, half: int) -> None:
        if progress is not None:
            progress(min(1.0, (half + (i + DC_STRETCH) / nb) / 2))

    sums = np.empty((nb, 2))
    for i in starts:
        sums[i:i + DC_STRETCH] = dc_block_sums(stretch(i), block)
        done(i, 0)
    anchors = dc_anchors(sums, block, sample_rate, window_s)
    for i in starts:
        subtract_drift(stretch(i), anchors[i:i + DC_STRETCH + 1], block)
        done(i, 1)
    return padded[:n]


def to_db(gain: float) -> float:
    return 20 * float(np.log10(gain)) if gain > 0 else float("-inf")
