"""LessonScene: each lesson's video under its own name, the shared requirements check before
anything is drawn, no viewer without a screen, and manim.cfg's quiet defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bpcore.errors import LessonError
from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.lesson.scene_requirements import check_scene

REPO_ROOT = Path(__file__).resolve().parents[2]
B3_SCENE = REPO_ROOT / "scenes" / "b3.py"
HOURS = Path(__file__).resolve().parent / "fixtures" / "hours.yaml"


@pytest.fixture
def b3_class(load_scene_module):
    from manim.utils.module_ops import get_scene_classes_from_module

    (scene_class,) = get_scene_classes_from_module(load_scene_module(B3_SCENE))
    return scene_class


def build(scene_class, tmp_path: Path, lesson: Path | None, setup: bool = False, **settings):
    """The scene constructed (not rendered) as `manim -ql` would, with BP_LESSON = ``lesson``,
    and set up (its lesson loaded) if ``setup``; returns it and the config values it left."""
    from manim import config, tempconfig

    with pytest.MonkeyPatch.context() as mp:
        if lesson is None:
            mp.delenv("BP_LESSON", raising=False)
        else:
            mp.setenv("BP_LESSON", str(lesson))
        mp.delenv("DISPLAY", raising=False)
        mp.delenv("WAYLAND_DISPLAY", raising=False)
        with tempconfig({"quality": "low_quality", "media_dir": str(tmp_path),
                         "output_file": None, "verbosity": "WARNING", **settings}):
            scene = scene_class()
            if setup:
                scene.setup()
            return scene, {"preview": config.preview,
                           "show_in_file_browser": config.show_in_file_browser}


def test_each_lesson_gets_its_own_video(b3_class, tmp_path):
    """Two lessons through scenes/b3.py write two different videos, each named for its file;
    without BP_LESSON the video keeps the scene's name."""
    other = tmp_path / "my_lesson.yaml"
    other.write_text(HOURS.read_text(encoding="utf-8"), encoding="utf-8")
    paths = {}
    for lesson in (LESSONS_DIR / "b3.yaml", other, None):
        scene, _ = build(b3_class, tmp_path, lesson)
        paths[lesson] = scene.renderer.file_writer.movie_file_path
    assert paths[LESSONS_DIR / "b3.yaml"].name == "b3.mp4"
    assert paths[other].name == "my_lesson.mp4"
    assert paths[None].name == f"{b3_class.__name__}.mp4"
    assert len(set(paths.values())) == 3
    assert paths[other].parent == paths[None].parent  # media/videos/b3/480p15, as before


@pytest.mark.parametrize("path", sorted((REPO_ROOT / "scenes").glob("*.py")),
                         ids=lambda p: p.stem)
def test_scene_class_is_named_for_its_file(load_scene_module, path):
    """One scene a file, named for it: scenes/three_params.py holds ThreeParamsScene (its
    video, without BP_LESSON, is ThreeParamsScene.mp4)."""
    from manim.utils.module_ops import get_scene_classes_from_module

    classes = get_scene_classes_from_module(load_scene_module(path))
    want = "".join(part.capitalize() for part in path.stem.split("_")) + "Scene"
    assert [c.__name__ for c in classes] == [want]


def test_no_viewer_without_a_screen(b3_class, tmp_path):
    """manim -p with no DISPLAY: the scene turns preview off instead of running xdg-open."""
    _, left = build(b3_class, tmp_path, None, preview=True, show_in_file_browser=True)
    assert left == {"preview": False, "show_in_file_browser": False}


def test_scene_refuses_what_check_refuses_with_the_same_message(b3_class, tmp_path, capsys):
    """A lesson without a sweep ends the b3 scene before anything is drawn, with exit code 2
    and bp check's message."""
    data = yaml.safe_load(HOURS.read_text(encoding="utf-8"))
    del data["sweep"]
    lesson = tmp_path / "nosweep.yaml"
    lesson.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(LessonError) as expected:
        check_scene(Lesson.from_file(lesson))
    with pytest.raises(SystemExit) as ended:
        build(b3_class, tmp_path, lesson, setup=True)
    assert ended.value.code == 2
    assert capsys.readouterr().err.strip() == f"error: {expected.value}"


