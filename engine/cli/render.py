"""``partita render``: a song file to a WAV mix and/or per-track stems."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.score import TimeMap, plural, song_bars

from .common import (
    CliError,
    GivenOnce,
    add_quiet_option,
    bars_text,
    check_folder,
    check_writable_folder,
    load_with_studio,
    progress_bar,
    refuse_given_twice,
)

# What the summary adds after the length of the audio, for each --end.
ENDS = {"tail": "", "bar": ", cut at the last bar line",
        "loop": ", looped at the last bar line"}
RANGE_ENDS = {"tail": "", "bar": ", cut at the range's end",  # with --bars
              "loop": ", looped at the range's end"}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "render",
        help="render a song to a WAV mix, per-track WAV stems and/or rehearsal mixes",
        description=(
            "Render IN (a MIDI file, a .partita project or a MusicXML score: .musicxml, "
            ".xml, .mxl) to stereo WAV (24-bit unless --bit-depth): a "
            "mix (-o), one stem per track (--stems) and/or a rehearsal mix per part "
            "(--rehearsal), all the same length from time 0. Uses a General MIDI "
            "SoundFont when one is found, else the built-in synth."
        ),
    )
    p.add_argument("input", metavar="IN", type=Path, help="song file to render")
    p.add_argument("-o", "--output", metavar="MIX.wav", type=Path,
                   help="write the mix here (its folder is made if need be)")
    p.add_argument("--stems", metavar="DIR", type=Path,
                   help="write one WAV per track into this folder ('01 - Piano.wav', ...); "
                        "refused when it holds other stems ('NN - Name.wav') that this render "
                        "would not replace (from another song): see --clean")
    p.add_argument("--stem-names", metavar="TEMPLATE", action=GivenOnce,
                   help="with --stems: name the stems by TEMPLATE (.wav added) for "
                        "middleware or a sampler: {song} (IN's file name without its "
                        "extension), {nn} (the track's number, 01, 02, …) and {track} (its "
                        "name, needed), e.g. '{song}_{track}' or '{song}_{nn}_{track}', so "
                        "variations of a loop give distinct, sortable files in one folder "
                        "(default '{nn} - {track}': '01 - Piano.wav'); characters a file "
                        "name cannot hold become '_'")
    p.add_argument("--clean", action="store_true",
                   help="with --stems or --rehearsal: after writing the new files, delete "
                        "the folder's other stem files ('NN - Name.wav') or rehearsal mixes "
                        "('Rehearsal - Name.wav'), so it holds this song's only")
    p.add_argument("--rehearsal", metavar="DIR", type=Path,
                   help="write a choir's learning tracks into this folder: for each pitched "
                        "track heard in the mix, 'Rehearsal - Alto.wav' etc., the mix with "
                        "that part forward (the others 9 dB quieter behind it, the part a "
                        "little left and the others right); refused when it holds other "
                        "rehearsal mixes (another song's parts): see --clean")
    p.add_argument("--count-in", metavar="BARS", type=int, default=0,
                   help="with --rehearsal: BARS bars of click before the music of each "
                        "rehearsal mix (a pickup is part of the last: '1, 2, 3' and the "
                        "pickup sings on 4); the mix and stems stay as they are")
    p.add_argument("--sample-rate", metavar="N", type=int, default=44100,
                   help="sample rate in Hz (default 44100)")
    p.add_argument("--bit-depth", choices=("16", "24", "32f"), default="24",
                   help="the files' sample format: 16-bit PCM (dithered, for a CD or a "
                        "demo), 24-bit PCM (default) or 32-bit float (32f)")
    p.add_argument("--soundfont", metavar="SF2", type=Path,
                   help="SoundFont to play with (default: $PARTITA_SOUNDFONT, then the "
                        "system's General MIDI SoundFont)")
    p.add_argument("--synth", choices=("auto", "soundfont", "builtin"), default="auto",
                   help="force the SoundFont or the built-in synth (default: auto)")
    p.add_argument("--dry-stems", action="store_true",
                   help="with --stems: write the stems pre-fader, without their track's "
                        "volume and pan (each at full volume in the centre), to set the "
                        "balance in a DAW; the mix keeps them")
    p.add_argument("--end", choices=("tail", "bar", "loop"), default="tail",
                   help="where every file ends: 'tail' after the last note has rung out "
                        "(default), 'bar' exactly at the song's last bar line (what rings "
                        "on is cut, faded over the last 5 ms so it does not click: the "
                        "files fit a DAW's grid), 'loop' there too, with what "
                        "rings past the line added onto the start, so the files loop "
                        "seamlessly")
    p.add_argument("--bars", metavar="A-B", action=GivenOnce,
                   help="render only bars A to B, inclusive, as a DAW exports a loop range "
                        "(numbered as repaint's --bars: the first full bar is 1, a pickup "
                        "0; bar.beat too, 5.3-6.2): every file starts at bar A's downbeat "
                        "(sample 0), the notes, pedal, bends and controllers in force "
                        "there sounding from it, and every note is let go at B's end, "
                        "where --end counts from ('bar': exactly there)")
    p.add_argument("--gain", metavar="DB", type=float, action=GivenOnce,
                   help="a fixed level: every file (mix, stems, rehearsal mixes) scaled by "
                        "DB dB (e.g. 0 or -6; -60 to +24), not normalised, so every song, "
                        "range and variation gives a track's stem at the same level, for "
                        "layering in FMOD/Wwise or a DAW; a file past 0 dBFS clips in "
                        "16/24-bit, keeps its overs in 32f (said, with the --gain that "
                        "fits). Default: each render brought down to peak at -1 dBFS "
                        "from its own peaks (never clips)")
    add_quiet_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from engine.io.atomic import refuse_read_only
    from engine.io.errors import write_problem
    from engine.render import BIT_DEPTH_NAMES, RenderError, render_files
    from engine.render.files import (
        DEFAULT_STEM_NAMES,
        bar_one_note,
        rehearsal_names,
        remove_stems,
        stale_rehearsals,
        stale_stems,
        stem_names,
        stem_names_problem,
    )
    from engine.render.held_past import held_past_note
    from engine.render.mixing import fixed_gain, silent_mix, silent_stems
    from engine.render.overs import overs_note
    from engine.render.ranges import past_the_end, range_text
    from engine.render.stem_owner import other_songs_stems, record_owner, recorded_stale

    refuse_given_twice(args)
    if args.output is None and args.stems is None and args.rehearsal is None:
        raise CliError("render: nothing to write: give -o MIX.wav, --stems DIR and/or "
                       "--rehearsal DIR")
    if args.count_in and args.rehearsal is None:
        raise CliError("render: --count-in goes with --rehearsal DIR")
    if not 0 <= args.count_in <= 8:
        raise CliError(f"render: --count-in takes 0 to 8 bars, not {args.count_in}")
    if args.output is not None and args.output.suffix.lower() != ".wav":
        raise CliError(f"{args.output}: the mix is written as WAV: give a .wav file name")
    if args.stem_names is not None:
        if args.stems is None:
            raise CliError("render: --stem-names goes with --stems DIR")
        problem = stem_names_problem(args.stem_names)
        if problem:
            raise CliError(f"render: --stem-names {problem}")
    if args.dry_stems and args.stems is None:
        raise CliError("render: --dry-stems goes with --stems DIR")
    if args.clean and args.stems is None and args.rehearsal is None:
        raise CliError("render: --clean goes with --stems DIR or --rehearsal DIR")
    if args.gain is not None:
        try:
            fixed_gain(args.gain)
        except ValueError as e:
            raise CliError(f"render: --gain: {e}") from None
    if args.output is not None:  # before seconds of rendering, not after
        if args.output.is_dir():
            raise CliError(f"{args.output}: is a folder, not a file")
        check_folder(args.output.parent)  # made if missing
        refuse_read_only(args.output)
        check_writable_folder(args.output.parent, args.output)
    if args.stems is not None:
        check_folder(args.stems, " (--stems takes the folder to write the stems into)")
        check_writable_folder(args.stems, args.stems)
    if args.rehearsal is not None:
        check_folder(args.rehearsal, " (--rehearsal takes the folder to write them into)")
        check_writable_folder(args.rehearsal, args.rehearsal)
    song, _ = load_with_studio(args.input)  # a MIDI file cut short: what it lacked is said
    if song.end == 0:
        raise CliError(f"{args.input}: the song has no notes: nothing to render")
    span = bar_range(song, args.bars) if args.bars is not None else None
    _refuse_too_long(song, args, span)
    template = args.stem_names or DEFAULT_STEM_NAMES
    names = list(stem_names(song, template, args.input.stem).values())
    owner = str(args.input.resolve())  # which song wrote the folder (its sidecar)
    stale: list = []
    kept: list = []  # other songs' stems left beside these (named apart by {song})
    if args.stems is not None:
        by_name = set(stale_stems(args.stems, names))
        if "{song}" in template:  # every song's stems have their own names: only this
            # song's earlier files (tracks renamed or gone) are stale
            stale = recorded_stale(args.stems, names, owner)
            kept = sorted(by_name - set(stale))
        else:
            stale = sorted(by_name | set(recorded_stale(args.stems, names)))
    replaced = other_songs_stems(args.stems, owner, names) if args.stems is not None else []
    if replaced and not args.clean:  # two variations' "01 - Lead.wav": refused, not mixed
        n = len(replaced)
        shown = ", ".join(repr(p.name) for p in replaced[:6]) + (", …" if n > 6 else "")
        raise CliError(
            f"{args.stems}: holds {_count(n, 'stem file')} of another song that this render "
            f"would replace ({shown}): add --clean to replace "
            f"{'them' if n != 1 else 'it'}, name this song's stems apart (--stem-names "
            "'{song}_{track}') or choose another folder")
    # Another song's parts beside this one's: a singer would learn the wrong Alto.
    stale_parts = (stale_rehearsals(args.rehearsal, rehearsal_names(song).values())
                   if args.rehearsal is not None else [])
    for folder, old, kind in ((args.stems, stale, "stem file"),
                              (args.rehearsal, stale_parts, "rehearsal mix")):
        if old and not args.clean:
            n = len(old)
            names = ", ".join(repr(p.name) for p in old[:6]) + (", …" if n > 6 else "")
            raise CliError(
                f"{folder}: holds {_count(n, kind)} "
                f"from another render that this song does not write ({names}): add --clean "
                f"to delete {'them' if n != 1 else 'it'}, or choose an empty folder")

    with progress_bar(1000, f"render {args.input}", unit="‰", quiet=args.quiet) as bar:
        def progress(f: float) -> None:
            bar.update(max(0, round(f * 1000) - bar.n))

        try:
            report = render_files(
                song, args.output, args.stems, sample_rate=args.sample_rate,
                soundfont=args.soundfont, progress=progress, synth=args.synth, end=args.end,
                stage=lambda what: bar.set_postfix_str(what, refresh=False),
                known_stale=[*stale, *kept] if args.stems is not None else None,
                rehearsal_dir=args.rehearsal, count_in=args.count_in,
                bit_depth=args.bit_depth, dry_stems=args.dry_stems, span=span,
                gain_db=args.gain, stem_template=template, song_name=args.input.stem,
            )
        except RenderError as e:
            raise CliError(f"render: {e}") from e
        except OSError as e:  # a folder read-only after all (a disk remounted): said
            # as the folder's, not as its hidden staging file's ".mix.wav.6e70e691.raw"
            problem = write_problem(e, e.filename) if e.filename else None
            if problem is None:
                raise
            raise CliError(f"render: {problem}") from None

    for folder, old, kind in ((args.stems, stale, "stem"),
                              (args.rehearsal, stale_parts, "rehearsal mix")):
        try:  # --clean, and the new files are safely written
            remove_stems(old)
        except OSError as e:
            raise CliError(f"{e.filename}: cannot delete this old {kind}: "
                           f"{e.strerror or e}") from None
        if old:
            shown = ", ".join(repr(p.name) for p in old)
            print(f"removed {_count(len(old), f'old {kind}')} from {folder}: {shown}",
                  file=sys.stderr)
    if args.stems is not None:  # the next render into the folder knows whose stems these are
        try:
            record_owner(args.stems, owner, [p.name for p in report.stem_paths])
        except OSError as e:
            print(f"partita: warning: {args.stems}: cannot record which song wrote the "
                  f"stems: {e.strerror or e}", file=sys.stderr)

    where = []
    if report.mix_path is not None:
        where.append(str(report.mix_path))
    if args.stems is not None:
        n = len(report.stem_paths)
        kind = "dry stem" if report.dry_stems else "stem"
        where.append(f"{plural(n, kind)} in {args.stems.as_posix().rstrip('/')}/")
    if args.rehearsal is not None:
        n = len(report.rehearsal_paths)
        lead = (f", after {plural(args.count_in, 'bar')} of count-in"
                if args.count_in else "")
        where.append(f"{n} rehearsal mix{'es' if n != 1 else ''}{lead} in "
                     f"{args.rehearsal.as_posix().rstrip('/')}/")
    gain = f", gain {report.gain_db:+.1f} dB" if report.gain_db < -0.05 else ""
    if report.level == "fixed":  # said whatever it is: it is what the files were made at
        gain = f", fixed gain {report.gain_db:+.1f} dB"
    elif report.mix_path is not None and report.mix_gain_db < report.gain_db - 0.05:
        gain += (f" (the mix {report.mix_gain_db:+.1f} dB: with tracks muted or soloed, "
                 "it would clip at the stems' gain)")
    print(f"synth: {report.synth}, {peaks_text(report)}{gain}", file=sys.stderr)
    left = left_out_note(song, mix=report.mix_path is not None,
                         rehearsal=args.rehearsal is not None, stems=args.stems is not None)
    if left:  # what is muted or soloed shapes the mix: said, with what is left out
        print(f"partita: note: {left}", file=sys.stderr)
    bar_one = bar_one_note(song, report.sample_rate, mix=report.mix_path is not None,
                           stems=args.stems is not None) if span is None else None
    if bar_one and (report.mix_path is not None or args.stems is not None):
        print(f"partita: note: {bar_one}", file=sys.stderr)  # a DAW's bar 1 is at its 0
    past = past_the_end(song, *span) if span is not None else None
    if past:  # rendered all the same: a loop range's length is the user's
        print(f"partita: note: {past}", file=sys.stderr)
    held = held_past_note(song, report.end) if span is None else None
    if held:  # cut or wrapped at the last bar line (a range lets every note go at its end)
        print(f"partita: note: {held}", file=sys.stderr)
    for silent in silent_stems(song, report.stem_track_peaks_dbfs, span):
        print(f"partita: note: {silent}", file=sys.stderr)  # as the studio's export says
    what = (bars_text(report.bars, TimeMap.of(song).has_pickup) if span is None
            else range_text(song, span))
    ending = (ENDS if span is None else RANGE_ENDS)[report.end]
    print(
        f"rendered {what} ({report.duration_seconds:.1f} s of audio{ending}) "
        f"in {report.render_seconds:.1f} s "
        f"({report.speed:.0f}× real time) → {', '.join(where)} "
        f"({BIT_DEPTH_NAMES[report.bit_depth]} WAV, {report.sample_rate} Hz)"
    )
    over = overs_note(report.overs, report.bit_depth, report.gain_db)
    if over:  # written all the same (exit status 0), as a silent mix is: said late
        print(f"partita: {over[0]}: {over[1]}", file=sys.stderr)
    silent = silent_files(report, args.rehearsal)
    if silent:  # written (the stems beside it are what was wanted, maybe), but almost
        # surely a mistake: said last, for a script reading stderr. Exit status 0: a file
        # was written (1 says none was, README), as a silent stem is only a note.
        why, hint = silent_mix(song)
        print(f"partita: warning: {silent}: {why}: {hint}", file=sys.stderr)
    return 0


def silent_files(report, rehearsal_dir: Path | None) -> str:
    """What of the mixes written is silent, for a warning: ``"mix.wav is silent"``,
    ``"the 4 rehearsal mixes in R/ are silent"``, ``"mix.wav and Rehearsal - Alto.wav
    are silent"``; "" when none is. The rehearsal mixes share the mix heard behind each
    part: one silent, all are."""
    silent = []
    if report.mix_path is not None and report.mix_peak_dbfs == float("-inf"):
        silent.append(report.mix_path.name)
    n = len(report.rehearsal_paths)
    if n and report.rehearsal_peak_dbfs == float("-inf"):
        folder = rehearsal_dir.as_posix().rstrip("/") if rehearsal_dir is not None else "."
        silent.append(report.rehearsal_paths[0].name if n == 1
                      else f"the {n} rehearsal mixes in {folder}/")
        n = 2 if n > 1 else n
    if not silent:
        return ""
    return " and ".join(silent) + (" are silent" if len(silent) > 1 or n > 1
                                   else " is silent")


def _count(n: int, noun: str) -> str:
    """``"2 old stems"``, ``"1 rehearsal mix"``, ``"3 rehearsal mixes"``."""
    return plural(n, noun) if not noun.endswith("mix") or n == 1 else f"{n} {noun}es"


def peaks_text(report) -> str:
    """The sample peaks of what was written, each named: ``"mix peak -8.4 dBFS, loudest
    stem peak -3.5 dBFS"`` (the loudest stem is not the mix: a soloed Lead's mix peaked
    5 dB below the drums' stem); ``"mix silent"``."""
    def peak(what: str, value: float) -> str:
        return f"{what} silent" if value == float("-inf") else f"{what} peak {value:.1f} dBFS"

    peaks = []
    if report.mix_path is not None:
        peaks.append(peak("mix", report.mix_peak_dbfs))
    if report.stem_paths:
        peaks.append(peak(f"loudest {'dry stem' if report.dry_stems else 'stem'}",
                          report.stem_peak_dbfs))
    if report.rehearsal_paths:
        peaks.append(peak("loudest rehearsal mix", report.rehearsal_peak_dbfs))
    return ", ".join(peaks)


