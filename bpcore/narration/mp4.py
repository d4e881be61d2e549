"""An mp4 file's top-level boxes, read from their headers: enough to check that a video is
web-ready (``moov``, the index, before ``mdat``, the media data: "faststart")."""

from __future__ import annotations

import os
import struct
from pathlib import Path


def top_level_boxes(path: str | os.PathLike[str]) -> list[str]:
    """The types of the top-level boxes of the ISO-BMFF (mp4) file at ``path``, in file order.

    A box is a 32-bit big-endian size (``1``: a 64-bit size follows the type; ``0``: to the end
    of the file) and a four-letter type.
    """
    kinds: list[str] = []
    with Path(path).open("rb") as file:
        end = os.fstat(file.fileno()).st_size
        offset = 0
        while offset + 8 <= end:
            file.seek(offset)
            size, kind = struct.unpack(">I4s", file.read(8))
            if size == 1:
                (size,) = struct.unpack(">Q", file.read(8))
            elif size == 0:
                size = end - offset
            if size < 8:
                raise ValueError(f"{path}: a box at byte {offset} claims {size} bytes")
            kinds.append(kind.decode("latin-1"))
            offset += size
    return kinds


def is_faststart(path: str | os.PathLike[str]) -> bool:
    """Whether ``moov`` comes before ``mdat`` in the mp4 at ``path`` (False if either is
    missing)."""
    kinds = top_level_boxes(path)
    return "moov" in kinds and "mdat" in kinds and kinds.index("moov") < kinds.index("mdat")
