"""Count-based comparisons from a token dataset on a Dask LocalCluster: the same tables as from the tokens
the dataset holds (term frequency, TF-IDF, similarity, keyness with its permutation test on the workers,
dictionary emphasis with its document-level intervals, co-occurrence)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import policytext as pt

pytest.importorskip("dask.distributed")

from generated import generated_corpus  # noqa: E402 (after the skip)

CITY = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "city-gov-reports-2024"


@pytest.fixture(scope="module")
def both(tmp_path_factory, client):
    """The generated corpus tokenized in memory and as a dataset of several files."""
    docs = generated_corpus(30, 1, sentences_per_paragraph=3)
    path = pt.tokenize_to_parquet(docs, tmp_path_factory.mktemp("ds") / "tokens", client=client, batch_chars=4000)
    assert len(list((path / "tokens").glob("part-*.parquet"))) >= 3
    return pt.tokenize(docs, cache=False), path


def test_the_matrix_of_a_dataset_is_the_matrix_of_its_tokens(both, client):
    tokens, path = both
    expected, got = pt.term_matrix(tokens), pt.term_matrix(path, client=client)
    assert got.rows["doc_id"].tolist() == expected.rows["doc_id"].tolist()
    assert got.terms.tolist() == expected.terms.tolist()
    assert (got.matrix != expected.matrix).nnz == 0
    assert got.matrix.sum() == len(tokens)


@pytest.mark.parametrize("by", ["province", ["province", "year"], None])
def test_term_frequency_of_a_dataset(both, client, by):
    tokens, path = both
    pd.testing.assert_frame_equal(pt.term_frequency(path, by=by), pt.term_frequency(tokens, by=by))


def test_tfidf_and_similarity_of_a_dataset(both, client):
    tokens, path = both
    pd.testing.assert_frame_equal(pt.tfidf(path, by="province"), pt.tfidf(tokens, by="province"))
    pd.testing.assert_frame_equal(pt.similarity(path, matrix=True), pt.similarity(tokens, matrix=True))


def test_keyness_of_a_dataset_with_the_permutations_on_the_workers(both, client):
    tokens, path = both
    expected = pt.keyness(tokens, by="province", n_perm=199, min_count=3)
    assert expected["p_perm"].notna().all() and expected["p_perm"].nunique() > 5  # a real permutation test
    pd.testing.assert_frame_equal(pt.keyness(path, by="province", n_perm=199, min_count=3), expected)
    pd.testing.assert_frame_equal(pt.keyness(tokens, by="province", n_perm=199, min_count=3, client=client), expected)


@pytest.mark.parametrize("resample", ["document", "unit"])
@pytest.mark.parametrize("lexicon", ["digital_policy", "policy_instruments"])
def test_emphasis_of_a_dataset(both, client, resample, lexicon):
    tokens, path = both
    expected = pt.emphasis(tokens, by="province", lexicon=lexicon, resample=resample, n_boot=200)
    assert (expected["hits"] > 0).sum() > 3
    pd.testing.assert_frame_equal(pt.emphasis(path, by="province", lexicon=lexicon, resample=resample, n_boot=200),
                                  expected)


@pytest.mark.parametrize("unit", ["paragraph", "document"])
@pytest.mark.parametrize("by", [None, "province"])
def test_cooccurrence_of_a_dataset(both, client, unit, by):
    tokens, path = both
    expected = pt.cooccurrence(tokens, unit=unit, by=by, n=25, drop_boilerplate=True)
    assert len(expected) > 20
    got = pt.cooccurrence(path, unit=unit, by=by, n=25, drop_boilerplate=True)
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(pt.cooccurrence_terms(got), pt.cooccurrence_terms(expected))


def test_windows_and_a_missing_cluster_say_what_to_do(both, client):
    _, path = both
    with pytest.raises(NotImplementedError, match="unit='paragraph'"):
        pt.cooccurrence(path, unit=5)


@pytest.mark.corpus
def test_the_city_corpus_from_a_dataset_equals_the_city_corpus_in_memory(tmp_path, client):
    if not (CITY / "metadata.csv").is_file():
        pytest.skip("the city corpus is not beside the checkout")
    docs = pt.clean(pt.load_corpus(CITY), n_jobs=2, progress=False)
    tokens = pt.tokenize(docs, n_jobs=2, cache=False, progress=False)
    path = pt.tokenize_to_parquet(docs, tmp_path / "city", client=client)
    pd.testing.assert_frame_equal(pt.term_frequency(path, by="province"), pt.term_frequency(tokens, by="province"))
    pd.testing.assert_frame_equal(pt.tfidf(path, by="province"), pt.tfidf(tokens, by="province"))
    pd.testing.assert_frame_equal(pt.keyness(path, by="level", n_perm=200), pt.keyness(tokens, by="level", n_perm=200))
    pd.testing.assert_frame_equal(pt.emphasis(path, by="province", n_boot=200),
                                  pt.emphasis(tokens, by="province", n_boot=200))
    pd.testing.assert_frame_equal(pt.cooccurrence(path, by="level", n=40), pt.cooccurrence(tokens, by="level", n=40))
