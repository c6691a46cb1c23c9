"""Partita studio: the PySide6 multi-track editor.

One module per widget or concept (see ``docs/studio.md``):

- :mod:`studio.app`         — QApplication setup and ``main()``
- :mod:`studio.mainwindow`  — the main window: menus, toolbars, layout, wiring
- :mod:`studio.file_commands` — New / Open / Save / Export, recent files, crash recovery
- :mod:`studio.note_commands` — cut / copy / paste, selecting, quantize, nudge, transpose …
- :mod:`studio.track_commands` — add / remove / move / mute / solo the current track
- :mod:`studio.bar_commands` — insert / delete bars; tempo, meter and key at a bar
- :mod:`studio.bars_in_focus` — which bars Ctrl+B, Ctrl+Shift+B and Ctrl+Alt+B mean
- :mod:`studio.help_commands` — Help ▸ Open Demo Song, User Guide; where About points
- :mod:`studio.studio_state` — what a project keeps of the window: view, mask, takes
- :mod:`studio.document`    — the open song, its file, modified state and undo stack
- :mod:`studio.undo`        — one QUndoCommand wrapping an engine edit
- :mod:`studio.selection`   — selected tracks and notes
- :mod:`studio.clipboard`   — copy / paste of notes
- :mod:`studio.actions`     — every QAction and shortcut, in one place
- :mod:`studio.tracklist`   — track headers (name, instrument, colour, mute/solo, volume/pan)
- :mod:`studio.wheel`       — the wheel over a scrolled list or panel scrolls it
- :mod:`studio.arrangement` — the clips-per-bar overview
- :mod:`studio.markers`     — section markers as the ruler and the arrangement draw them
- :mod:`studio.pianoroll`   — piano roll: canvas, tools, ruler, keyboard, velocity lane
- :mod:`studio.transport`   — play / stop / loop / metronome, rendering off the GUI thread
- :mod:`studio.midi_input`  — MIDI input ports (mido + python-rtmidi), notes on the GUI thread
- :mod:`studio.midi_keyboard` — Tools ▸ MIDI Input, the device kept, its notes routed
- :mod:`studio.recording`   — Record (Shift+R): the MIDI keyboard played in time, one undo step
- :mod:`studio.autosave`    — autosave that follows edits, and crash recovery wiring
- :mod:`studio.settings`    — preferences and window layout (QSettings)
- :mod:`studio.theme`       — the dark palette, colours and style sheet
- :mod:`studio.dialogs`     — error, recovery, export, shortcut, user-guide and model-manager
  dialogs
- :mod:`studio.mask`        — mask painting: quick masks and their commands, tool, overlay
- :mod:`studio.cocompose`   — actions → jobs → takes; accepting a take as one undo step
- :mod:`studio.jobbridge`   — engine job events as Qt signals on the GUI thread
- :mod:`studio.models`      — the model registry, discovered lazily off the GUI thread
- :mod:`studio.generate_panel`, :mod:`studio.jobs_panel`, :mod:`studio.takes` — the docks
  and the takes bar

Widgets read songs from the :class:`~studio.document.Document` and change them only
through engine edits; models run only on the engine job queue's worker thread.
"""
