"""Section 3.4: self-attention with trainable weights W_q, W_k, W_v and √d_k scaling."""
