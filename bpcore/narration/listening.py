"""Listening to a narration script: what a student hearing it once cannot follow.

A caption sits under a picture and can be read twice; the voice is heard once. These pure
functions read the spoken words (and the captions' written sums) of a ``bp script`` and list
what a listener would lose (issue 21):

- a spoken sentence of more than :data:`MAX_WORDS` words;
- a spoken run of more than :data:`MAX_NUMBERS` numbers (a list belongs on screen; the voice
  says the first, the last and the trend);
- a bracketed formula said flat, "times X minus Y": a listener hears (2 × X) − Y;
- a written sum ``A op B = C`` whose shown digits do not give C (use ≈ and say "about");
- a count that disagrees with its noun ("1 curves", "2 curve").

Nothing here knows a scene: the input is text, or a script as ``bp script`` writes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

#: The longest spoken sentence a listener holds at once, in words.
MAX_WORDS = 25
#: The most numbers the voice says in one run.
MAX_NUMBERS = 4

# A number as said: "7,513" (thousands separated, as bpcore.narration.speech says it) is one number.
_NUM = r"(?:negative |minus )?(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+")
# Numbers joined only by commas and "and"/"or": one run heard as a list.
_RUN = re.compile(rf"{_NUM}(?:(?:,\s*|,?\s+(?:and|or|then)\s+){_NUM})+")
_NUMBER = re.compile(_NUM)
_FLAT_GROUPING = re.compile(r"\btimes\s+(?:negative\s+)?[\w.]+\s+minus\b")
_SIGNED = r"[-\u2212]?[0-9]+(?:\.[0-9]+)?"
# A - (-B) = C, A + B = C, A × B = C: two numbers, one operator, a result. Not preceded by an
# operator (it would be part of a longer expression) nor followed by a digit or "(".
_SUM = re.compile(
    rf"(?<![0-9.×*/(^])(?<![×*/] )({_SIGNED})\s*([-\u2212+×*])\s*\(?\s*({_SIGNED})\s*\)?"
    rf"\s*=\s*({_SIGNED})(?![0-9]|\s*[×*(^]|\s*\u00d7)")
# Not a parameter's name said "w 1".
_ONE_PLURAL = re.compile(r"(?<!\b[wb] )\b(?:1|one) ([a-z]+s)\b")
_MANY_SINGULAR = re.compile(
    r"\b(?:[2-9]|[1-9][0-9]+|two|three|four|five|six|seven|eight|nine|ten) "
    r"(curve|node|step|point|value|residual|parameter|weight|bias|number|dose|blue curve)\b"
    r"(?! of\b)")
_NOT_PLURAL = {"minus", "plus", "is", "was", "times", "this", "its", "as", "has", "does",
               "goes", "always", "less", "thus", "across", "gives", "makes", "takes",
               "moves", "stays", "shows", "equals", "changes", "matches", "falls", "ends",
               "settles", "lands", "starts", "follows"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a listener would lose: its kind, the clip it is in and the words."""

    kind: str
    clip: str
    text: str


@dataclass(frozen=True, slots=True)
class Findings:
    """Every finding of one script, with a count per kind."""

    items: tuple[Finding, ...] = field(default=())

    def count(self, kind: str) -> int:
        """How many findings of ``kind``."""
        return sum(1 for f in self.items if f.kind == kind)

    def counts(self) -> dict[str, int]:
        """Findings per kind, every kind listed."""
        return {kind: self.count(kind) for kind in KINDS}


KINDS = ("long sentence", "number run", "flat grouping", "sum off", "agreement")


def long_sentences(spoken: str, limit: int = MAX_WORDS) -> list[str]:
    """Spoken sentences of more than ``limit`` words.

    Examples
    --------
    >>> [len(s.split()) for s in long_sentences("Short one. " + "word " * 26 + "end.")]
    [27]
    """
    return [s for s in _SENTENCE.split(spoken) if len(s.split()) > limit]


def number_runs(spoken: str, limit: int = MAX_NUMBERS) -> list[str]:
    """Spoken runs of more than ``limit`` numbers in a row.

    Examples
    --------
    >>> number_runs("b 3 goes 2.19, 2.44, 2.54, 2.58 and 2.6. Then 1, 2 and 3.")
    ['2.19, 2.44, 2.54, 2.58 and 2.6']
    """
    return [m[0] for m in _RUN.finditer(spoken) if len(_NUMBER.findall(m[0])) > limit]


def flat_groupings(spoken: str) -> list[str]:
    """Bracketed formulas said flat: "times X minus Y", heard as (… × X) − Y.

    Examples
    --------
    >>> flat_groupings("negative 2 times 0 minus negative 2.6, and so on")
    ['times 0 minus']
    >>> flat_groupings("negative 2 times the sum of the residuals")
    []
    """
    return [m[0] for m in _FLAT_GROUPING.finditer(spoken)]


def sums_off(caption: str) -> list[str]:
    """Written ``A op B = C`` whose shown digits do not give C to C's last shown digit.

    A result written with ≈ is an approximation and is not checked.

    Examples
    --------
    >>> sums_off("1.57 - (-0.626) = 2.19, but 0 - (-1.57) = 1.57 and 2 × 0.5 = 1")
    ['1.57 - (-0.626) = 2.19']
    >>> sums_off("b3 = 0 - (-1.57) ≈ 1.6")
    []
    """
    out = []
    for m in _SUM.finditer(caption.replace("\u2212", "-")):
        a, op, b, c = Decimal(m[1]), m[2], Decimal(m[3]), Decimal(m[4])
        exact = {"-": a - b, "+": a + b}.get(op, a * b)
        unit = Decimal(1).scaleb(Decimal(m[4]).as_tuple().exponent)
        if abs(exact - c) > unit / 2:
            out.append(m[0].strip())
    return out


def agreement_errors(spoken: str) -> list[str]:
    """A count that disagrees with its noun: "1 curves", "2 curve".

    Examples
    --------
    >>> agreement_errors("turns each dose into 1 curves; 2 curve; 1 minus 2 points; 3 of them")
    ['1 curves', '2 curve']
    """
    out = [m[0] for m in _ONE_PLURAL.finditer(spoken)
           if m[1] not in _NOT_PLURAL and not m[1].endswith(("ss", "us", "is"))]
    out += [m[0] for m in _MANY_SINGULAR.finditer(spoken)]
    return sorted(out, key=spoken.find)


def lint_clip(clip_id: str, caption: str, spoken: str) -> list[Finding]:
    """Every finding in one clip: its spoken words, and its caption's written sums."""
    checks = (("long sentence", long_sentences), ("number run", number_runs),
              ("flat grouping", flat_groupings), ("agreement", agreement_errors))
    found = [Finding(kind, clip_id, text) for kind, check in checks for text in check(spoken)]
    found += [Finding("sum off", clip_id, text) for text in sums_off(caption)]
    return found


def lint_script(script: Mapping) -> Findings:
    """Every finding in a ``bp script`` narration script (its JSON, as a dict)."""
    return Findings(tuple(f for clip in clips(script)
                          for f in lint_clip(clip["id"], clip["caption"], clip["spoken"])))


def clips(script: Mapping) -> Iterable[Mapping]:
    """The script's clips in order."""
    for beat in script["beats"]:
        yield from beat["clips"]


def spoken_text(script: Mapping) -> str:
    """Everything the voice says, in order: what a listener hears."""
    return " ".join(clip["spoken"] for clip in clips(script))
