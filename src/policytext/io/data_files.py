"""Where the package's data files and the bundled corpus are, and the one data file the decoder needs.

Nothing here decodes: :mod:`policytext.io.decoding` uses the character list, and
:mod:`policytext.io.resources` reads every other data file (decoding them, since users
write their own in any encoding).
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

__all__ = ["data_path", "bundled_corpus_path", "frequent_characters"]


def data_path(*parts: str) -> Path:
    """Path of a data file shipped with the package, e.g. ``data_path("lexicon", "policy_terms.txt")``.

    Examples
    --------
    >>> data_path("cleaning", "chrome_rules.tsv").is_file()
    True"""
    return Path(str(resources.files("policytext").joinpath("data", *parts)))


def bundled_corpus_path() -> Path:
    """Path of the bundled corpus (``data/`` of a source checkout).

    Examples
    --------
    >>> (bundled_corpus_path() / "metadata.csv").is_file()
    True"""
    candidate = Path(__file__).resolve().parents[3] / "data"  # src/policytext/io/ -> the checkout
    if (candidate / "metadata.csv").is_file():
        return candidate
    raise FileNotFoundError(
        "the bundled corpus is in the data/ folder of a policytext source checkout; "
        f"it was not found at {candidate}")


@functools.lru_cache(maxsize=1)
def frequent_characters() -> str:
    """The most frequent Chinese characters, Simplified and Traditional (``data/encoding/frequent_chars.txt``).

    The encoding detector scores decodings by them; ``scripts/build_frequent_chars.py``
    rebuilds the list.

    Examples
    --------
    >>> chars = frequent_characters()
    >>> "的" in chars and "發" in chars and "龘" not in chars
    True
    """
    text = data_path("encoding", "frequent_chars.txt").read_text(encoding="utf-8")
    return "".join("".join(line.split()) for line in text.splitlines() if not line.startswith("#"))


