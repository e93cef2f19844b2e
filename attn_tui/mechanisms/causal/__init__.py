"""Section 3.5: causal attention (the mask, two ways of masking, dropout)."""
