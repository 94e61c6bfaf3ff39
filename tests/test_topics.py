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
    h = hashlib.sha256(model.beta().tobytes())
    h.update(model.theta_.tobytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def model(tokens):
    return pt.fit_lda(tokens, k=4, random_state=7)


@pytest.mark.parametrize("engine", ["tomotopy", "gensim"])
def test_same_tokens_and_seed_give_the_same_model_in_a_new_process(tokens, engine):
    first = pt.fit_lda(tokens, k=4, random_state=7, engine=engine, cache=False)
    again = pt.fit_lda(tokens, k=4, random_state=7, engine=engine, cache=False)
    assert fingerprint(again) == fingerprint(first)
    code = textwrap.dedent(f"""
        import hashlib, policytext as pt
        docs = pt.clean(pt.load_corpus({str(DATA)!r}))
        m = pt.fit_lda(pt.tokenize(docs, cache=False), k=4, random_state=7, engine={engine!r}, cache=False)
        h = hashlib.sha256(m.beta().tobytes()); h.update(m.theta_.tobytes())
        print(h.hexdigest())
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == fingerprint(first), out.stderr[-2000:]
    assert fingerprint(pt.fit_lda(tokens, k=4, random_state=8, engine=engine, cache=False)) != fingerprint(first)


def test_a_cached_fit_is_read_back_identical_and_a_damaged_entry_is_refitted(tokens, tmp_path):
    cold = pt.fit_lda(tokens, k=3, random_state=2, cache_dir=tmp_path)
    entries = list((tmp_path / "models").rglob("*.npz"))
    assert len(entries) == 1
    warm = pt.fit_lda(tokens, k=3, random_state=2, cache_dir=tmp_path)
    assert fingerprint(warm) == fingerprint(cold) and warm.infer([["工业互联网", "平台"]]).shape == (1, 3)
    # another setting, another entry; a changed byte, a refit with the same result
    pt.fit_lda(tokens, k=3, random_state=2, iterations=50, cache_dir=tmp_path)
    assert len(list((tmp_path / "models").rglob("*.npz"))) == 2
    data = bytearray(entries[0].read_bytes())
    data[len(data) // 2] ^= 0xFF
    entries[0].write_bytes(bytes(data))
    again = pt.fit_lda(tokens, k=3, random_state=2, cache_dir=tmp_path)
    assert fingerprint(again) == fingerprint(cold)


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
    by_hand = [sum(r.gamma * r.n_tokens for r in part.itertuples() if r.topic == t) for t in model.topics]
    by_hand = np.array(by_hand) / sum(by_hand)
    got = model.document_topics().query("doc_id == @doc")["gamma"].to_numpy()
    assert got == pytest.approx(by_hand)


def test_labels_by_relevance_with_lambda_one_are_labels_by_probability(model):
    labels = model.labels(n=6, lambda_=1.0)
    assert (labels["by_probability"] == labels["by_relevance"]).all()
    terms = model.topic_terms(n=6)
    assert labels["by_probability"].iloc[0] == " · ".join(terms[terms["topic"] == 1]["term"])
    assert labels["topic"].tolist() == [1, 2, 3, 4] and labels["stable"].isna().all()  # not assessed


def test_save_and_load_keep_everything(tmp_path, model):
    model.save(tmp_path / "m")
    back = pt.TopicModel.load(tmp_path / "m")
    assert fingerprint(back) == fingerprint(model) and back.params_ == model.params_
    pd.testing.assert_frame_equal(back.document_topics(), model.document_topics())
    assert back.vocabulary() == model.vocabulary() and np.array_equal(back.term_counts_, model.term_counts_)
    assert np.allclose(back.infer([["工业互联网", "平台"]], random_state=1), model.infer([["工业互联网", "平台"]], random_state=1))
    pd.testing.assert_frame_equal(back.units_, model.units_)
    again = tmp_path / "again"
    back.save(again)
    for path in (tmp_path / "m").iterdir():  # saving is deterministic: the same bytes
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


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


def test_stability_flags_exactly_the_topics_that_do_not_recover_the_planted_ones():
    # gensim's variational LDA merges (or splits) planted topics for about one seed in five on this corpus;
    # the stability of a fit's topics must say which of its topics do not recover a planted one (an
    # independent check: the planted vocabulary of each topic's ten most probable words)
    toks = planted()
    outcomes = set()
    for seed in range(6):
        m = pt.fit_lda(toks, k=3, random_state=seed, passes=20, engine="gensim")
        stability = pt.topic_stability(m, toks, stability_seeds=[10, 11, 12, 13])
        beta, vocab = m.beta(), np.array(m.vocabulary())
        letters = [{w[0] for w in vocab[np.argsort(-beta[t])[:10]]} for t in range(3)]
        pure = np.array([len(a) == 1 for a in letters])  # one planted vocabulary
        recovered = pure.all() and len({min(a) for a in letters}) == 3  # each planted topic once
        stable = stability["stable"].to_numpy()
        assert not (stable & ~pure).any(), (seed, letters)  # a mixture of planted topics is never stable
        assert stable.all() == recovered, (seed, letters)
        outcomes.add(bool(recovered))
        if recovered:
            assert stability["stability"].min() > 0.95
    assert outcomes == {True, False}  # both kinds of fit occurred, so both branches were checked
    noise_model = pt.fit_lda(random_text(), k=3, random_state=0, passes=20, engine="gensim")
    noise = pt.topic_stability(noise_model, random_text(), stability_seeds=[10, 11])
    assert noise["stability"].max() < 0.5 and not noise["stable"].any()
    assert noise.attrs["pairwise_stability"] < 0.5


def test_stability_does_not_depend_on_the_order_of_the_seeds_nor_refit_the_models_own():
    m = pt.fit_lda(random_text(), k=3, random_state=0, passes=5)
    a = pt.topic_stability(m, random_text(), stability_seeds=[0, 1, 2])
    b = pt.topic_stability(m, random_text(), stability_seeds=[2, 1, 0, 1])
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["seeds"] == [0, 1, 2]
    with pytest.raises(ValueError, match="at least one seed other"):
        pt.topic_stability(m, random_text(), stability_seeds=[0])


def test_a_model_fitted_with_stability_flags_its_topics_everywhere():
    m = pt.fit_lda(random_text(), k=3, random_state=0, passes=5, stability_seeds=[1, 2])
    assert m.stability_ is not None and not m.stability_["stable"].any()
    for table in (m.labels(), m.topic_terms(n=3), pt.topic_prevalence(m, by=None, n_boot=0)):
        assert "stable" in table and table["stable"].eq(False).all()


def test_the_sweep_has_no_nan_with_empty_units_and_recommends_one_k():
    toks = planted(n_units=90)
    # units made only of words that occur once: vocabulary trimming leaves them empty
    lonely = pd.DataFrame({"doc_id": [f"z{i}" for i in range(6)], "para_id": 0, "position": 0,
                           "token": [f"孤{i}" for i in range(6)], "province": "东"})
    toks = pd.concat([toks, lonely], ignore_index=True)
    sweep = pt.lda_sweep(toks, ks=[2, 3, 5], random_state=0, passes=10)
    assert not sweep[["heldout_loglik", "perplexity", "c_npmi", "u_mass", "exclusivity", "stability"]].isna().any().any()
    assert sweep["recommended"].sum() == 1 and sweep.loc[sweep["recommended"], "reason"].str.len().iloc[0] > 0
    assert "one standard error" in sweep.attrs["rule"] and "unstable" in sweep.attrs["rule"]
    assert int(sweep.loc[sweep["recommended"], "k"].iloc[0]) == 3  # the planted number of topics
    fitted = pt.fit_lda(toks, k=3, random_state=0)
    assert (~fitted.units_["used"]).sum() == 6


def test_the_sweep_says_when_the_recommended_k_is_at_the_edge_of_the_grid(caplog):
    import logging

    with caplog.at_level(logging.WARNING, logger="policytext"):
        sweep = pt.lda_sweep(planted(n_units=90), ks=[2, 3, 4], random_state=0, passes=10, stability_seeds=[1])
        low = pt.lda_sweep(planted(n_units=90), ks=[3, 4, 5, 6], random_state=0, passes=10, stability_seeds=[1])
    assert not sweep["at_edge"].any() and int(sweep.loc[sweep["recommended"], "k"].iloc[0]) == 3
    best = low.loc[low["recommended"]].iloc[0]
    assert best["k"] == 3 and best["at_edge"] and "smallest k of the grid" in best["reason"]
    assert any("edge of the grid" in r.getMessage() for r in caplog.records)


def test_the_k_rule_never_recommends_mostly_unstable_topics_and_picks_the_smallest_k_within_one_error():
    from policytext.topics.selection import MAX_UNSTABLE_SHARE, recommend_k

    rng = np.random.default_rng(7)
    recommended_some = recommended_none = 0
    for _ in range(300):
        ks = np.sort(rng.choice(np.arange(2, 40), size=rng.integers(2, 7), replace=False))
        table = pd.DataFrame({"k": ks, "heldout_loglik": -7 + np.sort(rng.normal(0, 0.1, len(ks))),  # rising with k
                              "heldout_se": rng.uniform(0.005, 0.1, len(ks))})
        table["unstable_topics"] = [int(rng.integers(0, k + 1)) for k in ks]
        table["unstable_share"] = table["unstable_topics"] / table["k"]
        k, reason, _ = recommend_k(table)
        # an independent reading of the rule
        ok = table[table["unstable_topics"] <= 0.25 * table["k"]]
        if ok.empty:
            assert k is None and "no k" in reason
            recommended_none += 1
            continue
        best = ok.loc[ok["heldout_loglik"].idxmax()]
        expected = ok.loc[ok["heldout_loglik"] >= best["heldout_loglik"] - best["heldout_se"], "k"].min()
        assert k == expected
        assert table.set_index("k").loc[k, "unstable_share"] <= MAX_UNSTABLE_SHARE
        recommended_some += 1
    assert recommended_some > 50 and recommended_none > 20  # both branches were exercised


def test_a_sweep_on_structureless_text_recommends_nothing_and_says_what_is_shown_instead():
    sweep = pt.lda_sweep(random_text(n_units=90), ks=[4, 8], random_state=0, stability_seeds=[1, 2], cache=False)
    assert (sweep["unstable_share"] > 0.25).all()
    assert not sweep["recommended"].any() and "no k of the grid" in sweep.attrs["no_recommendation"]
    k, sentence = pt.chosen_k(sweep)
    least = sweep.sort_values(["unstable_share", "k"]).iloc[0]["k"]
    assert k == least and "not recommended" in sentence
    k, sentence = pt.chosen_k(sweep, k=8)
    assert k == 8 and "given by the user" in sentence and "no k of the grid" in sentence


def test_the_held_out_error_is_the_spread_of_units_around_the_ratio():
    from policytext.topics.selection import _ratio_se

    rng = np.random.default_rng(0)
    words = rng.integers(5, 40, 2000).astype(float)
    loglik = words * -3.0 + rng.normal(0, 2, len(words))
    # by simulation: the spread of the ratio over independent samples of units
    ratios = []
    for _ in range(400):
        i = rng.integers(0, len(words), len(words))
        ratios.append(loglik[i].sum() / words[i].sum())
    assert _ratio_se(loglik, words) == pytest.approx(np.std(ratios), rel=0.12)


@pytest.mark.parametrize("engine", ["tomotopy", "gensim"])
def test_held_out_perplexity_is_recomputed_independently(engine):
    toks = planted(n_units=90, seed=3)
    model = pt.fit_lda(toks, k=3, random_state=0, passes=10, engine=engine)
    other = planted(n_units=30, seed=4)
    table = pt.document_completion(model, other, random_state=5)
    per_word = table["loglik"].sum() / table["n_predicted"].sum()
    # by hand: alternate known tokens, infer on the first half, predict the rest with beta
    beta, vocab = model.beta(), model.vocabulary()
    column = {w: i for i, w in enumerate(vocab)}
    observed, predicted = [], []
    for _, unit in other.sort_values(["doc_id", "para_id", "position"]).groupby(["doc_id", "para_id"]):
        words = [w for w in unit["token"] if w in column]
        observed.append(words[0::2])
        predicted.append([column[w] for w in words[1::2]])
    theta = model.infer(observed, random_state=5, iterations=50, jointly=True)
    total = sum(np.log(theta[i] @ beta[:, ids]).sum() for i, ids in enumerate(predicted))
    assert per_word == pytest.approx(total / sum(len(ids) for ids in predicted))
    # planted topics of 10 words each: a good model predicts a word with probability near 1/10
    assert np.exp(-per_word) == pytest.approx(10, rel=0.25)
    sweep = pt.lda_sweep(toks, ks=[3], random_state=0, passes=10, stability_seeds=[], engine=engine)
    assert sweep["perplexity"].iloc[0] == pytest.approx(np.exp(-sweep["heldout_loglik"].iloc[0]))


def test_exclusivity_by_hand():
    from policytext.topics.selection import exclusivity

    beta = np.array([[0.5, 0.3, 0.1, 0.1], [0.1, 0.1, 0.4, 0.4]])
    # topic 1: exclusivity of each word = beta / column sums = [5/6, 3/4, 1/5, 1/5]
    ex = np.array([[5 / 6, 3 / 4, 1 / 5, 1 / 5], [1 / 6, 1 / 4, 4 / 5, 4 / 5]])
    from scipy.stats import rankdata
    frex = [1 / (0.7 / (rankdata(ex[t]) / 4) + 0.3 / (rankdata(beta[t]) / 4)) for t in range(2)]
    top = [[0, 1], [2, 3]]  # the two most probable words of each topic
    assert exclusivity(beta, n=2) == pytest.approx([frex[0][top[0]].sum(), frex[1][top[1]].sum()])


@pytest.mark.parametrize("engine", ["tomotopy", "gensim"])
def test_renaming_or_reordering_documents_gives_the_same_topics(tokens, engine):
    base = pt.fit_lda(tokens, k=3, random_state=4, engine=engine, cache=False)
    renamed = tokens.assign(doc_id=tokens["doc_id"].astype(str).replace({"hubei_2022_article": "zzz_renamed"}))
    renamed.attrs = dict(tokens.attrs)
    again = pt.fit_lda(renamed, k=3, random_state=4, engine=engine, cache=False)
    assert np.array_equal(base.beta(), again.beta())
    shuffled = tokens.sample(frac=1.0, random_state=3)
    assert np.array_equal(base.beta(), pt.fit_lda(shuffled, k=3, random_state=4, engine=engine, cache=False).beta())
    # the shares of a unit follow it under its new name
    a = base.unit_topics().query("doc_id == 'hubei_2022_article'")["gamma"].to_numpy()
    b = again.unit_topics().query("doc_id == 'zzz_renamed'")["gamma"].to_numpy()
    assert np.array_equal(a, b)


def test_vocabulary_without_places_and_boilerplate(tokens):
    plain = pt.fit_lda(tokens, k=3, random_state=0)
    content = pt.fit_lda(tokens, k=3, random_state=0, drop_places=True, drop_boilerplate=True)
    names = set(pt.place_names()["name"])
    assert set(plain.vocabulary()) & names and not set(content.vocabulary()) & names
    assert "建设" in plain.vocabulary() and "建设" not in content.vocabulary()
    assert content.params_["drop_places"] and content.params_["drop_boilerplate"]


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
    diff = pt.topic_prevalence_difference(model, by="province", target="湖北省", reference="四川省", n_boot=300)
    assert diff[["group_a", "group_b"]].drop_duplicates().values.tolist() == [["湖北省", "四川省"]]
    assert diff["difference"].to_numpy() == pytest.approx((prev["湖北省"] - prev["四川省"]).to_numpy())
    assert (diff["low"] <= diff["high"]).all()
    assert (diff["excludes_zero"] == ((diff["low"] > 0) | (diff["high"] < 0))).all()
    with pytest.raises(KeyError, match="not found"):
        pt.topic_prevalence_difference(model, by="province", target="湖北省", reference="广东省")


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


# --- covariate effects (method of composition) --------------------------------------------

def synthetic_model(rng, means: dict, n_docs=8, units_per_doc=3, unit_tokens=40, concentration=10.0):
    """A TopicModel whose units' posteriors come from known group means of the document topic shares."""
    k = len(next(iter(means.values())))
    rows, gammas = [], []
    for g, m in means.items():
        for d in range(n_docs):
            theta = rng.dirichlet(concentration * np.asarray(m))
            for u in range(units_per_doc):
                counts = rng.multinomial(unit_tokens, theta)
                gammas.append(counts + 1 / k)  # the posterior Dirichlet of the unit's shares given its counts
                rows.append((f"{g}{d}", u, g, unit_tokens, True))
    units = pd.DataFrame(rows, columns=["doc_id", "para_id", "province", "n_tokens", "used"])
    return pt.TopicModel(None, None, units, np.array(gammas), {"k": k, "random_state": 0, "unit": "paragraph"})


def test_effects_cover_planted_differences_in_topic_shares():
    means = {"A": [0.5, 0.3, 0.2], "B": [0.3, 0.4, 0.3], "C": [0.5, 0.3, 0.2]}
    rng = np.random.default_rng(0)
    covered = total = 0
    for replicate in range(80):
        effects = pt.estimate_effects(synthetic_model(rng, means), covariates="province", reference="A",
                                      n_draws=10, n_sims=50, random_state=replicate)
        truth = np.array([np.subtract(means[r.level], means["A"])[r.topic - 1] for r in effects.itertuples()])
        covered += int(((effects["low"] <= truth) & (truth <= effects["high"])).sum())
        total += len(effects)
    assert 0.9 <= covered / total <= 0.99
    assert set(effects["reference"]) == {"A"} and effects["interval_basis"].str.contains("method of composition").all()


def test_effects_carry_the_uncertainty_of_the_shares():
    # with few tokens per unit the shares are uncertain: intervals widen against tokens taken as known
    means = {"A": [0.5, 0.3, 0.2], "B": [0.3, 0.4, 0.3]}
    sparse = synthetic_model(np.random.default_rng(1), means, unit_tokens=5)
    wide = pt.estimate_effects(sparse, reference="A", n_draws=20, random_state=0)
    exact = pt.TopicModel(None, None, sparse.units_, sparse.gamma_ * 1e6, sparse.params_)  # near-certain shares
    narrow = pt.estimate_effects(exact, reference="A", n_draws=20, random_state=0)
    assert ((wide["high"] - wide["low"]) > (narrow["high"] - narrow["low"])).all()
    # the point estimate of near-certain shares is the OLS difference of the document means
    shares = exact.document_topics().merge(exact.units_.drop_duplicates("doc_id")[["doc_id", "province"]])
    by_hand = shares.groupby(["province", "topic"])["gamma"].mean().unstack()
    got = narrow.set_index("topic")["estimate"]
    assert got.to_numpy() == pytest.approx((by_hand.loc["B"] - by_hand.loc["A"]).to_numpy(), abs=1e-4)


def test_effects_on_a_fitted_model_find_a_planted_effect():
    toks = planted(n_units=120, seed=2)
    # documents of 东 write twice as many 甲 units: shift half of 西's 甲 units to 乙 words
    west = toks["province"] == "西"
    toks.loc[west & toks["token"].str.startswith("甲") & (toks["para_id"] % 2 == 0), "token"] = \
        toks.loc[west & toks["token"].str.startswith("甲") & (toks["para_id"] % 2 == 0), "token"].str.replace("甲", "乙")
    model = pt.fit_lda(toks, k=3, random_state=0, passes=20)
    effects = pt.estimate_effects(model, covariates="province", reference="东", random_state=0)
    beta, vocab = model.beta(), np.array(model.vocabulary())
    jia = 1 + int(np.argmax([sum(w.startswith("甲") for w in vocab[np.argsort(-beta[t])[:10]]) for t in range(3)]))
    row = effects.set_index("topic").loc[jia]
    assert row["level"] == "西" and row["high"] < 0  # 西 writes less of 甲, and the interval says so
    assert effects["note"].eq("").all()


def test_parallel_fits_give_the_same_results_as_one_process():
    toks = planted(n_units=60, seed=1)
    one = pt.lda_sweep(toks, ks=[2, 3], random_state=0, stability_seeds=[1], n_jobs=1, cache=False)
    two = pt.lda_sweep(toks, ks=[2, 3], random_state=0, stability_seeds=[1], n_jobs=2, cache=False)
    pd.testing.assert_frame_equal(one, two)
    a = pt.fit_lda(toks, k=3, random_state=0, stability_seeds=[1, 2], n_jobs=2, cache=False)
    b = pt.fit_lda(toks, k=3, random_state=0, stability_seeds=[1, 2], n_jobs=1, cache=False)
    assert fingerprint(a) == fingerprint(b)
    pd.testing.assert_frame_equal(a.stability_, b.stability_)


def test_a_numeric_covariate_has_one_effect_per_unit_equal_to_least_squares_on_the_expected_shares():
    toks = planted(n_units=120, seed=2)
    doc_number = toks["doc_id"].str[1:].astype(int)
    toks["year"] = 2000 + doc_number  # 20 documents, 2000-2019
    # later documents write more 甲: turn 乙 units into 甲 units with a probability rising with the year
    rng = np.random.default_rng(0)
    unit_key = toks["doc_id"] + "-" + toks["para_id"].astype(str)
    flip = {u: rng.random() < (doc_number[unit_key == u].iloc[0] / 20) for u in unit_key.unique()}
    mask = unit_key.map(flip) & toks["token"].str.startswith("乙")
    toks.loc[mask, "token"] = toks.loc[mask, "token"].str.replace("乙", "甲")
    model = pt.fit_lda(toks, k=3, random_state=0, passes=20)
    effects = pt.estimate_effects(model, covariates="year", per={"year": 10}, n_draws=40, random_state=0)
    assert effects["level"].eq("per 10").all() and effects["reference"].eq("(slope)").all() and len(effects) == 3
    # independently: least squares of the documents' expected shares (the posterior mean of each unit's shares,
    # weighted by its length) on the year; the composition's mean converges to it as the draws grow
    units = model.units_[model.units_["used"]].reset_index(drop=True)
    theta = model.gamma_ / model.gamma_.sum(axis=1, keepdims=True)
    shares = (pd.DataFrame(theta * units["n_tokens"].to_numpy()[:, None]).groupby(units["doc_id"].to_numpy()).sum()
              .pipe(lambda t: t.div(units.groupby("doc_id")["n_tokens"].sum(), axis=0)))
    years = units.groupby("doc_id")["year"].first().loc[shares.index].to_numpy(float)
    X = np.column_stack([np.ones(len(years)), years - years.mean()])
    slopes = np.linalg.lstsq(X, shares.to_numpy(), rcond=None)[0][1] * 10
    assert np.allclose(effects.sort_values("topic")["estimate"], slopes, atol=0.01)
    beta, vocab = model.beta(), np.array(model.vocabulary())
    jia = 1 + int(np.argmax([sum(w.startswith("甲") for w in vocab[np.argsort(-beta[t])[:10]]) for t in range(3)]))
    assert effects.set_index("topic").loc[jia, "low"] > 0  # 甲 rises with the year, and the interval says so
    fe = pt.estimate_effects(model, covariates="year", fixed_effects="province", cluster="province", n_draws=5)
    assert fe["note"].str.contains("2 clusters").all() and fe["interval_basis"].str.contains("fixed effects").all()
    with pytest.raises(pt.NotEstimable, match="one document per doc_id"):
        pt.estimate_effects(model, covariates="doc_id", n_draws=2)


def test_a_fit_stops_at_the_first_block_whose_log_likelihood_rose_less_than_the_tolerance():
    from policytext.topics.engines import CHECK_EVERY, MIN_ITERATIONS, gibbs_until_converged

    done = []
    curve = lambda: -3.0 - 2.0 * np.exp(-sum(done) / 25.0)  # noqa: E731 (rises fast, then flattens)
    trace = gibbs_until_converged(done.append, curve, 200, 1e-3)
    sweeps = trace[:, 0]
    assert sweeps[0] == MIN_ITERATIONS and np.all(np.diff(sweeps) == CHECK_EVERY) and sum(done) == sweeps[-1]
    rises = np.diff(trace[:, 1])
    assert rises[-1] < 1e-3 and (rises[:-1] >= 1e-3).all()  # stopped at the first flat block, not before
    # by hand: the rise over the block from s to s + 10 sweeps is 2 e^(-s/25) (1 - e^(-10/25)), below 0.001 from
    # s = 162.2: the first such block is 170 -> 180
    assert sweeps[-1] == 180
    done.clear()
    assert gibbs_until_converged(done.append, curve, 120, 1e-3)[-1, 0] == 120 and sum(done) == 120  # the cap
    done.clear()
    assert gibbs_until_converged(done.append, curve, 200, None).tolist() == [[200, curve()]] and done == [200]


def test_a_converged_fit_is_reproducible_and_records_its_sweeps():
    toks = planted(n_units=90)
    a = pt.fit_lda(toks, k=3, random_state=0, tolerance=1e-3, cache=False)
    b = pt.fit_lda(toks, k=3, random_state=0, tolerance=1e-3, cache=False)
    assert fingerprint(a) == fingerprint(b)
    assert 30 <= a.trace_["iterations"].iloc[-1] < 200
    fixed = pt.fit_lda(toks, k=3, random_state=0, tolerance=None, cache=False)
    assert fixed.trace_["iterations"].tolist() == [200]
