"""The files of one output and their safe handling: the hidden names beside a video, its lock,
what killed renders left, and copying finished files into place atomically.

A render's video and captions are copied into the output folder under a temporary name and
renamed into place (:func:`install`), so a final path never holds a half-written file. Each
output is rendered under its lock (``.<stem>.render.lock``, :func:`output_lock`): a second
``bp render`` of the same output waits for the first. Whoever takes the lock first removes what
a killed render left (``.part`` copies, its work folder), so a ``kill -9`` never leaves anything
that breaks or clutters the next run.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile  # noqa: F401 - the doctests use it
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from bpcore.files import atomic_writer

#: What the scene writes beside its video to publish it (scenes/kit/lesson_scene.py).
PUBLISHED = (".vtt", ".chapters.txt", ".thumbnail.png")


def work_prefix(output: Path) -> str:
    """The name start of the hidden files a render of ``output`` keeps beside it: its sidecar
    record, its lock and its work folders.

    Examples
    --------
    >>> work_prefix(Path("renders/b3.mp4"))
    '.b3.render.'
    """
    return f".{output.stem}.render."


def sidecar_path(output: Path) -> Path:
    """The file beside a video that records what it was rendered from.

    Examples
    --------
    >>> sidecar_path(Path("renders/b3.mp4")).as_posix()
    'renders/.b3.render.json'
    """
    return output.with_name(f"{work_prefix(output)}json")


def lock_path(output: Path) -> Path:
    """The lock file of one output, beside it.

    Examples
    --------
    >>> lock_path(Path("renders/b3.mp4")).as_posix()
    'renders/.b3.render.lock'
    """
    return output.with_name(f"{work_prefix(output)}lock")


def glob_escape(name: str) -> str:
    """``name`` with glob's special characters made literal.

    Examples
    --------
    >>> glob_escape("lesson[1]*.mp4")
    'lesson[[]1[]][*].mp4'
    """
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def leftovers(output: Path) -> list[Path]:
    """What renders of ``output`` that were killed left beside it: ``.part`` copies, ``.tmp``
    sidecars and work folders. Only safe to remove while holding :func:`output_lock`.

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in (".b3.mp4.x1.part", ".b3.srt.x2.part", "..b3.render.json.x3.tmp",
    ...              ".b3.v2.mp4.x4.part", "b3.mp4", ".b3.render.lock"):
    ...     _ = (folder / name).write_bytes(b"")
    >>> (folder / ".b3.render.k5.work").mkdir()
    >>> sorted(p.name for p in leftovers(folder / "b3.mp4"))
    ['..b3.render.json.x3.tmp', '.b3.mp4.x1.part', '.b3.render.k5.work', '.b3.srt.x2.part']
    >>> shutil.rmtree(folder)
    """
    sidecar = sidecar_path(output)
    copies = [output, *(output.with_suffix(s) for s in (".srt", *PUBLISHED, ".captioned.mp4"))]
    # Exact names only: a lesson b3.v2 has outputs that start like b3's.
    patterns = [*(f".{glob_escape(copy.name)}.*.part" for copy in copies),
                f".{glob_escape(sidecar.name)}.*.tmp", f"{glob_escape(work_prefix(output))}*.work"]
    return sorted({p for pattern in patterns for p in output.parent.glob(pattern)})


@contextlib.contextmanager
def output_lock(output: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[bool]:
    """Hold ``output``'s lock for a render; yields whether it had to wait for another one.

    The lock is an ``flock`` on a hidden file beside the output, so the kernel releases it when
    its holder ends in any way, ``kill -9`` included; the file itself stays (removing a lock
    file races with the next locker). On taking the lock, the :func:`leftovers` of killed
    renders are removed.

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / ".b3.mp4.x1.part").write_bytes(b"half a video")
    >>> with output_lock(folder / "b3.mp4") as waited:
    ...     waited, sorted(p.name for p in folder.iterdir())
    (False, ['.b3.render.lock'])
    >>> shutil.rmtree(folder)
    """
    fd = os.open(lock_path(output), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        waited = False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait(f"{output}: another bp render is making it; waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
            waited = True
        for path in leftovers(output):
            with contextlib.suppress(OSError):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        yield waited
    finally:
        os.close(fd)  # releases the lock


def copy_stream(source: IO[bytes], target: IO[bytes]) -> None:
    """Copy one open file into another (a seam for the atomic-write tests)."""
    shutil.copyfileobj(source, target, 1 << 20)


def install(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` atomically: a temporary file in the same folder, then rename.

    If the copy fails or is interrupted, the temporary file is removed and ``target`` keeps what
    it had (or stays absent). Only a hard kill can leave a hidden ``.<name>.*.part`` file behind,
    never a partial ``target``; the next render of that output removes it (:func:`leftovers`).

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "new.mp4").write_bytes(b"video")
    >>> install(folder / "new.mp4", folder / "b3.mp4")
    >>> (folder / "b3.mp4").read_bytes(), sorted(p.name for p in folder.iterdir())
    (b'video', ['b3.mp4', 'new.mp4'])
    >>> shutil.rmtree(folder)
    """
    with atomic_writer(target, binary=True, suffix=".part") as out, open(source, "rb") as src:
        copy_stream(src, out)
