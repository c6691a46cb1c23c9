"""``partita info`` and ``partita convert``: look inside song files and change their format."""

from __future__ import annotations

import argparse
import re
import shlex
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from engine.score import bars_end, plural
from engine.score.bend_range import DEFAULT_BEND_RANGE, bend_range
from engine.score.instruments import (
    bank_at,
    drum_name,
    sound_name,
    written_in,
    written_transposition,
)
from engine.score.spelling import key_name, key_text, pitch_name

from .common import (
    CliError,
    GivenOnce,
    add_quiet_option,
    bars_text,
    check_song_output,
    error_line,
    json_text,
    load_with_studio,
    parse_meter,
    save_song_file,
    track_ids,
)

MAX_NAME_WIDTH = 32  # the Name column of `info`: longer names end in "…" (JSON has all)
MARKERS_SHOWN = 8  # `info` names the first markers, then counts them (JSON has all)
CHORDS_SHOWN = 16  # `info` writes the first chord symbols, then counts them (JSON has all)
MAX_MARKER_WIDTH = 24
def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "info",
        help="show a song file's tracks, tempo, meter, key, markers, chords and length",
        description="Show what is inside a MIDI file, Partita project or MusicXML score: "
                    "per track its instrument, channel and notes; for the song its length, "
                    "bars, PPQ, tempo, meter, key, section markers and chord symbols.",
    )
    p.add_argument("file", metavar="FILE", type=Path,
                   help="a .mid/.midi/.kar, .partita or .musicxml/.xml/.mxl file")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(func=run_info)

    p = subparsers.add_parser(
        "convert",
        help="convert between MIDI, .partita and MusicXML scores",
        description="Convert IN to OUT, each a MIDI file (.mid/.midi/.kar), a Partita "
                    "project (.partita) or a MusicXML score (.musicxml or .xml; .mxl "
                    "compressed): IN a score from MuseScore, Sibelius or Dorico (its parts, "
                    "key, pickup and tempo kept; what is approximated is said), OUT a score "
                    "for a score editor (notes quantized to 16ths and triplets; see "
                    "docs/file-format.md): OUT by its extension, IN by its "
                    "extension or, without one, by its content; optionally set the tempo, "
                    "meter or key from a bar on, as the studio's Ctrl+K does (notes keep "
                    "their places; later meter changes keep their bar numbers), then insert "
                    "or delete bars (their numbers are those of the result). OUT is written "
                    "atomically; IN is never overwritten.",
    )
    p.add_argument("input", metavar="IN", type=Path, help="the song file to read")
    p.add_argument("output", metavar="OUT", type=Path, nargs="?",
                   help="the file to write: .partita, .mid/.midi, .musicxml/.xml/.mxl "
                        "(or -o OUT, as the generating commands take it)")
    # The generating commands write -o OUT; a musician typing that here is understood.
    p.add_argument("-o", "--output", dest="output_option", metavar="OUT", type=Path,
                   help=argparse.SUPPRESS)
    p.add_argument("--tempo", type=float, action=GivenOnce, metavar="BPM",
                   help="tempo from --from-bar on, in quarter notes a minute")
    p.add_argument("--meter", action=GivenOnce, metavar="N/D",
                   help="time signature from --from-bar on, e.g. 6/8, or grouped, 3+2+2/8")
    p.add_argument("--key", action=GivenOnce, metavar="KEY",
                   help="key signature from --from-bar on, e.g. D, Bbm, F#m; 'none' drops "
                        "the key change at that bar")
    p.add_argument("--from-bar", metavar="N[.BEAT]", action="append",
                   help="the bar where --tempo/--meter/--key start (default: the song's "
                        "start); bars as a score numbers them: the first full bar is 1, a "
                        "pickup bar 0. A tempo may start on a beat, bar.beat (6.3: beat 3 "
                        "of bar 6, in the meter's beats; 6.3.120 a tick later); a meter or "
                        "key starts on a bar line. One bar a run: convert again for "
                        "changes at another")
    p.add_argument("--pickup", action=GivenOnce, metavar="LENGTH",
                   help="a pickup, a short first bar before the first full bar, whose meter "
                        "--meter sets: a note value like 1/4 or 3/8, or beats of the meter "
                        "(1 in 4/4 is a quarter); 0 or none removes the song's pickup (as "
                        "the studio's Ctrl+K at the first bar; not with a later --from-bar)")
    bars = p.add_mutually_exclusive_group()
    bars.add_argument("--insert-bars", action=GivenOnce, metavar="BAR[:COUNT]",
                      help="insert COUNT (default 1) empty bars before BAR, in its meter, on "
                           "every track: the music from there on moves later (as the "
                           "studio's Edit ▸ Insert Bars)")
    bars.add_argument("--delete-bars", action=GivenOnce, metavar="A[-B]",
                      help="delete bars A to B on every track and close the gap; what holds "
                           "after them (tempo, meter, key) holds on")
    p.add_argument("--copy-bars", action=GivenOnce, metavar="A[-B]:C",
                   help="copy bars A to B to bar C: their notes, pedal, bends and "
                        "controllers, rests too, replacing what those tracks had there (a "
                        "score editor's copy and paste of bars; C one past the last bar "
                        "appends); bar by bar onto the bar lines there, what a shorter bar "
                        "has no room for cut and said; after --insert/--delete-bars")
    p.add_argument("--tracks", action=GivenOnce, metavar="T1,T2",
                   help="the tracks --copy-bars copies (number or name; default: all)")
    p.add_argument("--title", action=GivenOnce, metavar="TEXT",
                   help="the song's title (saved in MIDI and projects)")
    p.add_argument("--chords", action=GivenOnce, metavar="'BAR | BAR …'",
                   help="chord symbols as a lead sheet writes them, from bar 1 or "
                        "--from-bar N: bars separated by '|', several chords in a bar "
                        "splitting its beats evenly ('F7 Bb7': beats 1 and 3 of 4/4), "
                        "'%%' repeating the bar before, '-' or an empty bar keeping the "
                        "chord going; they replace the chords those bars had (e.g. "
                        "'F7 | Bb7 | F7 | %% | Bb7 | %% | F7 | %% | C7 | Bb7 | F7 C7')")
    locks = p.add_mutually_exclusive_group()
    locks.add_argument("--lock-markers", action="store_true",
                       help="lock every marker to its time (seconds from the start), before "
                            "--tempo and the bar options: a tempo change moves the bars "
                            "under a film's hit points, not the hit points (a project keeps "
                            "the lock; as the studio's marker dialog's Lock to time)")
    locks.add_argument("--unlock-markers", action="store_true",
                       help="tie every marker to its bar again (the default), before --tempo")
    add_quiet_option(p)
    p.set_defaults(func=run_convert)