def test_manim_cfg_turns_off_the_upgrade_advice():
    """The project's manim.cfg, read as manim reads it, asks for no check of a newer manim."""
    from manim._config.utils import ManimConfig, make_config_parser

    parsed = ManimConfig().digest_parser(make_config_parser(REPO_ROOT / "manim.cfg"))
    assert parsed.notify_outdated_version is False


def test_preview_without_a_screen_is_quiet(tmp_path):
    """`manim -pql` of a lesson scene with no DISPLAY: no xdg-open complaints, no advice to
    upgrade manim, and the video named for the lesson file."""
    tiny = REPO_ROOT / "tests" / "bpcore" / "fixtures"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "BP_STILLS_DIR")}
    env["BP_LESSON"] = str(tiny / "tiny.yaml")
    done = subprocess.run([sys.executable, "-m", "manim", "render", "-pql", "--progress_bar",
                           "none", "--media_dir", str(tmp_path), str(tiny / "scenes" / "tiny.py")],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-2000:]
    assert "xdg-open" not in output and "is available" not in output
    assert (tmp_path / "videos" / "tiny" / "480p15" / "tiny.mp4").is_file()


def test_a_dry_run_writes_no_file(load_scene_module, tmp_path, monkeypatch):
    """A dry run of a lesson scene (as the in-process tests do) leaves no captions file in the
    working folder, BP_LESSON or not."""
    from manim import tempconfig
    from manim.utils.module_ops import get_scene_classes_from_module

    tiny = REPO_ROOT / "tests" / "bpcore" / "fixtures"
    (scene_class,) = get_scene_classes_from_module(load_scene_module(tiny / "scenes" / "tiny.py"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BP_LESSON", str(tiny / "tiny.yaml"))
    monkeypatch.delenv("BP_STILLS_DIR", raising=False)
    with tempconfig({"dry_run": True, "quality": "low_quality", "output_file": None,
                     "media_dir": str(tmp_path / "media"), "verbosity": "WARNING"}):
        scene_class(skip_animations=True).render()
    assert not [p for p in tmp_path.iterdir() if p.name != "media"]


def test_a_hold_is_one_wait_of_whole_frames_still_or_moving(tmp_path):
    """A caption's hold ends on the first frame at or after the voice's end, in one play
    (one partial movie), whether the picture stands still or an updater moves it: manim
    rounds a still wait's frames down and a moving one's up."""
    sys.path.insert(0, str(REPO_ROOT / "scenes"))
    from manim import RIGHT, Dot, Scene, tempconfig

    from kit.lesson_scene import LessonScene

    class Holds(Scene):
        _hold_until = LessonScene._hold_until

        def construct(self) -> None:
            self.add(Dot())
            self.holds = []
            moving = Dot()
            for end in (0.4, 1.0 + 1 / 30, 1.05, 2.0, 2.0 + 1 / 3 + 1e-9):
                if end == 2.0:
                    moving.add_updater(lambda m, dt: m.shift(0.1 * dt * RIGHT))
                    self.add(moving)
                plays = self.renderer.num_plays
                self._hold_until(end)
                self.holds.append((end, self.renderer.num_plays - plays, self.time))

    with tempconfig({"frame_rate": 15, "pixel_width": 64, "pixel_height": 36,
                     "dry_run": True, "media_dir": str(tmp_path), "verbosity": "WARNING"}):
        scene = Holds()
        scene.render()
    frame = 1 / 15
    for end, _, reached in scene.holds:
        assert end - 1e-6 <= reached < end + frame, (end, reached)
        assert abs(reached * 15 - round(reached * 15)) < 1e-6  # on a whole frame
    # 1.05 is reached already (the hold before ends at 16 frames, 1.067 s): no wait at all.
    assert [plays for _, plays, _ in scene.holds] == [1, 1, 0, 1, 1]
