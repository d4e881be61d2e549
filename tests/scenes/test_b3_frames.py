"""Stills of key beats of the b3 scene look like their stored references.

With ``BP_STILLS_DIR`` set, the scene saves one PNG per beat (its key frame); the session's real
-ql render (conftest.py) sets it. Three beats are compared with references in
tests/scenes/frames/: the network (01), the SSR curve (05) and gradient descent (07).

Regenerating the references after a deliberate change of the scene's look::

    BP_UPDATE_FRAMES=1 .venv/bin/pytest tests/scenes -k frames

That renders once (about a minute and a half), overwrites tests/scenes/frames/*.png and skips
the comparisons; look at the new PNGs before committing them.

Tolerance, on 0-255 RGB values of a 854x480 frame: the mean absolute difference must stay below
2, and at most 0.1 % of the pixels (about 400) may differ by more than 64 in some channel. A
re-render on the same machine is identical (difference 0); anti-aliasing or hinting drift between
machines mostly nudges edge pixels by small amounts, which both limits allow. The mean alone is
blind to layout: the data panel drawn a few percent narrower in the descent beat changed the mean
by only 0.5 but about 1,500 pixels (0.36 %) by more than 64, so the second limit catches a
moved, missing or recolored curve, axis or label. A single changed digit (~100 pixels) passes:
the numbers are checked through the captions and the geometry tests, not here. On a failure the
still and a picture of the changed pixels (magenta) are left in the test's tmp_path.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

FRAMES = Path(__file__).resolve().parent / "frames"
BEATS = ["01-network", "02-hidden-curves", "03-squiggle", "04-residuals", "05-ssr-curve",
         "06-chain-rule", "07-gradient-descent", "08-summary"]
KEY_BEATS = ["01-network", "05-ssr-curve", "07-gradient-descent"]
MAX_MEAN_DIFFERENCE = 2.0
CHANGED = 64  # a pixel "changed" when some channel differs by more than this
MAX_CHANGED_SHARE = 0.001
UPDATE = os.environ.get("BP_UPDATE_FRAMES") == "1"


def load_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def frame_difference(actual: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """(mean absolute difference, share of pixels changed by more than CHANGED)."""
    diff = np.abs(actual - reference)
    return float(diff.mean()), float((diff.max(axis=2) > CHANGED).mean())


def save_difference(actual: np.ndarray, reference: np.ndarray, path: Path) -> None:
    """The reference above the new still, with the pixels that changed painted magenta."""
    changed = np.abs(actual - reference).max(axis=2) > CHANGED
    marked = actual.astype(np.uint8).copy()
    marked[changed] = (255, 0, 255)
    Image.fromarray(np.concatenate([reference.astype(np.uint8), marked])).save(path)


@pytest.mark.render
def test_every_beat_has_a_still(b3_render) -> None:
    """The render saves one non-blank 854x480 PNG per beat, named by the beat."""
    b3_render.succeeded()
    stills = sorted(p.stem for p in b3_render.stills_dir.glob("*.png"))
    assert stills == BEATS
    for name in BEATS:
        pixels = load_rgb(b3_render.stills_dir / f"{name}.png")
        assert pixels.shape == (480, 854, 3), name
        assert np.ptp(pixels) > 100, f"{name} looks blank"


@pytest.mark.render
@pytest.mark.parametrize("beat", KEY_BEATS)
def test_key_beat_matches_reference(beat: str, b3_render, tmp_path: Path) -> None:
    """The beat's still has the reference's size and differs from it only by noise."""
    b3_render.succeeded()
    still = b3_render.stills_dir / f"{beat}.png"
    reference = FRAMES / f"{beat}.png"
    if UPDATE:
        FRAMES.mkdir(exist_ok=True)
        shutil.copyfile(still, reference)
        pytest.skip(f"BP_UPDATE_FRAMES=1: wrote {reference.relative_to(FRAMES.parents[2])}")
    assert reference.is_file(), f"no reference {reference}; make it with BP_UPDATE_FRAMES=1"
    actual, expected = load_rgb(still), load_rgb(reference)
    assert actual.shape == expected.shape
    mean, changed = frame_difference(actual, expected)
    if not (mean < MAX_MEAN_DIFFERENCE and changed <= MAX_CHANGED_SHARE):
        save_difference(actual, expected, tmp_path / f"{beat}-changes.png")
        shutil.copyfile(still, tmp_path / f"{beat}.png")
    assert mean < MAX_MEAN_DIFFERENCE and changed <= MAX_CHANGED_SHARE, (
        f"{beat}: mean difference {mean:.2f} (limit {MAX_MEAN_DIFFERENCE}), "
        f"{changed:.2%} of pixels changed (limit {MAX_CHANGED_SHARE:.1%}); if the new look is "
        f"intended, regenerate with BP_UPDATE_FRAMES=1; see {tmp_path}")
