"""No two labels of the network diagram overlap, for 1 to 4 hidden nodes, with and without
values, as each of the three scenes builds the diagram; and labels and tables stay readable.

Every label is a box (its bounding box); so are the nodes, the input and output words. The
check is plain box intersection, independent of the placement code's own cost function.
Lessons are made up here, the worst cases for room: every value negative with 4 significant
digits (-12.34 with ``display.digits: 4``), and the issue's example (4 ReLU
nodes on 5 points, optimizing w5..w8 and b5, whose "+b2 = 0" ran into "×w6 = 0.5").
"""

from __future__ import annotations

import functools
import itertools
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bpcore.model.network import Network, param_names

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit.backward import BackpropDiagram  # noqa: E402
from kit.network import NetworkDiagram  # noqa: E402
from kit.param_table import ParamTable  # noqa: E402

PIXELS_DOWN = 480  # -ql
FRAME_HEIGHT = 8.0  # manim's frame, in scene units
#: The smallest height of a table's digits at 480p, in pixels (cap height: 9 px digits are
#: about a 13 px font, the smallest that reads comfortably on a phone).
MIN_TEXT_PIXELS = 9
#: A diagram label's ink, top of the digits to the foot of the subscript, at 480p in pixels:
#: 10 px is digits about 7 px high, small but legible (a recap, not the lesson's main view).
MIN_LABEL_PIXELS = 10


@pytest.fixture(scope="module", autouse=True)
def own_text_dir(tmp_path_factory: pytest.TempPathFactory):
    """Pango output in a folder of this module's own, clear of any render running beside."""
    from manim import tempconfig

    with tempconfig({"text_dir": str(tmp_path_factory.mktemp("layout-texts")),
                     "tex_dir": str(tmp_path_factory.mktemp("layout-tex")),
                     "verbosity": "WARNING"}):
        yield


def four_digit_values(k: int) -> dict[str, float]:
    """Every parameter negative with 4 significant digits, two before the point (-12.34)."""
    rng = np.random.default_rng(k)
    return {n: -round(float(rng.uniform(10, 99.99)), 2) for n in param_names(k)}


def issue_values(k: int) -> dict[str, float]:
    """The issue's example, spread over k nodes: 0, 0.5 and -1 (short values, many of them)."""
    return dict(zip(param_names(k), itertools.cycle([0.5, 0.0, -1.0, 1.3]), strict=False))


VALUES = {"4 digits": (four_digit_values, 4), "issue": (issue_values, 3)}


@functools.cache
def diagram(kind: str, k: int, values: str, with_values: bool, learning: str):
    """A diagram as a scene builds it (cached: several scenes show the same one)."""
    make, digits = VALUES[values]
    net = Network.from_params("relu", make(k))
    learn = {"bias": [net.names[-1]], "output layer": output_layer(net),
             "all": list(net.names), "none": []}[learning]
    cls = {"network": NetworkDiagram, "backprop": BackpropDiagram}[kind]
    return cls(net, learning=learn, digits=digits if with_values else None)


def output_layer(net: Network) -> list[str]:
    """The output weights and bias: what the issue's lesson optimizes."""
    k = net.hidden
    return [*net.names[k:2 * k], net.names[-1]]


#: The summary's small copy of the fitted network (b3, three_params): labels must not overlap,
#: but it is a reminder, not the lesson's main view, and may be smaller than MIN_LABEL_PIXELS.
RECAP = "recap"


# Each scene's diagrams, built as the scene builds them, with the room the scene shows them
# in (width, height; None: at its own size): b3 (scenes/b3.py) shows the names, then the
# values, at their own size, and at the end a recap of the fitted network (the values'
# layout: colours do not move labels); three_params its learning output layer with values, between
# the title and the legend; all_params the values (or, when they do not fit, names and a
# table beside) and the names for the backward pass.
def b3_diagrams(k: int, values: str) -> list:
    return [(diagram("network", k, values, False, "bias"), None),
            (diagram("network", k, values, True, "bias"), None),
            (diagram("network", k, values, True, "bias"), RECAP)]


def three_params_diagrams(k: int, values: str) -> list:
    return [(diagram("network", k, values, True, "output layer"), (14.2 - 2, 8.0 - 2.5))]


def all_params_diagrams(k: int, values: str) -> list:
    valued = diagram("backprop", k, values, True, "all")
    room = (12.6, 6.0)
    if valued.crowded:
        valued, room = diagram("backprop", k, values, False, "all"), (8.0, 6.0)
    return [(valued, room), (diagram("backprop", k, values, False, "all"), (13.0, 6.4))]


SCENES: dict[str, Callable[[int, str], list]] = {
    "b3": b3_diagrams, "three_params": three_params_diagrams, "all_params": all_params_diagrams}


def box(mob) -> tuple[float, float, float, float]:
    (left, bottom), (right, top) = mob.get_corner([-1, -1, 0])[:2], mob.get_corner([1, 1, 0])[:2]
    return left, bottom, right, top


