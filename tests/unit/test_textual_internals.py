"""The private parts of Textual and Rich that attn-tui reaches (all through
attn_tui.terminal.textual_internals) still exist: an upgrade that removes one fails here, by name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from textual.app import App
from textual.widget import Widget

from attn_tui.terminal import textual_internals
from attn_tui.terminal.textual_internals import REACHED

PACKAGE = Path(textual_internals.__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(REACHED))
def test_every_private_name_still_exists(name):
    owner_name, attribute = name.split(".")
    owner = REACHED[name][0] or App
    assert hasattr(owner, attribute) or attribute in getattr(owner, "__annotations__", {}) or _set_by_init(owner, attribute), (
        f"Textual/Rich no longer has {name}: {REACHED[name][1]}. See attn_tui/terminal/textual_internals.py."
    )


def _set_by_init(owner: type, attribute: str) -> bool:
    """Instance attributes (App._batch_count, Widget._border_title …) exist only on instances: make one."""
    return hasattr(owner(), attribute) if owner in (App, Widget) else False


def test_private_modules_are_imported_in_one_place_only():
    """No other module imports a private Textual module (textual._x or textual.x._y)."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "textual_internals.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("textual"):
                if any(part.startswith("_") for part in node.module.split(".")):
                    offenders.append(f"{path.relative_to(PACKAGE)}: from {node.module}")
    assert offenders == []
