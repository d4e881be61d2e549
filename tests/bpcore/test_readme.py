"""The README's command examples run as written: every file they name exists, unless the line
says it stands for the reader's own."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def command_lines() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    return [line for block in blocks for line in block.splitlines()
            if line.startswith((".venv/bin/", "BP_LESSON=", "make "))]


def test_readme_has_command_examples():
    """The README shows the everyday commands (so the check below has something to check)."""
    assert any(" bp render " in f" {line} " or "bin/bp render" in line for line in command_lines())


def test_every_named_file_exists_or_is_marked_as_your_own():
    """Each lesson, scene or folder pattern in a command matches a file in the repository, or
    its line says the reader's own file is meant ("your own")."""
    for line in command_lines():
        command, _, comment = line.partition("#")
        for token in re.findall(r"(?:^|[\s=])([\w./*-]+\.(?:yaml|py))\b", command):
            if "your own" in comment:
                continue
            assert list(REPO.glob(token)), f"README example names a missing file: {line}"


def test_the_readme_is_a_front_door():
    """At most 250 lines, and its first two commands are make video and make test."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    first = re.search(r"```sh\n(.*?)```", text, re.DOTALL).group(1).splitlines()
    assert [line.split("#")[0].strip() for line in first[:2]] == ["make video", "make test"]


def test_links_between_the_pages_resolve():
    """Every relative link in the README and docs/*.md names a file that exists."""
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
