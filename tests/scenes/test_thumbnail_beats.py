"""Each lesson scene names the beat whose still becomes its thumbnail, and that beat exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SCENES_DIR = Path(__file__).resolve().parents[2] / "scenes"


@pytest.mark.parametrize("scene", ["b3", "three_params", "all_params"])
def test_thumbnail_beat_is_one_of_the_scenes_beats(scene: str) -> None:
    """The scene's ``thumbnail_beat`` is the name of a beat it opens with ``self.beat``."""
    source = (SCENES_DIR / f"{scene}.py").read_text(encoding="utf-8")
    (chosen,) = re.findall(r'^\s+thumbnail_beat = "([\w-]+)"', source, flags=re.M)
    assert chosen in re.findall(r'self\.beat\("([\w-]+)"', source)
