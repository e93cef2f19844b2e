"""What the vector plot draws, as plain data: points, labels, the plane, the axis ranges, a legend.

A pure function of the numbers, with no Textual and no plotting library, so it is tested without a
screen (``tests/unit/test_plot_data.py``) and the widget (``attn_tui/ui/widgets/vector_plot.py``)
only draws what it is handed.

The input is generic: a :class:`VectorSpace` is a title and some :class:`PointSet` s, each a list of
vectors of the same dimension with a role (tokens, query, context, path). Each mechanism hands its
own spaces (``Mechanism.vector_spaces``): 3.3 the embeddings with the query and z
(``mechanisms/simple/plot.py``), 3.4 q⁽ᑫ⁾ and every k⁽ⁱ⁾ in the query/key space and every v⁽ⁱ⁾ with z
in the value space (``mechanisms/trainable/plot.py``), 3.5 the same with the masked tokens apart
(``mechanisms/causal/plot.py``), 3.6 the shown head's two spaces and the module's output
(``mechanisms/multihead/plot.py``); the plot draws them without knowing which mechanism they came
from.

torch is imported inside the functions that project (it is loaded by then): building point sets
costs nothing before the numbers exist.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence, Union

from attn_tui.core.formatting import context_vector, format_number
from attn_tui.core.quoting import quote
from attn_tui.core.scenario import ScenarioError

if TYPE_CHECKING:
    import torch


Vectors = Union["torch.Tensor", Sequence[Sequence[float]]]
"""m×d: a tensor, or rows of floats."""

# Roles: how a point set is drawn.
TOKENS = "tokens"
"""One point per token, its marker chosen by its weight α (if the set has weights)."""
QUERY = "query"
CONTEXT = "context"
PATH = "path"
"""Points joined in order by a line: the running sum of a weighted sum, from the origin."""

# Marker styles, named by meaning; the widget maps them to colours.
HIGH, MID, LOW, PLAIN = "high", "mid", "low", "plain"
MASKED = "masked"
"""A token the query may not see (3.5's causal mask): it has no weight and does not pull z."""
DROPPED = "dropped"
"""A token whose weight dropout zeroed (3.5, in training): it does not pull z either."""
GLYPHS = {QUERY: "◆", CONTEXT: "★", HIGH: "●", MID: "•", LOW: "·", PLAIN: "•", PATH: "·", MASKED: "○", DROPPED: "×"}
"""Each marker differs by shape as well as colour: the plot reads under NO_COLOR. Masked is hollow,
dropped a cross, as the matrix view writes a dropped weight."""
EXCLUDED_LEGEND = {MASKED: "masked (after the query)", DROPPED: "dropped (dropout)"}

LABEL_ALL_UP_TO = 16
"""Up to this many tokens every point has its label; beyond, only the query's and the largest weights'."""
LABELLED_LARGEST = 5
"""Tokens of largest weight labelled when there are too many to label them all."""
MARGIN = 0.08
"""Fraction of the points' extent added on each side, so no point sits on the frame."""


@dataclass(frozen=True)
class PointSet:
    """Points of one kind in one vector space.

    ``shown`` limits the points drawn (a walk reveals them one by one) while all of them still
    count for the axis ranges, so nothing jumps as a walk runs.
    """

    name: str
    """For the legend, e.g. "x⁽ⁱ⁾ embeddings" or "k⁽ⁱ⁾ keys"."""
    role: str
    """TOKENS, QUERY, CONTEXT or PATH."""
    vectors: Vectors
    labels: Sequence[str] = ()
    """One per point (tokens, query); empty for none."""
    weights: Sequence[float] | None = None
    """α per point (TOKENS): chooses the marker; None while not known."""
    shown: int | None = None
    """Points drawn (the first ones); None for all."""
    excluded: Sequence[str] = ()
    """TOKENS only: per point, why it has no weight — MASKED, DROPPED — or "" when it has one; a
    point named here gets that marker whatever its α. Empty: none is excluded."""


@dataclass(frozen=True)
class VectorSpace:
    """One plot: a title (the space) and the point sets in it, all of the same dimension."""

    title: str
    point_sets: tuple[PointSet, ...]


@dataclass(frozen=True)
class Plane:
    """How d-dimensional points become 2-d: two of their dimensions, or the first two principal
    components (``dims`` is None)."""

    dims: tuple[int, int] | None

    def title(self, n_dims: int) -> str:
        if self.dims is None:
            return "principal components 1–2"
        if n_dims == 1:
            return "dim 1"
        return f"dims {self.dims[0] + 1}–{self.dims[1] + 1}"

    @property
    def typed(self) -> str:
        """The plane as :func:`parse_plane` reads it back: "1 3", or "pc"."""
        return "pc" if self.dims is None else f"{self.dims[0] + 1} {self.dims[1] + 1}"

    def fits(self, n_dims: int) -> bool:
        """True when points of ``n_dims`` dimensions can be drawn on this plane."""
        return n_dims > 2 if self.dims is None else max(self.dims) < n_dims


PRINCIPAL_COMPONENTS = Plane(None)
FIRST_PAIR = Plane((0, 1))


def planes_for(n_dims: int, chosen: Plane | None = None) -> tuple[Plane, ...]:
    """The planes to choose from (V cycles them): every pair of 2 or 3 dimensions; for more, the
    principal components and one pair, dims 1–2 unless ``chosen`` (with A: any pair) says which.

    A ``chosen`` pair replaces the one of the same two dimensions (so "2 1" swaps the axes), and
    the 3-d example shows the principal components too once they are chosen; a choice that does
    not fit ``n_dims`` (a 10-d choice, then a 3-d space) is left out. Only two planes beyond 3
    dimensions: cycling through every pair of 768 helps nobody; A picks one directly.
    """
    pair = chosen if chosen is not None and chosen.dims is not None and chosen.fits(n_dims) else None
    if n_dims <= 3:
        pairs = (FIRST_PAIR,) if n_dims <= 2 else (FIRST_PAIR, Plane((0, 2)), Plane((1, 2)))
        if pair is not None:
            pairs = tuple(pair if set(plane.dims or ()) == set(pair.dims or ()) else plane for plane in pairs)
        return (*pairs, PRINCIPAL_COMPONENTS) if chosen == PRINCIPAL_COMPONENTS and n_dims == 3 else pairs
    return (PRINCIPAL_COMPONENTS, pair or FIRST_PAIR)


def parse_plane(text: str, n_dims: int) -> Plane:
    """The plane a person typed for points of ``n_dims`` dimensions: two dimensions counted from 1
    ("2 5", "2,5", "2-5"), or "pc" for the first two principal components. ScenarioError says why not."""
    words = [word for word in re.split(r"[\s,;:/–—-]+", text.strip().lower()) if word]
    if words in (["pc"], ["pca"], ["p"]) or words == ["principal", "components"]:
        if n_dims <= 2:
            raise ScenarioError(f"these vectors have {n_dims} dimension{'s' * (n_dims != 1)}: they are drawn as they are, no projection")
        return PRINCIPAL_COMPONENTS
    refusal = ScenarioError(f"type two dimensions from 1 to {n_dims} (e.g. 1 {min(3, n_dims)}) or pc, not {quote(text.strip())}")
    if len(words) != 2 or not all(word.isdecimal() for word in words):  # not isdigit: int("²") fails
        raise refusal
    try:
        x, y = (int(word) for word in words)
    except ValueError:  # more digits than Python converts (4,300)
        raise refusal from None
    outside = [word for word, value in zip(words, (x, y)) if not 1 <= value <= n_dims]
    if outside:
        raise ScenarioError(f"these vectors have dimensions 1 to {n_dims}, not {quote(outside[0], 12)[1:-1]}")
    if x == y:
        raise ScenarioError(f"two different dimensions, please: {x} and {x} would draw a line")
    return Plane((x - 1, y - 1))


@dataclass(frozen=True)
class Marker:
    """Points drawn alike: one glyph and style; a PATH marker joins them with a line."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    style: str
    glyph: str
    line: bool = False


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float
    style: str


@dataclass(frozen=True)
class PlaneData:
    """One plane of a space, ready to draw."""

    title: str
    x_axis: str
    y_axis: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    markers: tuple[Marker, ...]
    labels: tuple[Label, ...]
    y_ticks: tuple[tuple[float, ...], tuple[str, ...]] | None = None
    """Where the y axis is marked and with what; None: the plotting library chooses."""


@dataclass(frozen=True)
class LegendEntry:
    glyph: str
    style: str
    text: str


def plane_data(space: VectorSpace, plane: Plane) -> PlaneData:
    """``space`` projected on ``plane``: markers, labels, ranges covering every point (shown or not)."""
    import torch

    matrices = [_matrix(points.vectors) for points in space.point_sets]
    n_dims = dimension(space)
    if plane.dims is None:
        projection, axes = _principal_components(matrices)
        projected = [(m @ projection if m.numel() else torch.zeros(0, 2)) for m in matrices]
    else:
        # Two columns picked out, not a product with a d×2 selection matrix: 512×768 costs nothing.
        columns = list(plane.dims)
        projected = [(m[:, columns] if m.numel() else torch.zeros(0, 2)) for m in matrices]
        axes = (f"dim {plane.dims[0] + 1}", f"dim {plane.dims[1] + 1}")
    if n_dims == 1:
        projected = [_on_rows(points.role, xy) for points, xy in zip(space.point_sets, projected)]
    everything = torch.cat(projected) if projected else torch.zeros(0, 2)
    x_range, y_range = _axis_range(everything[:, 0]), _axis_range(everything[:, 1])
    markers: list[Marker] = []
    labels: list[Label] = []
    for points, xy in zip(space.point_sets, projected):
        shown = xy if points.shown is None else xy[: max(0, points.shown)]
        _draw(points, shown.tolist(), markers, labels)
    # Most important first (the query, z, then the largest weights): where labels would overlap,
    # the widget keeps the first.
    labels.sort(key=lambda label: label.style not in (QUERY, CONTEXT))
    if n_dims == 1:
        n = max((len(xy) for points, xy in zip(space.point_sets, projected) if points.role == TOKENS), default=0)
        every = max(1, math.ceil(n / STRIP_TICKS))
        ticks = tuple(range(1, n + 1, every))
        return PlaneData(
            plane.title(1), "dim 1", "token", x_range, y_range, tuple(markers), tuple(labels), (tuple(-float(i) for i in ticks), tuple(map(str, ticks)))
        )
    return PlaneData(plane.title(n_dims), axes[0], axes[1], x_range, y_range, tuple(markers), tuple(labels))


STRIP_TICKS = 8
"""A one-dimensional space gives each token a row (numbered on the y axis, at most this many numbers)."""


def _on_rows(role: str, xy: torch.Tensor) -> torch.Tensor:
    """One dimension drawn as a strip: the value across, a row per token down (token i on row −i),
    the query and z on row 0 above them, the running sum after i terms on token i's row. On a
    single line, six points of 3.6's one-column heads covered each other and their labels."""
    import torch

    if role == TOKENS:
        rows = -torch.arange(1, len(xy) + 1, dtype=xy.dtype)
    elif role == PATH:
        rows = -torch.arange(len(xy), dtype=xy.dtype)
    else:
        rows = torch.zeros(len(xy), dtype=xy.dtype)
    return torch.stack([xy[:, 0], rows], dim=1) if len(xy) else xy


def dimension(space: VectorSpace) -> int:
    """How many dimensions the points of ``space`` have (1 for a space with no points)."""
    for points in space.point_sets:
        shape = getattr(points.vectors, "shape", None)
        if shape is not None and len(shape) == 2:
            return int(shape[1])
        if len(points.vectors):
            return len(points.vectors[0])
    return 1


def legend(space: VectorSpace) -> tuple[LegendEntry, ...]:
    """What each glyph means in ``space``, the weights' thresholds written out."""
    entries: list[LegendEntry] = []
    for points in space.point_sets:
        if points.shown == 0:
            continue
        if points.role == TOKENS and points.weights is not None and len(points.weights):
            high, mid = _thresholds(points.weights)
            entries += [
                LegendEntry(GLYPHS[HIGH], HIGH, f"{points.name} α ≥ {format_number(high)}"),
                LegendEntry(GLYPHS[MID], MID, f"α ≥ {format_number(mid)}"),
                LegendEntry(GLYPHS[LOW], LOW, "less"),
            ]
        elif points.role == TOKENS:
            entries.append(LegendEntry(GLYPHS[PLAIN], PLAIN, f"{points.name} (α not computed yet)" if points.weights is None else points.name))
        else:
            entries.append(LegendEntry(GLYPHS[points.role], points.role, points.name))
        if points.role == TOKENS and points.excluded:
            present = set(points.excluded[: points.shown])
            entries += [LegendEntry(GLYPHS[kind], kind, EXCLUDED_LEGEND[kind]) for kind in (MASKED, DROPPED) if kind in present]
    return tuple(entries)


def _matrix(vectors: Vectors) -> torch.Tensor:
    """m×d float32 (at least 2 columns); a float32 m×d tensor as it is (the PCA cache knows it by identity)."""
    import torch

    matrix = vectors if isinstance(vectors, torch.Tensor) else torch.as_tensor(vectors, dtype=torch.float32)
    matrix = matrix.float()
    if matrix.dim() != 2:
        matrix = matrix.reshape(-1, matrix.shape[-1]) if matrix.numel() else matrix.reshape(0, 2)
    if matrix.numel() and matrix.shape[1] == 1:
        matrix = torch.cat([matrix, torch.zeros_like(matrix)], dim=1)  # one dimension: on the x axis
    return matrix


PCA_EXACT_UP_TO = 64
"""Smaller matrices get an exact SVD; larger ones a few rounds of subspace iteration."""
SUBSPACE_SIZE, SUBSPACE_ROUNDS = 6, 4
"""Directions iterated and rounds: the first two of six converge in a few rounds."""

_last_basis: tuple[object, tuple[object, ...], tuple[object, tuple[str, str]]] | None = None
"""The last matrix, what identifies its numbers and its principal directions: a query change or a
walk step keeps the numbers, and the same picture costs nothing. The matrix itself is kept, so its
memory cannot be reused by another while it is cached."""


def _numbers_identity(matrix: torch.Tensor) -> tuple[object, ...]:
    """Equal for tensors that read the same memory the same way, unchanged since (``_version``):
    3.6 hands each head's keys as a new view of the same heads' tensor after every change."""
    return (matrix.data_ptr(), tuple(matrix.shape), matrix.stride(), matrix._version)


def _principal_components(matrices: Sequence[torch.Tensor]) -> tuple[torch.Tensor, tuple[str, str]]:
    """The first two principal directions of the first point set (the tokens), and axis titles
    saying how much of their variance each explains. The other sets are drawn in the same basis."""
    global _last_basis
    base = matrices[0]
    identity = _numbers_identity(base)
    if _last_basis is not None and _last_basis[1] == identity:
        return _last_basis[2]  # type: ignore[return-value]
    result = _compute_principal_components(base)
    _last_basis = (base, identity, result)
    return result


def _compute_principal_components(base: torch.Tensor) -> tuple[torch.Tensor, tuple[str, str]]:
    import torch

    n_dims = base.shape[1]
    mean = base.mean(dim=0)
    flat = base.reshape(-1)
    total = float(torch.dot(flat, flat)) - base.shape[0] * float(torch.dot(mean, mean))  # Σ‖x − mean‖²
    if min(base.shape) <= PCA_EXACT_UP_TO:
        _, values, vt = torch.linalg.svd(base - mean, full_matrices=False)
        directions = vt[:2].T
    else:
        # Subspace iteration from a fixed start, instead of torch.pca_lowrank's random one: the same
        # numbers give the same picture, and seeding torch's global generator costs milliseconds.
        # The centring stays implicit ((X − 1mᵀ)Q = XQ − 1(mᵀQ)): no copy of a 512×768 matrix per round.
        def centred_times(matrix: torch.Tensor) -> torch.Tensor:
            return base @ matrix - mean @ matrix

        basis = torch.randn(n_dims, SUBSPACE_SIZE, generator=torch.Generator().manual_seed(0))
        for _ in range(SUBSPACE_ROUNDS):
            projected = centred_times(basis)
            basis, _ = torch.linalg.qr(base.T @ projected - torch.outer(mean, projected.sum(dim=0)))
        _, values, vt = torch.linalg.svd(centred_times(basis), full_matrices=False)
        directions = basis @ vt[:2].T
    directions = directions.contiguous()
    if directions.shape[1] < 2:  # a single token or dimension: no second direction
        directions = torch.cat([directions, torch.zeros(n_dims, 2 - directions.shape[1])], dim=1)
        values = torch.cat([values, torch.zeros(2)])[:2]
    # An eigenvector's sign is arbitrary: fix it (largest loading positive) so an edit never mirrors the picture.
    largest = directions.abs().argmax(dim=0)
    signs = torch.sign(directions[largest, torch.arange(2)])
    directions = directions * torch.where(signs == 0, torch.ones_like(signs), signs)
    shares = [float(v) ** 2 / total if total > 0 else 0.0 for v in values[:2]]
    return directions, (f"PC 1 ({shares[0]:.0%})", f"PC 2 ({shares[1]:.0%})")


def _axis_range(values: torch.Tensor) -> tuple[float, float]:
    """Every finite value, with a margin; a span of zero still gets a visible range."""
    finite = values[values.isfinite()]
    if not finite.numel():
        return (-1.0, 1.0)
    low, high = float(finite.min()), float(finite.max())
    span = high - low
    margin = span * MARGIN if span > 0 else max(abs(low), 1.0) * 0.5
    return (low - margin, high + margin)


def _thresholds(weights: Sequence[float]) -> tuple[float, float]:
    """Weights from 2/3 of the largest are "high", from 1/3 "mid": relative, so a 512-token
    softmax (every α small) still shows which tokens stand out."""
    largest = max((w for w in weights if math.isfinite(w)), default=0.0)
    return largest * 2 / 3, largest / 3


def _draw(points: PointSet, xy: list[list[float]], markers: list[Marker], labels: list[Label]) -> None:
    finite = [(i, x, y) for i, (x, y) in enumerate(xy) if math.isfinite(x) and math.isfinite(y)]
    if not finite:
        return
    if points.role == PATH:
        markers.append(Marker(tuple(x for _, x, _ in finite), tuple(y for _, _, y in finite), PATH, GLYPHS[PATH], line=True))
        return
    if points.role != TOKENS:
        markers.append(Marker(tuple(x for _, x, _ in finite), tuple(y for _, _, y in finite), points.role, GLYPHS[points.role]))
        labels += [Label(points.labels[i], x, y, points.role) for i, x, y in finite if i < len(points.labels)]
        return
    weights = points.weights
    styles = [PLAIN] * len(xy)
    if weights is not None and len(weights):
        high, mid = _thresholds(weights)
        styles = [HIGH if w >= high else MID if w >= mid else LOW for w in weights]
    for i, why in enumerate(points.excluded[: len(styles)]):
        if why:
            styles[i] = why
    groups: dict[str, tuple[list[float], list[float]]] = {}
    for i, x, y in finite:  # one pass: 512 tokens, six kinds of marker
        xs, ys = groups.setdefault(styles[i], ([], []))
        xs.append(x)
        ys.append(y)
    for style in (MASKED, DROPPED, LOW, MID, PLAIN, HIGH):  # the largest weights drawn last, on top
        if style in groups:
            markers.append(Marker(tuple(groups[style][0]), tuple(groups[style][1]), style, GLYPHS[style]))
    labelled = _labelled(len(xy), weights, points.excluded)
    named = [(i, x, y) for i, x, y in finite if i in labelled and i < len(points.labels)]
    if weights is not None and len(weights):
        named.sort(key=lambda point: -weights[point[0]])  # the largest first: they keep their place
    labels += [Label(points.labels[i], x, y, styles[i]) for i, x, y in named]


def _labelled(n: int, weights: Sequence[float] | None, excluded: Sequence[str] = ()) -> range | set[int]:
    """Tokens whose label is written: all of a few; of many, only the largest weights' (of the
    tokens that have one: a masked token's zero is no reason to name it)."""
    if n <= LABEL_ALL_UP_TO or weights is None:
        return range(n) if n <= LABEL_ALL_UP_TO else set()
    candidates = [i for i in range(len(weights)) if not (i < len(excluded) and excluded[i])]
    order = sorted(candidates, key=lambda i: -weights[i] if math.isfinite(weights[i]) else math.inf)
    return set(order[:LABELLED_LARGEST])


# --- pieces every mechanism's spaces share ---------------------------------------------------


def revealed_weights(weights: torch.Tensor, progress: Any = None) -> list[float] | None:
    """The weights α as the plot may show them: in the live view (``progress`` None), or once a
    walk has computed every one (the mechanism's ``known.weights``); None before."""
    n = weights.shape[0]
    return weights.tolist() if progress is None or progress.known.weights >= n else None


def weighted_sum_sets(running: torch.Tensor, context: torch.Tensor, query_index: int, progress: Any = None) -> tuple[PointSet, PointSet]:
    """The running sum of a weighted sum (drawn from the origin, term by term, while a walk adds
    them: the mechanism's ``known.context_terms``) and its result z, the context vector (drawn once
    every term is added; in the live view, always).

    Both are always in the space, drawn or not, so the axis ranges are the same in the live view and
    at every step of a walk: nothing jumps while it runs. ``running`` is n×d, row i the sum after
    token i.
    """
    import torch

    n = running.shape[0]
    terms = n if progress is None else progress.known.context_terms
    path = torch.cat([torch.zeros(1, running.shape[1], dtype=running.dtype), running])
    drawn = terms + 1 if progress is not None and terms > 0 else 0
    return (
        PointSet(f"Σ αᵢ·…, {terms} of {n} terms", PATH, path, shown=drawn),
        PointSet(f"context {context_vector(query_index + 1)}", CONTEXT, context.reshape(1, -1), shown=1 if terms >= n else 0),
    )
