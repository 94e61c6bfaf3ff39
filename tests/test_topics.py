"""Topics: reproducible fits (also in a new process), shares, choosing k, prevalence, stability, the view."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

import policytext as pt
from conftest import DATA, ROOT


def fingerprint(model) -> str:
    h = hashlib.sha256(model.model_.get_topics().tobytes())
    h.update(model.theta_.tobytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def model(tokens):
    return pt.fit_lda(tokens, k=4, random_state=7)


def test_same_tokens_and_seed_give_the_same_model_in_a_new_process(tokens, model):
    again = pt.fit_lda(tokens, k=4, random_state=7)
    assert fingerprint(again) == fingerprint(model)
    code = textwrap.dedent(f"""
        import hashlib, policytext as pt
        docs = pt.clean(pt.load_corpus({str(DATA)!r}))
        m = pt.fit_lda(pt.tokenize(docs, cache=False), k=4, random_state=7)
        h = hashlib.sha256(m.model_.get_topics().tobytes()); h.update(m.theta_.tobytes())
        print(h.hexdigest())
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == fingerprint(model), out.stderr[-2000:]
    assert fingerprint(pt.fit_lda(tokens, k=4, random_state=8)) != fingerprint(model)


def test_shares_sum_to_one(model):
    beta = model.topic_terms()
    assert beta.groupby("topic")["beta"].sum().to_numpy() == pytest.approx(1.0)
    units = model.unit_topics()
    assert units.groupby(["doc_id", "para_id"])["gamma"].sum().to_numpy() == pytest.approx(1.0)
    docs = model.document_topics()
    assert docs.groupby("doc_id")["gamma"].sum().to_numpy() == pytest.approx(1.0)
    assert len(units) == int(model.units_["used"].sum()) * model.k


def test_document_shares_are_length_weighted_unit_shares(model):
    units = model.unit_topics()
    doc = "wuhan_2021_draft"
    part = units[units["doc_id"] == doc]
    by_hand = [sum(r.gamma * r.n_tokens for r in part.itertuples() if r.topic == t) for t in range(model.k)]
    by_hand = np.array(by_hand) / sum(by_hand)
    got = model.document_topics().query("doc_id == @doc")["gamma"].to_numpy()
    assert got == pytest.approx(by_hand)


def test_labels_by_relevance_with_lambda_one_are_labels_by_probability(model):
    labels = model.labels(n=6, lambda_=1.0)
    assert (labels["by_probability"] == labels["by_relevance"]).all()
    terms = model.topic_terms(n=6)
    assert labels["by_probability"].iloc[0] == " · ".join(terms[terms["topic"] == 0]["term"])


def test_save_and_load_keep_everything(tmp_path, model):
    model.save(tmp_path / "m")
    back = pt.TopicModel.load(tmp_path / "m")
    assert fingerprint(back) == fingerprint(model) and back.params_ == model.params_
    pd.testing.assert_frame_equal(back.document_topics(), model.document_topics())
    assert list(back.dictionary_.token2id.items()) == list(model.dictionary_.token2id.items())


def planted(n_units=60, seed=0):
    """Units each written from one of three topics with words of their own."""
    rng = np.random.default_rng(seed)
    vocab = [[f"甲{i}" for i in range(10)], [f"乙{i}" for i in range(10)], [f"丙{i}" for i in range(10)]]
    rows = []
    for u in range(n_units):
        words = vocab[u % 3]
        for p in range(20):
            rows.append((f"d{u // 6}", u % 6, p, words[rng.integers(0, 10)]))
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "position", "token"]).assign(
        province=lambda t: np.where(t["doc_id"].str[1:].astype(int) % 2 == 0, "东", "西"))


def random_text(n_units=60, seed=0):
    rng = np.random.default_rng(seed)
    rows = [(f"d{u // 6}", u % 6, p, f"词{rng.integers(0, 200)}") for u in range(n_units) for p in range(20)]
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "position", "token"])


def test_stability_is_high_for_planted_topics_and_low_for_random_text():
    clear = pt.topic_stability(planted(), k=3, seeds=[0, 1, 2], passes=20)
    assert clear["stable"].all() and clear["mean_similarity"].min() > 0.95
    noise = pt.topic_stability(random_text(), k=3, seeds=[0, 1, 2], passes=20)
    assert noise["mean_similarity"].max() < 0.5 and not noise["stable"].any()


