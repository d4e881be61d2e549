"""Voice names: parsed, checked before a render, and failing in one line that says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpcore.errors import BpError, LessonError
from bpcore.lesson import LESSONS_DIR, Lesson
from bpcore.voice import OFFLINE, Voice


def test_every_documented_name_parses() -> None:
    """Each name the error message offers is accepted."""
    for name in ("festival", "flite", "none", "gtts", "azure", "openai", "elevenlabs", "gemini"):
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
