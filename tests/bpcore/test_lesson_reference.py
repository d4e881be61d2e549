"""docs/lesson-reference.md and the validator agree: the same keys, the same required ones, the
same defaults and whole-number limits, and every scene's needs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bpcore.errors import LessonError
from bpcore.lesson.file import KEYS, Lesson
from bpcore.lesson.scene_requirements import REQUIREMENTS

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "docs" / "lesson-reference.md"
MINIMAL = {"title": "Minimal", "data": {"x": [0, 1], "y": [1, 0]},
           "network": {"activation": "relu", "params": {"w1": 1, "w2": 1, "b1": 0, "b2": 0}},
           "optimize": ["b2"], "descent": {"learning_rate": 0.1}}


def rows() -> dict[str, list[str]]:
    """The key table: key -> its cells (required, type and limits, default, meaning)."""
    table = {}
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*`([a-z_.]+)`\s*\|(.*)\|\s*$", line)
        if match and "." in match[1] or match and match[1] in KEYS[""][0] + KEYS[""][1]:
            table[match[1]] = [cell.strip() for cell in match[2].split("|")]
    return table


def validator_keys() -> dict[str, bool]:
    """Every key path the validator knows -> whether it is required in its mapping."""
    known = {}
    for section, (required, optional) in KEYS.items():
        for name in required + optional:
            known[f"{section}.{name}" if section else name] = name in required
    return known


def test_reference_documents_exactly_the_validators_keys():
    """Each key the validator reads has a row, and each row is a key the validator reads."""
    assert set(rows()) == set(validator_keys())


def test_required_column_matches_the_validator():
    """A key documented as required is required by the validator, and vice versa."""
    known = validator_keys()
    for key, cells in rows().items():
        assert cells[0].startswith("required") == known[key], key


def load(data: dict) -> Lesson:
    return Lesson.from_text(yaml.safe_dump(data))


@pytest.mark.parametrize(("key", "read"), [
    ("scene", lambda lesson: lesson.scene),
    ("descent.min_step_size", lambda lesson: lesson.descent.min_step_size),
    ("descent.max_steps", lambda lesson: lesson.descent.max_steps),
    ("labels.x", lambda lesson: lesson.labels.x),
    ("labels.y", lambda lesson: lesson.labels.y),
    ("display.digits", lambda lesson: lesson.digits),
])
def test_documented_defaults_are_the_validators(key, read):
    """A lesson leaving the key out gets the default the reference states."""
    default = rows()[key][2].strip("`")
    assert str(read(load(MINIMAL))) == default


def test_documented_noun_defaults_are_the_validators():
    """x_noun and y_noun default as documented: the lesson's own words without titles, else
    "x value" and "y value"."""
    cells = rows()["labels.x_noun"][2], rows()["labels.y_noun"][2]
    bare, titled = load(MINIMAL).labels, load({**MINIMAL, "labels": {"x": "T", "y": "S"}}).labels
    assert f"`{bare.x_noun}` if `labels.x` is not given, else `{titled.x_noun}`" == cells[0]
    assert f"`{bare.y_noun}` if `labels.y` is not given, else `{titled.y_noun}`" == cells[1]


def test_documented_sweep_samples_default_is_the_validators():
    """sweep.samples defaults as documented."""
    lesson = load({**MINIMAL, "sweep": {"param": "b2", "range": [0, 1]}})
    assert str(lesson.sweep.samples) == rows()["sweep.samples"][2]


def set_key(data: dict, key: str, value) -> dict:
    data = yaml.safe_load(yaml.safe_dump(data))
    section, _, name = key.rpartition(".")
    data.setdefault(section, {})[name] = value
    return data


@pytest.mark.parametrize("key", ["descent.max_steps", "sweep.samples", "display.digits"])
def test_documented_whole_number_limits_are_the_validators(key):
    """The validator accepts the documented lowest and highest whole numbers and refuses one
    beyond each."""
    low, high = (int(v.replace(",", "")) for v in
                 re.search(r"from ([\d,]+) to ([\d,]+)", rows()[key][1]).groups())
    base = {**MINIMAL, "sweep": {"param": "b2", "range": [0, 1]}}
    for value in (low, high):
        load(set_key(base, key, value))
    for value in (low - 1, high + 1):
        with pytest.raises(LessonError):
            load(set_key(base, key, value))


def test_every_scene_and_its_hidden_node_limit_is_documented():
    """The scene table lists each scene of bpcore.lesson.scene_requirements with its node limit."""
    text = REFERENCE.read_text(encoding="utf-8")
    for name, needs in REQUIREMENTS.items():
        row = re.search(rf"^\| `{name}` \|.*$", text, re.MULTILINE)
        assert row, name
        assert f"1 to {needs.max_hidden}" in row[0]
        needed = row[0].split("|")[4]
        assert ("`sweep` with `param: b(k+1)`" in needed) == needs.sweep_of_output_bias
        assert ("the output bias alone" in needed) == needs.output_bias_alone


def test_reference_example_checks():
    """The example at the end of the reference is a lesson that checks and meets its scene."""
    from bpcore.lesson.scene_requirements import check_scene

    example = REFERENCE.read_text(encoding="utf-8").split("```yaml")[-1].split("```")[0]
    check_scene(Lesson.from_text(example))


def test_readme_links_the_reference():
    """The README points teachers to the reference."""
    assert "docs/lesson-reference.md" in (REPO / "README.md").read_text(encoding="utf-8")