def overlapping(diagram) -> list[str]:
    """Every pair of labels, nodes and words whose boxes intersect."""
    parts = {f"label {n} ({m.text})": m for n, m in diagram.labels.items()}
    parts.update({f"node {i + 1}": m for i, m in enumerate(diagram.hidden_nodes)})
    parts.update({"input node": diagram.input_node, "sum node": diagram.sum_node,
                  "input words": diagram.input_text, "output words": diagram.output_text})
    found = []
    for (a, ma), (b, mb) in itertools.combinations(parts.items(), 2):
        al, ab, ar, at = box(ma)
        bl, bb, br, bt = box(mb)
        if min(ar, br) > max(al, bl) and min(at, bt) > max(ab, bb):
            found.append(f"{a} / {b}")
    return found


def label_pixels(diagram, label, room) -> float:
    """The height of a label's ink (its white backing left out) in pixels at 480p, with the
    diagram scaled into ``room`` as the scene scales it (to the width, then down to the
    height)."""
    from manim import BackgroundRectangle

    ink = [m for m in label.submobjects if not isinstance(m, BackgroundRectangle)]
    top = max(m.get_top()[1] for m in ink)
    bottom = min(m.get_bottom()[1] for m in ink)
    scale = 1.0
    if room is not None:
        width, height = room
        scale = width / diagram.width
        if height is not None:
            scale = min(scale, height / diagram.height)
    return (top - bottom) * scale * PIXELS_DOWN / FRAME_HEIGHT


@pytest.mark.parametrize("values", list(VALUES))
@pytest.mark.parametrize("k", [1, 2, 3, 4])
@pytest.mark.parametrize("scene", list(SCENES))
def test_no_two_labels_overlap(scene: str, k: int, values: str) -> None:
    """However many hidden nodes (1 to 4) and however long the values, no label of the
    diagrams a scene shows touches another label, a node or the input and output words, and
    every label stays readable at 480p."""
    for shown, room in SCENES[scene](k, values):
        assert not shown.crowded, f"{scene}: some label found no free spot"
        assert overlapping(shown) == []
        if room == RECAP:
            continue
        smallest = min(label_pixels(shown, m, room) for m in shown.labels.values())
        assert smallest >= MIN_LABEL_PIXELS, f"{scene}: labels {smallest:.1f} px high at 480p"


def test_the_issues_lesson_no_longer_overlaps() -> None:
    """The issue's lesson (4 ReLU nodes, output layer learning): "+b2 = 0" and "×w6 = 0.5",
    "+b3 = -1" and "×w8 = 0.5" are apart on the three_params diagram."""
    params = {"w1": 2.1, "b1": -0.4, "w2": -2.2, "b2": 0.0, "w3": 1.3, "b3": -1.0, "w4": 0.9,
              "b4": 0.2, "w5": 0.5, "w6": 0.5, "w7": -0.4, "w8": 0.5, "b5": 0.0}
    net = Network.from_params("relu", params)
    diagram = NetworkDiagram(net, learning=output_layer(net), digits=3)
    assert overlapping(diagram) == []


def test_labels_shrink_only_when_they_must() -> None:
    """A roomy diagram keeps its labels at full size; long values on 4 nodes shrink them (all
    alike) rather than let them collide."""
    short = diagram("network", 2, "issue", True, "bias")
    assert short.labels["w1"].height == pytest.approx(short._label("w1").height)  # not scaled
    long = diagram("network", 4, "4 digits", True, "bias")
    ratios = {round(m.height / long._label(n).height, 6) for n, m in long.labels.items()}
    assert len(ratios) == 1 and ratios.pop() < 1


@pytest.mark.parametrize("k", [1, 2, 4])  # 4, 7 and 13 parameters
def test_table_rows_readable_at_480p(k: int) -> None:
    """The parameter table of every parameter of a k-node network (up to 13, 4-digit values),
    in the room all_params gives it beside the descent (about 5.8 x 3.9 units, right of the
    data and under the SSR plot), fits that room and keeps its digits at least
    MIN_TEXT_PIXELS high at 480p."""
    names = param_names(k)
    room = (5.8, 3.9)
    table = ParamTable.fitting(names, four_digit_values(k), *room, learning=names, digits=4)
    assert table.width <= room[0] and table.height <= room[1]
    digits = min(row.value.height for row in table.rows.values())
    pixels = digits * PIXELS_DOWN / FRAME_HEIGHT
    assert pixels >= MIN_TEXT_PIXELS, f"{len(names)} parameters: digits {pixels:.1f} px at 480p"


def test_fitting_picks_the_columns_with_the_largest_font() -> None:
    """A wide, low room takes the 13 parameters in more columns than a narrow, tall one, and
    each table fits its room."""
    names = param_names(4)
    values = four_digit_values(4)
    wide = ParamTable.fitting(names, values, 12.0, 2.0, digits=4)
    tall = ParamTable.fitting(names, values, 3.0, 7.0, digits=4)
    assert ParamTable.columns_needed(13, wide_rows(wide)) > ParamTable.columns_needed(
        13, wide_rows(tall))
    assert wide.width <= 12.0 and wide.height <= 2.0
    assert tall.width <= 3.0 and tall.height <= 7.0


def wide_rows(table: ParamTable) -> int:
    """Rows per column: how many names share the first name's column (same left edge)."""
    first = table.rows[table.names[0]].name.get_left()[0]
    return sum(abs(r.name.get_left()[0] - first) < 1e-6 for r in table.rows.values())
