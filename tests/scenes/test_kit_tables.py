"""The shared descent widgets: parameter table, SSR-by-step plot and chain-rule table.

Built in this process without rendering; they must place trace values, for any network size
and any set of optimized parameters.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from bpcore.display import fmt
from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.lesson.trace import trace_lesson
from bpcore.model.network import Network, param_names

SCENES_DIR = Path(__file__).resolve().parents[2] / "scenes"
if str(SCENES_DIR) not in sys.path:
    sys.path.insert(0, str(SCENES_DIR))

from kit.chain_table import ChainTable  # noqa: E402
from kit.descent_plots import SSRByStep, wants_log  # noqa: E402
from kit.param_table import ParamTable  # noqa: E402
from kit.style import FIXED, LEARNING  # noqa: E402
from kit.text import shown  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def own_tex_dir(tmp_path_factory: pytest.TempPathFactory):
    """LaTeX and Pango output in folders of this module's own: a render running beside the
    tests may be half-way through writing the same file in the shared media/Tex or media/texts."""
    from manim import tempconfig

    with tempconfig({"tex_dir": str(tmp_path_factory.mktemp("kit-tex")),
                     "text_dir": str(tmp_path_factory.mktemp("kit-texts")),
                     "verbosity": "WARNING"}):
        yield


@pytest.fixture(scope="module")
def trace():
    return trace_lesson(Lesson.from_file(LESSONS_DIR / "three_params.yaml"))


def test_param_table_colours_and_updates(trace) -> None:
    """Optimized parameters start red, fixed ones green; an update shows the new values and
    turns settled parameters green, and a step that changes nothing shown animates nothing."""
    d = trace.descent
    table = ParamTable(d.names, d[0].params, d.optimize, digits=3)
    # The glyphs carry the colour (a Pango text's own colour is not its letters').
    assert [table.rows[n].name[0].get_color() for n in d.names] == [
        LEARNING if n in d.optimize else FIXED for n in d.names]
    animations = table.step_animations(d[1], settled=["w4"])
    assert animations
    assert table.rows["w3"].value.text == shown(d[1].params["w3"], 3) == "0.102"
    assert table.color_of("w4") == FIXED and table.color_of("w3") == LEARNING
    assert table.step_animations(d[1], settled=["w4"]) == []
    fast = table.step_animations(d[2], fast=True)
    assert fast and all(type(a).__name__ == "Swap" for a in fast)
    assert table.rows["w3"].value.text == shown(d[2].params["w3"], 3)
    # At once: the new values are in place straight away, and nothing is left to animate.
    assert table.step_animations(d[3], settled=["w3"], at_once=True) == []
    row = table.rows["w3"]
    assert row.value.text == shown(d[3].params["w3"], 3) and row.value in row.submobjects
    assert row.name[0].get_color() == FIXED


@pytest.mark.parametrize("hidden", [1, 2, 3, 4])
def test_param_table_fits_every_network(hidden: int) -> None:
    """With up to 13 parameters the table uses at most two columns and stays on screen."""
    names = param_names(hidden)
    table = ParamTable(names, {n: -12.345 for n in names}, names, digits=3)
    assert ParamTable.columns_needed(len(names)) <= 2
    assert table.height < 6 and table.width < 7


def test_ssr_plot_places_every_state(trace) -> None:
    """The marker moves to each state's (step, SSR); SSR falling 1e10-fold gets a log scale."""
    ssr = trace.descent.ssr
    assert wants_log(ssr)
    plot = SSRByStep(ssr)
    plot.shift(np.array([1.0, -1.0, 0.0]))  # placing it afterwards must not matter
    for step in (1, 10, 1000):
        plot.advance_to(step)  # the trail grows to the state; the marker moves when played
        expected = plot.axes.c2p(step, np.log10(ssr[step]) - plot.lowest_decade)
        np.testing.assert_allclose(plot.trail[-1].get_end(), expected, atol=1e-6)
    plot.jump_to(1000)
    np.testing.assert_allclose(plot.marker.get_center(), expected, atol=1e-6)
    linear = SSRByStep(ssr[:20], log=False)
    linear.jump_to(19)
    np.testing.assert_allclose(linear.marker.get_center(), linear.axes.c2p(19, ssr[19]),
                               atol=1e-6)


def test_chain_table_blocks_hold_the_trace(trace) -> None:
    """Each block's columns are the trace's factors after the shared one, and its sum is
    d SSR / d parameter; the three blocks of the lesson fit one page."""
    chain = trace.chain_at(0)
    opt = trace.lesson.optimize
    table = ChainTable.fitted(13.6, 5.0, chain, opt, trace.lesson.network, trace.lesson.x, 3)
    assert table.pages(13.6) == [list(opt)]
    assert table.scale >= 0.8
    for p in opt:
        block = table.blocks[p]
        assert len(block.columns) == len(chain[p].factors) - 1
        assert block.total[1].text == fmt(chain[p].total).replace("-", "\u2212")


def test_chain_table_pages_every_parameter_of_a_big_network() -> None:
    """All 13 parameters of a 4-node network spread over pages, each no wider than asked."""
    names = param_names(4)
    net = Network.from_params("sigmoid", {n: 0.1 * (i + 1) for i, n in enumerate(names)})
    from bpcore.model.chain import chain_rule

    x = [0.0, 0.5, 1.0]
    table = ChainTable.fitted(13.6, 5.0, chain_rule(net, x, [0, 1, 0]), names, net, x, 3)
    pages = table.pages(13.6)
    assert [p for page in pages for p in page] == list(names)
    for page in pages:
        assert table.layout(page, 0.0, 0.0).width <= 13.6 + 1e-6
        assert table.layout(page, 0.0, 0.0).height <= 5.0 + 1e-6
