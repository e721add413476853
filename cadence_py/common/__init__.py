"""Pieces every role uses: the Cadence API errors and small helpers."""
