"""attn-tui: see self-attention in a terminal.

This module stays import-free so `attn-tui --version` and `--help` start instantly.
"""

__version__ = "0.1.0"
