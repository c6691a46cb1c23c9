"""The model plugin interface (API version 1): what every model, ours included, implements.

A model plugin declares :class:`ModelInfo` and answers one call, :meth:`ModelPlugin.generate`:
given a song, a mask and options, return new notes for the masked tracks, writing only
inside the mask. Long work reports progress through a callback and stops promptly when
the cancel token is set. Nothing here knows about threads, Qt or files.

Versioning: a plugin states the ``api_version`` it was written for (a ``ModelInfo`` that
states none was written for :data:`FIRST_API_VERSION`, never for whatever Partita runs);
the registry loads plugins whose ``api_version`` equals :data:`API_VERSION` and disables
the others with a clear reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from engine.errors import PartitaError
from engine.score import Mask, Note, Song, Track
from engine.score.instruments import part_range
from engine.score.spelling import key_name

API_VERSION = 1
# What a ModelInfo that states no api_version was written for: the first API. Defaulting
# to API_VERSION would let every old plugin pass for one written for today's API (after a
# bump, `partita models` said ok where `models verify` said "written for plugin API 1").
FIRST_API_VERSION = 1
# The model used when the user has picked none: the shipped general model (built in).
DEFAULT_MODEL = "partita-base"

TASKS = ("repaint", "regenerate", "continue", "harmonize", "compose")
PRECISIONS = ("fp32", "int8", "int4")
# The standard sampling settings (GenerateOptions fields) a model may honour, and their
# names on screen. A model that ignores some says so (ModelInfo.sampling): the studio
# greys them and the command line notes them, rather than offering a knob that does
# nothing (a rule-based model has no steps, nucleus or weights).
SAMPLING = ("steps", "temperature", "top_p", "precision")
SAMPLING_LABELS = {"steps": "Steps", "temperature": "Temperature", "top_p": "Top-p",
                   "precision": "Precision"}


class Cancelled(Exception):
    """Raised inside a model when its cancel token is set."""


class CannotGenerate(PartitaError, ValueError):
    """Raised by a model for a request it cannot do *because of the song or the request*
    (a resolution too coarse for its grid, more tracks than it has lanes for): the job
    fails with this message, but the model is not at fault, so the failure is not
    counted towards disabling it (three real failures in a row do)."""


class CancelToken:
    """Set by the job queue (or a user); checked by the model once per sampling step."""

    __slots__ = ("_cancelled",)

    def __init__(self) -> None:
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def raise_if_cancelled(self) -> None:
        if self._cancelled:
            raise Cancelled()


@dataclass(frozen=True, slots=True)
class Progress:
    """One progress report: ``step`` of ``total`` done, optional partial result."""

    step: int
    total: int
    message: str = ""
    partial: Mapping[int, tuple[Note, ...]] | None = None


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True, slots=True)
class ModelOption:
    """A setting of a model's own, passed in ``GenerateOptions.extra[name]``: declared, so
    the studio can offer it (a list for ``choices``, else a field of ``default``'s type)
    and the command line can check ``--option name=value`` before the model runs."""

    name: str
    default: str | int | float | bool
    label: str = ""  # shown in the studio; the name when empty
    choices: tuple[str, ...] = ()  # the values allowed (text options), in display order
    minimum: float | None = None  # for numbers
    maximum: float | None = None
    help: str = ""

    def coerce(self, value: object) -> object:
        """``value`` as this option's type where it says the same (a command line's
        ``8.0`` for a whole number is 8, ``123`` for a text option is "123", "true" for a
        true/false one is True); anything else unchanged, for :meth:`problem` to judge."""
        kind = type(self.default)
        if self.choices or kind is str:
            if isinstance(value, bool):  # typed "true" for a text option
                return str(value).lower()
            return value if isinstance(value, str) else str(value)
        if kind is bool and isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if kind is int and isinstance(value, float) and value.is_integer():
            return int(value)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value

    def problem(self, value: object) -> str | None:
        """Why ``value`` is not a value of this option (None when it is)."""
        if self.choices:
            return None if value in self.choices else (
                f"{self.name} must be one of {', '.join(self.choices)} (got {value!r})")
        kind = type(self.default)
        if kind is bool:
            return None if isinstance(value, bool) else f"{self.name} must be true or false"
        if kind in (int, float):
            ok = (isinstance(value, int) if kind is int else isinstance(value, int | float)) \
                and not isinstance(value, bool) and math.isfinite(value)
            if not ok:
                what = "a whole number" if kind is int else "a number"
                return f"{self.name} must be {what} (got {value!r})"
            low, high = self.minimum, self.maximum
            if (low is not None and value < low) or (high is not None and value > high):
                span = (f"between {low:g} and {high:g}" if low is not None and high is not None
                        else f"at least {low:g}" if low is not None else f"at most {high:g}")
                return f"{self.name} must be {span} (got {value!r})"
            return None
        return None if isinstance(value, str) else f"{self.name} must be text"


_TUPLE_FIELDS = ("tasks", "precisions", "instruments", "options", "sampling")


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What a model declares about itself (mirrors its manifest)."""

    name: str
    version: str
    api_version: int = FIRST_API_VERSION  # state it: the API the model was written for
    description: str = ""
    tasks: tuple[str, ...] = TASKS
    precisions: tuple[str, ...] = ("fp32",)
    default_precision: str = "fp32"
    # Instrument roles it can write: "drums", "bass", "melody", "chords", "piano", "any".
    instruments: tuple[str, ...] = ("any",)
    max_lanes: int = 0  # 0 = no fixed limit
    licence: str = "unknown"
    author: str = ""
    options: tuple[ModelOption, ...] = ()  # settings of its own (GenerateOptions.extra)
    # The standard sampling settings it honours (of SAMPLING). Added in API 1 with a
    # default that keeps older plugins as they were: all of them.
    sampling: tuple[str, ...] = SAMPLING

    def __post_init__(self) -> None:
        # A list where a tuple is meant (`tasks=["repaint"]`, as a manifest writes it) is
        # taken as that tuple: the info stays hashable and reads the same. Anything else
        # (a bare string, "melody", read letter by letter) is left for the registry to
        # refuse, naming the field (engine.plugins.discovery.check_plugin).
        for name in _TUPLE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, list):
                object.__setattr__(self, name, tuple(value))

    def ignores(self, setting: str) -> bool:
        """Whether the model ignores the standard sampling ``setting`` (a name of
        :data:`SAMPLING`, e.g. ``"steps"``)."""
        return setting in SAMPLING and setting not in self.sampling

    def settle_options(self, extra: Mapping[str, object]) -> dict[str, object]:
        """``extra`` with each declared option's value in its own type
        (:meth:`ModelOption.coerce`); undeclared names as they are."""
        known = {o.name: o for o in self.options}
        return {k: known[k].coerce(v) if k in known else v for k, v in extra.items()}

    def option_problem(self, extra: Mapping[str, object]) -> str | None:
        """Why ``extra`` does not fit the options this model declares (None when it
        does, or when it declares none: such a model reads ``extra`` as it likes)."""
        if not self.options:
            return None
        known = {o.name: o for o in self.options}
        for name, value in extra.items():
            if name not in known:
                return (f"{self.name} has no option {name!r} (its options: "
                        f"{', '.join(known)})")
            problem = known[name].problem(value)
            if problem:
                return f"{self.name}: {problem}"
        return None


