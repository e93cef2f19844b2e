"""Layering of the mechanisms' compute cores: pure torch (no Textual), and an oracle that shares
nothing with what it checks."""

from __future__ import annotations

import ast
from pathlib import Path

from test_boundaries import loaded_packages, modules_loaded_by

COMPUTE_MODULES = [
    "attn_tui.mechanisms.weights",
    "attn_tui.mechanisms.trainable.compute",
    "attn_tui.mechanisms.causal.compute",
    "attn_tui.mechanisms.multihead.compute",
]


def test_compute_cores_do_not_import_textual():
    """Notebooks, tests and the export snippet's checks use them without a screen."""
    loaded = modules_loaded_by(*COMPUTE_MODULES)
    assert set(COMPUTE_MODULES) <= loaded
    assert loaded_packages(loaded, "textual", "attn_tui.ui") == []


def test_the_oracle_imports_neither_torch_nor_attn_tui():
    tree = ast.parse((Path(__file__).parents[1] / "oracle_weights.py").read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "math"}
