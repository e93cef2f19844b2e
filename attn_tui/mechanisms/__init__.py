"""Attention mechanisms of chapter 3, one unit each, in the book's order."""
