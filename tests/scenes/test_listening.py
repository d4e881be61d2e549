"""The narration heard once: what the voice says can be followed by ear (issue 21), and its
claims (settled, best, bam) follow from the trace."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.lesson.settling import settled_at
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


@pytest.mark.parametrize("lesson", SCRIPT_LESSONS, ids=lambda p: p.stem)
def test_the_voice_says_sentences_not_column_headers(lesson: Path, lesson_scripts) -> None:
    """Every clip the voice says opens as a sentence does (a capital, or a parameter's name
    such as "b 3"), and none says a table's column header ("the derivative of Predicted with
    respect to w 3"): a chain table's rows are said in plain words ("How much the prediction
    changes when w 3 changes is ..."). Nor "paths", which the default voice says so that it is
    heard "pads"."""
    for beat in lesson_scripts[lesson.stem]["beats"]:
        for clip in beat["clips"]:
            said = clip["spoken"]
            assert re.match(r"[A-Z]|[wb] [0-9]", said), (clip["id"], said)
            assert "Predicted" not in said, (clip["id"], said)
            assert not re.search(r"\bpaths\b", said), (clip["id"], said)


@pytest.mark.parametrize("lesson", SCRIPT_LESSONS, ids=lambda p: p.stem)
def test_which_parameters_settled_is_said_in_a_list_a_listener_holds(lesson: Path,
                                                                     lesson_scripts) -> None:
    """What settled and what still moves is said by name only up to 4 names; more are
    counted ("7 parameters are still moving"): all_params_four_nodes, cut off with 6 settled
    and 7 moving, read out all 13 names."""
    names = re.compile(r"[wb] [0-9]+(?:(?:, | and )[wb] [0-9]+){4,}")
    for beat in lesson_scripts[lesson.stem]["beats"]:
        for clip in beat["clips"]:
            said = clip["spoken"]
            if re.search(r"[Ss]ettled|still moving", said):
                assert not names.search(said), (clip["id"], said)


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
    that step (bpcore.lesson.settling.settled_at), nothing is called best or fitted, and the voice
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
    # Cut short while something still moves. In all three something does: in four_nodes, w6
    # shows its final digits at step 200 but would still change them (at step 250, in a longer
    # run), so it has not settled although its last steps look still.
    assert ("cut short" in heard) == bool(moving), moving
    assert moving
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


def _caption_settled_claims(captions: list[str]) -> dict[str, int]:
    """What the captions say settled when: "w3 settles at -1.22 and b3 settles at 2.61 (from
    step 666 and 668)" (three_params), "Settled: w4 at step 6751, b3 at step 6934"
    (all_params)."""
    claims = {}
    for caption in captions:
        names = re.findall(r"\b([wb][0-9]+) settles at", caption)
        if names and "(from step" in caption:
            steps = re.findall(r"[0-9]+", caption.split("(from step", 1)[1])
            claims.update(zip(names, map(int, steps), strict=True))
        if caption.startswith("Settled:"):
            claims.update((n, int(s)) for n, s in re.findall(r"\b([wb][0-9]+) at step ([0-9]+)",
                                                            caption))
    return claims


def test_settled_on_screen_in_captions_and_voice_on_a_cut_off_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The three_params scene on its shipped lesson stopped at 600 steps, where w4 has settled
    and w3 and b3 still creep toward digits they have not reached: the table turns each
    parameter green exactly at the state the trace says it settled (red before, and red to the
    end while still moving), and what the captions and the voice call settled is the trace's
    settled step; the voice says the run was cut short and no bam; nothing is called fitted or
    best."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "scenes"))
    import yaml
    from test_three_params import build, check_final_table

    from kit.style import FIXED, LEARNING
    from kit.text import shown

    data = yaml.safe_load((LESSONS_DIR / "three_params.yaml").read_text(encoding="utf-8"))
    data["descent"]["max_steps"] = 600
    lesson_file = tmp_path / "three_params_600.yaml"
    lesson_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    built = build(tmp_path / "work", tmp_path / "tex", lesson_file, real=False)
    trace = built.trace
    settled = settled_at(trace.descent, trace.lesson.digits, trace.lesson.descent.min_step_size)
    moving = sorted(n for n, s in settled.items() if s is None)
    assert trace.descent.status != "converged" and moving == ["b3", "w3"]  # the case tested
    # Screen: the table's colours follow the trace, state by state.
    check_final_table(built, shown, FIXED, LEARNING)
    assert all(colour[p] == LEARNING for p in moving for _, colour in built.colours)
    # Captions and voice.
    script = built.scene.script()
    captions = [c["caption"] for b in script["beats"] for c in b["clips"]]
    claimed = {"w4": settled["w4"]}
    assert _caption_settled_claims(captions) == claimed
    assert _settled_claims(script) == claimed
    heard = spoken_text(script)
    assert "cut short" in heard and "bam" not in heard.lower()
    assert not re.search(r"\b(best|fitted)\b", heard + " ".join(captions))
