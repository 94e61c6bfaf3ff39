"""The package's exception for bad input."""

from __future__ import annotations

__all__ = ["CorpusError"]


class CorpusError(ValueError):
    """Bad input: the message names the file, the row and the column concerned."""
