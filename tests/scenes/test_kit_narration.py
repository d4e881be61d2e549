"""The kit's Festival service: one Festival process speaks a whole render, and what it says is
exactly what Festival's own ``text2wave`` makes of the same words."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bpcore.errors import BpError
from bpcore.narration.audio import prepare_clip, read_clip
from bpcore.narration.speech import spoken
from bpcore.narration.voice import Voice

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit.narration import FestivalService, Narrator  # noqa: E402


def text2wave(text: str, rate: float, folder: Path) -> np.ndarray:
    """The reference: Festival's own command-line tool, one process for one clip."""
    words, raw, clip = folder / "words.txt", folder / "raw.wav", folder / "clip.wav"
    words.write_text(text, encoding="utf-8")
    speed = f"(set! hts_engine_params (append hts_engine_params '((\"-r\" {rate}))))"
    subprocess.run(["text2wave", "-eval", "(voice_cmu_us_slt_arctic_hts)", "-eval", speed,
                    str(words), "-o", str(raw)], check=True, capture_output=True)
    prepare_clip(raw, clip)
    return read_clip(clip)


@pytest.mark.parametrize("rate", [1.0, 1.3])
def test_clips_are_what_text2wave_says(tmp_path: Path, rate: float) -> None:
    """Each clip is sample for sample text2wave's, where Festival's text mode cuts the words
    into several utterances too (colons, semicolons, sentences), quotes and backslashes
    included."""
    narrator = Narrator(Voice("festival"), rate, tmp_path / "cache")
    texts = ['Main ideas: the slope is negative 15.7; so the step is "small".',
             r"A path like C:\lessons, then 0.1 times 2. Then the end."]
    try:
        said = [u for n, text in enumerate(texts) for u in narrator.clip(f"t-{n}", text).utterances]
    finally:
        narrator.close()
    assert len(said) == 3  # the second caption is two subtitle events
    for utterance in said:
        assert utterance.seconds > 0.5
        reference = text2wave(utterance.speech, rate, tmp_path)
        assert np.array_equal(read_clip(utterance.audio), reference), utterance.speech


def test_one_process_speaks_every_clip(tmp_path: Path) -> None:
    service = FestivalService(cache_dir=str(tmp_path))
    service.generate_from_text("One.", cache_dir=tmp_path, path="one.wav")
    festival = service._festival
    service.generate_from_text("Two.", cache_dir=tmp_path, path="two.wav")
    assert service._festival is festival and festival.poll() is None
    service.close()
    assert festival.poll() == 0
    assert (tmp_path / "one.wav").is_file() and (tmp_path / "two.wav").is_file()


def test_a_clip_festival_cannot_write_is_one_clear_error(tmp_path: Path) -> None:
    service = FestivalService(cache_dir=str(tmp_path))
    try:
        with pytest.raises(BpError, match="voice festival failed on 'Hello.'"):
            service.generate_from_text("Hello.", cache_dir=tmp_path / "missing", path="x.wav")
        # Festival goes on after a failed clip.
        service.generate_from_text("Hello.", cache_dir=tmp_path, path="x.wav")
    finally:
        service.close()
    assert (tmp_path / "x.wav").is_file()


def test_flite_speaks_through_the_same_path_and_heeds_the_rate(tmp_path: Path) -> None:
    """Flite, the other offline voice: a clip of speech, shorter at twice the rate."""
    text = "The slope is negative 15.7, so b 3 steps 1.57 to the right."
    lengths = []
    for rate in (1.0, 2.0):
        narrator = Narrator(Voice("flite"), rate, tmp_path / f"cache-{rate}")
        (utterance,) = narrator.clip("t-1", text).utterances
        lengths.append(utterance.seconds)
        assert np.abs(read_clip(utterance.audio)).max() > 1000  # speech, not silence
    assert 1.0 < lengths[1] < 0.7 * lengths[0]


def test_a_failing_synthesizer_is_one_clear_error(tmp_path: Path, monkeypatch) -> None:
    """Flite that cannot run: the error names the voice, the words and what flite said."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "flite").write_text("#!/bin/sh\necho 'flite: voice slt not found' >&2\nexit 1\n")
    (fake / "flite").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:/usr/bin:/bin")
    narrator = Narrator(Voice("flite"), 1.0, tmp_path / "cache")
    with pytest.raises(BpError, match="voice flite failed on 'Hello.': flite: voice slt not"):
        narrator.clip("t-1", "Hello.")


@pytest.mark.parametrize("voice", [
    "At b3 equals 0, the pink curve's slope is negative 15.7, so it falls.",
    "At b3 equals 0, the residuals are 2.6, 2.61 and 2.61. Negative 2 times their sum is "
    "negative 15.7, the slope of the pink curve there.",
])
def test_each_caption_event_keeps_an_utterance_of_its_own(tmp_path: Path, voice: str) -> None:
    """A caption of more subtitle events than its voice has sentences: every event is still
    one utterance (at most two lines on screen), the voice's words are all said, in order, and
    no cut separates a name or an operator from its value, nor splits a list of numbers."""
    from bpcore.narration.subtitles import events, fits

    caption = ("Plug in the observed values and the squiggle's predictions at b3 = 0: "
               "-2(0 - (-2.6)), -2(1 - (-2.61)), -2(0 - (-2.61)). They add up to -15.7, the "
               "slope of the pink curve there.")
    assert len(events(caption)) > len(re.split(r"(?<=\.) ", voice))  # the case tested
    clip = Narrator(Voice("none"), 1.0, tmp_path).clip("t-1", caption, voice)
    assert [u.text for u in clip.utterances] == events(caption)
    assert all(fits(u.text) for u in clip.utterances)
    assert " ".join(u.speech for u in clip.utterances).split() == spoken(voice).split()
    for before, after in zip(clip.utterances, clip.utterances[1:], strict=False):
        last, first = before.speech.split()[-1], after.speech.split()
        assert last not in ("equals", "is", "negative", "times"), (before.speech, after.speech)
        assert not any(c.isdigit() for c in first[0]), (before.speech, after.speech)
        assert not (first[0] in ("and", "or") and re.match(r"[0-9]", first[1])), after.speech