# -- info --------------------------------------------------------------------------------


def run_info(args: argparse.Namespace) -> int:
    song, studio = _load(args.file, with_studio=True)
    facts = song_facts(song, args.file)
    if studio.get("takes"):  # a project the studio saved with takes still to decide
        from engine.jobs.saved_takes import takes_from_json

        facts["takes_waiting"] = takes_from_json(studio["takes"], song).count
    print(json_text(facts) if args.json else format_facts(facts))
    return 0


def song_facts(song: Any, path: Path) -> dict[str, Any]:
    """Everything ``info`` shows, as JSON-ready data (channels are 1-based, as musicians
    count them)."""
    from engine.io import content_kind
    from engine.io.text import display_path
    from engine.score import TimeMap
    from engine.score.grid_fit import grid_fit
    from engine.score.lyrics import syllable_count

    tm, fit = TimeMap.of(song), grid_fit(song)
    tracks = []
    for i, t in enumerate(song.tracks, 1):
        pitches = [n.pitch for n in t.notes]
        # The bank its first note plays with (a GS file's Distortion Guitar variation).
        bank = bank_at(t.controls, min((n.start for n in t.notes), default=0))
        tracks.append({
            "number": i,
            "name": t.name,
            "instrument": sound_name(t.program, t.is_drum, bank),
            "program": t.program,
            "bank": list(bank),
            "channel": t.channel + 1,
            "drum": t.is_drum,
            "notes": len(t.notes),
            "lowest": min(pitches, default=None),
            "highest": max(pitches, default=None),
            # The interval its part is written at, as `tracks --json` gives it.
            "transposition": list(written_transposition(t.transposition, t.program,
                                                        t.is_drum, t.name)),
            "lyrics": syllable_count(t.notes),  # the syllables sung on its notes
            # Its pitch wheel's reach in semitones (RPN 0; 2 unless set), as `tracks --json`.
            "bend_range": None if t.is_drum else bend_range(t),
        })
        if t.is_drum:  # a kit's "range" is the drums it plays, most used first
            used = Counter(pitches).most_common()
            tracks[-1]["drums"] = [{"key": k, "name": drum_name(k, kit=t.program)
                                    or f"Key {k}", "notes": c} for k, c in used]
    return {
        "file": display_path(path),  # printable: a name not valid UTF-8 gets U+FFFD
        "kind": content_kind(path) or "midi",  # "midi", "project" or "musicxml"
        "title": song.title,
        "ppq": song.ppq,
        "notes": song.note_count,
        "bars": tm.bar_count(bars_end(song, tm)),  # a note-off a few ticks over: not a bar
        # An opening bar shorter than the next, in another meter: an anacrusis.
        "pickup_ticks": tm.bar_to_tick(1) if tm.pickup_shift(0) else 0,
        "seconds": round(tm.tick_to_seconds(song.end), 3),
        "tempos": [{"tick": t.tick, "bar": tm.bar_number(tm.tick_to_bar(t.tick)),
                    "position": _position(tm, t.tick), "bpm": round(t.bpm, 3)}
                   for t in song.tempos],
        "time_signatures": [
            {"tick": s.tick, "bar": tm.bar_number(tm.tick_to_bar(s.tick)),
             "position": _position(tm, s.tick), "meter": s.text}
            for s in song.time_signatures
        ],
        "key_signatures": [{"tick": k.tick, "bar": tm.bar_number(tm.tick_to_bar(k.tick)),
                            "position": _position(tm, k.tick), "key": k.key}
                           for k in song.key_signatures],
        # Seconds from the song's start: a hit point's time; "locked" keeps it there
        # when the tempo changes (convert --lock-markers).
        # A locked one's own time, not its tick's: at 20 BPM a tick is 6.25 ms.
        "markers": [{"tick": m.tick, "bar": tm.bar_number(tm.tick_to_bar(m.tick)),
                     "position": _position(tm, m.tick), "text": m.text,
                     "seconds": round(tm.tick_to_seconds(m.tick) if m.seconds is None
                                      else m.seconds, 3), "locked": m.locked}
                    for m in sorted(song.markers, key=lambda m: m.tick)],
        # The lead sheet's chord symbols, as written.
        "chords": [{"tick": c.tick, "bar": tm.bar_number(tm.tick_to_bar(c.tick)),
                    "position": _position(tm, c.tick), "text": c.text}
                   for c in song.chords],
        "tracks": tracks,
        # Notes that start between the 16th lines the models read: kept exactly, said.
        "timing": {**fit.to_json(song), "text": fit.text()},
    }


