"""The layout of a token dataset on disk: what :func:`policytext.tokenize_to_parquet` writes and every
count-based comparison reads.

A dataset is a folder holding ``tokens/part-*.parquet`` (one row per token: ``doc_id``, ``para_id``,
``position``, ``token``; each file holds whole documents), ``documents.parquet`` (the documents'
metadata), ``account.parquet`` (per document: units, raw and kept tokens) and the marker file
:data:`MARKER`, which says policytext wrote it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["MARKER", "is_token_dataset", "token_files", "documents_file", "account_file"]

#: The file that marks a folder as a token dataset written by :func:`policytext.tokenize_to_parquet`; only
#: such a folder is ever replaced (``overwrite=True``).
MARKER = "policytext-dataset.json"


def is_token_dataset(path) -> bool:
    """Whether ``path`` is a folder written by :func:`policytext.tokenize_to_parquet` (it holds the marker file).

    Anything that is not a path (a tokens table, a matrix) is not a dataset.

    Examples
    --------
    >>> is_token_dataset("no/such/folder"), is_token_dataset(None)
    (False, False)
    """
    if not isinstance(path, (str, os.PathLike)):
        return False
    path = Path(path)
    if not path.is_dir() or path.is_symlink():
        return False
    try:
        return json.loads((path / MARKER).read_text(encoding="utf-8")).get("written_by") == "policytext"
    except (OSError, ValueError, AttributeError):
        return False


def token_files(path) -> list[Path]:
    """The dataset's token files, in the order they were written (the order of the documents)."""
    return sorted((Path(path) / "tokens").glob("part-*.parquet"))


def documents_file(path) -> Path:
    """The dataset's table of documents and their metadata."""
    return Path(path) / "documents.parquet"


def account_file(path) -> Path:
    """The dataset's account per document (units, raw and kept tokens)."""
    return Path(path) / "account.parquet"
