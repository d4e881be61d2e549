"""Reading numbers back out of captions and of their spoken form, for the narration tests.

Written apart from bpcore.narration.speech, from what a listener hears: a caption's number
carries its own sign when the minus touches its digits ("-1.57", "(-2.32)"); a minus with spaces
around it is subtraction. In speech, "negative" signs a number and "minus" subtracts.
"""

from __future__ import annotations

import re

_WRITTEN = re.compile(r"(?<![\w.])(-?)([0-9]+(?:\.[0-9]+)?)(?: × 10([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))?"
                      r"(?![\w])")
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SAID = re.compile(r"(negative )?(?<![\w.])((?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)"
                   r"(?:\.[0-9]+)?)"
                   r"(?: times 10 to the power of (negative )?([0-9]+))?")


def written_numbers(caption: str) -> list[float]:
    """The numbers a caption shows, each with its own sign ("2.14 × 10⁻¹⁰" is one number);
    digits inside names (w1) are not numbers."""
    values = []
    for match in _WRITTEN.finditer(caption):
        before = caption[:match.start()]
        signed = bool(match[1]) and (not before or before[-1] in " ([,=:")
        value = float(match[2])
        if match[3]:
            value *= 10.0 ** int(match[3].translate(_SUPERSCRIPT))
        values.append(-value if signed else value)
    return values


def said_numbers(speech: str) -> list[float]:
    """The numbers a voice says, with the signs its words give them. Parameter names are said
    letter, space, number ("w 1"): those numbers are dropped, as in :func:`written_numbers`."""
    speech = re.sub(r"\b([wb]) [0-9]+\b", r"\1#", speech)
    values = []
    for match in _SAID.finditer(speech):
        value = float(match[2].replace(",", ""))
        if match[4] is not None:
            value *= 10.0 ** (-int(match[4]) if match[3] else int(match[4]))
        values.append(-value if match[1] else value)
    return values


def missigned(caption: str, speech: str, screen: tuple[str, ...] = ()) -> list[float]:
    """The negative numbers ``speech`` says that neither ``caption`` nor ``screen`` writes
    negative: a sign the voice added or a caption's sign it mangled. The voice may say fewer
    numbers than the caption (a result instead of a bracketed formula, a list's first and last:
    issue 21), and results such as residuals that the picture draws as lines."""
    shown = set(written_numbers(caption))
    for text in screen:
        shown.update(written_numbers(text))
    return [v for v in said_numbers(speech)
            if v < 0 and not any(abs(v - s) <= 1e-9 * max(1.0, abs(v)) for s in shown)]


def unsigned_numbers(clips) -> list[str]:
    """Every (caption, speech) of ``clips`` whose speech says a negative number its caption does
    not write negative, or, when the speech is the caption's own words (no separate voice),
    does not say the caption's numbers sign for sign: empty when the narration is right."""
    wrong = []
    for _, clip in clips:
        for utterance in clip.utterances:
            shown, said = written_numbers(utterance.text), said_numbers(utterance.speech)
            exact = len(shown) == len(said) and all(
                abs(a - b) <= 1e-9 * max(1.0, abs(a)) for a, b in zip(shown, said, strict=False))
            if not exact and missigned(clip.caption, utterance.speech):
                wrong.append(f"{utterance.text!r} -> {utterance.speech!r}")
    return wrong
