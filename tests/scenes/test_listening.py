"""The narration heard once: what the voice says can be followed by ear (issue 21), and its
claims (settled, best, bam) follow from the trace."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from bpcore.lesson.file import Lesson
from bpcore.lesson.progress import settled_at
from bpcore.lesson.trace import trace_lesson
from bpcore.narration.listening import KINDS, lint_script, spoken_text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lessons import FIXTURES, SCRIPT_LESSONS  # noqa: E402


@pytest.mark.parametrize("lesson", SCRIPT_LESSONS, ids=lambda p: p.stem)
def test_the_voice_can_be_followed_by_ear(lesson: Path, lesson_scripts) -> None:
    """No spoken sentence over 25 words, no spoken run of over 4 numbers, no bracketed formula
    said flat, no written sum off in its shown digits and no count that disagrees with its
    noun, in the shipped lessons and the fixtures (k = 1..4, the three activations, cut-off
    descents, a teacher's nouns)."""
    findings = lint_script(lesson_scripts[lesson.stem])
    assert findings.items == (), {kind: [f"{f.clip}: {f.text}" for f in findings.items
                                         if f.kind == kind] for kind in KINDS}


def _settled_claims(script: dict) -> dict[str, int]:
    """What the voice says settled when: "w 3 stops changing at step 666, b 3 at step 668",
    "the last, b 1, at step 7513"; names as said ("w 3") back to written ("w3")."""
    claims = {}
    for m in re.finditer(r"\b([wb]) ([0-9]+)(?:,? (?:from|at)| stops changing at) step "
                         r"([0-9][0-9,]*[0-9]|[0-9])",
                         spoken_text(script)):
        claims[m[1] + m[2]] = int(m[3].replace(",", ""))
    return claims


@pytest.mark.parametrize("stem", ["four_nodes", "all_params_four_nodes", "b3_cut_off"])
def test_settled_means_the_trace_settled(stem: str, lesson_scripts) -> None:
    """On a descent cut off by max_steps: every parameter the voice calls settled settled at
    that step (bpcore.lesson.progress.settled_at), nothing is called best or fitted, and the voice
    says the run was cut short exactly when a parameter is still moving."""
    script = lesson_scripts[stem]
    trace = trace_lesson(Lesson.from_file(FIXTURES / f"{stem}.yaml"))
    settled = settled_at(trace.descent, trace.lesson.digits,
                         trace.lesson.descent.min_step_size)
    assert trace.descent.status != "converged"
    moving = [name for name, step in settled.items() if step is None]
    for name, step in _settled_claims(script).items():
        assert settled[name] == step, (name, step, settled[name])
    heard = spoken_text(script)
    # Cut short while something still moves; four_nodes hits its limit with all settled.
    assert ("cut short" in heard) == bool(moving), moving
    assert bool(moving) == (stem != "four_nodes")  # the other two cases have teeth
    assert not re.search(r"\b(best|fitted)\b [wb] [0-9]", heard)
    captions = " ".join(c["caption"] for b in script["beats"] for c in b["clips"])
    assert "fitted values" not in captions.lower()


def test_bam_only_when_b3_is_found(lesson_scripts) -> None:
    """b3 says Double and Triple bam when its descent converges, and neither when it is cut
    off while b3 still moves (then it says the run was cut short)."""
    found, cut = spoken_text(lesson_scripts["b3"]), spoken_text(lesson_scripts["b3_cut_off"])
    assert "Double bam" in found and "Triple bam" in found
    assert "Double bam" not in cut and "Triple bam" not in cut
    assert "cut short" in cut and "cut short" not in found
