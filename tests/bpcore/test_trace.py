"""Lesson traces from the shipped lesson files against the reference tables."""

from __future__ import annotations

import dataclasses
import functools
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from bpcore.display import fmt
from bpcore.errors import DivergenceError
from bpcore.lesson.file import LESSONS_DIR, DescentSettings, Lesson
from bpcore.lesson.trace import trace_lesson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from traces import traced  # noqa: E402

# ---- Oracles copied from ../shared/reference-numbers.md --------------------------------------
# Lesson b3 (stated values as the lesson writes them, with the exact values beside them).
B3_PREDICTED = [-2.604, -1.609, -2.615]  # stated -2.6, -1.61, -2.61
B3_SSR_AT = {0.0: 20.424, 1.0: 7.768, 2.0: 1.113, 3.0: 0.458}  # stated 20.4, 7.8, 1.11, 0.46
B3_SLOPE_START, B3_SLOPE_START_STATED = -15.655, "-15.7"
B3_STEP_SIZE_STATED, B3_NEW_STATED = "-1.57", "1.57"
B3_FIRST_NEW = 1.5655
B3_SLOPE_NEXT_STATED, B3_NEXT_STATED = "-6.26", "2.19"
B3_FINAL_STATED = "2.61"
B3_PATH = [0.0, 1.5655, 2.1917, 2.4422, 2.5424, 2.5825, 2.5985, 2.6049, 2.6075, 2.6085]
# Lesson three_params.
THREE_START_PREDICTED, THREE_START_SSR = [0.719, 0.462, 0.769], 1.398
THREE_START_GRADIENT = {"w3": 2.576, "w4": 1.257, "b3": 1.900}
THREE_FIRST_STEP = {"w3": 0.102, "w4": 0.504, "b3": -0.190}
THREE_AFTER_1000 = {"w3": -1.2159, "w4": -2.3038, "b3": 2.6066}
THREE_STOP_STEP, THREE_STOP_AT = 309, {"w3": -1.17, "w4": -2.21, "b3": 2.52}
# Lesson all_params.
ALL_START_SSR = 1.896
ALL_AFTER_8000 = {"w1": 3.338, "b1": -1.426, "w2": -3.529, "b2": 0.574, "w3": -1.216,
                  "w4": -2.301, "b3": 2.610}
B3_LESSON_VALUES = {"w1": 3.34, "b1": -1.43, "w2": -3.53, "b2": 0.57, "w3": -1.22, "w4": -2.30,
                    "b3": 2.61}
ALL_LR_01 = {"w1": 3.262, "b1": -1.933, "w2": -3.347, "b2": 0.543, "w3": -1.482, "w4": -2.245,
             "b3": 2.448}


@functools.cache
def lesson(name: str) -> Lesson:
    return Lesson.from_file(LESSONS_DIR / f"{name}.yaml")


# ---- b3 -------------------------------------------------------------------------------------

def test_b3_predicted_and_ssr_at_the_start():
    """With b3 = 0 the squiggle predicts -2.604, -1.609, -2.615 and SSR is 20.4."""
    start = traced("b3").start
    assert start.predicted.tolist() == pytest.approx(B3_PREDICTED, abs=0.0005)
    assert [fmt(v, 3) for v in start.predicted] == ["-2.6", "-1.61", "-2.61"]
    assert fmt(start.ssr) == "20.4"


def test_b3_sweep_probes():
    """SSR at b3 = 0, 1, 2, 3 is 20.4, 7.8, 1.11, 0.46."""
    s = traced("b3").sweep
    assert s is not None and s.param == "b3"
    assert dict(zip(s.probe_values.tolist(), s.probe_ssr.tolist(), strict=True)) == pytest.approx(
        B3_SSR_AT, abs=0.0005)
    assert [fmt(v, d) for v, d in zip(s.probe_ssr, (3, 2, 3, 2), strict=True)] == [
        "20.4", "7.8", "1.11", "0.46"]


