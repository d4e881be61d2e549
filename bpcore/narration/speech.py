"""The spoken form of a caption: what a voice must be given so that it says what the caption shows.

Captions are written for the eye ("-2(0 - (-2.32))", "d SSR / d b3 = -15.7", "0 → 2.61").
Speech synthesizers read such text badly: Festival drops the minus sign of "-1.57" (the
narration would say the wrong number) and says nothing for "=", "×" or "→". :func:`spoken`
is the one place that turns a caption into words; captions keep their written form.

The rules, in order:

- ``d SSR / d b3`` becomes "the derivative of SSR with respect to b 3";
- a number's own minus sign (attached to it: "-1.57") is said "negative", while a minus between
  two terms ("0 - 1", with spaces) is said "minus";
- whole numbers from 1000 up are said with thousands separators ("7,513"), which every voice
  reads as a number, never as a year;
- numbers whose fixed notation would be read digit by digit (below 0.0001 or from a million up),
  and numbers written as ``2.14 × 10⁻¹⁰`` or ``2.14e-10``, are said as "2.14 times 10 to the
  power of negative 10";
- ``=``, ``+``, ``×``, ``*``, ``→``, ``²``, ``≈`` and ``/`` are said as words, and a number
  right before a parenthesis multiplies it ("-2(" is "negative 2 times");
- parameter names are said letter then number ("w1" is "w 1", "b3" is "b 3"), the same in every
  voice;
- names a neural voice would spell or slur are given as said: "ReLU" is "ray loo",
  "softplus" is "soft plus".
"""

from __future__ import annotations

import re

from bpcore.display import FIRST_SCIENTIFIC, SMALLEST_FIXED

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
#: Unicode minus signs a caption might use for a negative number.
_MINUS = "-\u2212"
_NUMBER = r"[0-9]+(?:\.[0-9]+)?"

# d SSR / d b3, dSSR/db3, d Predicted / d w1: the derivative of the first with respect to
# the second.
_DERIVATIVE = re.compile(r"\bd\s*(SSR|[A-Za-z]\w*)\s*/\s*d\s*([A-Za-z]\w*)")
# 2.14 × 10⁻¹⁰, 2.14 x 10^-10, 2.14e-10 (exports' style), each with an optional sign.
_SCIENTIFIC = re.compile(
    rf"(?<![\w.])([{_MINUS}]?)({_NUMBER})\s*(?:[×x]\s*10\s*\^?\s*([⁻⁺{_MINUS}+]?[0-9⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
    rf"|[eE]([{_MINUS}+]?[0-9]+))(?![\w]|\.[0-9])"
)
# A number with its own sign: the sign touches the digits and follows a space, an opening
# bracket, a comma, "=" or the start of the text.
_SIGNED = re.compile(rf"(?:^|(?<=[\s(\[,=:]))([{_MINUS}])(?={_NUMBER})")
_PLAIN_NUMBER = re.compile(rf"(?<![\w.]){_NUMBER}(?![\w]|\.[0-9])")
_PARAMETER = re.compile(r"\b([wb])([0-9]+)\b")
#: Names said as they sound, whatever the voice's dictionary guesses.
_NAMES = [
    (re.compile(r"\bReLUs?\b", re.IGNORECASE), lambda m: "ray loo" + "s" * m[0].endswith("s")),
    (re.compile(r"\bsoft\s*plus\b", re.IGNORECASE), lambda m: "soft plus"),
]
_WORDS = [
    (re.compile(r"\s*=\s*"), " equals "),
    (re.compile(r"\s*≈\s*"), " about "),
    (re.compile(r"\s*[×*]\s*"), " times "),
    (re.compile(r"\s*(?:→|->)\s*"), " goes to "),
    (re.compile(r"\s*²"), " squared"),
    (re.compile(rf"\s[{_MINUS}]\s"), " minus "),
    (re.compile(r"\s\+\s"), " plus "),
    (re.compile(r"\s*/\s*"), " over "),
    (re.compile(r"\s*%"), " percent"),
]


