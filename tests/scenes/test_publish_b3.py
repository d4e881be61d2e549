"""The real -ql render of the b3 lesson, made ready to publish: chapters at the beats, the
captions as a soft track (bpcore.publish on the session's render, conftest.py's b3_render)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import av
import pytest
import srt

from bpcore.publish import beat_chapters, publish, read_sections

BEATS = ["network", "hidden-curves", "squiggle", "residuals", "ssr-curve", "chain-rule",
         "gradient-descent", "summary"]


def ffprobe(path: Path, *entries: str) -> dict:
    done = subprocess.run(["ffprobe", "-v", "error", *entries, "-of", "json", str(path)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.render
def test_b3_render_publishes_with_a_chapter_per_beat(b3_render, tmp_path: Path) -> None:
    """The section index gives one chapter per beat; in the published copy ffprobe finds them
    with their titles, each starting within one frame of the frame count before it (counted
    by decoding the section videos), and a subtitle stream whose events are the .srt's."""
    b3_render.succeeded()
    rendered = b3_render.video()
    index = rendered.parent / "sections" / f"{rendered.stem}.json"
    sections = read_sections(index)
    assert [name for name, _, _ in sections] == [f"{i:02d}-{b}" for i, b in
                                                 enumerate(BEATS, 1)]
    video = shutil.copy(rendered, tmp_path / rendered.name)
    captions = shutil.copy(rendered.with_suffix(".srt"), tmp_path / f"{rendered.stem}.srt")
    chapters = beat_chapters(sections, {"ssr-curve": "The SSR curve"})
    publish(video, chapters, captions)

    entries = json.loads(index.read_text(encoding="utf-8"))
    frames, starts = 0, []
    with av.open(str(rendered)) as container:
        rate = float(container.streams.video[0].average_rate)
    for entry in entries:
        starts.append(frames / rate)
        with av.open(str(index.parent / entry["video"])) as part:
            frames += sum(1 for _ in part.decode(video=0))
    found = ffprobe(Path(video), "-show_chapters")["chapters"]
    assert len(found) == len(BEATS)
    assert found[4]["tags"]["title"] == "The SSR curve" and found[0]["tags"]["title"] == "Network"
    assert [float(c["start_time"]) for c in found] == pytest.approx(starts, abs=1 / rate)
    back = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-map", "0:s:0", "-f",
                           "srt", "-"], capture_output=True, check=True).stdout.decode()
    expected = list(srt.parse(Path(captions).read_text(encoding="utf-8")))
    assert [(e.start, e.end, e.content) for e in srt.parse(back)] == \
        [(e.start, e.end, e.content) for e in expected]
    lines = Path(video).with_suffix(".chapters.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "0:00 Network" and len(lines) == len(BEATS)
