"""On-disk caches: tokenized documents and fitted models.

Entries are NumPy archives (``.npz``) read with ``allow_pickle=False``, so a
cache folder that others can write cannot make policytext run code; each
entry holds a SHA-256 checksum of its content, so a damaged entry is detected,
discarded with a warning, and recomputed. One file per entry, named by the
SHA-256 of everything it depends on, so that any change of configuration or
input misses and nothing else does. Writes are atomic (a temporary file renamed
into place), so parallel runs sharing a cache cannot leave a half-written entry.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import os
import zipfile
from pathlib import Path

import numpy as np

from policytext._core.output import write_atomic

logger = logging.getLogger(__name__)

#: Separator of the strings of a vocabulary stored in one text (tokens never hold a line break).
_SEP = "\n"


@functools.lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """SHA-256 of the package's own code and data files (with the version): part of every cache key.

    A result computed by other code, or with other shipped lexicons, rules or
    stopwords, is never read back, also during development where the version
    number stays the same. Read once per process (about 1 MB).
    """
    from policytext import __version__

    root = Path(__file__).resolve().parents[1]  # the package, from policytext/_core/
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix not in (".pyc",)
                       and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode("utf-8", "surrogatepass") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def default_cache_dir() -> Path:
    """``$POLICYTEXT_CACHE_DIR``, else ``$XDG_CACHE_HOME/policytext``, else ``~/.cache/policytext``."""
    env = os.environ.get("POLICYTEXT_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "policytext"


def _checksum(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for name in sorted(arrays):
        value = np.ascontiguousarray(arrays[name])
        h.update(name.encode())
        h.update(str(value.dtype).encode())
        h.update(str(value.shape).encode())
        h.update(value.tobytes())
    return h.hexdigest()


class ArrayStore:
    """A folder of checksummed NumPy archives, keyed by content."""

    def __init__(self, folder: Path, kind: str):
        self.folder = Path(folder) / kind
        self.kind = kind
        self._write_warned = False
        self.damaged_ = 0

    @staticmethod
    def key(*parts: str | bytes) -> str:
        h = hashlib.sha256()
        for part in parts:
            h.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass"))
            h.update(b"\0")
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.npz"

    def get_arrays(self, key: str) -> dict[str, np.ndarray] | None:
        """The arrays of an entry, or None if there is none or it is damaged (then it is removed)."""
        path = self._path(key)
        try:
            with np.load(path, allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in archive.files}
        except (FileNotFoundError, NotADirectoryError):  # no entry (or the cache folder is not a folder)
            return None
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, TypeError, NotImplementedError,
                RuntimeError) as err:  # a damaged header can name an unknown compression, or encryption
            self._discard(path, f"unreadable ({type(err).__name__}: {err})")
            return None
        stored = arrays.pop("checksum", None)
        if stored is None or str(stored) != _checksum(arrays):
            self._discard(path, "its checksum does not match its content")
            return None
        return arrays

    def _discard(self, path: Path, why: str) -> None:
        self.damaged_ += 1
        logger.warning("discarding a damaged %s cache entry %s: %s; it is recomputed", self.kind, path, why)
        try:
            path.unlink()
        except OSError:
            pass

    def put_arrays(self, key: str, arrays: dict[str, np.ndarray]) -> None:
        path = self._path(key)
        arrays = {name: np.asarray(value) for name, value in arrays.items()}
        if any(a.dtype == object for a in arrays.values()):
            raise TypeError("cache entries hold plain arrays only (no Python objects)")
        arrays["checksum"] = np.array(_checksum(arrays))
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        try:
            write_atomic(path, buffer.getvalue())  # no temporary file is left when it fails
        except OSError as err:
            if not self._write_warned:  # once per run, not once per entry
                logger.warning("could not write the %s cache at %s: %s (results are computed, not cached)",
                               self.kind, self.folder, err)
                self._write_warned = True


def join_strings(values) -> np.ndarray:
    """Strings as one text array (no fixed-width cost for a long string)."""
    return np.array(_SEP.join(values))


def split_strings(value: np.ndarray) -> list[str]:
    text = str(value)
    return text.split(_SEP) if text else []


class TokenCache(ArrayStore):
    """Tokenized documents: the compact result of :meth:`PolicyTokenizer.tokenize_units`."""

    def __init__(self, folder: Path):
        super().__init__(folder, "tokens")

    @staticmethod
    def key(fingerprint: str, text: str) -> str:  # noqa: D102 (same as ArrayStore.key)
        return ArrayStore.key(fingerprint, text)

    def get(self, key: str) -> dict | None:
        arrays = self.get_arrays(key)
        if arrays is None:
            return None
        try:
            has_pos = bool(arrays["has_pos"])
            return {"para_id": arrays["para_id"].astype(np.int32), "position": arrays["position"].astype(np.int32),
                    "codes": arrays["codes"].astype(np.int32), "vocab": split_strings(arrays["vocab"]),
                    "pos_codes": arrays["pos_codes"].astype(np.int32) if has_pos else None,
                    "pos_vocab": split_strings(arrays["pos_vocab"]) if has_pos else None,
                    "n_units": int(arrays["n_units"]), "n_raw": int(arrays["n_raw"]),
                    "unit_start": arrays["unit_start"].astype(np.int64), "unit_end": arrays["unit_end"].astype(np.int64),
                    "n_chars": int(arrays["n_chars"])}
        except KeyError as err:
            self._discard(self._path(key), f"it lacks {err}")
            return None

    def put(self, key: str, value: dict) -> None:
        has_pos = value["pos_vocab"] is not None
        self.put_arrays(key, {
            "para_id": value["para_id"], "position": value["position"], "codes": value["codes"],
            "vocab": join_strings(value["vocab"]), "has_pos": np.array(has_pos),
            "pos_codes": value["pos_codes"] if has_pos else np.zeros(0, np.int32),
            "pos_vocab": join_strings(value["pos_vocab"] if has_pos else []),
            "n_units": np.array(value["n_units"]), "n_raw": np.array(value["n_raw"]),
            "unit_start": value["unit_start"], "unit_end": value["unit_end"], "n_chars": np.array(value["n_chars"])})