@dataclass(frozen=True, slots=True)
class GenerateOptions:
    """User-facing sampling options; a model ignores the constraints it cannot honour."""

    steps: int = 8
    temperature: float = 1.0
    top_p: float = 0.95
    seed: int | None = None
    precision: str = "auto"  # "auto" = the model's default_precision
    resample_passes: int = 0  # Coconet-style re-masking passes after the first decode
    key: str | None = None  # scale constraint, e.g. "C", "Am", "F#m"
    # The pitches the user allows new notes (inclusive); None when they set none (then:
    # playable_range of each track).
    pitch_range: tuple[int, int] | None = None
    density: float | None = None  # 0..1: how busy the generated part should be
    keep_rhythm: bool = False  # keep the onsets of the notes being replaced
    # No parallel 5ths/8ves between lanes (chorale style). None: on for four-part chorale
    # writing only (engine.tasks.chorale_options settles it before a model runs).
    avoid_parallels: bool | None = None
    # Follow the song's chord symbols where one is in force in the region (the written
    # parts' notes: engine.models.chord_follow); a song without chords is unaffected.
    follow_chords: bool = True
    # The song is a loop: its last bar leads into its first. Done by the engine around
    # any model (engine.tasks.loop: the song's start is put after its end as context, and
    # what the model writes there dropped), so a model may ignore it.
    loop: bool = False
    extra: Mapping[str, object] = field(default_factory=dict)

    def problem(self) -> str | None:
        """Why no model should be asked with these options (None when they are fine).
        Checked before a job runs, so a typo in a request is the request's error and is
        never counted against the model (three failures in a row disable a model)."""
        def whole(value: object) -> bool:
            return isinstance(value, int) and not isinstance(value, bool)

        def number(value: object) -> bool:
            return isinstance(value, (int, float)) and not isinstance(value, bool)

        if not whole(self.steps) or self.steps < 1:
            return f"steps must be a whole number ≥ 1, not {self.steps!r}"
        if not number(self.temperature) or not self.temperature > 0:
            return f"temperature must be > 0, not {self.temperature!r}"
        if not number(self.top_p) or not 0 < self.top_p <= 1:
            return f"top_p must be in (0, 1], not {self.top_p!r}"
        if self.seed is not None and not whole(self.seed):
            return f"seed must be a whole number or None, not {self.seed!r}"
        if self.precision not in ("auto", *PRECISIONS):
            return f"precision must be auto, {', '.join(PRECISIONS)}, not {self.precision!r}"
        if not whole(self.resample_passes) or self.resample_passes < 0:
            return f"resample_passes must be a whole number ≥ 0, not {self.resample_passes!r}"
        if self.key is not None and self.key != "auto":
            try:
                key_name(self.key)
            except ValueError as e:
                return str(e)
        band = self.pitch_range
        if band is not None and not (isinstance(band, (tuple, list)) and len(band) == 2
                                     and whole(band[0]) and whole(band[1])
                                     and 0 <= band[0] <= band[1] <= 127):
            return f"pitch_range must be (low, high) MIDI pitches, not {band!r}"
        if self.density is not None and not (number(self.density) and 0 <= self.density <= 1):
            return f"density must be in 0..1 or None, not {self.density!r}"
        return None


