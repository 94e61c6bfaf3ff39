"""Caches: a damaged entry (any changed byte) is discarded and recomputed; an unwritable cache warns once."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

import policytext as pt
from policytext._core.cache import ArrayStore

SMALL = pd.DataFrame({"doc_id": ["a", "b"],
                      "text_clean": ["湖北省加快推进工业互联网创新发展。\n打造数字经济高地。",
                                     "山东省推进数据要素市场化配置改革,建设算力网络。"]})


def flipped_copies(data: bytes, n: int = 48):
    """``data`` with one byte changed, at n positions spread over the whole entry (header, content, index)."""
    for pos in sorted({int(p) for p in np.linspace(0, len(data) - 1, n)}):
        damaged = bytearray(data)
        damaged[pos] ^= 0x5A
        yield pos, bytes(damaged)


def test_any_changed_byte_of_an_entry_is_detected_not_trusted(tmp_path):
    store = ArrayStore(tmp_path, "probe")
    arrays = {"codes": np.arange(50_000, dtype=np.int32), "vocab": np.array("工业\n互联网\n平台")}
    store.put_arrays("k" * 64, arrays)
    path = next((tmp_path / "probe").rglob("*.npz"))
    original = path.read_bytes()
    for pos, damaged in flipped_copies(original, n=200):
        path.write_bytes(damaged)
        got = store.get_arrays("k" * 64)  # never raises (MemoryError, OverflowError, ...)
        if got is not None:  # a byte the archive does not use (zip padding/comment): content must be intact
            assert set(got) == set(arrays) and all(np.array_equal(got[k], arrays[k]) for k in arrays), pos
    assert store.damaged_ > 150


def test_a_token_cache_entry_with_one_changed_byte_is_recomputed(tmp_path, caplog):
    first = pt.tokenize(SMALL, cache_dir=tmp_path, progress=False)
    entry = sorted((tmp_path / "tokens").rglob("*.npz"))[0]
    original = entry.read_bytes()
    for pos, damaged in flipped_copies(original, n=24):
        entry.write_bytes(damaged)
        again = pt.tokenize(SMALL, cache_dir=tmp_path, progress=False)
        pd.testing.assert_frame_equal(first.reset_index(drop=True), again.reset_index(drop=True))
    assert "discarding a damaged tokens cache entry" in caplog.text


def test_a_model_cache_entry_with_one_changed_byte_is_refitted(tokens, tmp_path):
    cold = pt.fit_lda(tokens, k=2, random_state=3, iterations=30, cache_dir=tmp_path, progress=False)
    entry = next((tmp_path / "models").rglob("*.npz"))
    original = entry.read_bytes()
    for pos, damaged in flipped_copies(original, n=6):
        entry.write_bytes(damaged)
        warm = pt.fit_lda(tokens, k=2, random_state=3, iterations=30, cache_dir=tmp_path, progress=False)
        np.testing.assert_array_equal(warm.beta(), cold.beta())
        np.testing.assert_array_equal(warm.theta_, cold.theta_)


def test_an_unwritable_cache_warns_once_not_once_per_document(tmp_path, caplog):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the cache folder should be")
    docs = pd.concat([SMALL.assign(doc_id=SMALL["doc_id"] + str(i)) for i in range(10)], ignore_index=True)
    with caplog.at_level(logging.WARNING):
        table = pt.tokenize(docs, cache_dir=blocker, progress=False)
    assert table["doc_id"].nunique() == 20
    warnings = [r for r in caplog.records if "could not write" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]


def test_cache_entries_cannot_hold_python_objects(tmp_path):
    store = ArrayStore(tmp_path, "probe")
    with pytest.raises(TypeError, match="plain arrays"):
        store.put_arrays("k" * 64, {"x": np.array([{"a": 1}], dtype=object)})
