"""Writing output files so that a failure never leaves a half-written or clobbered file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` all at once: readers see the old file or the new one.

    The data goes to a temporary file in the same directory, is flushed to disk and then renamed
    over ``path`` with :func:`os.replace`. If anything fails, the temporary file is removed and an
    existing ``path`` keeps its old content. Text is written as UTF-8, unchanged (no newline
    translation). A file that is replaced keeps its permission bits; a new one gets the usual
    ``0o666`` minus the umask.

    Parameters
    ----------
    path : str or os.PathLike
        The file to create or replace. Its directory must exist.
    data : str or bytes
        The complete new content.

    Returns
    -------
    pathlib.Path
        ``path``, as a :class:`~pathlib.Path`.

    Raises
    ------
    OSError
        When the directory is missing or not writable, the disk is full, and so on.
    TypeError
        When ``data`` is neither text nor bytes; nothing is written then.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> target = atomic_write(folder / "trace.json", '{"ssr": 20.4}\\n')
    >>> target.read_text()
    '{"ssr": 20.4}\\n'
    >>> _ = atomic_write(target, b"replaced")
    >>> target.read_bytes(), sorted(p.name for p in folder.iterdir())
    (b'replaced', ['trace.json'])
    >>> import shutil; shutil.rmtree(folder)
    """
    if isinstance(data, str):
        payload = data.encode("utf-8")
    elif isinstance(data, bytes | bytearray | memoryview):
        payload = bytes(data)
    else:
        raise TypeError(f"atomic_write needs str or bytes, got {type(data).__name__}")
    with atomic_writer(path, binary=True) as handle:
        handle.write(payload)
    return Path(path)


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], *, binary: bool = False,
                  suffix: str = ".tmp") -> Iterator[IO[Any]]:
    """Open ``path`` for writing so that it appears whole or not at all: for streamed output.

    Yields a file in the same directory, named ``.<name>.<random><suffix>`` (text is UTF-8 with
    no newline translation). When the block ends normally the file is flushed to disk and
    renamed over ``path``; when it raises, the file is removed and ``path`` is untouched.
    The permission bits are those :func:`atomic_write` gives.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_writer(folder / "steps.csv") as out:
    ...     for i in range(3):
    ...         _ = out.write(f"{i}\\n")
    >>> (folder / "steps.csv").read_text()
    '0\\n1\\n2\\n'
    >>> try:
    ...     with atomic_writer(folder / "steps.csv") as out:
    ...         _ = out.write("half")
    ...         raise RuntimeError("interrupted")
    ... except RuntimeError:
    ...     pass
    >>> (folder / "steps.csv").read_text(), sorted(p.name for p in folder.iterdir())
    ('0\\n1\\n2\\n', ['steps.csv'])
    >>> import shutil; shutil.rmtree(folder)
    """
    text = {} if binary else {"encoding": "utf-8", "newline": ""}
    with replacing(path, suffix=suffix) as tmp, open(tmp, "wb" if binary else "w", **text) as out:
        yield out


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str], *, suffix: str | None = None) -> Iterator[Path]:
    """A temporary path beside ``path`` for a tool to write; flushed to disk and renamed over
    ``path`` when the block ends without an error, removed otherwise (as :func:`atomic_write`
    does for data). The permission bits are those :func:`atomic_write` gives.

    The temporary name is ``.<name>.<random><suffix>``, the suffix by default ``path``'s own,
    so tools that choose a file format by its extension (ffmpeg, Pillow) write the right one.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> with replacing(folder / "video.mp4") as tmp:
    ...     _ = tmp.write_bytes(b"frames")
    ...     tmp.suffix, tmp.parent == folder, (folder / "video.mp4").exists()
    ('.mp4', True, False)
    >>> (folder / "video.mp4").read_bytes(), sorted(p.name for p in folder.iterdir())
    (b'frames', ['video.mp4'])
    >>> import shutil; shutil.rmtree(folder)
    """
    path = Path(path)
    mode = _mode_for(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                suffix=path.suffix if suffix is None else suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)  # like any new file, not mkstemp's 0o600
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(path.parent)


def _mode_for(path: Path) -> int:
    """Permission bits for ``path``: kept when it exists, else ``0o666`` minus the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable where the platform allows it (best effort)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
