"""Words for the ear (bpcore.narration.story): how the voice says lists of numbers."""

from __future__ import annotations

from bpcore.narration.story import MOST_SAID, trend


def test_a_short_list_is_said_in_full() -> None:
    assert trend([2.19, 2.44, 2.54], ["2.19", "2.44", "2.54"]) == "goes 2.19, 2.44 and 2.54"


def test_a_value_said_twice_in_a_row_becomes_first_and_last() -> None:
    """ "1.63, 1.68, 1.69 and 1.69" sounds stuck (issue 21): the voice says where it went."""
    said = trend([1.63, 1.68, 1.689, 1.691], ["1.63", "1.68", "1.69", "1.69"])
    assert said == "climbs from 1.63 to 1.69"


def test_a_long_list_is_never_read_out() -> None:
    values = [3.0 - 0.1 * i for i in range(MOST_SAID + 3)]
    said = trend(values, [f"{v:.2f}" for v in values])
    assert said == f"falls from 3.00 to {values[-1]:.2f}"


def _ending_of(path, **descent):
    """How the descent of the lesson at ``path`` ends, with ``descent`` settings changed."""
    import yaml

    from bpcore.lesson.file import Lesson
    from bpcore.lesson.settling import settled_at
    from bpcore.lesson.trace import trace_lesson
    from bpcore.narration.story import ending

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["descent"].update(descent)
    trace = trace_lesson(Lesson.from_text(yaml.safe_dump(data)))
    d, lesson = trace.descent, trace.lesson
    settled = settled_at(d, lesson.digits, lesson.descent.min_step_size)
    return ending(d.status, d.updates, settled, lesson.optimize), settled


def test_b3_converges_and_earns_its_bam() -> None:
    from bpcore.lesson.file import LESSONS_DIR

    end, settled = _ending_of(LESSONS_DIR / "b3.yaml")
    assert end.converged and end.earned and not end.cut_short
    assert end.last_settled == (settled["b3"], "b3")


def test_b3_cut_off_is_cut_short_and_earns_nothing() -> None:
    from bpcore.lesson.file import LESSONS_DIR

    end, _ = _ending_of(LESSONS_DIR / "b3.yaml", max_steps=4)
    assert not end.converged and end.cut_short and not end.earned
    assert end.moving == ("b3",) and end.settled == ()


def test_a_run_at_its_limit_with_everything_settled_earns_its_bam() -> None:
    """three_params stops at max_steps (1000) with every parameter settled: not converged by
    the step-size test, yet nothing still moves, so the Bam is earned. Cut off at 800 steps it
    tells the same story with the same settling steps; cut off at 170 (or 400) its parameters
    still creep toward values they have not reached, so nothing has settled and no Bam is
    earned, although their last states may show the same digits."""
    from bpcore.lesson.file import LESSONS_DIR

    full, _ = _ending_of(LESSONS_DIR / "three_params.yaml")
    assert not full.converged and full.earned
    assert [n for _, n in full.settled] == ["w4", "w3", "b3"]
    enough, _ = _ending_of(LESSONS_DIR / "three_params.yaml", max_steps=800)
    assert enough.earned and enough.settled == full.settled
    for steps in (170, 400):
        cut, _ = _ending_of(LESSONS_DIR / "three_params.yaml", max_steps=steps)
        assert cut.settled == () and cut.moving == ("w3", "w4", "b3"), steps
        assert cut.cut_short and not cut.earned


def test_landing_words_each_case() -> None:
    from bpcore.narration.story import LANDINGS, landing

    cases = {(True, True, False, False), (True, True, True, False), (True, False, False, True),
             (True, False, False, False), (False, False, False, False)}
    assert sorted(landing(*case) for case in cases) == sorted(LANDINGS)
