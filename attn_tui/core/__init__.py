"""The computation and the data a person edits: plain Python and torch, never Textual."""
