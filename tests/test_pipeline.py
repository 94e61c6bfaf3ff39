"""One pipeline: each thing computed once.

The report reads each corpus file once, splits the units once (while tokenizing), builds the
matrix of documents once and prepares the topics once; the shared products it hands around
(a matrix of documents, topic units, filtered tokens) give the same results as the functions
computing them from the tokens table themselves.
"""

from __future__ import annotations

import builtins
import io
import os
import random
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import policytext as pt
from conftest import DATA, ROOT
from policytext import report
from policytext.io import loading

CITY = ROOT.parent / "shared" / "corpora" / "city-gov-reports-2024"


# --- counting the calls ---------------------------------------------------------------------------------------

def _wrap_everywhere(monkeypatch, module, name: str, calls: list, record=lambda *a, **k: True):
    """Replace ``module.name`` in every policytext module that holds it, counting the calls."""
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(record(*args, **kwargs))
        return original(*args, **kwargs)

    for mod in list(sys.modules.values()):
        if getattr(mod, "__name__", "").startswith("policytext") and getattr(mod, name, None) is original:
            monkeypatch.setattr(mod, name, counted)
    return original


def _count_reads(monkeypatch, folder: Path) -> Counter:
    """Count every opening of a file below ``folder`` (Path.read_bytes, read_text and open all go through io.open)."""
    root = os.path.realpath(folder)
    reads: Counter = Counter()
    real_open = io.open

    def counting_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)):
            path = os.path.realpath(os.fspath(file))
            if path.startswith(root + os.sep) and os.path.isfile(path):
                reads[os.path.relpath(path, root)] += 1
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", counting_open)
    monkeypatch.setattr(builtins, "open", counting_open)
    return reads


def _counted_report(monkeypatch, corpus: Path, tmp_path: Path, **options) -> dict:
    from policytext.compare import counting
    from policytext.text import places, units
    from policytext.topics import prepare

    for name in ("policytext.report.build", "policytext.compare.weighting", "policytext.compare.keyness",
                 "policytext.compare.emphasis", "policytext.compare.context", "policytext.networks",
                 "policytext.topics.selection", "policytext.topics.model", "policytext.text.vocabulary"):
        __import__(name)
    matrices, spans, splits, dropped, prepared = [], [], [], [], []
    _wrap_everywhere(monkeypatch, counting, "term_matrix", matrices, lambda tokens, **k: k.get("by"))
    _wrap_everywhere(monkeypatch, units, "unit_spans", spans, lambda text, *a, **k: len(text))
    _wrap_everywhere(monkeypatch, units, "split_units", splits)
    _wrap_everywhere(monkeypatch, places, "drop_place_names", dropped)
    real_init = prepare.TopicUnits.__init__

    def counted_init(self, *args, **kwargs):
        prepared.append(1)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(prepare.TopicUnits, "__init__", counted_init)
    reads = _count_reads(monkeypatch, corpus)
    config = report.ReportConfig(n_jobs=1, cache=False, progress=False, **options)
    report.build_report(corpus, tmp_path / "out", config)
    monkeypatch.undo()
    docs = pt.clean(pt.load_corpus(corpus), progress=False)
    return {"matrices": matrices, "spans": spans, "splits": splits, "dropped": dropped, "prepared": prepared,
            "reads": reads, "docs": docs}


QUICK = dict(ks=(2, 3), n_boot=20, n_perm=20, n_draws=3, stability_seeds=(1,), sweep_stability_seeds=(1,),
             sweep_iterations=20)


def _assert_once(counted: dict, corpus: Path) -> None:
    docs = counted["docs"]
    account = loading.load_account(docs)
    read = account.loc[account["sha256"] != "", "file"].tolist() + ["metadata.csv"] * (corpus / "metadata.csv").is_file()
    assert dict(counted["reads"]) == {f: 1 for f in read}  # each file the corpus holds, read once, and no other
    assert counted["matrices"] == [None]  # one matrix of documents, grouped for each statistic
    # the units split once, while tokenizing: every character of every cleaned text once, and no other split
    assert sum(counted["spans"]) == int(docs["text_clean"].str.len().sum()) and counted["splits"] == []
    assert len(counted["dropped"]) == 1  # place names dropped once (the compared and the content tokens share it)
    assert len(counted["prepared"]) == 1  # the topics prepared once: the sweep, the model and its refits


def test_the_report_reads_each_file_splits_units_and_builds_the_matrix_once(monkeypatch, tmp_path):
    _assert_once(_counted_report(monkeypatch, DATA, tmp_path, **QUICK), DATA)