def _position(tm: Any, tick: int) -> str:
    """Where a change falls as the studio's ruler says it: ``"39"`` on a bar line,
    ``"39.3"`` on a beat, ``"39.3.120"`` between beats (a pickup is bar 0)."""
    p = tm.tick_to_position(tick)
    if p.tick:
        return tm.format_position(tick)
    bar = tm.bar_number(p.bar)
    return f"{bar}" if p.beat == 0 else f"{bar}.{p.beat + 1}"


def format_facts(f: dict[str, Any]) -> str:
    """The human-readable ``info`` report."""
    kind = {"project": "Partita project", "musicxml": "MusicXML score"}.get(f["kind"],
                                                                           "MIDI file")
    lines = [f"{f['file']}: {kind}, {plural(len(f['tracks']), 'track')}, "
             f"{plural(f['notes'], 'note')}"]
    minutes, seconds = divmod(f["seconds"], 60)
    rows = [
        ("Title", f["title"] or "—"),
        ("Length", f"{int(minutes)}:{seconds:04.1f} ({f['seconds']:.1f} s), "
                   f"{bars_text(f['bars'], bool(f.get('pickup_ticks')))}"),
        ("Tempo", _tempo_text(f["tempos"])),
        ("Meter", _changes_text([(s["position"], _pickup_text(f) if i == 0 and f.get(
            "pickup_ticks") else s["meter"]) for i, s in enumerate(f["time_signatures"])])),
        ("Key", _changes_text([(k["position"], key_text(k["key"]))
                               for k in f["key_signatures"]])
         or "—"),
        ("PPQ", str(f["ppq"])),
    ]
    if f.get("markers"):
        rows.insert(-1, ("Markers", _markers_text(f["markers"])))
    if f.get("chords"):
        rows.insert(-1, ("Chords", _chords_text(f["chords"])))
    if any(t.get("lyrics") for t in f["tracks"]):
        rows.insert(-1, ("Lyrics", _lyrics_text(f["tracks"])))
    if bent := _bend_text(f["tracks"]):
        rows.insert(-1, ("Bend", bent))
    if f.get("timing", {}).get("off_grid"):
        rows.append(("Timing", f["timing"]["text"]))
    if f.get("takes_waiting"):
        rows.append(("Takes", f"{f['takes_waiting']} waiting (partita takes "
                              f"{shlex.quote(f['file'])})"))
    lines += [f"  {label:<7} {value}" for label, value in rows]
    if f["tracks"]:
        names = [_cell(t["name"], MAX_NAME_WIDTH) for t in f["tracks"]]
        # Spelt as the song's (first) key writes them: B♭2, not A#2, in D minor.
        key = f["key_signatures"][0]["key"] if f["key_signatures"] else None
        name_w = max(4, *(_width(n) for n in names))
        instruments = [instrument_cell(t) for t in f["tracks"]]
        inst_w = max(10, *map(len, instruments))
        lines.append("")
        lines.append(f"  {'#':>3}  {'Name':<{name_w}}  {'Instrument':<{inst_w}}  "
                     f"{'Ch':>2}  {'Drum':<4}  {'Notes':>6}  Range")
        for t, name, instrument in zip(f["tracks"], names, instruments, strict=True):
            span = ("—" if t["lowest"] is None
                    else _drums_text(t["drums"], t["program"]) if t.get("drums")
                    else f"{pitch_name(t['lowest'], key)}–{pitch_name(t['highest'], key)}")
            lines.append(
                f"  {t['number']:>3}  {_padded(name, name_w)}  {instrument:<{inst_w}}  "
                f"{t['channel']:>2}  {'yes' if t['drum'] else '':<4}  {t['notes']:>6}  {span}"
            )
    return "\n".join(lines)


