"""Adapters to other evaluation frameworks (Inspect). Each imports its framework itself."""
