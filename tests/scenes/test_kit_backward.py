"""kit.backward: derivative tags and labels on the network diagram never cover each other, for
1 to 4 hidden nodes, and the backward pass runs from the output to the input."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

from bpcore.display import fmt
from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.lesson.trace import trace_lesson
from bpcore.model.network import Network, param_names

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenes"))

from kit.backward import BackpropDiagram, BackwardPass  # noqa: E402
from kit.network import along, crossed_by_edge, foreign_edges  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def own_tex_dir(tmp_path_factory: pytest.TempPathFactory):
    """LaTeX and Pango output in folders of this module's own, clear of any render running
    beside the tests."""
    from manim import tempconfig

    with tempconfig({"tex_dir": str(tmp_path_factory.mktemp("backward-tex")),
                     "text_dir": str(tmp_path_factory.mktemp("backward-text"))}):
        yield


def network(k: int, activation: str = "relu") -> Network:
    rng = np.random.default_rng(k)
    return Network.from_params(activation, {n: float(rng.normal()) for n in param_names(k)})


def gradients(net: Network) -> dict[str, str]:
    """Wide derivative texts, the worst case for room: a minus sign and three digits."""
    rng = np.random.default_rng(net.hidden + 10)
    return {n: fmt(-abs(rng.normal()) / 100) for n in net.names}


def boxes_touch(a, b) -> bool:
    (al, ab), (ar, at) = a.get_corner([-1, -1, 0])[:2], a.get_corner([1, 1, 0])[:2]
    (bl, bb), (br, bt) = b.get_corner([-1, -1, 0])[:2], b.get_corner([1, 1, 0])[:2]
    return min(ar, br) > max(al, bl) and min(at, bt) > max(ab, bb)


def collisions(diagram: BackpropDiagram, backward: BackwardPass | None = None) -> list[str]:
    """Pairs of labels, tags and nodes whose boxes overlap."""
    parts = {f"label {n}": m for n, m in diagram.labels.items()}
    parts.update({f"node {i}": m for i, m in enumerate(diagram.hidden_nodes)})
    parts.update({"input": diagram.input_node, "sum": diagram.sum_node,
                  "output text": diagram.output_text, "input text": diagram.input_text})
    if backward is not None:
        parts.update({f"tag {n}": m for n, m in backward.tags.items()})
    return [f"{a} / {b}" for (a, ma), (b, mb) in itertools.combinations(parts.items(), 2)
            if boxes_touch(ma, mb)]


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_tags_and_labels_never_overlap(k: int) -> None:
    """With k hidden nodes, no tag or label covers another, a node, or a foreign edge."""
    net = network(k)
    diagram = BackpropDiagram(net, learning=net.names)
    backward = BackwardPass(diagram, gradients(net))
    assert not diagram.crowded and not backward.crowded
    assert collisions(diagram, backward) == []
    for name, tag in backward.tags.items():
        crossed = [e for e in foreign_edges(diagram, name) if crossed_by_edge(tag, e)]
        assert not crossed, f"tag {name} lies on another edge"
    assert set(backward.tags) == set(net.names)


def test_the_shipped_lessons_values_fit_on_the_diagram() -> None:
    """The all_params lesson's starting values fit on a 2-node diagram with room to spare."""
    lesson = Lesson.from_file(LESSONS_DIR / "all_params.yaml")
    diagram = BackpropDiagram(lesson.network, learning=lesson.optimize, digits=lesson.digits)
    assert not diagram.crowded
    assert collisions(diagram) == []


def test_crowded_values_are_reported() -> None:
    """Values too long to fit on a 4-node diagram even with the labels shrunk are reported (the
    scene then shows the values in a table), and a names-only diagram has room."""
    net = Network.from_params("sigmoid", {n: -0.0012345678 for n in param_names(4)})
    assert BackpropDiagram(net, digits=8).crowded
    assert not BackpropDiagram(net).crowded


def test_backward_stages_run_from_output_to_input() -> None:
    """Stage 1 is the output bias, then the output weights, the hidden biases, the input
    weights; each route runs against its edge (from its end to its start)."""
    net = Network.from_params("softplus", trace_lesson(
        Lesson.from_file(LESSONS_DIR / "all_params.yaml")).lesson.network.params)
    diagram = BackpropDiagram(net)
    stages = BackwardPass(diagram, gradients(net)).stages()
    assert [s.names for s in stages] == [["b3"], ["w3", "w4"], ["b1", "b2"], ["w1", "w2"]]
    for stage, edges in ((stages[1], diagram.edges_out), (stages[3], diagram.edges_in)):
        for (start, end), edge in zip(stage.routes, edges, strict=True):
            np.testing.assert_allclose(start, edge.get_end())
            np.testing.assert_allclose(end, edge.get_start())
    np.testing.assert_allclose(along(diagram.edges_in[0], 0.5),
                               (diagram.edges_in[0].get_start()
                                + diagram.edges_in[0].get_end()) / 2)


def test_a_lit_path_keeps_its_labels_over_its_edges() -> None:
    """Lighting w1 -> node 1 -> w3 (as all_params' chain rule does) leaves each of those
    weights' labels drawn after its edge, so the label's backing covers the thick edge. Manim
    adds a played group's mobjects on top of the scene: lit on their own, the edges came last,
    over their labels (the frames read "x w3" struck through)."""
    from manim import Scene

    from kit.backward import GRADIENT
    from kit.network import edge_of, light_path

    diagram = BackpropDiagram(network(2), learning=set(param_names(2)))
    w1, _, w3, *_ = param_names(2)
    route = [diagram.output_arrow, diagram.sum_node[0], edge_of(diagram, w3),
             diagram.hidden_nodes[0][0], edge_of(diagram, w1)]
    scene = Scene()
    scene.add(diagram)
    scene.add_mobjects_from_animations([light_path(diagram, route, GRADIENT)])  # as play() does
    drawn = scene.get_mobject_family_members()

    def last(mobject) -> int:
        return max(i for i, m in enumerate(drawn) if m is mobject)

    for name in (w1, w3):
        assert last(diagram.labels[name]) > last(edge_of(diagram, name)), name
