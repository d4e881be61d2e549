"""The kit's docstring examples run, exactly as written (pytest collects only bpcore/'s)."""

from __future__ import annotations

import doctest
import importlib
import sys
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parents[2] / "scenes" / "kit"
WITH_EXAMPLES = sorted(p.stem for p in KIT.glob("*.py") if ">>>" in p.read_text())


def test_the_kit_has_examples() -> None:
    """The list below is not empty: the kit's modules hold runnable examples."""
    assert len(WITH_EXAMPLES) >= 5, WITH_EXAMPLES


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_kit_examples_hold_exactly(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every example in kit.<name> prints what its docstring says, character for character
    (only whitespace is normalized, as for bpcore's doctests; no NUMBER tolerance)."""
    monkeypatch.syspath_prepend(str(KIT.parent))
    module = importlib.import_module(f"kit.{name}")
    assert module.__name__ in sys.modules
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, report=True)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed"
