"""Lesson files the scene tests share."""

from __future__ import annotations

from pathlib import Path

from bpcore.lesson.file import LESSONS_DIR

FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: The lessons whose narration scripts the suite reads (the `lesson_scripts` fixture): the
#: shipped ones, and fixtures so that each scene is seen with 1 to 4 hidden nodes, each
#: activation, descents cut off by max_steps and a teacher's own nouns. By scene and k:
#: b3: one_node, b3 (and hours, and b3_cut_off), b3_three_nodes, b3_four_nodes; three_params:
#: three_params_one_node, three_params, three_params_three_nodes, four_nodes; all_params:
#: all_params_one_node, all_params, relu3, all_params_four_nodes.
SCRIPT_LESSONS = (
    *(LESSONS_DIR / f"{name}.yaml" for name in ("b3", "three_params", "all_params")),
    *(FIXTURES / f"{name}.yaml" for name in (
        "one_node", "hours", "b3_cut_off", "b3_three_nodes", "b3_four_nodes",
        "three_params_one_node", "three_params_three_nodes", "four_nodes",
        "all_params_one_node", "relu3", "all_params_four_nodes")),
)
