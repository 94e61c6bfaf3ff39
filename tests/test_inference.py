"""Inference about documents: exact intervals, rate ratios from count models, and emphasis intervals,
checked against independent computations and, for coverage, by simulation with a known truth."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import policytext as pt
from policytext.compare import inference

# --- exact intervals ------------------------------------------------------------------


@pytest.mark.parametrize("x", [0, 1, 3, 17, 250])
def test_poisson_interval_is_the_exact_garwood_interval(x):
    low, high = pt.poisson_interval(x, 1.0, ci=0.95)
    # defining property: each bound makes the observed count just reach the 2.5% tail
    if x > 0:
        assert stats.poisson.sf(x - 1, low) == pytest.approx(0.025, rel=1e-6)
    else:
        assert low == 0.0
    assert stats.poisson.cdf(x, high) == pytest.approx(0.025, rel=1e-6)


def test_a_zero_count_has_a_positive_upper_bound_scaled_by_exposure():
    low, high = pt.poisson_interval(0, 5000)
    assert low == 0.0 and high == pytest.approx(-math.log(0.025) / 5000)  # P(0 | mu) = exp(-mu) = 0.025
    lows, highs = pt.poisson_interval(np.array([0, 2]), np.array([10.0, 20.0]))
    assert highs[0] == pytest.approx(-math.log(0.025) / 10) and lows[1] > 0


@pytest.mark.parametrize("x, n", [(0, 10), (3, 10), (10, 10), (40, 120)])
def test_binomial_interval_is_clopper_pearson(x, n):
    from statsmodels.stats.proportion import proportion_confint

    assert pt.binomial_interval(x, n) == pytest.approx(proportion_confint(x, n, alpha=0.05, method="beta"))


def test_binomial_interval_without_trials_is_undefined():
    low, high = pt.binomial_interval(0, 0)
    assert math.isnan(low) and math.isnan(high)


# --- rate ratios ------------------------------------------------------------------------

COUNTS = pd.DataFrame({
    "doc_id": list("abcdefgh"), "province": list("PPPQQQRR"), "feature": "x",
    "hits": [4, 6, 5, 10, 12, 8, 0, 1], "tokens": [1000, 1200, 800, 1000, 900, 1100, 500, 700]})


def test_poisson_rate_ratios_are_the_ratios_of_pooled_rates():
    r = pt.compare_rates(COUNTS, reference="P", family="poisson").set_index("level")
    # with one categorical covariate and log(tokens) as offset the Poisson MLE is the ratio of pooled rates
    assert r.loc["Q", "rate_ratio"] == pytest.approx((30 / 3000) / (15 / 3000))
    assert r.loc["R", "rate_ratio"] == pytest.approx((1 / 1200) / (15 / 3000))
    assert r.loc["Q", "n_docs"] == 3 and r.loc["Q", "hits_reference"] == 15


def test_quasipoisson_dispersion_and_interval_by_hand():
    counts = COUNTS[COUNTS["province"] != "R"]
    r = pt.compare_rates(counts, reference="P").iloc[0]
    rate = counts.groupby("province")["hits"].sum() / counts.groupby("province")["tokens"].sum()
    mu = counts["tokens"] * counts["province"].map(rate)
    dispersion = (((counts["hits"] - mu) ** 2 / mu).sum()) / (len(counts) - 2)
    assert r["dispersion"] == pytest.approx(dispersion)
    # var(log rate ratio) = dispersion (1/hits_Q + 1/hits_P) for a Poisson GLM with one factor
    se = math.sqrt(dispersion * (1 / 30 + 1 / 15))
    t = stats.t.ppf(0.975, len(counts) - 2)
    assert (r["low"], r["high"]) == pytest.approx((2 * math.exp(-t * se), 2 * math.exp(t * se)))
    assert r["p_value"] == pytest.approx(2 * stats.t.sf(math.log(2) / se, len(counts) - 2))


def test_compare_rates_on_tokens_equals_the_model_on_document_counts():
    rng = np.random.default_rng(3)
    toks = pd.DataFrame({"doc_id": np.repeat([f"d{i}" for i in range(9)], 300),
                         "province": np.repeat(list("AAABBBCCC"), 300), "level": np.repeat(list("xyzxyzxyz"), 300)})
    toks["token"] = rng.choice(["数据", "平台", "其他", "其他"], size=len(toks))
    direct = pt.compare_rates(toks, covariates=["province", "level"], terms=["数据", "平台"])
    counts = pt.document_counts(toks, covariates=["province", "level"], terms=["数据", "平台"])
    assert counts.groupby("doc_id")["tokens"].first().eq(300).all()
    assert counts["hits"].sum() == toks["token"].isin(["数据", "平台"]).sum()
    via = pt.compare_rates(counts, covariates=["province", "level"])
    pd.testing.assert_frame_equal(direct, via)
    assert set(direct["covariate"]) == {"province", "level"} and len(direct) == 2 * (2 + 2)
    # reversed row order: same table
    again = pt.compare_rates(toks.iloc[::-1], covariates=["province", "level"], terms=["数据", "平台"])
    pd.testing.assert_frame_equal(direct, again)


def test_a_group_without_hits_gets_zero_and_a_positive_upper_bound():
    r = pt.compare_rates(COUNTS.assign(hits=[4, 6, 5, 10, 12, 8, 0, 0]), reference="P").set_index("level")
    assert r.loc["R", "rate_ratio"] == 0 and r.loc["R", "low"] == 0 and 0 < r.loc["R", "high"] < np.inf
    assert "no hits" in r.loc["R", "note"] and r.loc["R", "interval_basis"].startswith("tokens")
    # the Q estimate is the same as without R's documents (separated, left out of the fit)
    alone = pt.compare_rates(COUNTS[COUNTS["province"] != "R"], reference="P").set_index("level")
    assert r.loc["Q", ["rate_ratio", "low", "high"]].tolist() == pytest.approx(
        alone.loc["Q", ["rate_ratio", "low", "high"]].tolist())


def test_single_document_groups_and_a_reference_without_hits_are_explained():
    counts = pd.concat([COUNTS, COUNTS.iloc[[0]].assign(doc_id="s", province="S", hits=9)])
    r = pt.compare_rates(counts, reference="P").set_index("level")
    assert "one document" in r.loc["S", "note"] and np.isfinite(r.loc["S", "high"])
    ref_zero = pt.compare_rates(COUNTS.assign(hits=[0, 0, 0, 10, 12, 8, 1, 1]), reference="P")
    assert ref_zero["rate_ratio"].isna().all() and ref_zero["note"].str.contains("reference level has no hits").all()


def test_default_reference_is_the_level_with_most_documents_and_bad_options_fail():
    assert pt.compare_rates(COUNTS)["reference"].unique().tolist() == ["P"]  # P and Q have 3: P sorts first
    with pytest.raises(KeyError, match="reference 'Z' is not a level of 'province'"):
        pt.compare_rates(COUNTS, reference="Z")
    with pytest.raises(ValueError, match="family must be one of"):
        pt.compare_rates(COUNTS, family="gaussian")
    with pytest.raises(ValueError, match="needs cluster="):
        pt.compare_rates(COUNTS, cov_type="cluster")
    with pytest.raises(ValueError, match="document 'a', feature 'x'"):
        pt.compare_rates(COUNTS.assign(hits=COUNTS["hits"].where(COUNTS["doc_id"] != "a", -1)))


def _simulated_counts(rng, n_per, rr, shapes, base=0.004):
    g = np.repeat(np.arange(len(rr)), n_per)
    tokens = rng.integers(1000, 9000, size=len(g))
    mu = base * np.asarray(rr)[g] * rng.gamma(np.asarray(shapes)[g], 1 / np.asarray(shapes)[g]) * tokens
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(g))], "province": np.array(list("ABC"))[g],
                         "feature": "x", "hits": rng.poisson(mu), "tokens": tokens})


def _coverage(family, n_per, replicates=300, seed=0):
    rng = np.random.default_rng(seed)
    truth = {"B": 2.0, "C": 0.7}
    covered = total = 0
    for _ in range(replicates):
        counts = _simulated_counts(rng, n_per, [1.0, 2.0, 0.7], [3.0, 1.0, 0.5])  # unequal overdispersion
        r = pt.compare_rates(counts, reference="A", family=family)
        r = r[r["note"] == ""]
        covered += int(sum((row.low <= truth[row.level] <= row.high) for row in r.itertuples()))
        total += len(r)
    return covered / total


def test_rate_ratio_intervals_cover_the_truth_about_95_percent_with_several_documents_per_group():
    # 6 documents per group, overdispersed counts, known rate ratios 2.0 and 0.7
    assert 0.92 <= _coverage("quasipoisson", 6) <= 0.99
    # the test can fail: a Poisson model (tokens as independent draws) covers far less
    assert _coverage("poisson", 6, replicates=100) < 0.7


@pytest.mark.parametrize("family", ["negbin"])
def test_negative_binomial_rate_ratios_cover_the_truth_with_more_documents(family):
    assert 0.90 <= _coverage(family, 15, replicates=150, seed=1) <= 0.99


def test_cluster_robust_errors_by_a_column():
    rng = np.random.default_rng(4)
    counts = _simulated_counts(rng, 10, [1.0, 1.5, 1.0], [2.0, 2.0, 2.0])
    counts["city"] = [f"c{i // 2}" for i in range(len(counts))]  # two documents per city
    r = pt.compare_rates(counts, reference="A", cov_type="cluster", cluster="city")
    assert r["interval_basis"].str.contains("cluster-robust errors by city").all()
    robust = pt.compare_rates(counts, reference="A", cov_type="robust")
    assert np.allclose(r["rate_ratio"], robust["rate_ratio"]) and not np.allclose(r["high"], robust["high"])


# --- emphasis intervals -------------------------------------------------------------------

LEX = pd.DataFrame({"dimension": ["x"], "term": ["数据"], "label": ["x"]})


def _emphasis_coverage(n_docs, rate, replicates, resample, seed=5):
    rng = np.random.default_rng(seed)
    covered = 0
    for r in range(replicates):
        lengths = rng.integers(300, 1500, size=n_docs)
        lam = rate * rng.gamma(2.0, 1 / 2.0, size=n_docs)  # documents differ in their rate
        doc = np.repeat(np.arange(n_docs), lengths)
        toks = pd.DataFrame({"doc_id": doc.astype(str), "para_id": np.concatenate([np.arange(n) // 50 for n in lengths]),
                             "g": "A", "token": np.where(rng.random(len(doc)) < lam[doc], "数据", "其他")})
        e = pt.emphasis(toks, by="g", lexicon=LEX, n_boot=400, random_state=r, resample=resample).iloc[0]
        covered += int(e["per_10k_low"] <= rate * 1e4 <= e["per_10k_high"])
    return covered / replicates


def test_document_bootstrap_covers_a_group_rate_and_the_paragraph_bootstrap_does_not():
    assert _emphasis_coverage(10, 0.01, 150, "document") >= 0.88
    assert _emphasis_coverage(10, 0.01, 150, "unit") < 0.8


def test_a_rare_term_in_one_document_is_covered_by_the_exact_interval():
    # 1 per 10,000 in a document of about 5,000 tokens: six times in ten it does not occur at all
    rng = np.random.default_rng(9)
    covered = zeros = 0
    for r in range(300):
        toks = pd.DataFrame({"doc_id": "a", "para_id": np.arange(5000) // 100, "g": "A",
                             "token": np.where(rng.random(5000) < 1e-4, "数据", "其他")})
        e = pt.emphasis(toks, by="g", lexicon=LEX, n_boot=100, random_state=r).iloc[0]
        zeros += int(e["hits"] == 0)
        assert e["per_10k_high"] > 0 and e["single_document"] and e["interval_basis"].startswith("tokens of one")
        covered += int(e["per_10k_low"] <= 1.0 <= e["per_10k_high"])
    assert zeros > 150 and covered / 300 >= 0.95


# --- keyness: documents as the units ----------------------------------------------------------

def _bursty_corpus(seed=0, n_docs=40, n_groups=4, vocab=150, length=(300, 900)):
    """Documents whose term rates vary from document to document (terms come in bursts)."""
    rng = np.random.default_rng(seed)
    base = rng.dirichlet(np.full(vocab, 0.3))
    rows = []
    for d in range(n_docs):
        rates = rng.gamma(0.5, 2.0, size=vocab) * base  # document-specific rates
        words = rng.choice(vocab, size=rng.integers(*length), p=rates / rates.sum())
        rows.append(pd.DataFrame({"doc_id": f"d{d:02d}", "para_id": np.arange(len(words)) // 40,
                                  "position": np.arange(len(words)), "token": [f"w{w}" for w in words]}))
    toks = pd.concat(rows, ignore_index=True)
    groups = {f"d{d:02d}": f"g{d % n_groups}" for d in range(n_docs)}  # labels unrelated to the text
    toks["province"] = toks["doc_id"].map(groups)
    return toks


def test_permutation_keyness_keeps_its_false_positive_rate_where_g2_does_not():
    toks = _bursty_corpus()
    k = pt.keyness(toks, by="province", n_perm=400, random_state=1)
    share_perm = float((k["p_perm"] < 0.05).mean())
    share_g2 = float((k["p_adjusted"] < 0.05).mean())
    assert share_perm <= 0.07  # nominal 5%: the labels carry no signal
    assert share_g2 > 0.15     # tokens as independent draws: many false positives even after BH
    assert (k["p_perm_adjusted"] < 0.05).sum() == 0
    # and it can find a real difference: plant a term in every document of one group
    planted = toks.copy()
    in_g0 = planted["province"] == "g0"
    planted.loc[in_g0 & (planted["position"] % 25 == 0), "token"] = "planted"
    k2 = pt.keyness(planted, by="province", target="g0", n_perm=400, random_state=1).set_index("term")
    assert k2.loc["planted", "p_perm"] == pytest.approx(1 / 401) and k2.loc["planted", "docs_target"] == 10


def test_permutation_p_values_agree_with_an_exact_enumeration():
    from itertools import combinations

    rng = np.random.default_rng(2)
    docs = [f"d{i}" for i in range(6)]
    toks = pd.DataFrame({"doc_id": np.repeat(docs, 60), "para_id": 0, "position": np.tile(np.arange(60), 6),
                         "token": rng.choice(["甲", "乙", "丙", "丁"], size=360, p=[0.1, 0.2, 0.3, 0.4])})
    toks.loc[(toks["doc_id"] < "d3") & (toks["position"] % 6 == 0), "token"] = "甲"
    labels = {d: ("A" if d < "d3" else "B") for d in docs}
    k = pt.keyness(toks.assign(province=toks["doc_id"].map(labels)), by="province", target="A", min_count=1,
                   n_perm=4000, perm_stop=4000, random_state=0).set_index("term")
    # every way of choosing 3 of the 6 documents as A: the exact permutation distribution of G²
    exact = {}
    for chosen in combinations(docs, 3):
        other = {d: ("A" if d in chosen else "B") for d in docs}
        g2 = pt.keyness(toks.assign(province=toks["doc_id"].map(other)), by="province", target="A",
                        min_count=1, n_perm=0).set_index("term")["g2"]
        for term, value in g2.items():
            exact.setdefault(term, []).append(value)
    for term, row in k.iterrows():
        p_exact = np.mean(np.array(exact[term]) >= row["g2"] - 1e-9)
        assert row["p_perm"] == pytest.approx(p_exact, abs=0.02), term


def test_pairwise_log_odds_do_not_depend_on_other_groups():
    toks = _bursty_corpus(seed=3, n_groups=5)
    with_all = pt.keyness(toks, by="province", target="g1", reference="g2", n_perm=0)
    only_two = pt.keyness(toks[toks["province"].isin(["g1", "g2"])], by="province", target="g1", reference="g2",
                          n_perm=0)
    pd.testing.assert_frame_equal(with_all, only_two)
    # the prior is the pooled counts of the two groups: δ by hand for one term
    a_b = toks[toks["province"].isin(["g1", "g2"])]
    row = with_all.set_index("term").iloc[0]
    n1, n2 = (a_b["province"] == "g1").sum(), (a_b["province"] == "g2").sum()
    y1, y2 = row["n_target"], row["n_reference"]
    alpha0 = n1 + n2
    alpha = alpha0 * (y1 + y2) / (n1 + n2)
    delta = math.log((y1 + alpha) / (n1 + alpha0 - y1 - alpha)) - math.log((y2 + alpha) / (n2 + alpha0 - y2 - alpha))
    assert row["log_odds"] == pytest.approx(delta)
    assert with_all["reference"].unique().tolist() == ["g2"]


def test_williams_correction_by_hand():
    toks = pd.DataFrame({"doc_id": list("aaaaaabbbb"), "province": ["P"] * 6 + ["Q"] * 4,
                         "token": ["数据", "数据", "数据", "数据", "平台", "安全", "数据", "平台", "平台", "平台"]})
    plain = pt.keyness(toks, by="province", target="P", min_count=1, n_perm=0).set_index("term")
    corrected = pt.keyness(toks, by="province", target="P", min_count=1, n_perm=0,
                           correction="williams").set_index("term")
    # 数据: 4 of 6 in P, 1 of 4 in Q; N = 10, term total 5, others 5
    q = 1 + (10 / 5 + 10 / 5 - 1) * (10 / 6 + 10 / 4 - 1) / (6 * 10)
    assert corrected.loc["数据", "g2"] == pytest.approx(plain.loc["数据", "g2"] / q)
    assert corrected.loc["数据", "p_value"] == pytest.approx(stats.chi2.sf(plain.loc["数据", "g2"] / q, 1))


def test_keyness_reports_document_spread_and_flags_a_single_document():
    toks = pd.DataFrame({"doc_id": ["a"] * 3 + ["b"] * 3 + ["c"] * 3, "province": ["P"] * 6 + ["Q"] * 3,
                         "token": ["数据", "平台", "数据", "数据", "安全", "安全", "平台", "平台", "数据"]})
    k = pt.keyness(toks, by="province", min_count=1, n_perm=50).set_index(["province", "term"])
    assert k.loc[("P", "数据"), ["docs_target", "docs_reference", "n_docs_target", "n_docs_reference"]].tolist() == [
        2, 1, 2, 1]
    assert k.loc[("P", "安全"), "docs_target"] == 1 and k.loc[("Q", "安全"), "docs_target"] == 0
    assert not k.loc[("P", "数据"), "single_document"] and k.loc[("Q", "数据"), "single_document"]
    assert "one document" in k.loc[("Q", "数据"), "note"] and "one document" not in k.loc[("P", "数据"), "note"]
    assert "no power" in k.loc[("P", "数据"), "note"]  # C(3, 2) = 3 ways to choose P's documents: p_perm >= 1/3
    with pytest.raises(ValueError, match="correction must be one of"):
        pt.keyness(toks, by="province", correction="yates")


# --- numeric covariates, fixed effects, clustered errors, formulas --------------------------------


def _panel(rng, *, n_prov=8, years=range(2000, 2021, 2), slope=0.03, shape=4.0):
    """Documents of provinces over years: log rate = province effect + slope * year, gamma overdispersion."""
    prov = np.repeat([f"p{i}" for i in range(n_prov)], len(years))
    year = np.tile(np.asarray(years), n_prov)
    effect = dict(zip([f"p{i}" for i in range(n_prov)], rng.normal(0, 0.5, n_prov)))
    tokens = rng.integers(2000, 8000, len(prov))
    mu = np.exp(np.log(0.003) + np.vectorize(effect.get)(prov) + slope * (year - 2010))
    hits = rng.poisson(mu * tokens * rng.gamma(shape, 1 / shape, len(prov)))
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(prov))], "province": prov, "year": year,
                         "feature": "x", "hits": hits, "tokens": tokens}), effect


def test_a_simulated_slope_per_decade_is_covered_at_least_90_percent_with_province_fixed_effects():
    rng = np.random.default_rng(11)
    covered, replicates = 0, 200
    for _ in range(replicates):
        counts, _ = _panel(rng)
        r = pt.compare_rates(counts, covariates="year", per={"year": 10}, fixed_effects="province")
        assert len(r) == 1 and r["level"].iloc[0] == "per 10" and r["covariate"].iloc[0] == "year"
        covered += int(r["low"].iloc[0] <= np.exp(0.3) <= r["high"].iloc[0])
    assert 0.90 <= covered / replicates <= 0.99
    # the test can fail: a wrong slope (a rate ratio of 1.0 per decade) is covered far less often
    rng = np.random.default_rng(12)
    wrong = sum(int(r["low"].iloc[0] <= 1.0 <= r["high"].iloc[0]) for r in (
        pt.compare_rates(_panel(rng)[0], covariates="year", per={"year": 10}, fixed_effects="province")
        for _ in range(50)))
    assert wrong / 50 < 0.2


def test_fixed_effects_and_clustered_errors_equal_a_direct_statsmodels_fit():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    counts, _ = _panel(rng, n_prov=12)
    counts["level"] = np.where(counts["province"].isin(["p0", "p1", "p2", "p3", "p4", "p5"]), "east", "west")
    r = pt.compare_rates(counts, covariates="year", fixed_effects="province", cluster="province")
    row = r.iloc[0]
    # independently: a Poisson GLM with dummies of every province but the first, Pearson scale, errors by province
    X = pd.get_dummies(counts["province"], drop_first=True, dtype=float)
    X.insert(0, "year", counts["year"].astype(float))
    X.insert(0, "const", 1.0)
    fit = sm.GLM(counts["hits"], X, family=sm.families.Poisson(), offset=np.log(counts["tokens"])).fit(
        scale="X2", cov_type="cluster", cov_kwds={"groups": pd.factorize(counts["province"])[0]})
    b, se = fit.params["year"], fit.bse["year"]
    crit = stats.t.ppf(0.975, 12 - 1)
    assert row["rate_ratio"] == pytest.approx(np.exp(b), rel=1e-6)
    assert row["low"] == pytest.approx(np.exp(b - crit * se), rel=1e-6)
    assert row["high"] == pytest.approx(np.exp(b + crit * se), rel=1e-6)
    assert "province fixed effects" in row["interval_basis"] and "cluster-robust errors by province" in row[
        "interval_basis"]
    assert "12 clusters" in row["note"]  # fewer than about 20 clusters: said in the table
    # a categorical covariate beside a numeric one: the level's rate ratio, the slope's per unit
    both = pt.compare_rates(counts, covariates=["year", "level"], reference={"level": "east"})
    Xb = pd.DataFrame({"const": 1.0, "year": counts["year"] - counts["year"].mean(),
                       "west": (counts["level"] == "west").astype(float)})
    direct = sm.GLM(counts["hits"], Xb, family=sm.families.Poisson(), offset=np.log(counts["tokens"])).fit(scale="X2")
    got = both.set_index("covariate")
    assert got.loc["year", "rate_ratio"] == pytest.approx(np.exp(direct.params["year"]), rel=1e-6)
    assert got.loc["level", "rate_ratio"] == pytest.approx(np.exp(direct.params["west"]), rel=1e-6)
    assert got.loc["level", "reference"] == "east" and got.loc["year", "level"] == "per 1"


def test_a_formula_with_a_spline_and_an_interaction_is_fitted_as_statsmodels_fits_it():
    import formulaic
    import statsmodels.api as sm

    rng = np.random.default_rng(5)
    counts, _ = _panel(rng)
    counts["level"] = np.where(counts["province"] < "p4", "east", "west")
    r = pt.compare_rates(counts, formula="year * level")
    assert r["level"].tolist() == ["year", "level[T.west]", "year:level[T.west]"]
    X = formulaic.model_matrix("year * level", counts)
    direct = sm.GLM(counts["hits"], np.asarray(X), family=sm.families.Poisson(),
                    offset=np.log(counts["tokens"])).fit(scale="X2")
    assert np.allclose(np.log(r["rate_ratio"]), direct.params[1:], rtol=1e-6)
    spline = pt.compare_rates(counts, formula="cr(year, df=3)", fixed_effects="province")
    assert spline["level"].str.startswith("cr(year").all() and len(spline) == 3
    with pytest.raises(TypeError, match="covariates= or formula="):
        pt.compare_rates(counts, covariates="year", formula="year")
    with pytest.raises(ValueError, match="right-hand side"):
        pt.compare_rates(counts, formula="hits ~ year")


def test_numeric_years_can_be_categories_and_missing_values_are_accounted_for():
    rng = np.random.default_rng(6)
    counts, _ = _panel(rng, years=[2019, 2020, 2021])
    as_levels = pt.compare_rates(counts, covariates="year", categorical="year")
    assert sorted(as_levels["level"]) == ["2020", "2021"] and (as_levels["reference"] == "2019").all()
    holes = counts.assign(year=counts["year"].where(counts["doc_id"] != "d0")).astype({"year": "float"})
    r = pt.compare_rates(holes, covariates="year")
    assert r.attrs["params"]["documents_left_out"] == ["d0"] and r["n_docs"].iloc[0] == len(counts) - 1
    with pytest.raises(ValueError, match="per= scales numeric covariates only"):
        pt.compare_rates(counts.assign(year=counts["year"].astype(str)), covariates="year", per={"year": 10})
    with pytest.raises(ValueError, match="only with cov_type='cluster'"):
        pt.compare_rates(counts, covariates="year", cluster="province", cov_type="model")


def test_sandwich_errors_with_a_three_document_group_carry_a_note_and_one_document_per_group_says_what_works():
    rng = np.random.default_rng(8)
    counts = _simulated_counts(rng, 3, [1.0, 2.0, 0.7], [3.0, 1.0, 0.5])
    robust = pt.compare_rates(counts, reference="A", cov_type="robust")
    assert robust["note"].str.contains("fewer than 5").all() and robust["note"].str.contains("9 clusters").all()
    assert "CRV1" in robust["interval_basis"].iloc[0]
    model = pt.compare_rates(counts, reference="A")
    assert not model["note"].str.contains("sandwich").any()
    one = pd.DataFrame({"doc_id": list("abcdef"), "province": list("uvwxyz"), "region": list("EEEWWW"),
                        "feature": "x", "hits": [3, 5, 4, 9, 8, 12], "tokens": 1000})
    r = pt.compare_rates(one)
    assert r["rate_ratio"].isna().all()
    assert r["note"].str.contains("one document per province").all() and r["note"].str.contains("region").all()


def test_a_rate_trend_is_the_model_prediction_and_covers_a_known_curve():
    import statsmodels.api as sm

    rng = np.random.default_rng(21)
    counts, _ = _panel(rng, n_prov=4)
    trend = pt.rate_trend(counts, time="year")
    X = np.column_stack([np.ones(len(counts)), counts["year"].astype(float)])
    fit = sm.GLM(counts["hits"], X, family=sm.families.Poisson(), offset=np.log(counts["tokens"])).fit(scale="X2")
    for row in trend.itertuples():
        c = np.array([1.0, row.year])
        est, se = c @ fit.params, np.sqrt(c @ fit.cov_params() @ c)
        crit = stats.t.ppf(0.975, len(counts) - 2)
        assert row.rate == pytest.approx(1e4 * np.exp(est), rel=1e-6)
        assert (row.low, row.high) == pytest.approx((1e4 * np.exp(est - crit * se), 1e4 * np.exp(est + crit * se)),
                                                    rel=1e-6)
    # a curved truth (rise then fall) within a spline's pointwise intervals, by simulation
    years = np.arange(2000, 2021)
    truth = 30 * np.exp(-((years - 2012) / 6.0) ** 2) + 5  # per 10,000 tokens
    covered = []
    for _ in range(60):
        tokens = rng.integers(3000, 9000, (3, len(years))).ravel()
        year = np.tile(years, 3)
        mu = np.tile(truth, 3) / 1e4 * tokens * rng.gamma(5.0, 1 / 5.0, len(year))
        sim = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(year))], "year": year, "feature": "x",
                            "hits": rng.poisson(mu), "tokens": tokens})
        t = pt.rate_trend(sim, spline_df=5)
        covered.append(((t["low"] <= truth) & (truth <= t["high"])).mean())
    assert np.mean(covered) >= 0.85
    straight = pt.rate_trend(sim)  # the test can fail: a straight line misses the curve
    assert ((straight["low"] <= truth) & (truth <= straight["high"])).mean() < 0.6


def test_rate_trends_by_group_with_fixed_effects_say_what_they_rest_on():
    rng = np.random.default_rng(22)
    counts, _ = _panel(rng, n_prov=6)
    counts["region"] = np.where(counts["province"] < "p3", "east", "west")
    t = pt.rate_trend(counts, by="region", fixed_effects="province", cluster="province")
    assert t.columns.tolist() == ["feature", "region", "year", "rate", "low", "high", "n_docs", "interval_basis",
                                  "note"]
    assert set(t["region"]) == {"east", "west"} and (t["n_docs"] == 33).all()
    assert t["interval_basis"].str.contains("province fixed effects").all()
    assert t["note"].str.contains("3 clusters").all()
    few = pt.rate_trend(counts[counts["year"] <= 2002])
    assert few["rate"].isna().all() and few["note"].str.contains("too few for a trend").all()
    with pytest.raises(ValueError, match="must be numeric"):
        pt.rate_trend(counts.assign(year=counts["year"].astype(str)))


def test_a_numeric_year_of_a_tokens_table_stays_numeric_through_the_document_counts():
    rng = np.random.default_rng(30)
    years = np.arange(2010, 2022)
    rows = []
    for i, y in enumerate(years):
        p = 0.01 * np.exp(0.08 * (y - 2010))
        rows.append(pd.DataFrame({"doc_id": f"d{i}", "year": y, "province": "甲乙"[i % 2],
                                  "token": np.where(rng.random(800) < p, "数据", "其他")}))
    toks = pd.concat(rows, ignore_index=True)
    counts = pt.document_counts(toks, covariates="year", terms=["数据"])
    assert pd.api.types.is_integer_dtype(counts["year"])
    r = pt.compare_rates(toks, covariates="year", terms=["数据"])
    assert r["level"].tolist() == ["per 1"] and r["low"].iloc[0] < np.exp(0.08) < r["high"].iloc[0]
    pd.testing.assert_frame_equal(r, pt.compare_rates(counts, covariates="year"))
