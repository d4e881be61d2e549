"""Warnings that teach: checked against descents whose behaviour is known by hand."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from bpcore.cli import bp
from bpcore.display import fmt
from bpcore.errors import DivergenceError
from bpcore.lesson.curvature import curvature, round_down
from bpcore.lesson.diagnosis import diagnose
from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.lesson.trace import trace_lesson
from bpcore.render.jobs import RenderResult
from bpcore.render.plan import plan

B3 = yaml.safe_load((LESSONS_DIR / "b3.yaml").read_text(encoding="utf-8"))
TEN_X = [i / 10 for i in range(10)]
TEN_Y = [0.0, 0.5, 1.0, 0.5, 0.0, 0.5, 1.0, 0.5, 0.0, 0.5]


def lesson_text(**changes) -> str:
    data = yaml.safe_load(yaml.safe_dump(B3))
    for key, value in changes.items():
        section, _, name = key.partition("__")
        if name:
            data[section][name] = value
        else:
            data[section] = value
    return yaml.safe_dump(data, sort_keys=False)


def warnings_of(text: str):
    return diagnose(trace_lesson(Lesson.from_text(text, source="mine.yaml")))


def ten_points(rate: float) -> str:
    """The issue's case: ten points, b3 alone."""
    return lesson_text(data={"x": TEN_X, "y": TEN_Y}, descent__learning_rate=rate)


@pytest.mark.parametrize("name", ["b3", "three_params", "all_params"])
def test_shipped_lessons_get_no_warning(name):
    """The shipped lessons descend well: no warning."""
    assert diagnose(trace_lesson(Lesson.from_file(LESSONS_DIR / f"{name}.yaml"))) == ()


def test_ten_points_at_rate_one_tenth_oscillate_with_the_exact_bound():
    """Ten points at 0.1: each step multiplies b3's distance to its best value by
    1 - 2*10*0.1 = -1, so it swings forever; the advice is < 1/n = 0.1 and 1/(2n) = 0.05."""
    (warning,) = warnings_of(ten_points(0.1))
    assert warning.key == "descent.learning_rate"
    assert "oscillates" in warning.message and "= -1 (n = 10 points)" in warning.message
    assert "below 2/20 = 0.1 settles" in warning.message
    assert "about 0.05 (1/20)" in warning.message


def test_the_advised_rate_lands_in_one_step():
    """Following the advice, 1/(2n), the ten-point descent reaches its best b3 after one update
    (the second state's step is below min_step_size) and draws no warning."""
    trace = trace_lesson(Lesson.from_text(ten_points(0.05)))
    assert trace.descent.updates == 1 and trace.descent.status == "converged"
    assert diagnose(trace) == ()


def test_a_shrinking_oscillation_that_converges_is_fine():
    """At 0.095 the factor is 1 - 2*10*0.095 = -0.9: the steps reverse but shrink by 0.9 each,
    so descent converges and no warning is given."""
    trace = trace_lesson(Lesson.from_text(ten_points(0.095)))
    assert trace.descent.status == "converged"
    assert diagnose(trace) == ()


def test_too_small_a_rate_does_not_fall():
    """At 1e-6 the first step is below min_step_size: descent stops at once, SSR 20.4 -> 20.4,
    and the warning calls the rate too small and advises 1/(2n) = 1/6 -> 0.1."""
    (warning,) = warnings_of(lesson_text(descent__learning_rate=0.000001))
    assert "SSR does not fall" in warning.message and "too small" in warning.message
    assert "about 0.1 (1/6)" in warning.message


def test_stopping_far_from_the_end_says_how_far_and_raise_max_steps():
    """At rate 0.001 the distance to the best b3 shrinks by 1 - 6*0.001 = 0.994 per step, so
    after 200 steps b3 is still far from its best value, which for the output bias is known
    exactly: the start plus the mean starting residual. The warning says how far."""
    text = lesson_text(descent__learning_rate=0.001, descent__max_steps=200)
    trace = trace_lesson(Lesson.from_text(text))
    (warning,) = diagnose(trace)
    assert warning.key == "descent.max_steps"
    assert "far from the end" in warning.message and "raise descent.max_steps" in warning.message
    assert "0.994" in warning.message
    best = 0.0 + float(np.mean(trace.start.residuals))
    left = abs(best - trace.descent.final.params["b3"])
    assert f"would still move about {fmt(left)}" in warning.message


def test_curvature_of_one_output_weight_matches_the_hand_formula():
    """SSR in w3 alone is sum((r_i - w3 h_i)^2) with h the blue curve at the data, so its
    second derivative is 2 sum(h_i^2), whatever w3 is."""
    trace = trace_lesson(Lesson.from_text(lesson_text(optimize=["w3"])))
    h = trace.start.forward.hidden_y[0]
    for values in (trace.descent.params[0], trace.descent.params[-1]):
        assert curvature(trace.lesson, values) == pytest.approx(2 * np.sum(h**2), rel=1e-6)


