"""atomic_write: the whole file or nothing, and never a clobbered file on failure."""

from __future__ import annotations

import os
import stat

import pytest

from bpcore import files
from bpcore.files import atomic_write


def listing(folder):
    return sorted(p.name for p in folder.iterdir())


def test_writes_text_as_utf8(tmp_path):
    """Text is written as UTF-8, byte for byte, with no newline translation."""
    target = atomic_write(tmp_path / "out.txt", "Δ ssr\r\n20.4\n")
    assert target == tmp_path / "out.txt"
    assert target.read_bytes() == "Δ ssr\r\n20.4\n".encode()
    assert listing(tmp_path) == ["out.txt"]


def test_writes_bytes(tmp_path):
    """Bytes are written unchanged."""
    atomic_write(tmp_path / "out.bin", b"\x00\xff")
    assert (tmp_path / "out.bin").read_bytes() == b"\x00\xff"


def test_replaces_an_existing_file_keeping_its_mode(tmp_path):
    """An existing file is replaced whole and keeps its permission bits."""
    target = tmp_path / "out.json"
    target.write_text("old content that is longer than the new one")
    os.chmod(target, 0o640)
    atomic_write(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert listing(tmp_path) == ["out.json"]


def test_new_file_gets_umask_permissions(tmp_path):
    """A new file gets 0o666 minus the umask, not the temporary file's private 0o600."""
    umask = os.umask(0o022)
    try:
        target = atomic_write(tmp_path / "out.csv", "a,b\n")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failure_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, failing):
    """If flushing or renaming fails, the old file keeps its content and the temp file is gone."""
    target = tmp_path / "out.json"
    target.write_text("precious")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, failing, boom)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(target, "new content")
    assert target.read_text() == "precious"
    assert listing(tmp_path) == ["out.json"]


def test_failure_creates_no_file(tmp_path, monkeypatch):
    """If the rename fails, a file that did not exist is not created."""
    monkeypatch.setattr(files.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("nope")))
    with pytest.raises(OSError):
        atomic_write(tmp_path / "new.json", "data")
    assert listing(tmp_path) == []


def test_missing_directory_raises_and_creates_nothing(tmp_path):
    """Writing into a directory that does not exist raises FileNotFoundError."""
    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "missing" / "out.json", "data")
    assert listing(tmp_path) == []


def test_target_that_is_a_directory_is_refused(tmp_path):
    """A directory in the way is not replaced, and no temporary file is left beside it."""
    (tmp_path / "out").mkdir()
    with pytest.raises(IsADirectoryError):
        atomic_write(tmp_path / "out", "data")
    assert listing(tmp_path) == ["out"] and (tmp_path / "out").is_dir()


def test_wrong_data_type_writes_nothing(tmp_path):
    """Data that is neither text nor bytes raises TypeError before anything is written."""
    target = tmp_path / "out.json"
    target.write_text("precious")
    with pytest.raises(TypeError, match="str or bytes"):
        atomic_write(target, 3.14)  # type: ignore[arg-type]
    assert target.read_text() == "precious"
    assert listing(tmp_path) == ["out.json"]
