"""The trace export: the JSON contract, CSV and YAML, all at full precision."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest
import yaml

from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.lesson.trace import LessonTrace, trace_lesson
from bpcore.outputs.export import (
    FORMATS,
    trace_to_csv,
    trace_to_dict,
    trace_to_json,
    trace_to_text,
    trace_to_yaml,
)

TRACES: dict[str, LessonTrace] = {}

STEP_KEYS = ["index", "params", "predicted", "residuals", "ssr", "gradient", "step_size"]


def traced(name: str) -> LessonTrace:
    if name not in TRACES:
        TRACES[name] = trace_lesson(Lesson.from_file(LESSONS_DIR / f"{name}.yaml"))
    return TRACES[name]


def plain_types(value, path="$"):
    """Yield the path of every value that is not a plain JSON type (dict, list, str, int, float)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                yield f"{path} key {k!r}"
            yield from plain_types(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from plain_types(v, f"{path}[{i}]")
    elif value is None or type(value) in (str, int, float, bool):
        if type(value) is float and not math.isfinite(value):
            yield f"{path} non-finite"
    else:
        yield f"{path} is {type(value).__name__}"


@pytest.mark.parametrize("name", ["b3", "three_params"])
def test_contract_top_level_keys(name):
    """The export's sections are lesson, steps, final, sweep, start, chain_rule and curves."""
    data = trace_to_dict(traced(name))
    assert list(data) == ["lesson", "steps", "final", "sweep", "start", "chain_rule", "curves"]


def test_no_sweep_key_without_a_sweep():
    """A lesson without a sweep exports no sweep key."""
    assert "sweep" not in trace_to_dict(traced("all_params"))


@pytest.mark.parametrize("name", ["b3", "three_params", "all_params"])
def test_only_plain_python_values(name):
    """Every value is a plain, finite Python value, so json.dumps needs no help."""
    data = trace_to_dict(traced(name))
    assert list(plain_types(data)) == []
    json.dumps(data, allow_nan=False)


def test_lesson_section():
    """The lesson section restates the lesson file's settings."""
    t = traced("b3")
    lesson = trace_to_dict(t)["lesson"]
    assert lesson["title"] == t.lesson.title and lesson["scene"] == "b3"
    assert lesson["source"] == str(LESSONS_DIR / "b3.yaml")
    assert lesson["data"] == {"x": [0.0, 0.5, 1.0], "y": [0.0, 1.0, 0.0]}
    assert lesson["network"]["activation"] == "softplus"
    assert lesson["network"]["params"] == {"w1": 3.34, "w2": -3.53, "w3": -1.22, "w4": -2.3,
                                           "b1": -1.43, "b2": 0.57, "b3": 0.0}
    assert lesson["optimize"] == ["b3"]
    assert lesson["descent"] == {"learning_rate": 0.1, "min_step_size": 0.001, "max_steps": 1000}
    assert lesson["sweep"]["param"] == "b3" and lesson["sweep"]["range"] == [0.0, 3.0]
    assert lesson["sweep"]["probes"] == [0.0, 1.0, 2.0, 3.0]


@pytest.mark.parametrize("name", ["b3", "three_params"])
def test_steps_hold_every_descent_state_exactly(name):
    """Each step entry has the contract's keys and the descent's values at full precision."""
    t = traced(name)
    d = t.descent
    steps = trace_to_dict(t)["steps"]
    assert len(steps) == len(d)
    for i in (0, 1, len(d) - 1):
        step = steps[i]
        assert list(step) == STEP_KEYS
        assert step["index"] == i
        assert list(step["params"]) == list(d.names)
        assert list(step["params"].values()) == d.params[i].tolist()
        assert step["predicted"] == d.predicted[i].tolist()
        assert step["residuals"] == d.residuals[i].tolist()
        assert step["ssr"] == float(d.ssr[i])
        assert list(step["gradient"]) == list(t.lesson.optimize) == list(step["step_size"])
        assert list(step["gradient"].values()) == d.gradient[i].tolist()
        assert list(step["step_size"].values()) == d.step_size[i].tolist()


def test_b3_steps_show_the_reference_numbers():
    """The exported b3 steps carry the slope -15.655 and new b3 1.5655 unrounded."""
    steps = trace_to_dict(traced("b3"))["steps"]
    assert steps[0]["gradient"]["b3"] == pytest.approx(-15.655, abs=0.0005)
    assert steps[1]["params"]["b3"] == pytest.approx(1.5655, abs=0.00005)
    assert steps[1]["params"]["b3"] != round(steps[1]["params"]["b3"], 4)  # not rounded


@pytest.mark.parametrize(("name", "status", "updates"), [
    ("b3", "converged", 9), ("three_params", "max_steps", 1000), ("all_params", "max_steps", 9000)])
def test_final(name, status, updates):
    """final holds the last parameters, SSR, the number of updates taken and the status."""
    t = traced(name)
    final = trace_to_dict(t)["final"]
    assert list(final) == ["params", "ssr", "steps", "status"]
    assert final["status"] == status and final["steps"] == updates
    assert final["params"] == dict(t.descent.final.params)
    assert final["ssr"] == t.descent.final.ssr


def test_sweep_section():
    """sweep holds the curve and the probes with their SSR."""
    t = traced("b3")
    s = trace_to_dict(t)["sweep"]
    assert list(s) == ["param", "values", "ssr", "probes"]
    assert s["param"] == "b3"
    assert s["values"] == t.sweep.values.tolist() and s["ssr"] == t.sweep.ssr.tolist()
    assert [p["value"] for p in s["probes"]] == [0.0, 1.0, 2.0, 3.0]
    assert [p["ssr"] for p in s["probes"]] == pytest.approx([20.424, 7.768, 1.113, 0.458],
                                                            abs=0.0005)


def test_start_section():
    """start is the forward pass at the data: per-node lists, predicted, residuals and SSR."""
    t = traced("b3")
    start = trace_to_dict(t)["start"]
    assert list(start) == ["hidden_x", "hidden_y", "scaled", "predicted", "residuals", "ssr"]
    for key in ("hidden_x", "hidden_y", "scaled"):
        assert len(start[key]) == 2 and all(len(row) == 3 for row in start[key])
    assert start["predicted"] == pytest.approx([-2.604, -1.609, -2.615], abs=0.0005)
    assert start["ssr"] == pytest.approx(20.424, abs=0.0005)
    assert np.allclose(np.sum(start["scaled"], axis=0) + 0.0, start["predicted"])
    assert np.allclose(start["residuals"], np.array([0.0, 1.0, 0.0]) - start["predicted"])


@pytest.mark.parametrize("name", ["b3", "three_params", "all_params"])
def test_chain_rule_section(name):
    """chain_rule has every parameter; factors multiply to terms, which sum to the gradient."""
    t = traced(name)
    chain = trace_to_dict(t)["chain_rule"]
    assert list(chain) == list(t.lesson.network.names)
    for param, entry in chain.items():
        assert list(entry) == ["factors", "terms", "total"]
        for factor in entry["factors"]:
            assert list(factor) == ["name", "numerator", "denominator", "values"]
            assert factor["name"] == f"d{factor['numerator']}/d{factor['denominator']}"
        product = np.prod([f["values"] for f in entry["factors"]], axis=0)
        assert np.allclose(product, entry["terms"], rtol=1e-12, atol=1e-12)
        assert entry["total"] == pytest.approx(sum(entry["terms"]), rel=1e-12, abs=1e-12)
        if param in t.lesson.optimize:
            assert entry["total"] == pytest.approx(t.descent[0].gradient[param], rel=1e-9)


def test_b3_chain_rule_factors():
    """The b3 derivative is dSSR/dpredicted x dpredicted/db3, totalling -15.655."""
    entry = trace_to_dict(traced("b3"))["chain_rule"]["b3"]
    assert [f["name"] for f in entry["factors"]] == ["dSSR/dpredicted", "dpredicted/db3"]
    assert entry["factors"][1]["values"] == [1.0, 1.0, 1.0]
    assert entry["total"] == pytest.approx(-15.655, abs=0.0005)


def test_curves_section():
    """curves holds the grid, each node's curve before and after scaling, and the squiggle."""
    t = traced("b3")
    curves = trace_to_dict(t)["curves"]
    assert list(curves) == ["x", "hidden_y", "scaled", "squiggle"]
    n = len(curves["x"])
    assert curves["x"] == t.grid.tolist() and n > 100
    assert len(curves["hidden_y"]) == len(curves["scaled"]) == 2
    assert all(len(row) == n for row in curves["hidden_y"] + curves["scaled"])
    assert np.allclose(np.sum(curves["scaled"], axis=0), curves["squiggle"])  # b3 = 0 at start


@pytest.mark.parametrize("name", ["b3", "three_params"])
def test_json_text_parses_to_the_dict(name):
    """The JSON text reads back equal to trace_to_dict, floats bit for bit."""
    t = traced(name)
    assert json.loads(trace_to_json(t)) == trace_to_dict(t)


def test_all_params_json_has_9001_steps():
    """The long all_params descent exports all 9001 states."""
    data = json.loads(trace_to_json(traced("all_params")))
    assert len(data["steps"]) == 9001 and data["steps"][-1]["index"] == 9000


@pytest.mark.parametrize("name", ["b3", "three_params"])
def test_yaml_text_parses_to_the_dict(name):
    """The YAML text reads back with PyYAML's safe loader equal to the JSON contract."""
    t = traced(name)
    # The pure-Python loader takes seconds on a thousand steps; libyaml's is the same parser.
    loader = yaml.SafeLoader if name == "b3" else getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    assert yaml.load(trace_to_yaml(t), Loader=loader) == json.loads(trace_to_json(t))


def test_yaml_float_spelling_round_trips():
    """Floats with exponents and without a dot still read back as the same floats in YAML."""
    from bpcore.outputs.export import _yaml_flow

    step = {"index": 3, "params": {"w1": 1e-05, "b1": -2.5e20, "b2": 1e16, "b3": 0.1},
            "predicted": [5e-324, -0.0, 1.0]}
    assert yaml.safe_load(_yaml_flow(step)) == step


@pytest.mark.parametrize("name", ["b3", "three_params"])
def test_csv_header_and_rows(name):
    """CSV has the documented header and one row per step, values at full precision."""
    t = traced(name)
    d = t.descent
    rows = list(csv.reader(io.StringIO(trace_to_csv(t))))
    header, body = rows[0], rows[1:]
    optimize = list(t.lesson.optimize)
    assert header == ["step", *d.names, "ssr", *(f"gradient_{n}" for n in optimize),
                      *(f"step_size_{n}" for n in optimize)]
    assert len(body) == len(d)
    for i in (0, 1, len(d) - 1):
        row = dict(zip(header, body[i], strict=True))
        assert int(row["step"]) == i
        assert [float(row[n]) for n in d.names] == d.params[i].tolist()
        assert float(row["ssr"]) == float(d.ssr[i])
        assert [float(row[f"gradient_{n}"]) for n in optimize] == d.gradient[i].tolist()
        assert [float(row[f"step_size_{n}"]) for n in optimize] == d.step_size[i].tolist()


def test_trace_to_text_dispatches_and_refuses_unknown_formats():
    """trace_to_text gives each format's text and refuses an unknown one."""
    t = traced("b3")
    assert FORMATS == ("json", "yaml", "csv")
    assert trace_to_text(t, "csv") == trace_to_csv(t)
    assert trace_to_text(t, "json") == trace_to_json(t)
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        trace_to_text(t, "xml")


@pytest.mark.parametrize("every", [1, 7, 8000, 10**6])
def test_every_keeps_every_nth_step_and_the_last(every):
    """--every N keeps steps 0, N, 2N, ... and the last, each equal to the full export's step."""
    t = traced("all_params")
    full = trace_to_dict(t)["steps"]
    thinned = json.loads(trace_to_json(t, every=every))["steps"]
    last = len(full) - 1
    assert [s["index"] for s in thinned] == sorted({*range(0, last + 1, every), last})
    assert thinned == [full[s["index"]] for s in thinned]
    rows = list(csv.reader(io.StringIO(trace_to_csv(t, every=every))))[1:]
    assert [int(r[0]) for r in rows] == [s["index"] for s in thinned]


def test_steps_are_written_in_blocks(monkeypatch):
    """The writers make one write per block of steps, never the whole trace in one string."""
    import bpcore.outputs.export as export

    monkeypatch.setattr(export, "BLOCK", 1000)
    writes = []

    class Recorder(io.StringIO):
        def write(self, text):
            writes.append(len(text))
            return super().write(text)

    out = Recorder()
    export.write_trace(traced("all_params"), "json", out)
    assert json.loads(out.getvalue()) == trace_to_dict(traced("all_params"))
    step_bytes = len(out.getvalue()) / 8001
    assert max(writes) < 1100 * step_bytes + 200_000  # a block of steps, or the sweep/curves
