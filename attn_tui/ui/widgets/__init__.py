"""Textual widgets: they render what the app hands them and post messages; they never compute."""
