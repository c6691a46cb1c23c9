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
import os

__version__ = "0.1.0"

# ONNX Runtime (the built-in models' fast path) records telemetry for Microsoft by
# default: a device ID and an event queue under ~/.cache/Microsoft, written as it is
# imported (and a coloured warning on stderr where HOME cannot be written). A local music
# tool records nothing for sending: this turns it off, for this process and the plugin
# probes it starts, before anything can import onnxruntime (engine.models.runtime also
# turns its events off, for a host that imported onnxruntime first).
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

# A library stays quiet unless its user configures logging (the job queue logs a model
# that will not stop): no "No handlers" fallback printing to stderr.
logging.getLogger(__name__).addHandler(logging.NullHandler())
