"""Quarantine pages: mail that could not be processed, with retry and discard (being built)."""