def left_out_note(song, *, mix: bool, rehearsal: bool, stems: bool) -> str | None:
    """What the mix (and the rehearsal mixes) leave out, muted or not soloed: "the mix
    leaves out 2 tracks (muted: Drums; not soloed: Bass); their stems are written"
    ("… out 1 track (muted: Drums); its stem is written"); None when every track with
    notes is heard."""
    from engine.render.mixing import left_out
    from engine.score import track_labels

    muted, unsoloed = left_out(song)
    if not muted and not unsoloed:
        return None
    labels = track_labels(song)
    which = "; ".join(f"{why}: {', '.join(labels[t.id] for t in tracks)}"
                      for why, tracks in (("muted", muted), ("not soloed", unsoloed))
                      if tracks)
    count = len(muted) + len(unsoloed)
    n = plural(count, "track")
    written = "; its stem is written" if count == 1 else "; their stems are written"
    if mix or rehearsal:
        who = ("the mix and the rehearsal mixes leave" if mix and rehearsal
               else "the mix leaves" if mix else "the rehearsal mixes leave")
        return f"{who} out {n} ({which})" + (written if stems else "")
    if stems:  # no mix: the stems are every track's all the same
        return f"{n} would be left out of a mix ({which}){written}"
    return None



def _refuse_too_long(song, args: argparse.Namespace, span: tuple[int, int] | None) -> None:
    """A song (or --bars range) too long to render, refused before anything is rendered,
    naming the file, how long and the limit (a note at tick 10**12 said "internal
    error: MemoryError: Unable to allocate 459. GiB")."""
    from engine.render.limits import too_long_to_render
    from engine.render.ranges import range_song

    rendered = range_song(song, *span) if span is not None else song
    problem = too_long_to_render(rendered, args.sample_rate)
    if problem is not None:
        if span is not None:
            problem = problem.replace("the song is", f"--bars {args.bars.strip()} is", 1)
        raise CliError(f"{args.input}: {problem}: render part of it with --bars A-B")


def bar_range(song, text: str) -> tuple[int, int]:
    """The ticks of ``--bars A-B`` (one span, read as repaint's ``--bars``). Refused when
    it starts at or after the song's end; one that runs past it is kept (silence to its
    end: a loop range's length is the user's)."""
    from .generate import parse_spans

    spans = parse_spans(text, song)
    if len(spans) != 1:
        raise CliError(f"--bars {text.strip()!r}: render takes one range of bars (A-B)")
    ((start, end),) = spans
    if start >= song.end:
        tm = TimeMap.of(song)
        raise CliError(f"--bars {text.strip()!r}: the song has "
                       f"{tm.bar_numbers_text(song_bars(song, tm))}: the range starts "
                       "after its end")
    return start, end