def test_the_sweep_has_no_nan_with_empty_units_and_recommends_one_k():
    toks = planted()
    # units made only of words that occur once: vocabulary trimming leaves them empty
    lonely = pd.DataFrame({"doc_id": [f"z{i}" for i in range(6)], "para_id": 0, "position": 0,
                           "token": [f"孤{i}" for i in range(6)], "province": "东"})
    toks = pd.concat([toks, lonely], ignore_index=True)
    sweep = pt.lda_sweep(toks, ks=[2, 3, 5], random_state=0, passes=10)
    assert not sweep[["c_npmi", "u_mass", "c_v", "perplexity"]].isna().any().any()
    assert sweep["recommended"].sum() == 1 and sweep.loc[sweep["recommended"], "reason"].str.len().iloc[0] > 0
    best = sweep.loc[sweep["recommended"]].iloc[0]
    assert best["c_npmi"] == sweep["c_npmi"].max()
    fitted = pt.fit_lda(toks, k=3, random_state=0)
    assert (~fitted.units_["used"]).sum() == 6


def test_prevalence_is_the_weighted_mean_with_an_interval(model):
    prev = pt.topic_prevalence(model, by="province", n_boot=300, random_state=1)
    units = model.unit_topics()
    hubei = units[units["province"] == "湖北省"]
    by_hand = (hubei["gamma"] * hubei["n_tokens"]).groupby(hubei["topic"]).sum() / hubei.drop_duplicates(
        ["doc_id", "para_id"])["n_tokens"].sum()
    got = prev[prev["province"] == "湖北省"].set_index("topic")["prevalence"]
    assert got.to_numpy() == pytest.approx(by_hand.to_numpy())
    assert prev.groupby("province")["prevalence"].sum().to_numpy() == pytest.approx(1.0)
    assert ((prev["low"] <= prev["prevalence"] + 1e-12) & (prev["prevalence"] <= prev["high"] + 1e-12)).all()
    pd.testing.assert_frame_equal(prev, pt.topic_prevalence(model, by="province", n_boot=300, random_state=1))
    # documents are resampled where a group has several; a single-document group is flagged and says what
    # its interval rests on
    basis = prev.groupby("province")["interval_basis"].first()
    assert basis["湖北省"] == "documents: bootstrap over 3"
    assert basis["四川省"].startswith("paragraphs: bootstrap over") and basis["四川省"].endswith("(one document)")
    assert prev.groupby("province")["single_document"].first().to_dict() == {"四川省": True, "山东省": True,
                                                                             "湖北省": False}
    units = pt.topic_prevalence(model, by="province", n_boot=300, random_state=1, resample="unit")
    assert units.groupby("province")["interval_basis"].first()["湖北省"].startswith("paragraphs")
    assert np.allclose(units["prevalence"], prev["prevalence"]) and not np.allclose(units["low"], prev["low"])


def test_prevalence_difference_between_two_groups(model):
    prev = pt.topic_prevalence(model, by="province", n_boot=0).set_index(["province", "topic"])["prevalence"]
    diff = pt.topic_prevalence_difference(model, by="province", groups=("湖北省", "四川省"), n_boot=300)
    assert diff[["group_a", "group_b"]].drop_duplicates().values.tolist() == [["湖北省", "四川省"]]
    assert diff["difference"].to_numpy() == pytest.approx((prev["湖北省"] - prev["四川省"]).to_numpy())
    assert (diff["low"] <= diff["high"]).all()
    assert (diff["excludes_zero"] == ((diff["low"] > 0) | (diff["high"] < 0))).all()
    with pytest.raises(KeyError, match="not found"):
        pt.topic_prevalence_difference(model, by="province", groups=("湖北省", "广东省"))


def test_interactive_view_opens_offline(tmp_path, model):
    path = pt.export_ldavis(model, tmp_path / "topics.html")
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']https?:""", html)
    assert not re.search(r"https?://[^\s\"')]*\.(js|css)", html)
    assert "data:text/javascript;base64," in html
    term = model.topic_terms(n=1)["term"].iloc[0]
    assert term in html or json.dumps(term)[1:-1] in html  # pyLDAvis writes its data as JSON


def test_only_the_topic_module_imports_gensim_and_only_segmentation_imports_jieba():
    for path in (ROOT / "src" / "policytext").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import|from) gensim", text, re.M):
            assert path.name == "topics.py", path
        if re.search(r"^\s*(import|from) jieba", text, re.M):
            assert path.name == "segmentation.py", path
