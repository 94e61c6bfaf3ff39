"""The package's exceptions: bad input, and a statistic this data cannot give."""

from __future__ import annotations

__all__ = ["CorpusError", "NotEstimable"]


class CorpusError(ValueError):
    """Bad input: the message names the file, the row and the column concerned."""


class NotEstimable(ValueError):
    """The data cannot answer this question (one group, fewer units than topics, no term often enough ...).

    The message says why and, where one exists, what would work instead. The
    report shows it in place of the section instead of an empty table or figure.
    """
