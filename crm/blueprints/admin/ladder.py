"""Admin pages for the ladder: the model, its stages, the loss reasons."""
