"""A hold (a wait showing one picture) is written as x264's IDR frame and one all-skip P frame
repeated with its numbering advanced (kit/encoding.py's hold_packets, kit/h264.py): the video
decodes without an error to the held picture on every frame, is constant frame rate, has a key
frame every HOLD_KEYINT frames, and looks as manim's encoding of the same frames does."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_video_files import MIN_SSIM, assert_web_ready, ssim  # noqa: E402

from kit import h264  # noqa: E402
from kit.encoding import HOLD_KEYINT, HOLD_X264_OPTIONS, X264_OPTIONS, hold_packets  # noqa: E402

FPS = 30
WIDTH, HEIGHT = 320, 180


def picture() -> np.ndarray:
    """A yuv420p picture like a lesson's: a white ground, thin dark lines, a coloured block."""
    rgb = np.full((HEIGHT, WIDTH, 3), 255, np.uint8)
    rgb[40:42, 10:300] = (20, 20, 20)
    rgb[::17, :, :] = (60, 60, 200)
    rgb[100:150, 200:260] = (230, 120, 40)
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p").to_ndarray()


def write(path: Path, packets: list[av.Packet] | None, frames: int, options: dict) -> Path:
    """An mp4 of ``frames`` frames of :func:`picture`: the given packets muxed under an x264
    stream with ``options``, or (``packets`` None) x264 encoding every frame."""
    with av.open(str(path), mode="w", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=FPS, options=dict(options))
        stream.pix_fmt, stream.width, stream.height = "yuv420p", WIDTH, HEIGHT
        if packets is None:
            for _ in range(frames):
                for packet in stream.encode(
                    av.VideoFrame.from_ndarray(picture(), format="yuv420p")
                ):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        else:
            stream.codec_context.open(strict=False)
            for packet in packets:
                packet.stream = stream
                container.mux(packet)
    return path


FRAMES = HOLD_KEYINT + 7  # past the second key frame


@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[av.Packet], bytes]:
    made = hold_packets(picture(), FRAMES, HOLD_X264_OPTIONS, Fraction(FPS), WIDTH, HEIGHT)
    assert made is not None, "the hold was not written as copies"
    extradata, packets = made
    keys = [i for i, packet in enumerate(packets) if packet.is_keyframe]
    path = write(tmp_path_factory.mktemp("hold") / "hold.mp4", packets, FRAMES, HOLD_X264_OPTIONS)
    return path, keys, extradata


def test_a_hold_decodes_to_its_picture_on_every_frame(held):
    path, _, _ = held
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="yuv420p") for f in container.decode(video=0)]
    assert len(frames) == FRAMES
    assert all(np.array_equal(frame, frames[0]) for frame in frames)
    # The picture is x264's encoding of the held one, not something else.
    assert np.abs(frames[0].astype(int) - picture().astype(int)).mean() < 2


def test_a_hold_is_web_ready_with_key_frames_as_x264_places_them(held):
    path, keys, _ = held
    assert_web_ready(path, FPS)
    assert keys == list(range(0, FRAMES, HOLD_KEYINT))
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-skip_frame",
            "nokey",
            "-show_entries",
            "frame=pts",
            "-of",
            "csv=p=0",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert len(out) == len(keys)


def test_a_hold_looks_as_manims_encoding_of_it(held, tmp_path):
    path, _, _ = held
    manims = write(tmp_path / "manims.mp4", None, FRAMES, {"crf": "23"})
    assert ssim(path, manims) >= MIN_SSIM


def test_a_hold_has_the_headers_every_partial_movie_has(held):
    """The partial movies are joined under the first one's SPS and PPS."""
    _, _, extradata = held
    for options in (X264_OPTIONS, HOLD_X264_OPTIONS):
        container = av.open("/dev/null", mode="w", format="mp4")
        stream = container.add_stream("libx264", rate=FPS, options=dict(options))
        stream.pix_fmt, stream.width, stream.height = "yuv420p", WIDTH, HEIGHT
        stream.codec_context.open(strict=False)
        assert bytes(stream.codec_context.extradata) == extradata
        container.close()


def test_renumbering_changes_frame_num_and_picture_order_only():
    packets = hold_packets(picture(), 5, HOLD_X264_OPTIONS, Fraction(FPS), WIDTH, HEIGHT)[1]
    sps = h264.parse_sps(
        hold_packets(picture(), 5, HOLD_X264_OPTIONS, Fraction(FPS), WIDTH, HEIGHT)[0]
    )
    first, second = (h264.nal_units(bytes(packets[i]))[0] for i in (1, 2))
    assert h264.slice_numbers(first, sps)[1:] == (1, 2)
    assert h264.slice_numbers(second, sps)[1:] == (2, 4)
    again = h264.renumber(second, sps, 1, 2)
    assert again == first


@pytest.mark.parametrize("rbsp", [bytes([0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 7]), bytes(range(256))])
def test_escaping_round_trips(rbsp):
    escaped = h264.escape(rbsp)
    assert all(
        escaped[i : i + 3] not in (b"\0\0\0", b"\0\0\1", b"\0\0\2") for i in range(len(escaped) - 2)
    )
    assert h264.unescape(escaped) == rbsp


def test_too_short_a_hold_is_left_to_x264():
    assert hold_packets(picture(), 2, HOLD_X264_OPTIONS, Fraction(FPS), WIDTH, HEIGHT) is None
