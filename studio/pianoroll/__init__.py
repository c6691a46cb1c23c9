"""The piano roll: note canvas, tools, bar/beat ruler, keyboard and velocity lane.

:class:`~studio.pianoroll.editor.PianoRoll` assembles the parts around one shared
:class:`~studio.pianoroll.viewport.Viewport` (zoom and scroll on both axes).
"""

from .editor import PianoRoll
from .tools import Tool
from .viewport import Viewport

__all__ = ["PianoRoll", "Tool", "Viewport"]