@runtime_checkable
class ModelPlugin(Protocol):
    """A generative model as the job queue and the studio see it."""

    info: ModelInfo

    def generate(
        self,
        song: Song,
        mask: Mask,
        options: GenerateOptions,
        progress: ProgressCallback,
        cancel: CancelToken,
    ) -> Mapping[int, tuple[Note, ...]]:
        """New notes per masked track id; every note must lie inside ``mask``."""
        ...


def playable_range(track: Track) -> tuple[int, int]:
    """``(lowest, highest)`` MIDI pitch ``track``'s part plays: its instrument's practical
    range (by GM program), narrowed to the sung range of a part named Soprano, Alto, Tenor
    or Bass; 0–127 for drums. Where to keep new notes when
    :attr:`GenerateOptions.pitch_range` is None (the user set no range: compose, and most
    requests); the built-in models use the same ranges."""
    return part_range(track.name, track.program, track.is_drum)


def writes_drums(info: ModelInfo) -> bool:
    """Whether the model writes drum tracks (``"drums"`` or ``"any"`` in its instruments)."""
    return bool({"drums", "any"} & set(info.instruments))


def writes_pitched(info: ModelInfo) -> bool:
    """Whether the model writes pitched tracks (any role but ``"drums"``, or ``"any"``):
    a model of sung voices may write a piano line."""
    return any(r != "drums" for r in info.instruments)


def cannot_write(info: ModelInfo, song: Song, track_ids: Iterable[int]) -> str | None:
    """Why a model cannot write these tracks of ``song``, or None when it can
    (:func:`writes_drums`, :func:`writes_pitched`).

    One unwritable track refuses the whole job (nothing is skipped): a job half done
    would be a take the user did not ask for.
    """
    ids = set(track_ids)
    tracks = [t for t in song.tracks if t.id in ids]
    if tracks and not info.instruments:
        return f"{info.name} declares no instruments it can write"
    drums = [t.name for t in tracks if t.is_drum and not writes_drums(info)]
    pitched = [t.name for t in tracks if not t.is_drum and not writes_pitched(info)]
    names = ", ".join(repr(n) for n in drums + pitched)
    if drums and pitched:
        return f"{info.name} declares no instruments it can write; it cannot write {names}"
    if pitched:
        return (f"{info.name} writes only drum tracks; it cannot write {names} "
                "(choose a model that writes pitched parts, e.g. partita-base)")
    if drums:
        return (f"{info.name} cannot write drum tracks ({names}); choose a model that "
                "writes drums, e.g. partita-base")
    return None