def test_b3_first_step():
    """The slope at b3 = 0 is -15.7, the step size -1.57 and the new b3 1.57 (exactly 1.5655)."""
    d = traced("b3").descent
    assert d[0].gradient["b3"] == pytest.approx(B3_SLOPE_START, abs=0.0005)
    assert fmt(d[0].gradient["b3"]) == B3_SLOPE_START_STATED
    assert fmt(d[0].step_size["b3"]) == B3_STEP_SIZE_STATED
    assert d[1].params["b3"] == pytest.approx(B3_FIRST_NEW, abs=0.00005)
    assert fmt(d[1].params["b3"]) == B3_NEW_STATED


def test_b3_second_step_from_the_unrounded_value():
    """At the unrounded new b3 the slope is -6.26, and the next b3 is 2.19."""
    d = traced("b3").descent
    assert fmt(d[1].gradient["b3"]) == B3_SLOPE_NEXT_STATED
    assert fmt(d[2].params["b3"]) == B3_NEXT_STATED


def test_b3_descent_path_and_final_value():
    """b3 follows the reference path and stops at 2.61, when the step size is close to 0."""
    d = traced("b3").descent
    assert d.column("b3").tolist() == pytest.approx(B3_PATH, abs=0.00005)
    assert d.status == "converged" and d.updates == 9
    assert fmt(d.final.params["b3"]) == B3_FINAL_STATED
    assert abs(d.final.step_size["b3"]) < lesson("b3").descent.min_step_size


def test_b3_sweep_covers_the_descent_path():
    """The pink curve spans the lesson's range and every value b3 takes during descent."""
    t = traced("b3")
    path = t.descent.column("b3")
    assert t.sweep.values[0] <= min(0.0, path.min()) and t.sweep.values[-1] >= max(3.0, path.max())


def test_sweep_stretches_to_probes_outside_its_range(tmp_path):
    """Probes outside sweep.range still sit on the pink curve: it reaches them, and its SSR at
    the outermost probes is theirs. Probes inside the range leave it as written."""
    data = yaml.safe_load((LESSONS_DIR / "b3.yaml").read_text(encoding="utf-8"))
    data["sweep"].update(range=[0, 3], probes=[-5.0, 1.0, 10.0])
    path = tmp_path / "wide_probes.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    s = trace_lesson(Lesson.from_file(path)).sweep
    assert (s.values[0], s.values[-1]) == (-5.0, 10.0)
    assert (s.ssr[0], s.ssr[-1]) == pytest.approx((s.probe_ssr[0], s.probe_ssr[-1]), rel=1e-12)
    assert traced("b3").sweep.values[0] == lesson("b3").sweep.range[0]


# ---- three_params ---------------------------------------------------------------------------

def test_three_params_start():
    """At the start the squiggle predicts 0.719, 0.462, 0.769, SSR is 1.398, slopes match."""
    d = traced("three_params").descent
    assert d[0].predicted.tolist() == pytest.approx(THREE_START_PREDICTED, abs=0.0005)
    assert d[0].ssr == pytest.approx(THREE_START_SSR, abs=0.0005)
    assert dict(d[0].gradient) == pytest.approx(THREE_START_GRADIENT, abs=0.0005)


def test_three_params_first_step():
    """After the first step w3 = 0.102, w4 = 0.504, b3 = -0.190."""
    params = traced("three_params").descent[1].params
    assert {n: params[n] for n in THREE_FIRST_STEP} == pytest.approx(THREE_FIRST_STEP, abs=0.0005)


def test_three_params_after_1000_steps():
    """After 1000 steps w3, w4, b3 are -1.2159, -2.3038, 2.6066: the b3 lesson's values."""
    d = traced("three_params").descent
    assert d.updates == 1000 and d.status == "max_steps"
    final = {n: d.final.params[n] for n in THREE_AFTER_1000}
    assert final == pytest.approx(THREE_AFTER_1000, abs=0.00005)
    assert {n: round(v, 2) for n, v in final.items()} == {n: B3_LESSON_VALUES[n] for n in final}


def test_three_params_stop_rule_stops_at_309():
    """With min_step_size 0.001, three_params stops at step 309 at (-1.17, -2.21, 2.52)."""
    d = traced("three_params", min_step_size=0.001).descent
    assert d.status == "converged" and d.updates == THREE_STOP_STEP
    final = {n: d.final.params[n] for n in THREE_STOP_AT}
    assert final == pytest.approx(THREE_STOP_AT, abs=0.005)


