"""``loop``: a model sees a loop's first bars after its last one, and writes in the song."""

from engine.plugins.api import GenerateOptions, ModelInfo
from engine.score import ChordSymbol, Mask, Note, Region, Song, Track
from engine.tasks import repaint
from engine.tasks.loop import in_loop, looped_song

BAR = 1920  # 4/4 at 480 PPQ


def loop_song() -> Song:
    """A 4-bar loop: the Lead's bar 1 opens on C5, the Bass holds a whole note a bar."""
    lead = Track("Lead", 80, notes=(Note(72, 0, 480), Note(74, 480, 480),
                                    Note(67, 3 * BAR, 480)))
    bass = Track("Bass", 33, notes=tuple(Note(36 + 5 * (i % 2), i * BAR, BAR)
                                         for i in range(4)))
    return Song(tracks=(lead, bass), chords=(ChordSymbol(0, "C"), ChordSymbol(BAR, "F")))


def test_the_song_start_is_put_after_its_end_and_masked_where_the_mask_repeats():
    song = loop_song()
    lead, bass = song.tracks
    mask = Mask.of(Region({lead.id}, 0, 4 * BAR))  # the whole Lead: bar 1 is rewritten too
    looped, wide = looped_song(song, mask, bars=2)
    assert looped.end == 6 * BAR
    copied = [(n.pitch, n.start - 4 * BAR) for n in looped.track(bass.id).notes
              if n.start >= 4 * BAR]
    assert copied == [(36, 0), (41, BAR)]  # bar 1 and 2 of the Bass after bar 4
    assert [(c.tick, c.text) for c in looped.chords][-2:] == [(4 * BAR, "C"), (5 * BAR, "F")]
    assert wide.contains_note(lead.id, Note(72, 4 * BAR, 480))  # the copy's Lead: masked
    assert not wide.contains_note(bass.id, Note(36, 4 * BAR, 480))


def test_what_the_model_writes_past_the_seam_is_dropped_and_cut_there():
    held = Note(60, 4 * BAR - 480, 960)
    kept = in_loop({1: [Note(62, 0, 480), held, Note(64, 4 * BAR, 480)]}, 4 * BAR)
    assert [(n.pitch, n.start, n.duration) for n in kept[1]] == [(62, 0, 480),
                                                                 (60, 4 * BAR - 480, 480)]
    assert in_loop("nonsense", 4 * BAR) == "nonsense"  # refused later, naming the model


class Seer:
    """A model that writes, in the masked bar, the Lead's note that follows the mask:
    what it sees after the end is what it plays."""

    info = ModelInfo(name="seer", version="1")

    def __init__(self) -> None:
        self.seen: list[int] = []

    def generate(self, song, mask, options, progress=None, cancel=None):
        lead = song.tracks[0]
        start, end = mask.regions[0].start, mask.regions[0].end
        after = [n for n in lead.notes if n.start >= end]
        self.seen.append(song.end)
        pitch = after[0].pitch if after else 60
        return {lead.id: [Note(pitch, start, end - start + 960)]}


def test_repaint_with_loop_leads_the_last_bar_into_the_first():
    song = loop_song()
    model = Seer()
    plain = repaint(song, [song.tracks[0].id], 3, 4, model=model,
                    options=GenerateOptions(seed=1))
    looped = repaint(song, [song.tracks[0].id], 3, 4, model=model,
                     options=GenerateOptions(seed=1, loop=True))
    assert model.seen[0] == 4 * BAR and model.seen[1] > 4 * BAR
    (p,) = plain.new_notes[song.tracks[0].id]
    (q,) = looped.new_notes[song.tracks[0].id]
    assert p.pitch == 60  # it saw the end of the song
    assert q.pitch == 72  # it saw bar 1's C5 after bar 4
    assert q.end == 4 * BAR  # never held over the seam into bar 1

