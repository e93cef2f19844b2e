"""Between the app and the terminal: the cell-diff writer and start-up helpers."""
