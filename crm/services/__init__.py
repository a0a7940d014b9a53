"""The domain: plain functions that take models or values, flush, and never commit."""
