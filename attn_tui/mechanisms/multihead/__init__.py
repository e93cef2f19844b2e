"""Section 3.6: multi-head attention (the wrapper of causal heads, and one split W)."""
