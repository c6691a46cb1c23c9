"""What a fixed-level render says of the files it wrote past full scale.

Normalised, no file passes 0 dBFS. At a fixed gain (``render --gain``) a loud song can:
a 32-bit float WAV keeps the overs (a DAW reads them, turned down they come back whole),
a 16- or 24-bit one clips them flat. Either way the file is written, as a silent mix is
(exit status 0), and the user is told which files, by how much, and the gain that fits.
"""

from __future__ import annotations

from collections.abc import Mapping

from .mixing import fitting_gain_db

SHOWN = 6  # files named at most; the rest counted


def overs_note(overs: Mapping[str, float], bit_depth: str, gain_db: float,
               fix: str = "--gain {gain}") -> tuple[str, str] | None:
    """``("warning", text)`` for integer files that clip, ``("note", text)`` for float
    ones that keep their overs; ``None`` when no file passed 0 dBFS. ``overs``: each such
    file's name and sample peak in dBFS (a render's
    :attr:`~.renderer.RenderReport.overs`), in the order written; ``gain_db`` the fixed
    gain they were rendered at; ``fix`` how to ask for another (``{gain}``: the gain
    that brings the loudest to -1 dBFS), the CLI's ``--gain -3.4`` by default::

        mix.wav clips in 24-bit by 2.3 dB (past 0 dBFS at the fixed gain +0.0 dB):
        --gain -3.4 fits it (its peak at -1 dBFS)
    """
    if not overs:
        return None
    n = len(overs)
    items = list(overs.items())
    named = [f"{name} by {peak:.1f} dB" for name, peak in items[:SHOWN]]
    if n > SHOWN:
        named.append(f"and {n - SHOWN} more")
    gain = fitting_gain_db(gain_db, max(overs.values()))
    hint = fix.format(gain=f"{gain:.1f}") + (" fits it (its peak at -1 dBFS)" if n == 1
                                             else " fits them (the loudest at -1 dBFS)")
    at = f"at the fixed gain {gain_db:+.1f} dB"
    name, peak = items[0]
    if bit_depth == "32f":
        what = (f"{name} passes 0 dBFS by {peak:.1f} dB" if n == 1
                else f"{n} files pass 0 dBFS: {', '.join(named)}")
        return "note", (f"{what} ({at}), kept in 32-bit float: a player or a 16/24-bit "
                        f"copy clips {'it' if n == 1 else 'them'}; {hint}")
    what = (f"{name} clips in {bit_depth}-bit by {peak:.1f} dB" if n == 1
            else f"{n} files clip in {bit_depth}-bit: {', '.join(named)}")
    return "warning", f"{what} (past 0 dBFS {at}): {hint}"
