"""What a person sees and presses: the Textual app, its screens, widgets and dialogs."""
