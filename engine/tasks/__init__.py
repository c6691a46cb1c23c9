"""Generation tasks over any model plugin: what each request asks a model for.

Compose, regenerate, continue, repaint and harmonize build a mask (and the preparatory
edits a task needs: new tracks, a longer song), settle the options the music implies (the
key around the region, chorale voice leading), run a :class:`~engine.plugins.api.ModelPlugin`
and return one take. The CLI runs them directly; the studio plans its requests over the
painted mask with the same rules and sends them through :mod:`engine.jobs`. Nothing here
imports torch or knows which network a plugin runs.

- :mod:`engine.tasks.run` — the five tasks, :class:`TaskResult`, variations
- :mod:`engine.tasks.instruments` — tracks as users name them, harmonize's accompaniment
- :mod:`engine.tasks.chorale` — four-part chorale requests
- :mod:`engine.tasks.keys` — the key new notes keep by default
- :mod:`engine.tasks.loop` — a loop's start as the context after its end (``loop``)
- :mod:`engine.tasks.requests` — the same requests planned over a painted mask (the studio)
- :mod:`engine.tasks.templates` — new empty songs from a template (File ▸ New)
"""

from .chorale import (
    CHORALE_MODEL,
    SATB_VOICES,
    chorale_options,
    is_chorale,
    voice_parts,
    writes_chorale_voices,
)
from .errors import CannotWrite, TaskError
from .instruments import (
    TrackSpec,
    accompaniment_kind,
    accompaniment_specs,
    kit_band_mask,
    new_track_edits,
    range_narrowed,
    range_on_drums,
    range_out_of_reach,
    track_spec,
    track_specs,
)
from .keys import (
    AUTO,
    auto_key_note,
    key_option_hint,
    named_key_signature,
    new_piece_signature,
    resolve_key,
)
from .loop import generate_looped
from .run import (
    REDRAWS,
    SongParams,
    TaskResult,
    compose,
    continue_,
    harmonize,
    keep_rhythm_problem,
    regenerate,
    repaint,
    repaint_mask,
    run_variations,
    settle_options,
    track_labels,
    variation_seed,
)
from .templates import TEMPLATES, SongSetup, new_song

__all__ = [
    "AUTO",
    "CHORALE_MODEL",
    "REDRAWS",
    "SATB_VOICES",
    "TEMPLATES",
    "CannotWrite",
    "SongParams",
    "SongSetup",
    "TaskError",
    "TaskResult",
    "TrackSpec",
    "accompaniment_kind",
    "accompaniment_specs",
    "auto_key_note",
    "chorale_options",
    "compose",
    "continue_",
    "generate_looped",
    "harmonize",
    "is_chorale",
    "keep_rhythm_problem",
    "key_option_hint",
    "kit_band_mask",
    "named_key_signature",
    "new_piece_signature",
    "new_song",
    "new_track_edits",
    "range_narrowed",
    "range_on_drums",
    "range_out_of_reach",
    "regenerate",
    "repaint",
    "repaint_mask",
    "resolve_key",
    "run_variations",
    "settle_options",
    "track_labels",
    "track_spec",
    "track_specs",
    "variation_seed",
    "voice_parts",
    "writes_chorale_voices",
]
