"""partita-drumkit: a rule-based drum groove generator, as a Partita model plugin.

The entry point ``drumkit = "partita_drumkit:DrumKit"`` (group ``partita.models``) makes
Partita find it once installed; ``partita-plugin.json`` lets Partita load it straight
from a plugin folder without installing.
"""

from .groove import STYLES, BarSpec, bar_hits
from .plugin import DrumKit, __version__

__all__ = ["STYLES", "BarSpec", "DrumKit", "__version__", "bar_hits"]