def test_curvature_of_several_parameters_is_the_hessian_top_eigenvalue():
    """For w3, w4 and b3 SSR is quadratic: its Hessian is 2 J^T J with J the columns
    (blue curve, orange curve, 1), so the curvature is that matrix's largest eigenvalue."""
    trace = trace_lesson(Lesson.from_text(lesson_text(optimize=["w3", "w4", "b3"])))
    hidden = trace.start.forward.hidden_y
    jac = np.vstack([hidden[0], hidden[1], np.ones(hidden.shape[1])])
    expected = np.linalg.eigvalsh(2 * jac @ jac.T).max()
    assert curvature(trace.lesson, trace.descent.params[0]) == pytest.approx(expected, rel=1e-6)


def test_round_down_never_rounds_up():
    """A suggested rate is at most 1/curvature, to one significant digit."""
    for value in np.geomspace(1e-5, 1e3, 97):
        got = round_down(float(value))
        assert got <= value * (1 + 1e-12) and got > value / 10


def test_check_and_trace_print_warnings_and_strict_fails(tmp_path):
    """check and trace print "warning: ..." on stderr and succeed; with --strict they exit 2
    and trace writes nothing."""
    path = tmp_path / "ten.yaml"
    path.write_text(ten_points(0.1), encoding="utf-8")
    out = tmp_path / "ten.json"
    runner = CliRunner()
    for args in (["check", str(path)], ["trace", str(path), "-o", str(out)]):
        result = runner.invoke(bp, args)
        assert result.exit_code == 0 and "warning: " in result.stderr and "oscillates" in \
            result.stderr
        strict = runner.invoke(bp, [*args, "--strict"])
        assert strict.exit_code == 2 and "--strict" in strict.stderr
    out.unlink()
    runner.invoke(bp, ["trace", str(path), "-o", str(out), "--strict"])
    assert not out.exists()


def test_render_strict_fails_a_warned_lesson_before_rendering(tmp_path, capsys):
    """bp render's plan prints the warning, and with strict the lesson fails without a render."""
    path = tmp_path / "ten.yaml"
    path.write_text(ten_points(0.1), encoding="utf-8")
    (result,) = plan((path,), tmp_path, "l", force=False, strict=True)
    assert isinstance(result, RenderResult) and result.status == "failed"
    assert "--strict" in result.error and "oscillates" in capsys.readouterr().err


def test_divergence_error_suggests_a_rate():
    """b3 alone at rate 1 on 3 points multiplies its distance by 1 - 6 = -5 per step and
    diverges; the error advises below 2/6 = 0.333 and about 1/6 -> 0.1."""
    with pytest.raises(DivergenceError) as caught:
        trace_lesson(Lesson.from_text(lesson_text(descent__learning_rate=1.0), source="m.yaml"))
    assert "below 2/6 = 0.333 settles, and about 0.1 (1/6)" in str(caught.value)


def scores_in_the_tens(learning_rate: float, max_steps: int):
    """The trace of seven softplus parameters fitting exam scores in the tens, whose SSR curves
    steeply at the start."""
    text = lesson_text(optimize=["w1", "b1", "w2", "b2", "w3", "w4", "b3"],
                       data={"x": [0.0, 1.5, 3.0, 4.5, 6.0], "y": [30, 52, 71, 80, 83]},
                       network={"activation": "softplus",
                                "params": {"w1": 0.5, "b1": 0.5, "w2": 0.8, "b2": -2, "w3": 10,
                                           "w4": -8, "b3": 30}},
                       descent={"learning_rate": learning_rate, "max_steps": max_steps})
    return trace_lesson(Lesson.from_text(text))


def test_a_first_step_that_flies_off_is_an_overshoot():
    """Seven softplus parameters fitting scores in the tens at rate 0.001: SSR curves by about
    2e4 at the start, so a step there multiplies the distance by about 1 - 20 and throws SSR
    far up before descent recovers: an overshoot, with the rate called too large."""
    trace = scores_in_the_tens(learning_rate=0.001, max_steps=2000)
    (warning,) = diagnose(trace)
    peak = int(np.argmax(trace.descent.ssr))
    assert trace.descent.ssr[peak] > 2 * trace.descent.ssr[0]
    assert "overshoots" in warning.message and f"at step {peak}" in warning.message
    assert "too large" in warning.message


def test_a_spike_in_the_middle_of_descent_is_an_overshoot():
    """At rate 0.0001 the same lesson falls, then SSR shoots from below 100 to thousands in
    mid-descent (a step beyond 2/c where SSR curves most): the warning names that step."""
    trace = scores_in_the_tens(learning_rate=0.0001, max_steps=8000)
    ssr = trace.descent.ssr.tolist()
    jumps = [(ssr[i] / min(ssr[:i + 1]), i) for i in range(len(ssr))]
    ratio, step = max(jumps)
    assert ratio > 2 and step > 1 and ssr[step] < 2 * ssr[0]  # below the start: a mid-descent spike
    (warning,) = diagnose(trace)
    assert f"at step {step}," in warning.message and "overshoots" in warning.message
