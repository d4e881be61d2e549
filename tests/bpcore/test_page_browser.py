"""The lesson page in headless Chromium: its math, numbers and controls agree with bpcore.

One browser session serves the whole module; each test opens the page it needs from disk.
The page's script exposes ``window.bpPage`` (its math functions and a read-only view of its
state) so the tests can compare numbers exactly rather than by reading pixels.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from bpcore.cli import bp
from bpcore.display import fmt
from bpcore.errors import DivergenceError
from bpcore.lesson.file import LESSONS_DIR, VALUE_LIMIT, Lesson
from bpcore.lesson.settling import settled_at
from bpcore.lesson.trace import trace_lesson
from bpcore.model.activations import ACTIVATIONS
from bpcore.model.chain import chain_rule, fit, gradient
from bpcore.model.descent import descend
from bpcore.model.network import Network, forward_arrays, param_names

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import chromium, open_page, requested_urls  # noqa: E402

LESSONS = sorted(LESSONS_DIR.glob("*.yaml"))
REL = 1e-9


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> Path:
    """Every shipped lesson's page, written by ``bp page``."""
    out = tmp_path_factory.mktemp("pages")
    result = CliRunner().invoke(bp, ["page", *map(str, LESSONS), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


def load(browser, pages: Path, name: str) -> None:
    open_page(browser, pages / f"{name}.html")


def assert_close(actual, expected, rel: float = REL) -> None:
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=rel, atol=rel * 1e-3)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_page_loads_offline_without_errors(browser, pages, lesson):
    """The page loads from file:// asking for nothing but itself, and logs no console message."""
    browser.get_log("browser")
    requested_urls(browser)
    load(browser, pages, lesson.stem)
    urls = requested_urls(browser)
    assert urls and all(u == (pages / f"{lesson.stem}.html").as_uri() or u.startswith("data:")
                        for u in urls), urls
    assert browser.get_log("browser") == []
    text = browser.find_element(By.TAG_NAME, "body").text
    assert Lesson.from_file(lesson).title in text


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_every_descent_step_matches_the_trace(browser, pages, lesson):
    """At every step of the descent the page's parameters, SSR and slopes are the trace's."""
    descent = trace_lesson(Lesson.from_file(lesson)).descent
    load(browser, pages, lesson.stem)
    states = browser.execute_script("""
        const out = {values: [], ssr: [], slopes: []};
        for (let s = 0; s < arguments[0]; s++) {
            const st = bpPage.stateAt(s);
            out.values.push(st.values); out.ssr.push(st.ssr); out.slopes.push(st.slopes);
        }
        return out;""", len(descent))
    np.testing.assert_array_equal(states["values"], descent.params)  # embedded exactly
    assert_close(states["ssr"], descent.ssr)
    assert_close(states["slopes"], descent.gradient)
    # The player shows those states: a spread of steps, reached through its step control.
    for step in sorted({0, 1, len(descent) - 1, *range(0, len(descent), 997)}):
        shown = browser.execute_script("""
            const input = document.getElementById('step');
            input.value = String(arguments[0]);
            input.dispatchEvent(new Event('input', {bubbles: true}));
            return [bpPage.state(), document.getElementById('step-readout').textContent];""",
                                       step)
        assert shown[0]["step"] == step and shown[0]["values"] == descent.params[step].tolist()
        assert f"Step {step} of {descent.updates}" in shown[1]
        assert f"SSR = {fmt(descent.ssr[step], trace_digits(lesson))}" in shown[1]


def trace_digits(lesson: Path) -> int:
    return Lesson.from_file(lesson).digits


def random_case(rng: np.random.Generator, k: int):
    values = rng.normal(0, 2, 3 * k + 1)
    x = np.concatenate([[0.0], rng.uniform(-2, 2, 5)])
    values[2 * k] = 0.0  # node 1 sits exactly on relu's kink at x = 0
    return values, x, rng.normal(0, 1, x.size)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_forward_pass_and_gradient_match_bpcore(browser, pages, activation):
    """On random networks (k = 1..4) the page's forward pass, gradient, chain rule are bpcore's."""
    load(browser, pages, "b3")
    rng = np.random.default_rng(sum(map(ord, activation)))
    for k in range(1, 5):
        for _ in range(3):
            values, x, y = random_case(rng, k)
            page = browser.execute_script("""
                const [values, k, act, x, y, names] = arguments;
                return {
                  forward: bpPage.forward(values, k, act, x),
                  gradient: bpPage.gradient(values, k, act, x, y),
                  chain: names.map((n) => bpPage.chainRule(values, k, act, x, y, n)),
                  names: bpPage.paramNames(k),
                };""", values.tolist(), k, activation, x.tolist(), y.tolist(), list(param_names(k)))
            params = dict(zip(param_names(k), values, strict=True))
            network = Network.from_params(activation, params)
            assert page["names"] == list(network.names)
            expected = forward_arrays(network.values, k, network.activation, x)
            for key, want in zip(("hiddenX", "hiddenY", "scaled", "summed", "predicted"),
                                 expected, strict=True):
                assert_close(page["forward"][key], want)
            assert_close(page["gradient"], gradient(network, x, y))
            for got, (name, want) in zip(page["chain"], chain_rule(network, x, y).items(),
                                         strict=True):
                assert got["param"] == name
                assert [(f["numerator"], f["denominator"]) for f in got["factors"]] == \
                    [(f.numerator, f.denominator) for f in want.factors]
                for f_got, f_want in zip(got["factors"], want.factors, strict=True):
                    assert_close(f_got["values"], f_want.values)
                assert_close(got["terms"], want.terms)
                assert_close(got["total"], want.total)


def fmt_cases() -> list[float]:
    """Values across magnitudes, signs, exact ties, powers of ten and their neighbours."""
    rng = np.random.default_rng(7)
    values = list(10.0 ** rng.uniform(-30, 30, 400) * rng.choice([-1, 1], 400))
    values += list(rng.normal(0, 10, 200)) + list(rng.integers(-10**6, 10**6, 50).astype(float))
    values += [0.125, 0.375, 2.5, -2.5, 0.0625, 1.5, 0.5, 1e21, 1e22, 123456789.5, -0.0,
               0.0, 9.995, 9.9949999, 0.00045, 1e-300, 5e-324, 1.7976931348623157e308]
    for e in range(-12, 24):
        p = 10.0 ** e
        values += [p, np.nextafter(p, 0), np.nextafter(p, np.inf), 9.5 * p, 9.9995 * p]
    return [float(v) for v in values]


def test_number_display_mirrors_bpcore_fmt(browser, pages):
    """The page formats every value exactly as bpcore.display.fmt does, for 1 to 8 digits."""
    load(browser, pages, "b3")
    values = fmt_cases()
    for digits in range(1, 9):
        got = browser.execute_script(
            "return arguments[0].map((v) => bpPage.fmt(v, arguments[1]));", values, digits)
        want = [fmt(v, digits) for v in values]
        mismatches = [(v, g, w) for v, g, w in zip(values, got, want, strict=True) if g != w]
        assert not mismatches, mismatches[:5]


def set_slider(browser, name: str, value: float) -> None:
    """Move a slider as a drag does: a new value, then an input event."""
    browser.execute_script("""
        const range = document.getElementById('slider-' + arguments[0]);
        range.focus();
        range.value = String(arguments[1]);
        range.dispatchEvent(new Event('input', {bubbles: true}));""", name, value)


def test_b3_slider_moves_the_ssr_readout(browser, pages):
    """Moving b3 to 1, 2 and 3 shows bpcore's SSR there by the lesson's display rule."""
    lesson = Lesson.from_file(LESSONS_DIR / "b3.yaml")
    load(browser, pages, "b3")
    readout = browser.find_element(By.ID, "ssr-readout")
    for value in (1, 2, 3):
        set_slider(browser, "b3", value)
        ssr = fit(lesson.network.replace(b3=value), lesson.x, lesson.y).ssr
        assert readout.text == f"SSR = {fmt(ssr, lesson.digits)}"
        assert browser.execute_script("return bpPage.state().step") is None


def test_keyboard_moves_a_slider_and_steps_training(browser, pages):
    """Arrow keys move the focused slider by its step, and Enter on "One step" takes a step."""
    lesson = Lesson.from_file(LESSONS_DIR / "b3.yaml")
    trace = trace_lesson(lesson)
    load(browser, pages, "b3")
    slider = browser.find_element(By.ID, "slider-b3")
    slider.send_keys(Keys.ARROW_RIGHT)
    b3 = browser.execute_script("return bpPage.state().values")[lesson.network.index("b3")]
    assert b3 == pytest.approx(float(slider.get_attribute("step")))
    browser.find_element(By.ID, "reset").send_keys(Keys.ENTER)
    browser.find_element(By.ID, "train-step").send_keys(Keys.ENTER)
    assert_close(browser.execute_script("return bpPage.state().values"), trace.descent.params[1])
    assert browser.execute_script("return bpPage.state().step") == 1


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_train_from_here_retraces_the_lesson(browser, pages, lesson):
    """Training from the start at the lesson's rate walks the lesson's path, step for step."""
    trace = trace_lesson(Lesson.from_file(lesson))
    descent = trace.descent
    load(browser, pages, lesson.stem)
    run = browser.execute_script("bpPage.goto(0); return bpPage.train(arguments[0], arguments[1]);",
                                 descent.learning_rate, descent.updates)
    assert_close(run["values"], descent.params[1:])
    assert browser.execute_script("return bpPage.state().step") == descent.updates
    if descent.status == "converged":
        after = browser.execute_script("return bpPage.train(arguments[0], 1);",
                                       descent.learning_rate)
        assert after["values"] == [] and after["status"].startswith("Converged")


def test_one_step_button_follows_the_b3_lesson(browser, pages):
    """Clicking "One step" from the start lands on each of the b3 lesson's states in turn."""
    trace = trace_lesson(Lesson.from_file(LESSONS_DIR / "b3.yaml"))
    load(browser, pages, "b3")
    button = browser.find_element(By.ID, "train-step")
    for step in range(1, len(trace.descent)):
        button.click()
        state = browser.execute_script("return bpPage.state()")
        assert_close(state["values"], trace.descent.params[step])
        assert state["step"] == step
    button.click()
    assert browser.find_element(By.ID, "train-status").text.startswith("Converged")


def test_diverging_rate_says_so(browser, pages):
    """At a rate `bp trace` finds diverging, training stops at the step `bp trace` names (its
    bound, ±1e100, not the float overflow), says so, and shows no NaN."""
    lesson = Lesson.from_file(LESSONS_DIR / "b3.yaml")

    def divergence(rate: float) -> str | None:
        try:
            descend(lesson.network, lesson.x, lesson.y, lesson.optimize, rate, 0.0, 100_000,
                    bound=VALUE_LIMIT)
        except DivergenceError as exc:
            return str(exc)
        return None

    rate, error = next((r, e) for r in (10.0, 100.0, 1000.0) if (e := divergence(r)))
    step = re.search(r"diverged at step (\d+)", error)[1]
    load(browser, pages, "b3")
    field = browser.find_element(By.ID, "rate")
    field.clear()
    field.send_keys(f"{rate:g}")
    speed = Select(browser.find_element(By.ID, "speed"))
    speed.select_by_index(len(speed.options) - 1)  # the fastest
    browser.find_element(By.ID, "train-run").click()
    WebDriverWait(browser, 30).until(
        lambda d: not d.execute_script("return bpPage.state().training"))
    status = browser.find_element(By.ID, "train-status").text
    assert status.startswith(f"Diverged at step {step} with learning rate {rate:g}:")
    text = browser.find_element(By.TAG_NAME, "body").text
    assert not re.search(r"NaN|Infinity|\binf\b", text)
    assert np.isfinite(browser.execute_script("return bpPage.state().values")).all()


def test_hidden_curves_toggle(browser, pages):
    """The checkbox shows one curve per hidden node, in the node colours, and hides them again."""
    lesson = Lesson.from_file(LESSONS_DIR / "three_params.yaml")
    load(browser, pages, "three_params")
    curves = browser.find_elements(By.CSS_SELECTOR, "#fit .hidden-curve")
    assert len(curves) == lesson.network.hidden
    assert not any(c.is_displayed() for c in curves)
    browser.find_element(By.ID, "show-hidden").click()
    assert all(c.is_displayed() and c.get_attribute("d") for c in curves)
    browser.find_element(By.ID, "show-hidden").click()
    assert not any(c.is_displayed() for c in curves)


def test_page_and_bp_trace_report_the_same_divergence_step(browser, pages, tmp_path):
    """A lesson whose rate diverges: `bp trace` refuses it naming a step, and the page's
    training from the lesson's start diverges at that same step."""
    lesson = tmp_path / "fast.yaml"
    text = (LESSONS_DIR / "b3.yaml").read_text(encoding="utf-8")
    lesson.write_text(text.replace("learning_rate: 0.1", "learning_rate: 10"), encoding="utf-8")
    result = CliRunner().invoke(bp, ["trace", str(lesson), "-o", str(tmp_path / "t.json")])
    assert result.exit_code == 2
    step = int(re.search(r"diverged at step (\d+)", result.output)[1])
    load(browser, pages, "b3")
    browser.execute_script("bpPage.goto(0); bpPage.train(10, 100000);")
    status = browser.execute_script("return bpPage.state().status")
    assert status.startswith(f"Diverged at step {step} with learning rate 10:"), status


def test_sigmoid_tails_match_bpcore(browser, pages):
    """The page's sigmoid and its slope agree with bpcore's to 1e-12 relative for |z| up to
    700, tails included (where 1 + tanh(z/2) loses every digit)."""
    load(browser, pages, "b3")
    z = np.concatenate([np.linspace(-700, 700, 281), [-40.0, -36.5, -25.0, 25.0, 36.5]])
    got = browser.execute_script("""
        const a = bpPage.activations.sigmoid;
        return arguments[0].map((z) => [a.fn(z), a.derivative(z)]);""", z.tolist())
    got = np.array(got, dtype=float)
    sigmoid = ACTIVATIONS["sigmoid"]
    np.testing.assert_allclose(got[:, 0], sigmoid.fn(z), rtol=1e-12, atol=0)
    np.testing.assert_allclose(got[:, 1], sigmoid.derivative(z), rtol=1e-12, atol=0)


def test_settled_parameters_turn_green_on_the_lesson_path(browser, pages):
    """Replaying three_params, a parameter is red before the step it settled at and green
    from that step on (bpcore.lesson.settling.settled_at), in the table, sliders and network."""
    trace = trace_lesson(Lesson.from_file(LESSONS_DIR / "three_params.yaml"))
    settled = settled_at(trace.descent, trace.lesson.digits,
                         trace.lesson.descent.min_step_size)
    name = max(trace.lesson.optimize, key=lambda n: settled[n] or 0)
    when = settled[name]
    assert when and when > 1
    load(browser, pages, "three_params")
    for step, kind in ((when - 1, "learning"), (when, "fixed")):
        classes = browser.execute_script("""
            const [step, name] = arguments;
            bpPage.goto(step);
            const row = [...document.querySelectorAll("#param-table tbody tr")]
              .find((tr) => tr.cells[0].textContent === name);
            return [bpPage.kindOf(name), row.className,
                    document.getElementById("slider-" + name).parentElement.className];""",
            step, name)
        assert classes[0] == kind and kind in classes[1].split() and kind in classes[2].split()