def test_three_params_keeps_the_hidden_layer_fixed():
    """Parameters not optimized keep their starting value in every step."""
    t = traced("three_params")
    for name in ("w1", "b1", "w2", "b2"):
        assert np.all(t.descent.column(name) == lesson("three_params").network.params[name])


# ---- all_params -----------------------------------------------------------------------------

def test_all_params_start_ssr():
    """At the all_params start SSR is 1.896."""
    assert traced("all_params").descent[0].ssr == pytest.approx(ALL_START_SSR, abs=0.0005)


def test_all_params_after_8000_steps_rediscovers_the_b3_lesson():
    """After 8000 steps at learning rate 0.01 all seven values match the b3 lesson to 2 decimals."""
    d = traced("all_params", max_steps=8000).descent
    assert d.updates == 8000 and d.status == "max_steps" and len(d) == 8001
    final = dict(d.final.params)
    # The table's b2, 0.574, is 0.57349 rounded twice (0.5735, then 0.574): allow one unit in
    # the last digit. An independent plain-Python loop gives b2 = 0.573490 after 8000 steps.
    assert final == pytest.approx(ALL_AFTER_8000, abs=0.001)
    assert final["b2"] == pytest.approx(0.573490, abs=5e-7)
    assert {n: round(v, 2) for n, v in final.items()} == B3_LESSON_VALUES


def test_all_params_at_learning_rate_0_1_finds_another_fit():
    """At learning rate 0.1 the seven parameters reach a different zero-SSR fit."""
    d = traced("all_params", learning_rate=0.1, max_steps=1000).descent
    assert dict(d.final.params) == pytest.approx(ALL_LR_01, abs=0.0005)
    assert d.final.ssr < 1e-10


def test_all_params_stop_rule_halts_on_a_plateau():
    """With min_step_size 0.001 all_params stops far too early, on a plateau.

    The reference says "step 16": the 16th step is the first small one, so it is not taken and
    descent ends after 15 updates.
    """
    d = traced("all_params", min_step_size=0.001).descent
    assert d.status == "converged" and d.updates == 15
    assert d.final.ssr > 0.5


# ---- the trace object -------------------------------------------------------------------------

def test_trace_views_agree_with_the_descent():
    """network_at, fit_at, curves_at and chain_at describe descent state i."""
    t = traced("three_params")
    for i in (0, 1, 500, -1):
        assert np.array_equal(t.network_at(i).values, t.descent.params[i])
        assert t.fit_at(i).ssr == pytest.approx(float(t.descent.ssr[i]), rel=1e-12, abs=1e-15)
        assert t.chain_at(i)["b3"].total == pytest.approx(t.descent[i].gradient["b3"], rel=1e-9,
                                                         abs=1e-12)
    curves = t.curves_at(0)
    assert np.array_equal(curves.x, t.grid)
    assert t.grid[0] == 0.0 and t.grid[-1] == 1.0 and t.grid.size > 100


def test_trace_is_immutable():
    """A trace and its lesson are frozen; its arrays cannot be written."""
    t = traced("b3")
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.lesson = lesson("three_params")  # type: ignore[misc]
    for array in (t.grid, t.descent.params, t.sweep.values, t.sweep.ssr, t.start.residuals,
                  t.curves_at(0).predicted):
        assert not array.flags.writeable


def test_lesson_without_sweep_has_none():
    """A lesson without a sweep key traces with sweep None."""
    assert traced("all_params").sweep is None


def test_divergence_names_the_lesson_file():
    """A diverging lesson raises DivergenceError naming the file, the key and the learning rate."""
    with pytest.raises(DivergenceError) as info:
        traced("b3", learning_rate=100.0)
    message = str(info.value)
    assert message.startswith(f"{LESSONS_DIR / 'b3.yaml'}: descent.learning_rate: ")
    assert "diverged at step" in message and "learning rate 100" in message


def test_unchanged_settings_reproduce_the_shipped_trace():
    """Tracing twice gives identical numbers: nothing is random or stateful."""
    again = traced("b3")
    assert np.array_equal(again.descent.params, traced("b3").descent.params)


def test_descent_settings_are_validated_records():
    """A lesson's descent settings are a frozen record with the lesson's values."""
    assert lesson("all_params").descent == DescentSettings(0.01, 0.0, 9000)