@pytest.mark.corpus
@pytest.mark.skipif(not (CITY / "metadata.csv").is_file(), reason="the city corpus is not beside this checkout")
def test_the_report_on_the_city_corpus_computes_each_thing_once(monkeypatch, tmp_path):
    _assert_once(_counted_report(monkeypatch, CITY, tmp_path, **QUICK, skip=("reuse",)), CITY)


# --- the shared products give what the functions give from the tokens ----------------------------------------

def test_a_matrix_of_documents_gives_the_statistics_the_tokens_give(tokens):
    m = pt.term_matrix(tokens)
    assert m.per_document and len(m.documents) == tokens["doc_id"].nunique()
    for by in ("province", ["province", "year"], None):
        pd.testing.assert_frame_equal(pt.tfidf(m, by=by, n=10), pt.tfidf(tokens, by=by, n=10))
        pd.testing.assert_frame_equal(pt.similarity(m, by=by), pt.similarity(tokens, by=by))
    pd.testing.assert_frame_equal(pt.keyness(m, by="province", n_perm=30), pt.keyness(tokens, by="province", n_perm=30))
    grouped, direct = m.group("province"), pt.term_matrix(tokens, by="province")
    assert (grouped.matrix != direct.matrix).nnz == 0 and grouped.rows.equals(direct.rows)
    assert grouped.matrix.sum() == len(tokens)  # every token counted once
    with pytest.raises(ValueError, match="counts groups"):
        pt.keyness(direct, by="province")


def test_a_matrix_refuses_a_document_that_falls_in_two_groups():
    toks = pd.DataFrame({"doc_id": ["a", "a", "b"], "side": ["x", "y", "x"], "token": ["数据", "平台", "数据"]})
    with pytest.raises(ValueError, match="more than one group"):
        pt.term_matrix(toks).group("side")
    with pytest.raises(ValueError, match="more than one group"):
        pt.keyness(toks, by="side", min_count=1, n_perm=0)


def test_topic_units_prepared_once_fit_as_the_tokens_do(tokens):
    units = pt.topic_units(tokens, drop_places=True, drop_boilerplate=True)
    a = pt.fit_lda(units, k=3, random_state=2, cache=False)
    b = pt.fit_lda(tokens, k=3, random_state=2, cache=False, drop_places=True, drop_boilerplate=True)
    assert np.array_equal(a.beta(), b.beta()) and a.params_ == b.params_
    with pytest.raises(ValueError, match="drop_places"):
        pt.fit_lda(units, k=3, drop_places=False, cache=False)
    sweep_a = pt.lda_sweep(units, ks=[2, 3], stability_seeds=[], iterations=20, cache=False)
    sweep_b = pt.lda_sweep(tokens, ks=[2, 3], stability_seeds=[], iterations=20, cache=False, drop_places=True,
                           drop_boilerplate=True)
    pd.testing.assert_frame_equal(sweep_a, sweep_b)


def test_the_held_out_split_does_not_depend_on_other_words_of_the_corpus(tokens):
    from policytext.topics.selection import _held_out

    whole = pt.topic_units(tokens)
    part = pt.topic_units(tokens[tokens["doc_id"].isin(tokens["doc_id"].unique()[:2])])
    decided = dict(zip(map(tuple, whole.units[["doc_id", "para_id"]].astype(str).values), _held_out(whole, 0.3, 5)))
    mine = _held_out(part, 0.3, 5)
    assert 0 < mine.sum() < len(mine)
    assert [decided[k] for k in map(tuple, part.units[["doc_id", "para_id"]].astype(str).values)] == mine.tolist()


def test_topic_units_hash_units_by_their_words_alone(tokens):
    units = pt.topic_units(tokens)
    # the same unit inside a corpus with other words gets the same content key
    first = tokens[tokens["doc_id"] == tokens["doc_id"].iloc[0]]
    alone = pt.topic_units(first.assign(token=first["token"].astype(str)))
    key = dict(zip(map(tuple, units.units[["doc_id", "para_id"]].astype(str).values), units.content_keys))
    for (d, p_), k in zip(map(tuple, alone.units[["doc_id", "para_id"]].astype(str).values), alone.content_keys):
        assert key[(d, p_)] == k


def test_a_filtered_table_is_not_filtered_again_and_the_input_is_not_marked(tokens):
    from policytext._core import attrs
    from policytext.text.vocabulary import content_tokens

    content = content_tokens(tokens, drop_places=True, drop_boilerplate=True)
    assert attrs.filters_applied(content) == {"places", "boilerplate"}
    assert attrs.filters_applied(tokens) == frozenset()  # the caller's table is not marked
    assert content_tokens(content, drop_places=True, drop_boilerplate=False) is content
    again = content_tokens(tokens, drop_places=True, drop_boilerplate=True)
    pd.testing.assert_frame_equal(content.reset_index(drop=True), again.reset_index(drop=True))
    # a token column put back from elsewhere is no longer what the filter left: it is filtered again
    replaced = content.assign(token=pd.Categorical(["武汉"] * len(content)))
    assert attrs.filters_applied(replaced) == frozenset()
    assert len(content_tokens(replaced, drop_places=True, drop_boilerplate=False)) == 0


