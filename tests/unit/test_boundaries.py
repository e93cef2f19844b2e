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


PACKAGE = REPO_ROOT / "attn_tui"

VIEW_MODULES = ("panels", "views")
"""A mechanism's views (Textual widgets) live in modules of these names, imported only by the app."""


def modules_under(folder: str, *, views: bool = False) -> list[str]:
    """Every module of ``attn_tui/<folder>`` (a mechanism's view modules only if ``views``)."""
    names = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        parts = path.relative_to(REPO_ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[-1] in VIEW_MODULES and not views:
            continue
        names.append(".".join(parts))
    return names


def test_core_and_mechanisms_do_not_import_textual():
    """Every core module and every mechanism's computation, walk and exports work without a screen
    (notebooks, tests, the SSH server's zygote); only a mechanism's view modules use Textual."""
    modules = modules_under("core") + modules_under("mechanisms")
    assert "attn_tui.core.compute" in modules and "attn_tui.mechanisms.simple.attention" in modules
    loaded = modules_loaded_by(*modules)
    assert loaded_packages(loaded, "textual", "attn_tui.ui", "attn_tui.terminal") == []


def test_core_never_imports_mechanisms_or_views_at_import_time():
    """Layers point one way: core ← mechanisms ← ui. Core reaches the registry only inside the
    functions that dispatch on a scenario's mechanism, so importing it loads no mechanism."""
    loaded = modules_loaded_by(*modules_under("core"))
    assert loaded_packages(loaded, "attn_tui.mechanisms", "attn_tui.ui", "attn_tui.terminal") == []


def test_the_registry_loads_neither_torch_nor_textual():
    """The command line and the file reader name mechanisms before torch or Textual has loaded."""
    loaded = modules_loaded_by("attn_tui.mechanisms")
    assert loaded_packages(loaded, "torch", "textual") == []


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


def test_start_up_does_not_import_plotext():
    """The vector plot's widget, textual-plotext and plotext load when the plot first opens (v), not
    on the start-up path: importing them costs time before the first frame."""
    loaded = modules_loaded_by("attn_tui.cli", "attn_tui.ui.app")
    assert "attn_tui.ui.app" in loaded
    assert loaded_packages(loaded, "plotext", "textual_plotext", "attn_tui.ui.widgets.vector_plot", "attn_tui.core.plot_data") == []


def test_plot_data_needs_no_textual_and_no_plotext():
    """The plot's numbers are computed without a screen, so they are tested without one."""
    loaded = modules_loaded_by("attn_tui.core.plot_data")
    assert "attn_tui.core.plot_data" in loaded
    assert loaded_packages(loaded, "textual", "plotext", "textual_plotext", "torch") == []
