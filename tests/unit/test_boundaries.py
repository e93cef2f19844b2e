"""Layering: the core never imports Textual, and the plain-Python modules never import torch.

Each check runs in a fresh interpreter, so modules imported by other tests cannot hide a leak."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def modules_loaded_by(*modules: str) -> set[str]:
    """Names in sys.modules after a fresh interpreter imports ``modules``."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


def loaded_packages(loaded: set[str], *packages: str) -> list[str]:
    """The modules in ``loaded`` that are one of ``packages`` or inside them."""
    return sorted(name for name in loaded if any(name == p or name.startswith(p + ".") for p in packages))


def test_core_does_not_import_textual():
    """attention, scenario, formatting and compute work without a screen (notebooks, tests, SSH)."""
    loaded = modules_loaded_by("attn_tui.core.attention", "attn_tui.core.scenario", "attn_tui.core.formatting", "attn_tui.core.compute")
    assert "attn_tui.core.compute" in loaded
    assert loaded_packages(loaded, "textual") == []


def test_scenario_and_formatting_are_plain_python():
    """Scenario and formatting import neither torch nor Textual, so they load instantly."""
    loaded = modules_loaded_by("attn_tui.core.scenario", "attn_tui.core.formatting")
    assert "attn_tui.core.formatting" in loaded
    assert loaded_packages(loaded, "torch", "textual") == []


def test_recovery_files_are_plain_python():
    """A signal handler writes them as the process goes away: nothing heavy may load then."""
    loaded = modules_loaded_by("attn_tui.core.recovery")
    assert "attn_tui.core.recovery" in loaded
    assert loaded_packages(loaded, "torch", "textual") == []


def test_walkthrough_needs_neither_textual_nor_torch_to_import():
    """The walkthrough is plain data: the app imports it before torch has loaded, a notebook without a screen."""
    loaded = modules_loaded_by("attn_tui.core.walkthrough", "attn_tui.ui.heatmap")
    assert "attn_tui.core.walkthrough" in loaded
    assert loaded_packages(loaded, "torch", "textual") == []


def test_loading_torchs_libraries_imports_neither_torch_nor_textual():
    """The head start for torch (attn_tui.terminal.preload) runs before torch may be imported."""
    loaded = modules_loaded_by("attn_tui.terminal.preload")
    assert "attn_tui.terminal.preload" in loaded
    assert loaded_packages(loaded, "torch", "textual") == []
