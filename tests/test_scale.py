"""Scale-out on Dask: tokens written as a Parquet dataset by the workers of a LocalCluster, and term counts
computed from it, equal to the in-memory pipeline's."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import policytext as pt

pytest.importorskip("dask.distributed")

from generated import generated_corpus  # noqa: E402 (after the skip)


def test_tokens_on_the_cluster_equal_the_tokens_in_memory(tmp_path, client):
    docs = generated_corpus()
    path = pt.tokenize_to_parquet(docs, tmp_path / "tokens", client=client, batch_chars=3000)
    parts = sorted((path / "tokens").glob("part-*.parquet"))
    assert len(parts) > 2  # several batches, several tasks
    on_cluster = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    in_memory = pt.tokenize(docs, cache=False)
    pd.testing.assert_frame_equal(
        on_cluster.astype({"doc_id": str, "token": str}).reset_index(drop=True),
        in_memory[["doc_id", "para_id", "position", "token"]].astype({"doc_id": str, "token": str}),
        check_dtype=False)
    account = pd.read_parquet(path / "account.parquet")
    assert account["n_tokens"].tolist() == pt.tokenize_account(in_memory)["n_tokens"].tolist()
    assert pd.read_parquet(path / "documents.parquet")["doc_id"].tolist() == docs["doc_id"].tolist()
    with pytest.raises(FileExistsError):
        pt.tokenize_to_parquet(docs, path, client=client)


@pytest.mark.parametrize("by", ["province", ["province", "year"], None])
def test_term_counts_from_the_dataset_equal_term_frequency(tmp_path, client, by):
    docs = generated_corpus(seed=1)
    path = pt.tokenize_to_parquet(docs, tmp_path / "tokens", client=client, batch_chars=4000)
    counted = pt.term_counts(path, by=by, client=client)
    expected = pt.term_frequency(pt.tokenize(docs, cache=False), by=by)
    cols = list(expected.columns)
    counted = counted.astype({c: str for c in cols if c not in ("n", "per_10k", "doc_freq", "rank")})
    expected = expected.astype({c: str for c in cols if c not in ("n", "per_10k", "doc_freq", "rank")})
    pd.testing.assert_frame_equal(counted[cols].reset_index(drop=True), expected.reset_index(drop=True),
                                  check_dtype=False)
    if by == "province":
        assert "(none)" in set(counted["province"])


def test_the_readme_example_runs_on_what_load_corpus_and_clean_return(tmp_path, client):
    # the README's three lines, on the bundled corpus as load_corpus and clean give it (accounts in attrs)
    docs = pt.clean(pt.load_corpus(pt.bundled_corpus_path()), progress=False)
    assert docs.attrs  # the load and clean accounts travel with the table
    path = pt.tokenize_to_parquet(docs, tmp_path / "tokens", client=client)
    counted = pt.term_counts(path, by="province", client=client)
    expected = pt.term_frequency(pt.tokenize(docs, cache=False), by="province")
    assert counted["n"].sum() == expected["n"].sum() and set(counted["province"]) == set(expected["province"])
    import pyarrow.parquet as pq

    for part in [path / "documents.parquet", path / "account.parquet", *sorted((path / "tokens").glob("*.parquet"))]:
        metadata = pq.read_schema(part).metadata or {}
        assert "attrs" not in json.loads(metadata.get(b"pandas", b"{}")), part


def test_overwrite_replaces_only_a_dataset_it_wrote(tmp_path, client):
    docs = generated_corpus(n_docs=6)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_bytes(b"years of work")
    with pytest.raises(FileExistsError, match="not a token dataset written by policytext"):
        pt.tokenize_to_parquet(docs, mine, client=client, overwrite=True)
    assert [p.name for p in mine.iterdir()] == ["thesis.docx"]
    path = pt.tokenize_to_parquet(docs, tmp_path / "tokens", client=client)
    again = pt.tokenize_to_parquet(docs.iloc[:3], path, client=client, overwrite=True)
    assert pd.read_parquet(again / "documents.parquet")["doc_id"].tolist() == docs["doc_id"].iloc[:3].tolist()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "tokens"]  # no staging folder left


def test_a_failed_run_leaves_no_half_written_dataset(tmp_path, client, monkeypatch):
    from policytext import scale

    def fail(*args, **kwargs):
        raise RuntimeError("a worker failed")

    docs = generated_corpus(n_docs=6)
    monkeypatch.setattr(scale, "_tokenize_batch", fail)  # sent to the workers as it is
    with pytest.raises(RuntimeError, match="a worker failed"):
        pt.tokenize_to_parquet(docs, tmp_path / "tokens", client=client)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    assert pt.tokenize_to_parquet(docs, tmp_path / "tokens", client=client).is_dir()  # the rerun works
