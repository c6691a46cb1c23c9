"""Export the mix and per-track stems with a progress dialog; rendering runs off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from engine.score import Song

from ..worker import Worker


def export_stems(
    parent: QWidget,
    song: Song,
    folder: Path,
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    worker: Worker,
) -> QProgressDialog:
    """Render ``folder/mix.wav`` and ``folder/stems/*.wav``; report through the callbacks.

    Cancel hides the dialog and drops the result (a render already writing finishes, so
    no half-written file is left).
    """
    from engine.render import render_files

    dlg = QProgressDialog("Rendering audio and stems…", "Cancel", 0, 1000, parent)
    dlg.setWindowTitle("Export audio")
    dlg.setWindowModality(Qt.WindowModality.WindowModal)
    dlg.setMinimumDuration(0)
    dlg.setAutoClose(False)
    dlg.setAutoReset(False)
    dlg.setValue(0)

    def run(progress: Callable[[float], None]) -> Any:
        return render_files(song, folder / "mix.wav", folder / "stems", progress=progress)

    def done(report: Any) -> None:
        dlg.close()
        if not dlg.wasCanceled():
            on_done(report)

    def failed(error: BaseException) -> None:
        dlg.close()
        if not dlg.wasCanceled():
            on_error(error)

    task = worker.start(run, on_done=done, on_error=failed,
                        on_progress=lambda f: dlg.setValue(int(f * 1000)))
    dlg.canceled.connect(lambda: setattr(task, "cancelled", True))
    dlg.show()
    return dlg
