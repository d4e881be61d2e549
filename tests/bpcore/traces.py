"""Shipped lessons traced once per test process, as shipped or with other descent settings."""

from __future__ import annotations

import dataclasses
import functools

from bpcore.lesson.file import LESSONS_DIR, Lesson
from bpcore.lesson.trace import LessonTrace, trace_lesson


@functools.cache
def traced(name: str, **descent) -> LessonTrace:
    """The trace of ``assets/lessons/<name>.yaml``, its descent settings changed by
    ``descent`` (``max_steps=300``, ``learning_rate=0.2``, ...)."""
    lesson = Lesson.from_file(LESSONS_DIR / f"{name}.yaml")
    if descent:
        lesson = dataclasses.replace(lesson, descent=dataclasses.replace(lesson.descent,
                                                                         **descent))
    return trace_lesson(lesson)
