"""compute.analyse with the previous analysis reuses what a change left alone, and gives exactly
what a fresh computation gives."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from attn_tui.core.compute import analyse
from attn_tui.mechanisms.simple.compute import Analysis
from attn_tui.core.scenario import SEED_EXAMPLE, seeded_scenario

CHANGES = {
    "query": lambda s: s.with_query_step(1),
    "one cell": lambda s: s.with_value(3, 1, -2.5),
    "a label": lambda s: s.with_label(0, "Mine"),
    "a token inserted": lambda s: s.with_token_inserted(2),
    "a token deleted": lambda s: s.with_token_deleted(4),
    "a dimension inserted": lambda s: s.with_dimension_inserted(1),
    "every row": lambda s: s.with_embeddings([[v + 1 for v in row] for row in s.embeddings]),
}


def assert_same_numbers(a: Analysis, b: Analysis) -> None:
    assert a.scenario == b.scenario
    assert torch.equal(a.inputs, b.inputs)
    for part in ("all_queries", "query"):
        for field in dataclasses.fields(getattr(a, part)):
            left, right = getattr(getattr(a, part), field.name), getattr(getattr(b, part), field.name)
            assert torch.equal(left, right) if isinstance(left, torch.Tensor) else left == right, (part, field.name)


@pytest.mark.parametrize("scenario", [SEED_EXAMPLE, seeded_scenario(40, 12, seed=3)], ids=["6×3", "40×12"])
@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_an_update_from_the_previous_analysis_equals_a_fresh_one(scenario, change):
    previous = analyse(scenario)
    changed = change(scenario)
    assert_same_numbers(analyse(changed, previous), analyse(changed))


def test_a_query_change_reuses_every_querys_numbers():
    previous = analyse(SEED_EXAMPLE)
    updated = analyse(SEED_EXAMPLE.with_query_step(1), previous)
    assert updated.inputs is previous.inputs
    assert updated.all_queries is previous.all_queries
    assert updated.query.query_index == 2


def test_an_edit_recomputes_every_querys_numbers():
    previous = analyse(SEED_EXAMPLE)
    updated = analyse(SEED_EXAMPLE.with_value(0, 0, 1.0), previous)
    assert updated.all_queries is not previous.all_queries
    assert round(updated.all_queries.scores[0, 1].item(), 4) == 1.2679  # 1×0.55 + 0.15×0.87 + 0.89×0.66
