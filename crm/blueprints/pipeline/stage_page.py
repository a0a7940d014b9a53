"""One stage's page: who stands on it, and whose relationship factors fell."""