def instrument_cell(row: dict[str, Any]) -> str:
    """A track's instrument as the ``info`` and ``tracks`` tables show it, with the key its
    part is written in when not at concert pitch, as the studio's track header marks it:
    "Clarinet (in Bb)", "Piccolo (8va)"; "Flute"."""
    mark = written_in(tuple(row.get("transposition") or (0, 0)))
    return f"{row['instrument']} ({mark})" if mark else row["instrument"]


def _markers_text(markers: list[dict[str, Any]]) -> str:
    """"Intro (1), Verse 1 (5), Hit (17.2, locked at 0:12.480)": each marker and where
    it is (a bar, a bar.beat, or bar.beat.tick off the beat, as the studio's ruler
    counts; one locked to its time, that time too), the first few, then a count."""
    from engine.score import clock_text

    parts = [f"{_cell(m['text'], MAX_MARKER_WIDTH) or '(no text)'} ({m['position']}"
             + (f", locked at {clock_text(m['seconds'])})" if m.get("locked") else ")")
             for m in markers[:MARKERS_SHOWN]]
    if len(markers) > MARKERS_SHOWN:
        parts.append(f"… ({len(markers)} in all)")
    return ", ".join(parts)


def _chords_text(chords: list[dict[str, Any]]) -> str:
    """"C7 F7 C7 C7 … (48)": the first chord symbols in order, and how many in all."""
    shown = " ".join(_cell(c["text"], MAX_MARKER_WIDTH) for c in chords[:CHORDS_SHOWN])
    more = " …" if len(chords) > CHORDS_SHOWN else ""
    return f"{shown}{more} ({len(chords)})"


def _lyrics_text(tracks: list[dict[str, Any]]) -> str:
    """"Vocal: 26 syllables", "Soprano: 26 syllables, Alto: 24 syllables": the tracks
    whose notes carry lyrics, each with how many syllables are sung on them."""
    sung = [t for t in tracks if t.get("lyrics")]
    names = [_cell(t["name"], MAX_NAME_WIDTH) or f"track {t['number']}" for t in sung]
    return ", ".join(f"{name}: {plural(t['lyrics'], 'syllable')}"
                     for name, t in zip(names, sung, strict=True))


def _bend_text(tracks: list[dict[str, Any]]) -> str:
    """"808: ±12 semitones": the tracks whose pitch wheel reaches other than General
    MIDI's ±2 (RPN 0: ``tracks --bend-range``); "" when none does."""
    bent = [t for t in tracks if t.get("bend_range") not in (None, DEFAULT_BEND_RANGE)]
    names = [_cell(t["name"], MAX_NAME_WIDTH) or f"track {t['number']}" for t in bent]
    return ", ".join(f"{name}: ±{t['bend_range']:g} semitones"
                     for name, t in zip(names, bent, strict=True))


def _drums_text(drums: list[dict[str, Any]], kit: int | None = None, shown: int = 4) -> str:
    """"Kick, Snare, Closed HH, Open HH +3 more": a kit's most used drums, by the names
    its kit (the track's program) gives them ("Timp F2" on the Orchestra kit)."""
    names = [drum_name(d["key"], short=True, kit=kit) or d["name"] for d in drums[:shown]]
    more = f" +{len(drums) - shown} more" if len(drums) > shown else ""
    return ", ".join(names) + more


def _pickup_text(f: dict[str, Any]) -> str:
    """"1/4 pickup", "2/8 pickup": its own meter when that is its length, else its length
    as a note value (an eighth pickup written as 4/4 restated mid-bar: "1/8 pickup")."""
    from engine.score import TimeSignature
    from engine.score.snap import note_value_name

    first = f["time_signatures"][0]["meter"]
    sig = TimeSignature.from_text(first)
    if f["pickup_ticks"] == sig.numerator * 4 * f["ppq"] // sig.denominator:
        return f"{first} pickup"
    return f"{note_value_name(f['pickup_ticks'], f['ppq'])} pickup"


