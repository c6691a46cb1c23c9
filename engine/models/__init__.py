"""Models: the token grid, the denoiser network, the sampler, quantization, training and
evaluation. Public entry points:

- :mod:`engine.models.grid` — song ↔ lane × 16th-step token grid (``encode``/``decode``)
- :mod:`engine.models.network` — the axial-transformer denoiser
- :mod:`engine.models.sampler` — few-step confidence-ordered parallel decoding
- :mod:`engine.models.plugin` — the built-in models as plugins

Importing this package does not import torch; the modules that need it do.
"""

from engine.plugins.api import DEFAULT_MODEL  # first among the built-in ones

__all__ = ["DEFAULT_MODEL"]