def spoken(caption: str) -> str:
    """The words a voice says for ``caption``.

    Examples
    --------
    >>> print(spoken("Step size = slope × learning rate = -15.7 × 0.1 = -1.57."))
    Step size equals slope times learning rate equals negative 15.7 times 0.1 equals
    negative 1.57.
    >>> print(spoken("-2(0 - (-2.32)), -2(1 - (-2.2))"))
    negative 2 times 0 minus negative 2.32, negative 2 times 1 minus negative 2.2
    >>> print(spoken("d SSR / d b3 = d SSR / d Predicted × d Predicted / d b3"))
    the derivative of SSR with respect to b 3 equals the derivative of SSR with respect to
    Predicted times the derivative of Predicted with respect to b 3
    >>> print(spoken("SSR = 0.000000000214, then 2.14 × 10⁻¹⁰ and 3e6."))
    SSR equals 2.14 times 10 to the power of negative 10, then 2.14 times 10 to the power of
    negative 10 and 3 times 10 to the power of 6.
    >>> print(spoken("b3 goes 0 → 2.61; (observed - predicted)²"))
    b 3 goes 0 goes to 2.61; observed minus predicted squared
    >>> print(spoken("SSR = 7.77 (about 7.8)."))
    SSR equals 7.77, about 7.8.
    >>> print(spoken("b1 settles at step 7513 of 8000; SSR = 0.5."))
    b 1 settles at step 7,513 of 8,000; SSR equals 0.5.
    >>> print(spoken("ReLU or softplus? Softplus."))
    ray loo or soft plus? soft plus.
    """
    text = caption.translate({0x2212: "-"})
    # "7.77 (about 7.8)": an aside, said after a pause rather than run into the number.
    text = re.sub(r"\s*\((about|roughly|nearly) ([^()]*)\)", r", \1 \2,", text)
    text = re.sub(r",([.,;:!?])", r"\1", text)
    text = _DERIVATIVE.sub(lambda m: f"the derivative of {m[1]} with respect to {m[2]}", text)
    text = _SCIENTIFIC.sub(_say_scientific, text)
    text = _PLAIN_NUMBER.sub(_say_magnitude, text)
    # A number right before "(" multiplies what the parentheses hold.
    text = re.sub(r"(?<=[0-9])\(", " times (", text)
    text = _SIGNED.sub("negative ", text)
    for pattern, words in _WORDS:
        text = pattern.sub(words, text)
    text = re.sub(r"[()\[\]]", "", text)
    for pattern, words in _NAMES:
        text = pattern.sub(words, text)
    text = _PARAMETER.sub(r"\1 \2", text)
    return re.sub(r"\s+", " ", text).strip()


def _power_words(mantissa: str, exponent: int, negative: bool) -> str:
    sign = "negative " if negative else ""
    power = f"negative {-exponent}" if exponent < 0 else str(exponent)
    return f"{sign}{mantissa} times 10 to the power of {power}"


def _say_scientific(match: re.Match[str]) -> str:
    exponent = (match[3] or match[4]).translate(_SUPERSCRIPTS).replace("\u2212", "-")
    return _power_words(match[2], int(exponent), bool(match[1]))


def _say_magnitude(match: re.Match[str]) -> str:
    """A plain number as it is said: tiny and huge ones in powers of ten, the rest as written."""
    text = match[0]
    value = float(text)
    # The display rule's own bounds: what it writes out in full is said as written, with a
    # thousands separator from 1000 up: without it, neural voices read 7513 as a year
    # ("seventy-five thirteen").
    if value == 0 or 10.0**SMALLEST_FIXED <= value < 10.0**FIRST_SCIENTIFIC:
        whole, point, fraction = text.partition(".")
        return f"{int(whole):,}{point}{fraction}"
    significant = len(text.replace(".", "").strip("0")) if "." in text else len(
        text.rstrip("0"))
    mantissa, exponent = f"{value:.{max(significant - 1, 0)}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return _power_words(mantissa, int(exponent), False)
