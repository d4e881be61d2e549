"""Subtitle events: a caption cut into pieces that follow the usual conventions.

A caption (one ``say`` of a scene) can run to 200 characters. Subtitle guidelines ask for at
most :data:`MAX_LINE` characters a line and :data:`MAX_LINES` lines an event, so
:func:`events` cuts a caption into events: at sentence ends first, then at clause marks
(",", ";", ":"), then between words, never inside a word or a number. Each event is also the
unit of speech: a narrated video synthesizes one clip per event, so each event's times are
exactly those of the words it shows.
"""

from __future__ import annotations

import re

MAX_LINE = 42
MAX_LINES = 2
#: A narrated event stays up at least this long per character (reading guidelines: <= 20 cps).
NARRATED_SPEED = 20.0
#: A silent event stays up one second per this many characters.
READING_SPEED = 15.0

#: How many characters of balance a line break after a clause mark is worth.
_CLAUSE_BONUS = 8
_OPERATORS = ("=", "-", "+", "×", "→")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+(?=\S)")


def lines(text: str, width: int = MAX_LINE) -> list[str]:
    """Break ``text`` between words into lines of at most ``width`` characters, balanced.

    Two lines are made as even as possible (a short second line reads badly), with a break
    after a clause mark preferred when it costs a few characters of balance; a word longer than
    ``width`` stands alone on its line.

    Examples
    --------
    >>> lines("Square each residual and add them up: the sum of squared residuals.")
    ['Square each residual and add them up:', 'the sum of squared residuals.']
    >>> lines("Short.")
    ['Short.']
    """
    words = text.split()
    greedy = _greedy(words, width)
    if len(greedy) != 2:
        return greedy
    best = None
    for cut in range(1, len(words)):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        if len(first) <= width and len(second) <= width:
            cost = max(len(first), len(second)) - (_CLAUSE_BONUS if first[-1] in ",;:." else 0)
            # "w2 =" at a line's end, its value on the next, reads as two things.
            cost += _CLAUSE_BONUS if first.endswith(_OPERATORS) else 0
            if best is None or cost < best[0]:
                best = (cost, [first, second])
    return best[1] if best else greedy


def fits(text: str) -> bool:
    """Whether ``text`` makes one event: at most :data:`MAX_LINES` lines of :data:`MAX_LINE`.

    Examples
    --------
    >>> fits("A caption of forty-five characters, all told."), fits("word " * 40)
    (True, False)
    """
    shown = lines(text)
    return len(shown) <= MAX_LINES and all(len(line) <= MAX_LINE for line in shown)


def events(caption: str) -> list[str]:
    """Cut a caption into subtitle events, each of which :func:`fits`.

    Sentences stay whole where they fit; a long sentence is cut at clause marks, packing as
    many clauses as fit into each event, and a clause that does not fit alone is cut between
    words.

    Examples
    --------
    >>> for event in events("The data: 3 points of effectiveness against dosage. The "
    ...                     "network will fit a curve to them."):
    ...     print(event)
    The data: 3 points of effectiveness against dosage.
    The network will fit a curve to them.
    """
    out: list[str] = []
    for sentence in _SENTENCE_END.split(" ".join(caption.split())):
        if fits(sentence):
            out.append(sentence)
            continue
        for clause in _pack(_CLAUSE_END.split(sentence)):
            out.extend([clause] if fits(clause) else _pack(clause.split()))
    return out


def event_text(event: str) -> str:
    """An event as a subtitle file writes it: its lines joined by newlines.

    Examples
    --------
    >>> print(event_text("Square each residual and add them up: the sum of squared residuals."))
    Square each residual and add them up:
    the sum of squared residuals.
    """
    return "\n".join(lines(event))


def _pack(pieces: list[str]) -> list[str]:
    """Join consecutive pieces into as few events as fit, as even in length as possible.

    A piece that fits nowhere stands alone (the caller cuts it further).
    """
    # best[i]: (events, longest event, the events) for the first i pieces.
    best: list[tuple[int, int, list[str]]] = [(0, 0, [])]
    for end in range(1, len(pieces) + 1):
        options = []
        for start in range(end):
            group = " ".join(pieces[start:end])
            if end - start == 1 or fits(group):
                count, longest, made = best[start]
                options.append((count + 1, max(longest, len(group)), [*made, group]))
        best.append(min(options, key=lambda option: option[:2]))
    return best[-1][2]


def _greedy(words: list[str], width: int) -> list[str]:
    out: list[str] = []
    for word in words:
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    return out
