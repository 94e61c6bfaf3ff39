"""On-disk cache of tokenized documents.

One file per document, named by the SHA-256 of the tokenizer's fingerprint and
the text, so that any change of configuration or text misses and nothing else
does. Writes are atomic (a temporary file renamed into place), so parallel runs
sharing a cache cannot leave a half-written entry.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """``$POLICYTEXT_CACHE_DIR``, else ``$XDG_CACHE_HOME/policytext``, else ``~/.cache/policytext``."""
    env = os.environ.get("POLICYTEXT_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "policytext"


class TokenCache:
    """A folder of pickled token results, keyed by content."""

    def __init__(self, folder: Path):
        self.folder = Path(folder) / "tokens"

    @staticmethod
    def key(fingerprint: str, text: str) -> str:
        h = hashlib.sha256(fingerprint.encode())
        h.update(b"\0")
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pkl"

    def get(self, key: str):
        path = self._path(key)
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as err:
            logger.warning("ignoring unreadable cache entry %s: %s", path, err)
            return None

    def put(self, key: str, value) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError as err:
            logger.warning("could not write the token cache at %s: %s", path, err)
