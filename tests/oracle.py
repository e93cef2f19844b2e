"""An independent reference for the numbers on screen: chapter 3's attention once more, in float64
and pure Python — no torch, no attn_tui — so a test can compare the app with something that cannot
share its bugs (the app's own ``analyse()`` can).

One function per mechanism, taking the embeddings as rows of floats and the query's index, and
returning an :class:`Attention`: the scores, the weights and the context vector, each number with
its *slack*. A later mechanism adds one function that returns the same (e.g. ``oracle_weights.py``
for the trainable weights of 3.4–3.6), and the comparison below serves it unchanged.

Slack: the app computes in float32, this in float64. Each number's slack bounds how far float32
arithmetic may move the app's result from the float64 one — a rigorous worst-case bound from the
magnitudes involved (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1: a sum of
``k`` rounded terms errs by at most ``k·u·Σ|terms|``), so it is tiny for the book's numbers and
large only where float32 really is inaccurate (huge values that cancel).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

FLOAT32_UNIT_ROUNDOFF = 2.0**-24
"""float32 rounds every result to within this factor of the exact one."""
FLOAT32_MAX = 3.4028234663852886e38

U = FLOAT32_UNIT_ROUNDOFF
PRINTED_DECIMALS = 4
"""The book and the app print 4 decimals (scientific notation from 1e6 on, 4 in the mantissa)."""

Rows = Sequence[Sequence[float]]


@dataclass(frozen=True)
class Attention:
    """One query's numbers, each list with a slack per entry (see the module's docstring)."""

    scores: list[float]
    weights: list[float]
    context: list[float]
    score_slack: list[float]
    weight_slack: list[float]
    context_slack: list[float]


# --- mechanisms ------------------------------------------------------------------------------


def simple_attention(inputs: Rows, query: int) -> Attention:
    """Section 3.3: ω_i = x⁽ⁱ⁾·x⁽q⁾, α = softmax(ω), z = Σ α_i x⁽ⁱ⁾."""
    rows = [[float(v) for v in row] for row in inputs]
    q = rows[query]
    products = [[a * b for a, b in zip(row, q)] for row in rows]
    scores = [math.fsum(p) for p in products]
    # float32 rounds each input (u), each product (u) and each of the d additions (u per term).
    score_slack = [_bounded((len(q) + 2) * U * math.fsum(abs(t) for t in p)) for p in products]
    weights, weight_slack = softmax_with_slack(scores, score_slack)
    context, context_slack = weighted_sum_with_slack(weights, weight_slack, rows)
    return Attention(scores, weights, context, score_slack, weight_slack, context_slack)


def simple_attention_all(inputs: Rows) -> list[Attention]:
    """Section 3.3.2, every query at once: row q of each matrix is query q's."""
    return [simple_attention(inputs, q) for q in range(len(inputs))]


# --- shared pieces -----------------------------------------------------------------------------


def softmax(scores: Sequence[float]) -> list[float]:
    """exp(ω_i) / Σ exp(ω_j), computed as exp(ω_i − max ω) so that no exp overflows."""
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = math.fsum(exps)
    return [e / total for e in exps]


def softmax_with_slack(scores: Sequence[float], score_slack: Sequence[float]) -> tuple[list[float], list[float]]:
    """The softmax and how far float32 may move each weight, given the scores' slack.

    An error δ in the exponent scales a weight by e^δ, and the normalising sum moves by at most the
    largest of them; the subtraction of the maximum, the exp, the n additions and the division
    each add a rounding.
    """
    weights = softmax(scores)
    if not all(math.isfinite(s) for s in score_slack):
        return weights, [math.inf] * len(weights)
    top = max(scores)
    shifts = [slack + max(score_slack) + U * abs(s - top) for s, slack in zip(scores, score_slack)]
    worst = max(shifts)
    n = len(scores)
    if worst > 1.0:
        return weights, [math.inf] * n  # the scores may be off by more than 1: any weight goes
    slack = [w * (math.expm1(shift + worst) + (n + 4) * U) for w, shift in zip(weights, shifts)]
    return weights, [_bounded(s) for s in slack]


def weighted_sum_with_slack(weights: Sequence[float], weight_slack: Sequence[float], rows: Rows) -> tuple[list[float], list[float]]:
    """z_k = Σ_i α_i x_ik, and its slack: the weights' slack times |x|, plus a rounding per term
    of the token-by-token running sum."""
    n, d = len(rows), len(rows[0])
    context = [math.fsum(weights[i] * rows[i][k] for i in range(n)) for k in range(d)]
    slack = [
        _bounded(
            math.fsum(weight_slack[i] * abs(rows[i][k]) for i in range(n))
            + (n + 2) * U * math.fsum(weights[i] * abs(rows[i][k]) for i in range(n))
        )
        for k in range(d)
    ]
    return context, slack


def _bounded(slack: float) -> float:
    """A slack is meaningless once float32 may have overflowed on the way: any result goes."""
    return slack if slack < FLOAT32_MAX else math.inf


# --- comparing with the screen -----------------------------------------------------------------

_SCIENTIFIC = re.compile(r"-?\d\.\d+e[+-]\d+")


def printed_unit(text: str) -> float:
    """One unit in the last printed place: 1e-4 for 0.4419, 1e3 for 1.2346e+07."""
    if _SCIENTIFIC.fullmatch(text):
        return 10.0 ** (int(text.split("e")[1]) - PRINTED_DECIMALS)
    return 10.0**-PRINTED_DECIMALS


def matches_printed(text: str, value: float, slack: float) -> bool:
    """True if the app may print ``text`` for a number whose float64 value is ``value``.

    One unit of the last place, not half: where the exact value lies near a rounding boundary
    (…5), float32 and float64 round to neighbouring digits (0.12345 may print 0.1234 or 0.1235),
    and the slack is a first-order bound; a whole unit covers both. Beyond that, only the float32
    slack: a wrong digit anywhere else fails.
    """
    if math.isinf(slack):
        return True  # float32 may have overflowed: nothing to check against
    if text in ("NaN", "inf", "-inf"):
        return False  # the float64 value and its slack are finite
    return abs(float(text) - value) <= printed_unit(text) + slack


def mismatches(label: str, texts: Sequence[str], values: Sequence[float], slacks: Sequence[float]) -> list[str]:
    """The entries the app printed wrongly, described for an assertion message."""
    assert len(texts) == len(values) == len(slacks), (label, texts, values)
    return [
        f"{label}[{i}]: shown {text}, reference {value!r} ± {slack:.3g}"
        for i, (text, value, slack) in enumerate(zip(texts, values, slacks))
        if not matches_printed(text, value, slack)
    ]
