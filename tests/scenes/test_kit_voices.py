"""The neural voices (hibari, the default, and piper): clips are speech of a plausible length,
the rate changes their length, and a changed voice or model makes new clips."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from bpcore.narration.audio import read_clip
from bpcore.narration.voice import Voice

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit import narration  # noqa: E402
from kit.narration import Narrator  # noqa: E402

TEXT = "The slope of the sum of the squared residuals is negative fifteen point seven."


def speak(voice: Voice, rate: float, cache: Path) -> tuple[float, Path, Narrator]:
    narrator = Narrator(voice, rate, cache)
    (utterance,) = narrator.clip("t", TEXT).utterances
    return utterance.seconds, utterance.audio, narrator


@pytest.mark.parametrize("name", ["hibari", "piper"])
def test_clips_are_speech_and_rate_changes_length(tmp_path: Path, name: str) -> None:
    """Thirteen words last 3-8 s at the voice's pace, are not silence, and are shorter at
    rate 1.5 and longer at 0.7."""
    pytest.importorskip(name)
    seconds, audio, _ = speak(Voice.parse(name), 1.0, tmp_path)
    assert 3.0 < seconds < 8.0
    samples = read_clip(audio).astype(float)
    assert np.sqrt(np.mean(samples**2)) > 0.01 * np.abs(samples).max() > 0
    fast, _, _ = speak(Voice.parse(name), 1.5, tmp_path)
    slow, _, _ = speak(Voice.parse(name), 0.7, tmp_path)
    assert fast < 0.85 * seconds and slow > 1.2 * seconds


def test_cache_is_reused_and_keyed_by_voice_and_model(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A second narration synthesizes nothing (and starts no voice process); another voice, or
    the same voice with another model version, synthesizes anew."""
    pytest.importorskip("hibari")
    _, first, narrator = speak(Voice("hibari"), 1.0, tmp_path)
    assert narrator.synthesized == 1
    _, again, narrator = speak(Voice("hibari"), 1.0, tmp_path)
    assert narrator.synthesized == 0 and again == first
    assert not narrator._services  # no synthesis process was even started
    _, other, narrator = speak(Voice("flite"), 1.0, tmp_path)
    assert narrator.synthesized == 1 and other != first
    monkeypatch.setattr(narration, "model_identity", lambda voice: "hibari-tts 9.9")
    _, newer, narrator = speak(Voice("hibari"), 1.0, tmp_path)
    assert narrator.synthesized == 1 and newer != first


def test_model_identity_names_version_and_model(tmp_path: Path) -> None:
    """The cache key's model part holds the package version, and a piper voice file's digest."""
    pytest.importorskip("piper")
    assert narration.model_identity(Voice("hibari")).startswith("hibari-tts 0.")
    model = tmp_path / "v.onnx"
    model.write_bytes(b"one")
    first = narration.model_identity(Voice("piper", model))
    model2 = tmp_path / "w" / "v.onnx"
    model2.parent.mkdir()
    model2.write_bytes(b"two")
    assert first != narration.model_identity(Voice("piper", model2))


def test_an_empty_clip_cache_starts_the_voice_with_the_render(tmp_path: Path) -> None:
    """With no clip of the voice cached, its process starts before any clip is asked for (and
    speaks them when they are); once a clip is cached, nothing starts until one is missing."""
    pytest.importorskip("hibari")
    narrator = Narrator(Voice("hibari"), 1.0, tmp_path)
    narrator.start()
    started = narrator._services["hibari"]._child
    assert started is not None and started.poll() is None
    (utterance,) = narrator.clip("t", TEXT).utterances
    assert narrator.synthesized == 1 and narrator._services["hibari"]._child is started
    narrator.close()
    again = Narrator(Voice("hibari"), 1.0, tmp_path)
    again.start()
    assert not again._services
    assert again.clip("t", TEXT).utterances[0].audio == utterance.audio
    assert again.synthesized == 0 and not again._services
    silent = Narrator(Voice("none"), 1.0, tmp_path / "elsewhere")
    silent.start()
    assert not silent._services
