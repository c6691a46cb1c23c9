"""Partita's engine: all music, model and job logic. Never imports Qt.

Sub-packages, pointing inward to ``score``:

- :mod:`engine.score`   — song, tracks, notes, time maps, regions, invertible edits (pure data)
- :mod:`engine.io`      — MIDI and ``.partita`` project files
- :mod:`engine.render`  — synthesis, mix and per-track stems, playback
- :mod:`engine.tasks`   — compose, regenerate, continue, repaint, harmonize over any model
- :mod:`engine.models`  — token grid, network, sampler, quantization, training, evaluation
- :mod:`engine.jobs`    — the in-process job queue and takes
- :mod:`engine.plugins` — the model plugin API, manifests and registry
- :mod:`engine.cli`     — the ``partita`` command line
"""

import logging

__version__ = "0.1.0"

# A library stays quiet unless its user configures logging (the job queue logs a model
# that will not stop): no "No handlers" fallback printing to stderr.
logging.getLogger(__name__).addHandler(logging.NullHandler())