# What tells tracks of one name apart at a name's end: the importer's "(ch 6)", a label's
# "(3)". A name cut to fit keeps it, the cut in the middle: six "Lead Gtr (Overdriven
# Guitar) (ch N)" were six identical "Lead Gtr (Overdriven Guitar) (c…".
_TELLING_END = re.compile(r"\s\((ch )?\d+\)$")


def _cell(text: str, width: int) -> str:
    """``text`` on one line (a name's newlines and tabs as spaces: they broke the table),
    cut to ``width`` columns (:func:`_width`), the cut marked with an ellipsis: at the end,
    or before a channel or number the name ends with ("Lead Gtr (Overdri… (ch 6)")."""
    text = "".join(" " if ch.isspace() or not ch.isprintable() else ch for ch in text)
    if _width(text) <= width:
        return text
    end = _TELLING_END.search(text)
    tail = end.group() if end and _width(end.group()) <= width // 2 else ""
    head = text[:len(text) - len(tail)]
    while _width(head) > width - 1 - _width(tail):
        head = head[:-1]
    return head.rstrip() + "…" + tail


def _width(text: str) -> int:
    """The columns a terminal gives ``text``: two for East Asian wide and full-width
    characters (kana, ideographs, most emoji), none for combining marks (an NFD "ö" is
    o + one) and zero-width ones, else one; ``len`` misaligned a table of Japanese names."""
    return sum(0 if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf")
               else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _padded(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` columns (``f"{text:<{width}}"`` counts
    characters)."""
    return text + " " * max(0, width - _width(text))


def _bpm(bpm: float) -> str:
    return f"{round(bpm, 2):g}"


def _tempo_text(tempos: list[dict[str, Any]]) -> str:
    if len(tempos) == 1:
        return f"{_bpm(tempos[0]['bpm'])} BPM"
    values = [t["bpm"] for t in tempos]
    if len(tempos) <= 4:
        return _changes_text([(t["position"], f"{_bpm(t['bpm'])} BPM") for t in tempos])
    return f"{_bpm(min(values))}–{_bpm(max(values))} BPM ({len(tempos)} tempo changes)"


def _changes_text(changes: list[tuple[str, str]]) -> str:
    """"4/4, 2/4 from bar 97, 4/4 from bar 99" (at most six, then a count); a value
    restated unchanged (music21 writes 6/8 again at every section) is no change."""
    changes = [c for i, c in enumerate(changes) if i == 0 or c[1] != changes[i - 1][1]]
    parts = [value if i == 0 else f"{value} from bar {bar}"
             for i, (bar, value) in enumerate(changes[:6])]
    if len(changes) > 6:
        parts.append(f"… ({len(changes)} in all)")
    return ", ".join(parts)


# -- convert -----------------------------------------------------------------------------


def _convert_output(args: argparse.Namespace) -> Path:
    """OUT, given after IN or as ``-o OUT`` (once)."""
    if args.output is not None and args.output_option is not None:
        raise CliError(f"convert: OUT given twice ({args.output} and -o "
                       f"{args.output_option}): give one")
    out = args.output if args.output is not None else args.output_option
    if out is None:
        raise CliError("convert: give the file to write: partita convert IN OUT "
                       "(or -o OUT)")
    return out


def run_convert(args: argparse.Namespace) -> int:
    from engine.io import file_kind

    src, dst = args.input, _convert_output(args)
    args.from_bar = _one_from_bar(args.from_bar)
    check_song_output(dst, [src])
    song, studio = _read(src, lambda path: load_with_studio(path, rewriting=True))
    locked = _with_locks(song, args)
    song = _with_time(locked, args)
    _say_markers_past_music(locked, song, dst)
    song = _with_copy(_with_bars(song, args), args)
    song = _with_chords(song, args)
    if args.title is not None and args.title != song.title:
        from engine.score import set_song_props

        edit = set_song_props(song, f"Title {args.title!r}", title=args.title)
        print(edit.label)
        song = edit.apply(song)
    try:
        warnings = save_song_file(song, dst, studio or None, shown=f"convert {dst}",
                                  quiet=args.quiet)
    except OSError as e:
        raise CliError(f"{dst}: cannot write: {e.strerror or e}") from None
    for warning in warnings:
        print(f"partita: warning: {dst}: {warning}", file=sys.stderr)
    written = len(song.tracks)
    empty = ""
    if file_kind(dst) == "midi":  # an empty track needs a channel left (docs/file-format.md)
        from engine.io.midi_export import export_channels

        written = sum(1 for c in export_channels(song.tracks) if c is not None)
        if written < len(song.tracks):
            empty = f"; {plural(len(song.tracks) - written, 'empty track')} left out"
    print(f"wrote {dst} ({plural(written, 'track')}, {plural(song.note_count, 'note')}"
          f"{empty})")
    return 0


def _with_chords(song: Any, args: argparse.Namespace) -> Any:
    """``song`` with ``--chords`` from ``--from-bar`` (bar 1 by default) on, in place of
    the chord symbols those bars had, lengthened to hold bars past its end; said in a
    line."""
    if args.chords is None:
        return song
    from engine.score import TimeMap
    from engine.score.lead_sheet import lead_sheet_bars, lengthened_note, with_lead_sheet

    tm = TimeMap.of(song)
    number, beat = _bar_and_beat(args.from_bar)
    if beat is not None:
        raise CliError(f"--from-bar {args.from_bar}: chords start on a bar line: give a bar")
    number = 1 if number is None else number
    bar = tm.bar_index(number)
    if bar < 0:
        raise CliError(f"{args.input}: --from-bar {args.from_bar}: "
                       f"{_no_such_bar(tm, number, max(1, tm.whole_bars(song.end)))}")
    try:
        bars = lead_sheet_bars(args.chords)
        chorded = with_lead_sheet(song, args.chords, bar)
    except ValueError as e:
        raise CliError(f"--chords: {e}") from None
    last = tm.bar_number(bar + len(bars) - 1)
    where = f"bar {number}" if last == number else f"bars {number}–{last}"
    if chorded.chords == song.chords and chorded.length == song.length:
        # Said as a --tempo the song has already is: not written as if done.
        print(f"partita: note: {args.input}: --chords: {where} have those chords already, "
              "nothing changed", file=sys.stderr)
        return song
    written = sum(1 for slots in bars for s in slots if s != "-")
    start = tm.bar_to_tick(bar)
    held = "" if written else (" (the chord before holds on)" if any(
        c.tick < start for c in song.chords) else " (no chord in them)")
    longer = lengthened_note(song, chorded)  # bars past the end: the song holds them
    print(f"Chords in {where}: "
          f"{plural(written, 'chord symbol')}{held}{f'; {longer}' if longer else ''}")
    return chorded


def _say_markers_past_music(before: Any, after: Any, dst: str) -> None:
    """Warn of each locked marker a --tempo pushed past the last note: the song (and its
    stems, and a MIDI file of it) now runs on in silence to that hit."""
    from engine.score import TimeMap, clock_text, markers_pushed_past_music

    last_note = clock_text(TimeMap.of(after).tick_to_seconds(after.notes_end))
    for m in markers_pushed_past_music(before, after):
        print(f"partita: warning: {dst}: marker {m.text!r} (locked at "
              f"{clock_text(m.seconds)}) is past the last note ({last_note}): the song runs "
              "on to it; lengthen the music or move the marker", file=sys.stderr)


def _one_from_bar(bars: list[str] | None) -> str | None:
    """The one ``--from-bar`` given: a second was taken silently for the first's
    --tempo/--meter/--key too (argparse keeps the last), so a repeat is refused."""
    if not bars:
        return None
    if len(set(bars)) > 1:
        times = "twice" if len(bars) == 2 else f"{len(bars)} times"
        given = ", then ".join(str(b) for b in bars)
        raise CliError(f"--from-bar given {times} ({given}): --tempo, --meter and "
                       "--key all start at one bar; run convert again for the changes at "
                       "another")
    return bars[0]


def _with_time(song: Any, args: argparse.Namespace) -> Any:
    """``song`` with ``--tempo/--meter/--key`` from ``--from-bar`` on, or with
    ``--pickup`` from the first bar (the meter from the first full bar)."""
    from engine.score import set_time_from_bar

    if args.tempo is None and args.meter is None and args.key is None and args.pickup is None:
        if args.from_bar is not None and args.chords is None:  # nothing starts there
            raise CliError(f"--from-bar {args.from_bar}: give --tempo, --meter, --key or "
                           "--chords to start there (it says where they start)")
        return song
    from engine.score import TimeMap

    tm = TimeMap.of(song)
    bars = max(1, tm.whole_bars(song.end))
    number, beat = _bar_and_beat(args.from_bar)
    bar = 0 if number is None else tm.bar_index(number)
    if bar < 0:
        raise CliError(f"{args.input}: --from-bar {args.from_bar}: "
                       f"{_no_such_bar(tm, number, bars)}")
    if bar >= bars:  # it would lengthen the song to reach that bar
        raise CliError(f"{args.input}: --from-bar {args.from_bar} is after the song's last "
                       f"bar ({tm.bar_number(bars - 1)})")
    if beat is not None:
        return _with_tempo_on_beat(song, args, tm, bars)
    meter = None if args.meter is None else parse_meter(args.meter)
    key = args.key
    if key is not None:
        try:  # key_name spells any key as a signature can hold it ("A#" is Bb)
            key = "" if key.strip().lower() == "none" else key_name(key)
        except ValueError:
            raise CliError(f"--key {args.key!r}: give a key a MIDI file can declare, like C, "
                           "F#, Bb, Am, C#m (or A minor), or none") from None
    try:
        if args.pickup is None and bar == 0 and meter is not None and tm.has_pickup:
            # A new meter for a song that opens with a pickup (no --from-bar, or bar 0):
            # from its first full bar, the pickup kept (set at bar 0 it made the 1/4
            # pickup a whole 2/2 bar and moved every bar line after it: a choir
            # director's QA).
            from engine.score.pickup import pickup_of, set_opening_time

            edit = set_opening_time(song, pickup_of(song), bpm=args.tempo, meter=meter,
                                    key=key)
        elif args.pickup is None:
            edit = set_time_from_bar(song, bar, bpm=args.tempo, meter=meter, key=key)
        elif bar == 0:
            from engine.score.pickup import opening_meter, pickup_from_text, set_opening_time

            pickup = pickup_from_text(args.pickup, meter or opening_meter(song))
            edit = set_opening_time(song, pickup, bpm=args.tempo, meter=meter, key=key)
        else:
            raise CliError(f"--pickup: a pickup comes before the first full bar, not at "
                           f"--from-bar {args.from_bar} (leave --from-bar out)")
    except ValueError as e:  # a pickup's says "pickup"
        raise CliError(str(e)) from None
    if edit is None:  # said, as tracks says an edit that changes nothing: not a typo unseen
        asked = " ".join(f"--{name} {value:g}" if isinstance(value, float) else
                         f"--{name} {value}" for name, value in (
            ("tempo", args.tempo), ("meter", args.meter), ("key", args.key),
            ("pickup", args.pickup), ("from-bar", args.from_bar)) if value is not None)
        print(f"partita: note: {args.input}: {asked}: the song has that already, nothing "
              "changed", file=sys.stderr)
        return song
    # The key as it is written: a spelling no signature has is the usual one ("Db minor"
    # is C# minor), and the user reads which.
    print(f"{edit.label} (key signature {key_text(key)})" if key else edit.label)
    return edit.apply(song)


def _with_locks(song: Any, args: argparse.Namespace) -> Any:
    """``song`` with every marker locked to its time (``--lock-markers``) or tied to its
    bar (``--unlock-markers``); first, so that ``--tempo`` in the same run keeps them."""
    from dataclasses import replace

    from engine.score import set_song_props

    if not (args.lock_markers or args.unlock_markers):
        return song
    locked = bool(args.lock_markers)
    changed = sum(1 for m in song.markers if m.locked != locked)
    if not changed:
        print(f"every marker is {'locked to its time' if locked else 'tied to its bar'} "
              "already" if song.markers else "no markers to lock or unlock")
        return song
    from engine.score import TimeMap

    tm = TimeMap.of(song)
    markers = tuple(replace(m, seconds=tm.tick_to_seconds(m.tick) if locked else None)
                    if m.locked != locked else m for m in song.markers)
    what = plural(changed, "marker")
    its = "its" if changed == 1 else "their"
    edit = set_song_props(song, f"Lock {what} to {its} time{'s' * (changed > 1)}" if locked
                          else f"Tie {what} to {its} bar{'s' * (changed > 1)}", markers=markers)
    print(edit.label)
    return edit.apply(song)


def _bar_and_beat(text: str | None) -> tuple[int | None, str | None]:
    """``--from-bar``'s bar number and, for bar.beat[.tick], the whole text (None for a
    plain bar: 6 and 6.1 are the bar line, a bar as before)."""
    if text is None:
        return None, None
    # A decimal comma separates too (6,3), as Go To reads it (engine.score.positions).
    bar, *rest = re.split(r"[.,]", text.strip())
    try:
        number = int(bar)
        if not all(part.isdecimal() for part in rest):
            raise ValueError
    except ValueError:
        raise CliError(f"--from-bar {text!r}: give a bar, or bar.beat for a tempo on a beat "
                       "(6, 6.3, 6.3.120)") from None
    if not rest or rest in (["1"], ["1", "0"]):
        return number, None
    return number, text.strip()


def _with_tempo_on_beat(song: Any, args: argparse.Namespace, tm: Any, bars: int) -> Any:
    """``song`` with ``--tempo`` from ``--from-bar`` bar.beat on (a meter or key starts
    on a bar line: refused, naming the bar)."""
    from engine.score import parse_position, set_tempo_at

    bar_text = re.split(r"[.,]", args.from_bar)[0]
    others = [name for name, value in (("--meter", args.meter), ("--key", args.key),
                                       ("--pickup", args.pickup)) if value is not None]
    if others:
        verb = "starts" if len(others) == 1 else "start"
        raise CliError(f"--from-bar {args.from_bar}: {' and '.join(others)} {verb} on a bar "
                       f"line (--from-bar {bar_text}); only --tempo starts on a beat")
    try:
        tick = parse_position(tm, args.from_bar, bars)
        edit = set_tempo_at(song, tick, args.tempo)
    except ValueError as e:
        raise CliError(f"{args.input}: --from-bar {args.from_bar}: {e}") from None
    if edit is None:
        return song
    print(edit.label)
    return edit.apply(song)


def _no_such_bar(tm: Any, number: int, bars: int) -> str:
    """Why bar ``number`` (before the song's first) is none of the song's bars."""
    if tm.has_pickup:
        return f"the first bar is the pickup, bar 0 ({tm.bar_numbers_text(bars)})"
    none = "; bar 0 is a pickup, and this song has none" if number == 0 else ""
    return f"bars count from 1 ({tm.bar_numbers_text(bars)}{none})"


def _bar_indices(song: Any, *numbers: int) -> list[int]:
    """The 0-based bars of the user's bar ``numbers`` (a pickup is bar 0); ValueError,
    with the song's range, for one before its first bar."""
    from engine.score import TimeMap

    tm = TimeMap.of(song)
    for number in numbers:
        if tm.bar_index(number) < 0:
            raise ValueError(_no_such_bar(tm, number, tm.whole_bars(song.end)))
    return [tm.bar_index(n) for n in numbers]


def _with_bars(song: Any, args: argparse.Namespace) -> Any:
    """``song`` with ``--insert-bars`` or ``--delete-bars`` applied (bars numbered as a
    score numbers them: a pickup is bar 0)."""
    from engine.score import delete_bars, insert_bars

    if args.insert_bars:
        text, option = args.insert_bars, "--insert-bars"
        first, _, count = text.partition(":")
        numbers = (first, count or "1")
    elif args.delete_bars:
        text, option = args.delete_bars, "--delete-bars"
        first, _, last = text.partition("-")
        numbers = (first, last or first)
    else:
        return song
    try:
        a, b = (int(n) for n in numbers)
    except ValueError:
        form = "BAR[:COUNT], e.g. 9:4" if args.insert_bars else "A[-B], e.g. 5-8"
        raise CliError(f"{option} {text!r}: give {form}") from None
    try:
        if args.insert_bars:
            [bar] = _bar_indices(song, a)
            edit = insert_bars(song, bar, b)
        else:
            if b < a:
                raise ValueError(f"bars {a}-{b}: the first bar comes first")
            [bar] = _bar_indices(song, a)
            edit = delete_bars(song, bar, b - a + 1)
    except ValueError as e:
        raise CliError(f"{args.input}: {option} {text}: {e}") from None
    print(edit.label)
    return edit.apply(song)


def _with_copy(song: Any, args: argparse.Namespace) -> Any:
    """``song`` with ``--copy-bars A[-B]:C`` (of ``--tracks``) applied."""
    from engine.score import bar_copy

    if args.copy_bars is None:
        if args.tracks is not None:
            raise CliError("--tracks says which tracks --copy-bars copies: give --copy-bars")
        return song
    text = args.copy_bars
    span, _, to = text.partition(":")
    first, _, last = span.partition("-")
    try:
        a, b, c = int(first), int(last or first), int(to)
    except ValueError:
        raise CliError(f"--copy-bars {text!r}: give A[-B]:C, e.g. 1-8:9") from None
    if b < a:
        raise CliError(f"--copy-bars {text}: the first bar comes first")
    ids = None if args.tracks is None else track_ids(song, args.tracks, args.input)
    try:
        copy = bar_copy(song, *_bar_indices(song, a, b, c), ids)
    except ValueError as e:
        raise CliError(f"{args.input}: --copy-bars {text}: {e}") from None
    print(copy.edit.label)
    for warning in copy.warnings:  # a shorter bar copied onto: the notes it had no room for
        print(f"partita: warning: --copy-bars {text}: {warning}", file=sys.stderr)
    return copy.edit.apply(song)


def _load(path: Path, with_studio: bool = False) -> Any:
    from engine.io import load_song

    return _read(path, load_with_studio if with_studio else load_song)


def _read(path: Path, reader: Any) -> Any:
    try:
        return reader(path)
    except OSError as e:  # "x.mid: no such file …", the file named as typed
        raise CliError(error_line(OSError(e.errno, e.strerror or str(e), str(path)))) from None