# --- units split once, with their offsets ------------------------------------------------------------------------

def _random_text(rng: random.Random) -> str:
    pieces = ["第一条", "一、", "（二）", "3.", "加快", "数字经济", "发展。", "，", "；", " ", "\n", "\n\n", "\t", "　",
              "abc", "12", "、", "：", "！"]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 120)))


def test_unit_spans_cover_every_character_once_and_in_order():
    rng = random.Random(7)
    for _ in range(400):
        text = _random_text(rng)
        for max_chars in (3, 8, 40, 300):
            spans = pt.unit_spans(text, max_chars)
            assert all(a < b <= c for (a, b), (c, _) in zip(spans, spans[1:] + [(len(text), None)]))
            for a, b in spans:
                unit = text[a:b]
                assert unit == unit.strip() and unit and len(unit) <= max(max_chars, 1) and "\n" not in unit
            # nothing lost and nothing doubled: outside the units there is only white space
            kept = "".join(text[a:b] for a, b in spans)
            assert "".join(kept.split()) == "".join(text.split())


def test_tokenize_keeps_the_units_it_split_also_from_its_cache(clean_docs, tmp_path):
    units = pt.split_units(clean_docs)
    for cache in (False, True, True):  # computed, then written to and read from the cache
        toks = pt.tokenize(clean_docs, cache=cache, cache_dir=tmp_path)
        kept = pt.tokenized_units(toks)
        pd.testing.assert_frame_equal(kept, units[["doc_id", "para_id", "start", "end"]].astype(kept.dtypes.to_dict()))
    text = dict(zip(clean_docs["doc_id"], clean_docs["text_clean"]))
    assert all(text[r.doc_id][r.start:r.end] == r.text for r in units.itertuples())


def test_a_long_document_cut_into_pieces_keeps_its_offsets(tmp_path):
    line = "加快工业互联网发展，推动数字经济和实体经济深度融合。" * 4
    text = "\n".join(f"{i}、{line}" for i in range(1, 400))
    docs = pd.DataFrame({"doc_id": ["long"], "text_clean": [text]})
    from policytext.text import segmentation

    old = segmentation.TASK_CHARS
    try:
        segmentation.TASK_CHARS = 2_000  # many pieces
        toks = pt.tokenize(docs, cache=False, n_jobs=2)
    finally:
        segmentation.TASK_CHARS = old
    kept = pt.tokenized_units(toks)
    expected = pt.split_units(docs)
    assert kept["start"].tolist() == expected["start"].tolist() and kept["end"].tolist() == expected["end"].tolist()


# --- each file read once, its hash from the bytes read ----------------------------------------------------------

def test_the_load_account_holds_the_hash_of_each_file_read(raw_docs):
    account = loading.load_account(raw_docs)
    loaded = account[account["status"] == "loaded"]
    assert all(r.sha256 == loading.file_sha256(DATA / r.file) for r in loaded.itertuples())
    assert (account.loc[account["status"] == "not read", "sha256"] == "").all()
    meta = pt.metadata_file(raw_docs)
    assert meta["sha256"].tolist() == [loading.file_sha256(DATA / "metadata.csv")]


def test_the_pipeline_computes_a_product_only_when_asked(tmp_path):
    p = pt.Pipeline(DATA, cache=False, progress=False)
    assert p.by == "province" and "raw_docs" in repr(p) and "tokens" not in repr(p)
    p.docs
    assert "tokens" not in p.__dict__
    assert p.matrix.per_document and "tokens" in p.__dict__ and "topic_units" not in p.__dict__
    assert set(p.inputs) == {*p.load_account.loc[p.load_account["status"] == "loaded", "file"], "metadata.csv"}


def test_the_pipeline_says_why_it_groups_by_document(tmp_path):
    corpus = tmp_path / "texts"
    corpus.mkdir()
    for source in sorted((DATA / "raw").glob("*.txt"))[:2]:
        (corpus / source.name).write_bytes(source.read_bytes())
    p = pt.Pipeline(corpus, cache=False, progress=False)
    assert p.by == "doc_id" and "no column 'province'" in p.by_fallback
    with pytest.raises(pt.CorpusError, match="by='region'"):
        pt.Pipeline(corpus, by="region").by
