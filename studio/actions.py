"""Every QAction of the studio and its shortcut, in one place.

The table below is the single source for menus, toolbars and the shortcuts dialog
(and docs/studio.md mirrors it). Actions are created here and connected to their
slots by the main window.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from .theme import icon

StdKey = QKeySequence.StandardKey


@dataclass(frozen=True)
class Spec:
    name: str
    text: str
    keys: tuple[str | StdKey, ...] = ()
    icon: str = ""
    tip: str = ""
    checkable: bool = False

    @property
    def label(self) -> str:
        """The text without its mnemonic (``"Save &As…"`` → ``"Save As…"``)."""
        return self.text.replace("&&", "\0").replace("&", "").replace("\0", "&")

    @property
    def tooltip(self) -> str:
        """The tip with the first shortcut, for a button that does the same (a panel's)."""
        if not self.keys:
            return self.tip
        key = key_text(self.name)
        # A tip may name its key as musicians write it ("(−)", "(Ctrl+Alt+→)"): kept.
        plain = self.tip
        for glyph, name in (("−", "-"), ("→", "Right"), ("←", "Left"), ("↑", "Up"),
                            ("↓", "Down")):
            plain = plain.replace(glyph, name)
        return self.tip if f"({key})" in plain else f"{self.tip} ({key})"


SPECS: tuple[Spec, ...] = (
    # File
    Spec("new", "&New…", (StdKey.New,), "new",
         "New song: its tracks, title, tempo, meter, key and length"),
    Spec("open", "&Open…", (StdKey.Open,), "open",
         "Open a .partita project, a MIDI file or a MusicXML score"),
    Spec("save", "&Save", (StdKey.Save,), "save", "Save"),
    Spec("save_as", "Save &As…", ("Ctrl+Shift+S",)),
    Spec("export_midi", "&Export MIDI…", ("Ctrl+E",), "export", "Export a MIDI file"),
    Spec("export_musicxml", "Export Music&XML…", ("Ctrl+Alt+E",), "",
         "Export a MusicXML score for MuseScore, Sibelius or Dorico"),
    Spec("export_stems", "Export Audio && S&tems…", ("Ctrl+Shift+E",), "",
         "Render the mix and one WAV per track"),
    Spec("song_properties", "Song &Properties…", (), "",
         "Set the song's title (saved in projects and MIDI files)"),
    Spec("quit", "&Quit", ("Ctrl+Q",)),  # StdKey.Quit is empty on some platforms
    # Edit
    Spec("undo", "&Undo", ("Ctrl+Z",), "undo", "Undo"),
    Spec("redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "redo", "Redo"),
    # Ctrl+Alt beside Ctrl+Z and Ctrl+Shift+Z (Logic's Undo History is Alt+Cmd+Z).
    Spec("undo_history", "Undo &History…", ("Ctrl+Alt+Z",), "",
         "List every undo step; click one (or Enter) to go back or forward to it at once"),
    Spec("cut", "Cu&t", ("Ctrl+X",)),
    Spec("copy", "&Copy", ("Ctrl+C",)),
    Spec("paste", "&Paste", ("Ctrl+V",), "", "Paste at the playhead"),
    Spec("duplicate", "&Duplicate", ("Ctrl+D",), "", "Duplicate the selection after itself"),
    Spec("delete", "De&lete", ("Delete", "Backspace"), "",
         "Delete the selected notes; with none selected, reject the take on screen (Del)"),
    Spec("select_all", "Select &All", ("Ctrl+A",)),
    Spec("select_all_tracks", "Select All Track&s", ("Ctrl+Shift+A",), "",
         "Edit every track at once and select all their notes"),
    Spec("select_none", "Select &None", ("Escape",)),
    Spec("quantize", "&Quantize", ("Q",), "quantize", "Quantize to the snap grid"),
    Spec("quantize_options", "Quanti&ze…", ("Shift+Q",), "",
         "Quantize to a grid you choose, with swing (as an MPC's or Logic's Q-Swing) and "
         "a strength (as Logic's Q-Strength: under 100 % keeps some of a played feel)"),
    Spec("legato", "L&egato", ("Ctrl+L",), "",
         "End each selected note where the next selected note starts"),
    Spec("split_notes", "Split at Pla&yhead", ("S",), "",
         "Cut the selected notes (else the current track's) in two at the playhead"),
    Spec("join_notes", "&Join Repeated Notes", ("J",), "",
         "Join selected repeated notes of one pitch into one long note"),
    # Notes ▸ Articulation: MuseScore's keys where they are free (its S, the slur, is
    # Split here: the slur takes Shift+L, the legato phrasing mark as Ctrl+L is Legato's
    # lengths); staccatissimo and detached legato have no key in MuseScore either.
    # Checkable: ticked while every selected note has the mark (a screen reader's only
    # way to know, short of the canvas's description of one note).
    Spec("staccato", "&Staccato", ("Shift+S",), "",
         "Put a staccato dot on the selected notes, or take it off them all (played half "
         "their length)", True),
    Spec("staccatissimo", "Staccat&issimo", (), "",
         "Put a staccatissimo wedge on the selected notes, or take it off (played a third "
         "of their length)", True),
    Spec("accent", "&Accent", ("Shift+V",), "",
         "Put an accent (>) on the selected notes, or take it off (played louder)", True),
    Spec("strong_accent", "Strong Accent (&Marcato)", ("Shift+O",), "",
         "Put a strong accent (^) on the selected notes, or take it off (played louder "
         "and shorter)", True),
    Spec("tenuto", "&Tenuto", ("Shift+N",), "",
         "Put a tenuto line on the selected notes, or take it off (held their whole length)",
         True),
    Spec("detached_legato", "&Detached Legato (Portato)", (), "",
         "Put a tenuto line with a dot on the selected notes, or take it off (played two "
         "thirds of their length)", True),
    Spec("slur", "S&lur", ("Shift+L",), "",
         "Slur the selected notes of one track, first to last (again over the same notes: "
         "the slur comes off)"),
    Spec("remove_slurs", "&Remove Slurs", (), "",
         "Take off every slur over the selected notes"),
    Spec("time_at_bar", "Tempo, Meter and &Key…", ("Ctrl+K",), "",
         "Set the tempo, meter and key from the playhead's bar on"),
    Spec("add_marker", "Add &Marker…", (), "",
         "Add a section marker at the playhead (double-click one in the ruler to rename "
         "or delete it)"),
    # Ctrl+Shift beside Ctrl+K's tempo, meter and key: the song's other lead-sheet line.
    Spec("chords_for_bars", "Chords &for Bars…", ("Ctrl+Shift+K",), "",
         "Type the chord symbols of bars as a lead sheet writes them (F7 | Bb7 | % | "
         "C7 Bb7), from the playhead's bar on"),
    # The chord row takes no focus: these reach its chords from the keyboard. Ctrl+Alt+K
    # beside Ctrl+K / Ctrl+Shift+K (the song's lead-sheet lines); Alt+[ ] step as [ ] do
    # through the takes.
    Spec("edit_chord", "&Edit Chord at Playhead…", ("Ctrl+Alt+K",), "",
         "Type the chord symbol on the playhead's beat (the one there changed, or a new "
         "one; empty deletes it)"),
    Spec("next_chord", "&Next Chord Symbol", ("Alt+]",), "",
         "Move the playhead to the next chord symbol and select it (Enter edits it, "
         "Delete removes it)"),
    Spec("previous_chord", "&Previous Chord Symbol", ("Alt+[",), "",
         "Move the playhead to the previous chord symbol and select it"),
    Spec("insert_bars", "&Insert Bars…", ("Ctrl+Ins",), "",
         "Insert empty bars at the playhead's bar, on every track"),
    Spec("delete_bars", "Delete &Bars…", ("Ctrl+Del",), "",
         "Delete bars on every track (the loop range's, else the playhead's)"),
    # Ctrl+Shift+← → nudge too, also in step entry, where ← → move the entry point.
    Spec("nudge_left", "Nudge &Left", ("Left", "Ctrl+Shift+Left"), "",
         "Move the selected notes a grid step earlier, a 1/128 with the grid Off (nothing "
         "selected: the playhead)"),
    Spec("nudge_right", "Nudge &Right", ("Right", "Ctrl+Shift+Right"), "",
         "Move the selected notes a grid step later, a 1/128 with the grid Off (nothing "
         "selected: the playhead)"),
    # Fine nudge, Logic's "Nudge by Tick": Ctrl+Alt+← → step the Snap grid and Alt+Shift
    # extends the selection, so all three modifiers (one hand, as Ctrl+Shift nudges).
    Spec("nudge_tick_left", "Nudge Left a T&ick", ("Ctrl+Alt+Shift+Left",), "",
         "Move the selected notes one tick earlier, on the grid or off it"),
    Spec("nudge_tick_right", "Nudge Right a Tic&k", ("Ctrl+Alt+Shift+Right",), "",
         "Move the selected notes one tick later, on the grid or off it"),
    Spec("nudge_bar_left", "Nudge Left a &Bar", ("Shift+Left",), "",
         "Move the selected notes a bar earlier (nothing selected: the playhead)"),
    Spec("nudge_bar_right", "Nudge Right a B&ar", ("Shift+Right",), "",
         "Move the selected notes a bar later (nothing selected: the playhead)"),
    Spec("select_next", "Select &Next Note", ("Ctrl+Right",), "",
         "Select the next note of the current tracks (none selected: from the playhead)"),
    Spec("select_previous", "Select &Previous Note", ("Ctrl+Left",), "",
         "Select the previous note of the current tracks"),
    # MuseScore grows a range with Shift+→, which here moves a bar (Ctrl+Shift+→ nudges):
    # Alt+Shift+→, Shift for "add to the selection" as Shift+click, three keys one hand.
    Spec("extend_next", "E&xtend Selection to Next Note", ("Alt+Shift+Right",), "",
         "Add the next note (a chord whole) of the current tracks to the selection; "
         "Alt+Shift+← takes it back"),
    Spec("extend_previous", "Extend Selection to Pre&vious Note", ("Alt+Shift+Left",), "",
         "Add the previous note of the current tracks to the selection"),
    Spec("select_bars", "Select the Bar's N&otes", ("Ctrl+B",), "",
         "Select the current tracks' notes in the playhead's bar (looping: the loop range)"),
    Spec("lengthen", "Le&ngthen Notes", ("Alt+Right",), "",
         "Make the selected notes a grid step longer"),
    Spec("shorten", "&Shorten Notes", ("Alt+Left",), "",
         "Make the selected notes a grid step shorter"),
    # Alt+arrows change a note's other sizes: its length (← →) and its velocity (↑ ↓).
    Spec("velocity_up", "Loud&er (Velocity +8)", ("Alt+Up",), "",
         "Raise the selected notes' velocity by 8"),
    Spec("velocity_down", "So&fter (Velocity −8)", ("Alt+Down",), "",
         "Lower the selected notes' velocity by 8"),
    Spec("transpose_up", "Transpose &Up", ("Up",)),
    Spec("transpose_down", "Transpose &Down", ("Down",)),
    Spec("octave_up", "Transpose Up an &Octave", ("Shift+Up",)),
    Spec("octave_down", "Transpose Do&wn an Octave", ("Shift+Down",)),
    # Tools
    Spec("tool_select", "&Pointer", ("P",), "pointer", "Pointer: select, move, resize (P)",
         True),
    Spec("tool_draw", "&Brush", ("B",), "pencil", "Brush: draw notes (B)", True),
    Spec("tool_erase", "&Eraser", ("E",), "eraser", "Eraser: delete notes (E)", True),
    Spec("tool_mask", "&Mask", ("M",), "mask",
         "Mask: paint where the model may write; Shift or Alt erases (M)", True),
    # Step entry (studio.step_entry): its keys act only while it is on.
    Spec("step_entry", "S&tep Entry", ("N",), "step",
         "Step entry: type note names A–G to write notes at the playhead; Esc leaves (N)",
         True),
    Spec("step_rest", "Step Entry: &Rest", ("0", "R"), "",
         "Step entry: move the playhead a step on without a note"),
    Spec("step_back", "Step Entry: Step Bac&k", ("Backspace",), "",
         "Step entry: take back the last step's notes and move the playhead back"),
    # As MuseScore's note input: ← → move the entry point, not the notes (Ctrl+Shift+← →
    # nudge them), and Ctrl+3 makes the length a triplet.
    Spec("step_cursor_back", "Step Entry: Cursor Le&ft", ("Left",), "",
         "Step entry: move the entry point a step back; the notes stay"),
    Spec("step_cursor_forward", "Step Entry: Cursor Ri&ght", ("Right",), "",
         "Step entry: move the entry point a step on; the notes stay"),
    Spec("step_triplet", "Step Entry: Triplet&s", ("Ctrl+3",), "",
         "Step entry: make the step length a triplet (1/8 → 1/8T), or straight again",
         True),
    # MIDI keyboard (studio.midi_keyboard): Tools ▸ MIDI Input lists the ports beside it.
    Spec("midi_refresh", "&Refresh MIDI Devices", (), "",
         "Look for MIDI keyboards again (one plugged in since) and open the one chosen"),
    # View
    Spec("zoom_in", "Zoom &In", ("+", "=", "Ctrl+="), "zoom-in", "Zoom in (+)"),
    Spec("zoom_out", "Zoom &Out", ("-", "Ctrl+-"), "zoom-out", "Zoom out (−)"),
    # Checked with real key events (XTest under Xvfb, US layout): Shift and = is "+",
    # the time zoom, so rows take Ctrl+Shift; Shift with keypad + or −, or with −, also
    # works ("Shift+-" matches both minus keys; "Shift+_" matched neither). The first key
    # is the one menus show.
    Spec("zoom_in_v", "&Taller Rows", ("Ctrl+Shift+=", "Shift++"),),
    Spec("zoom_out_v", "S&horter Rows", ("Ctrl+Shift+-", "Shift+-"),),
    Spec("zoom_fit", "Zoom to &Fit", ("F",), "zoom-fit", "Show the whole song (F)"),
    Spec("zoom_selection", "Zoom to &Selection", ("Z",), "",
         "Fit the selected notes (nothing selected: the mask) in the piano roll (Z)"),
    # In the Snap box's order, so every grid it has is reached (QA: Off and the triplets
    # were not): from 1/32 the next is 1/4T, not a finer one.
    Spec("snap_next", "Next Snap &Grid", ("Ctrl+Alt+Right",), "",
         "Snap to the next grid: Off, Bar, 1/2 … 1/32, 1/4T … 1/32T (Ctrl+Alt+→)"),
    Spec("snap_previous", "Pre&vious Snap Grid", ("Ctrl+Alt+Left",), "",
         "Snap to the previous grid (Ctrl+Alt+←)"),
    # The lane under the notes (studio.pianoroll.controllers): View ▸ Controller Lane, or
    # the selector beside it. Ctrl+Alt+V as Ctrl+Alt+G / J show panes (Ctrl+Alt+L locks
    # the screen on GNOME and KDE).
    Spec("lane_velocity", "&Velocity Lane", (), "", "Show the notes' velocities under them",
         True),
    Spec("lane_bend", "Pitch &Bend Lane", (), "",
         "Show and draw the current track's pitch bend under the notes", True),
    Spec("lane_pedal", "&Sustain Pedal Lane", (), "",
         "Show and draw the current track's sustain pedal (CC64) under the notes", True),
    Spec("lane_mod", "&Mod Wheel Lane", (), "",
         "Show and draw the current track's mod wheel (CC1) under the notes", True),
    Spec("lane_next", "&Next Controller Lane", ("Ctrl+Alt+V",), "",
         "Show the next lane under the notes: velocity, pitch bend, sustain pedal, mod wheel "
         "(Ctrl+Alt+V)"),
    # A song without chords has no chord row; this shows it empty, to double-click in
    # (a DAW's chord track is shown or hidden the same way). No key: Ctrl+Shift+K and
    # Ctrl+Alt+K type chords without it.
    Spec("chord_row", "&Chord Row", (), "",
         "Show the chord symbols' row under the ruler in a song without chords too, to "
         "double-click in (a song with chords always shows it)", True),
    # F6 as in a DAW or a file manager (studio.panes); F10 as on Windows and Linux desktops.
    Spec("next_pane", "Next &Pane", ("F6",), "",
         "Focus the next pane: piano roll, tracks, arrangement, takes, Generate, Jobs"),
    Spec("previous_pane", "Previous Pa&ne", ("Shift+F6",), "", "Focus the previous pane"),
    Spec("menu_bar", "Open the &Menu Bar", ("F10",)),
    # Tracks
    Spec("add_track", "&Add Track", ("Ctrl+T",), "track-add", "Add a track"),
    Spec("remove_track", "&Remove Track", ("Ctrl+Shift+T",), "track-remove",
         "Remove the selected track"),
    Spec("duplicate_track", "Duplicat&e Track", ("Ctrl+Shift+D",), "",
         "Add a copy of the current track below it: its notes, instrument and mix"),
    Spec("merge_tracks", "Merge Track&s…", (), "",
         "Merge the chosen tracks' notes into the first of them: one track"),
    Spec("track_up", "Move Track &Up", ("Ctrl+Shift+Up",), "track-up", "Move the track up"),
    Spec("track_down", "Move Track &Down", ("Ctrl+Shift+Down",), "track-down",
         "Move the track down"),
    Spec("prev_track", "Pre&vious Track", ("Ctrl+Up",)),
    Spec("next_track", "Ne&xt Track", ("Ctrl+Down",)),
    Spec("mute_track", "&Mute Track", ("Ctrl+Alt+M",), "", "Mute or unmute the current track"),
    Spec("solo_track", "S&olo Track", ("Ctrl+Alt+S",), "", "Solo or unsolo the current track"),
    Spec("rename_track", "Re&name Track", ("F2",), "", "Type a new name for the current track"),
    Spec("track_instrument", "Change &Instrument…", ("Ctrl+Alt+I",), "",
         "Choose the current track's instrument from the list"),
    # The header's fader, pan and swatch take no focus: Ctrl+Alt (the track's keys, as
    # mute and solo) with ↑ ↓ as a fader moves, , and . as the < > keys point.
    Spec("track_louder", "Track Volume U&p (+3 dB)", ("Ctrl+Alt+Up",), "",
         "Make the current track 3 dB louder"),
    Spec("track_softer", "Track Volume Do&wn (−3 dB)", ("Ctrl+Alt+Down",), "",
         "Make the current track 3 dB softer"),
    Spec("pan_left", "Pan &Left", ("Ctrl+Alt+,",), "",
         "Pan the current track 10 to the left (to the next multiple of 10: R19 → R10 → C)"),
    Spec("pan_right", "Pan Ri&ght", ("Ctrl+Alt+.",), "",
         "Pan the current track 10 to the right (to the next multiple of 10)"),
    # The faders' double-click from the keyboard: Ctrl+Alt+0 for 0 dB, Ctrl+Alt+/ beside
    # the , and . that pan (the middle of the < > keys' row).
    Spec("reset_volume", "Reset Volume (0 d&B)", ("Ctrl+Alt+0",), "",
         "Set the current track's volume back to 0 dB (127)"),
    Spec("centre_pan", "&Centre Pan", ("Ctrl+Alt+/",), "",
         "Pan the current track to the centre"),
    Spec("track_colour", "Trac&k Colour…", ("Ctrl+Alt+C",), "",
         "Choose the current track's colour"),
    Spec("track_transposition", "&Transposition…", (), "",
         "Choose the key the current track's part is written in (a clarinet in Bb, a horn "
         "in F): what a MusicXML export writes; the notes keep their pitch"),
    Spec("track_bend_range", "Pitc&h Bend Range…", (), "",
         "Set how many semitones the current track's pitch bend goes up and down "
         "(2 is General MIDI's, 12 an octave: an 808's glide)"),
    # Transport
    Spec("play", "&Play / Stop", ("Space",), "play",
         "Play / stop (Space); with a take on screen, play it with the song"),
    # "Enter" first: the name musicians and the docs use (the menu shows the first key;
    # Qt calls the main key Return and the keypad's Enter: both work).
    Spec("stop", "&Stop / Accept Take", ("Enter", "Return"), "stop",
         "Stop; press again to go to the start; when stopped with a take on screen, accept it "
         "(Enter)"),
    Spec("home", "Go to S&tart", ("Home",), "home", "Go to the song's start (Home)"),
    # Ctrl+G is Generate Again: Ctrl+J as Reaper's Jump To (Logic's Go To Position is /).
    Spec("go_to", "&Go To…", ("Ctrl+J",), "",
         "Move the playhead to a bar.beat.tick (6.3) or a time (0:12.480) typed "
         "(or double-click the position read-out)"),
    Spec("loop", "&Loop", ("L",), "loop", "Loop the ruler range (L)", True),
    Spec("loop_selection", "Loop the Selection's &Bars", ("Ctrl+Shift+L",), "",
         "Set the loop range to the bars of the selected notes and loop them"),
    Spec("metronome", "&Metronome", ("K",), "metronome", "Metronome click (K)", True),
    Spec("record", "&Record", ("Shift+R",), "record",
         "Record the MIDI keyboard into the current track from the playhead, with the "
         "click; stop to write the take (Shift+R)", True),
    Spec("follow", "&Follow Playhead", ("Ctrl+F",), "",
         "Scroll the piano roll with the playhead while playing (Ctrl+F)", True),
    # Mask
    # W: a track's right-click menu has it beside Transposition… (T) and Trac&k Colour….
    Spec("mask_track", "Mask This &Whole Track", ("Shift+M",), "",
         "Mask the whole current track"),
    Spec("mask_bars", "Mask These &Bars", ("Ctrl+Shift+B",), "",
         "Mask every track over the selection's bars (none: the loop range while looping, "
         "else the playhead's bar)"),
    # Ctrl+Alt: the current track's keys (mute, solo, instrument); these two add to the
    # mask, as a stroke does, where the others replace it.
    Spec("mask_bars_track", "Mask These Bars o&n This Track", ("Ctrl+Alt+B",), "",
         "Add the selection's bars (none: the loop range while looping, else the "
         "playhead's bar) on the current track to the mask"),
    Spec("mask_selection", "Mask the &Selection", ("Ctrl+M",), "",
         "Add the bounding box of the selected notes to the mask"),
    Spec("mask_after", "Mask Everything &After Here", ("Shift+End",), "",
         "Mask the current track(s) from the playhead's bar to the end"),
    Spec("mask_others", "Mask All &Other Tracks", ("Ctrl+Shift+M",), "",
         "Mask every track except the current one(s)"),
    Spec("clear_mask", "&Clear Mask", (), "", "Clear the mask (or press Esc twice)"),
    # Generate
    Spec("repaint", "&Repaint", ("Ctrl+R",), "sparkle", "Rewrite the notes inside the mask"),
    Spec("regenerate", "Re&generate Track", ("Ctrl+Shift+R",), "",
         "Rewrite the masked (or current) track over the whole song"),
    Spec("continue", "&Continue", ("Ctrl+Shift+C",), "", "Add bars after the end of the song"),
    Spec("harmonize", "&Harmonize", ("Ctrl+Shift+H",), "",
         "Fill the other tracks around the current (melody) track"),
    Spec("compose", "C&ompose", ("Ctrl+Shift+N",), "", "Write a new piece into an empty song"),
    Spec("generate_again", "Generate Aga&in", ("Ctrl+G",), "",
         "Run the last generation again with new seeds"),
    Spec("cancel_jobs", "Cancel All &Jobs", ("Ctrl+.",), "", "Stop every running generation"),
    Spec("play_take_solo", "Play Take &Solo", ("Shift+Space",), "",
         "Hear only the tracks the take writes (Space plays it with the song)"),
    Spec("next_take", "&Next Take", ("]",), "", "Audition the next take"),
    Spec("prev_take", "&Previous Take", ("[",), "", "Audition the previous take"),
    # 0 beside 1–9 (take A–I), as "no take": the Original, the song without any take. Step
    # entry keeps 0 for its rest (a mode action: this key is lent to it while it is on).
    Spec("original_take", "Origina&l (No Take)", ("0",), "",
         "Audition the song without any take, to compare (also [ from take A)"),
    Spec("accept_take", "&Accept Take", ("Ctrl+Enter", "Ctrl+Return"), "",
         "Apply the take you hear (Enter when stopped)"),
    Spec("reject_take", "R&eject Take", ("Ctrl+Backspace",), "",
         "Drop the take you hear (Delete when no notes are selected)"),
    Spec("next_region", "Show &Takes of Next Region", ("Ctrl+]",), "",
         "Bring back the takes waiting in another region (and its mask)"),
    Spec("model_manager", "&Model Manager…", (), "", "Installed models, packs and the default"),
    # Help
    Spec("shortcuts", "&Keyboard Shortcuts", ("F1",)),
    Spec("user_guide", "&User Guide", (), "", "The studio's manual: every window, tool and key"),
    Spec("open_demo", "Open &Demo Song", (), "", "Open the song that ships with Partita"),
    Spec("about", "&About Partita"),
)


# The lane each View ▸ Controller Lane item shows (studio.pianoroll.controllers.LANES).
LANE_ACTIONS: dict[str, str] = {"velocity": "lane_velocity", "bend": "lane_bend",
                                "pedal": "lane_pedal", "mod": "lane_mod"}


class Actions(QObject):
    """All actions, as attributes named after :data:`SPECS` (``actions.save`` …)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.all: dict[str, QAction] = {}
        for spec in SPECS:
            a = QAction(spec.text, parent)
            a.setObjectName(spec.name)
            if spec.keys:
                a.setShortcuts([QKeySequence(k) for k in spec.keys])
                a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            if spec.icon:
                a.setIcon(icon(spec.icon))
            if spec.tip:  # a toolbar button's tip names its key, as a menu item shows it
                a.setToolTip(spec.tooltip)
                a.setStatusTip(spec.tip)
            a.setCheckable(spec.checkable)
            self.all[spec.name] = a
            setattr(self, spec.name, a)
        self.tools = QActionGroup(self)
        for name in ("tool_select", "tool_draw", "tool_erase", "tool_mask"):
            self.tools.addAction(self.all[name])
        self.all["tool_select"].setChecked(True)
        self.lanes = QActionGroup(self)
        for name in LANE_ACTIONS.values():
            self.lanes.addAction(self.all[name])
        self.all["lane_velocity"].setChecked(True)

    def __getattr__(self, name: str) -> QAction:  # for type checkers; set in __init__
        raise AttributeError(name)


# The mark each Notes ▸ Articulation item toggles (engine.score.articulations' names).
ARTICULATION_ACTIONS: dict[str, str] = {
    "staccato": "staccato", "staccatissimo": "staccatissimo", "accent": "accent",
    "strong_accent": "strong-accent", "tenuto": "tenuto", "detached_legato": "detached-legato"}


# View ▸ Generate and View ▸ Jobs: the docks' own show / hide actions (Qt's), with an
# Alt letter and a key of their own (Ctrl+Alt as the other panes' keys are not: F6 moves
# among the panes shown; G for Generate, J for Jobs, as Cancel All Jobs' J).
DOCK_KEYS: dict[str, tuple[str, str]] = {"generate": ("G&enerate", "Ctrl+Alt+G"),
                                         "jobs": ("&Jobs", "Ctrl+Alt+J")}

# Keys and mouse gestures that are not actions of their own (handled by the views), so
# the shortcuts dialog lists them too: a user looks for "take 3" or "delete a note" there.
GESTURES: tuple[tuple[str, str], ...] = (
    ("Audition Take A–I", "1–9"),
    ("Step Entry: Write a Note (the key signature's), Step On", "A–G (after N)"),
    ("Step Entry: Add a Note to the Chord", "Shift+A–G"),
    ("Step Entry: Sharpen / Flatten the Note", "# or + / − (or ↑ / ↓)"),
    ("Step Entry: Note an Octave Up / Down", "Ctrl+↑ / Ctrl+↓ (or Shift+↑ / ↓)"),
    ("Step Entry: Length 1/32, 1/16, 1/8, 1/4, 1/2, Bar", "2–7"),
    ("Step Entry: Dotted Length", "."),
    ("Step Entry: Nudge the Selected Notes (← → move the entry point)", "Ctrl+Shift+← / →"),
    ("Step Entry: a Note / Chord from the MIDI Keyboard (Tools ▸ MIDI Input)",
     "A key / keys struck together"),
    ("Step Entry: Another Letter or Digit Only Says It Is No Step-Entry Key",
     "H–Z (but N, R), 8, 9, [ ]"),
    ("Leave Step Entry (Esc deselects too; N keeps the note selected)", "Esc or N"),
    ("Clear the Mask", "Esc twice"),
    ("Add a Note", "Double-click (Pointer), click or drag right or left (Brush)"),
    ("Delete a Note", "Right-click, double-click (Pointer), click or drag (Eraser)"),
    ("Select Notes", "Click, Shift+click adds, Ctrl+click toggles, drag a rubber band"),
    ("Copy Notes by Dragging", "Ctrl+drag"),
    ("Resize a Note", "Drag its right edge (its end) or left edge (its start)"),
    ("Off the Grid", "Hold Alt (or Shift) while drawing, moving or resizing"),
    ("Velocities of the Selection Together", "Drag a selected stem's tip (velocity lane)"),
    ("Draw Pitch Bend, Sustain Pedal or Mod Wheel (controller lane, View ▸ Controller Lane)",
     "Drag in the lane"),
    ("Erase a Range of Controller Events", "Right-drag in the controller lane (or Shift-drag, "
     "then Delete)"),
    ("Cancel a Drag", "Esc before releasing the mouse"),
    ("Scroll While Dragging (Notes, Band, Edge, Brush)", "Hold the drag past the view's edge"),
    ("Erase Mask", "Shift+drag or Alt+drag (Mask)"),
    ("Scroll Pitches / Time", "Wheel / Shift+wheel"),
    ("Zoom Time / Pitch Rows", "Ctrl+wheel / Ctrl+Shift+wheel"),
    ("Move the Playhead", "Click the ruler (or a marker's flag: to the marker)"),
    ("Set the Loop Range", "Drag on the ruler; double-click toggles looping"),
    ("Rename or Delete a Marker", "Double-click its flag in the ruler"),
    ("Add a Marker", "Edit ▸ Add Marker (at the playhead), or double-click the markers' lane"),
    ("Type a Chord Symbol (or change one; empty deletes it)",
     "Double-click the ruler's chord row (Enter on a selected chord)"),
    ("Delete a Chord Symbol", "Click it in the ruler's chord row (or Alt+] / Alt+[ to it), "
     "then Delete"),
    ("Tempo, Meter and Key", "Double-click the tempo or meter read-out"),
    ("Rename a Track", "Double-click its name, or F2 (Enter keeps, Esc cancels)"),
    ("A Track's Menu (instrument, colour, duplicate, delete …)",
     "Right-click it; Menu key or Shift+F10 in the track list"),
    ("Song Title", "File ▸ Song Properties…"),
    ("How a Piece Ends (close on the home chord, or open for a loop)",
     "Generate panel ▸ the model's settings ▸ Ending"),
)


def spec(name: str) -> Spec:
    """The spec of the action ``name`` (KeyError for an unknown one)."""
    return _BY_NAME[name]


_BY_NAME = {s.name: s for s in SPECS}


def key_text(name: str) -> str:
    """The first key of the action ``name`` as menus show it ("Ctrl+Alt+Right")."""
    return QKeySequence(spec(name).keys[0]).toString(QKeySequence.SequenceFormat.NativeText)


def tip_with_key(tip: str, name: str) -> str:
    """``tip`` with the action ``name``'s key, for a control that does what it does (the
    takes bar's ▶ Solo is Shift+Space): the key is kept here, in one place."""
    return replace(spec(name), tip=tip).tooltip


def shortcut_rows() -> list[tuple[str, str]]:
    """(action, keys) rows for the shortcuts dialog, in menu order, then the gestures."""
    rows = []
    keyed = [spec for spec in SPECS if spec.keys]
    # "…" is dropped, unless it tells two rows apart (Q quantizes, Shift+Q asks how).
    short = Counter(spec.label.rstrip("…") for spec in keyed)
    for spec in keyed:
        keys = ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText)
                         for k in spec.keys)
        label = spec.label.rstrip("…")
        rows.append((spec.label if short[label] > 1 else label, keys))
    docks = [(f"Show / Hide the {text.replace('&', '')} Panel", QKeySequence(key).toString(
        QKeySequence.SequenceFormat.NativeText)) for text, key in DOCK_KEYS.values()]
    return rows + docks + list(GESTURES)
