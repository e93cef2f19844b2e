"""Messages quote at most ~40 characters of what was typed or read: start … end."""

from __future__ import annotations

import pytest

from attn_tui.core.files import load_file
from attn_tui.core.quoting import QUOTE_LIMIT, quote
from attn_tui.core.scenario import ScenarioError, parse_number
from attn_tui.core.sentence import parse_seed

LONG_NUMBER = "1" * 2500 + "9" * 2500
QUOTED_MAX = QUOTE_LIMIT + 2  # the quotes


def test_quote_keeps_short_values_and_shortens_long_ones():
    assert quote("abc") == "'abc'"
    assert quote(3) == "3"
    long = quote(LONG_NUMBER)
    assert len(long) == QUOTED_MAX and long.startswith("'1111") and long.endswith("9999'") and "…" in long
    assert len(quote(list(range(5000)))) == QUOTE_LIMIT
    assert quote("a\tb") == "'a\\tb'"  # control characters are escaped, never drawn


def test_a_csv_cell_of_5000_digits_is_quoted_short(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(f"a,1,2\nb,{LONG_NUMBER},3\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_file(path)
    message = str(refused.value)
    assert "line 2, column 2" in message and "is not a finite number" in message
    assert len(message) < len(str(path)) + 100


@pytest.mark.parametrize("refuse", [parse_number, parse_seed, lambda text: parse_number("x" + text)])
def test_typed_values_are_quoted_short(refuse):
    with pytest.raises(ScenarioError) as refused:
        refuse(LONG_NUMBER + "e")
    assert len(str(refused.value)) < 100
