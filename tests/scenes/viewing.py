"""Watching a rendered lesson as a viewer does: when the picture is blank, when the voice speaks.

Written apart from the scenes' own bookkeeping (kit/screen.py): a frame is blank when the
decoded picture has next to no ink on it, whatever the scene thinks it shows.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import srt

#: A pixel darker than this (of 255) is ink; the background is white.
INK_LEVEL = 235
#: A frame with fewer inked pixels than this share of the picture is blank (a few stray
#: anti-aliased pixels of a fading stroke are not a picture).
INK_SHARE = 1e-4


def blank_frames(video: Path) -> list[tuple[float, bool]]:
    """(time, blank) for every frame of ``video``'s picture."""
    out = []
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            gray = frame.to_ndarray(format="gray")
            inked = np.count_nonzero(gray < INK_LEVEL)
            out.append((float(frame.pts * stream.time_base), inked < INK_SHARE * gray.size))
    return out


def blank_stretches(video: Path) -> list[tuple[float, float]]:
    """Each run of blank frames as (first blank frame's time, the next frame's time)."""
    frames = blank_frames(video)
    step = frames[1][0] - frames[0][0] if len(frames) > 1 else 0.0
    runs, start = [], None
    for t, blank in frames:
        if blank and start is None:
            start = t
        elif not blank and start is not None:
            runs.append((start, t))
            start = None
    if start is not None:
        runs.append((start, frames[-1][0] + step))
    return runs


def spoken_intervals(video: Path) -> list[tuple[float, float, str]]:
    """(start, end, text) of every caption in the ``.srt`` beside ``video``."""
    subtitles = srt.parse(video.with_suffix(".srt").read_text(encoding="utf-8"))
    return [(s.start.total_seconds(), s.end.total_seconds(), s.content.replace("\n", " "))
            for s in subtitles]


def blank_while_speaking(video: Path, longest: float = 1.0) -> list[str]:
    """Every blank stretch of ``longest`` seconds or more (inside a caption's interval, or
    anywhere), described for an assertion message; empty when there is none."""
    found = []
    captions = spoken_intervals(video)
    for start, end in blank_stretches(video):
        said = [text for a, b, text in captions if a < end and b > start]
        inside = [text for a, b, text in captions
                  if min(end, b) - max(start, a) >= longest]
        if end - start >= longest or inside:
            found.append(f"{start:.1f}-{end:.1f} s blank ({end - start:.1f} s) while the "
                         f"captions say {said}")
    return found
