"""One vocabulary: ``by=`` (default None, per document) for grouping, ``random_state`` for every seed, ``n`` for
how many, ``ngram`` for an n-gram's length, tables first; old names keep working for one release with a
DeprecationWarning that names the new one."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

import policytext as pt
from policytext import plots
from policytext._core import deprecation


def _public_callables():
    """Every function and class method a user reaches from ``pt`` and ``pt.plots``."""
    seen = {}
    for name in pt.__all__:
        obj = getattr(pt, name)
        if inspect.isfunction(obj):
            seen[f"pt.{name}"] = obj
        elif inspect.isclass(obj) and obj.__module__.startswith("policytext"):
            for attr, member in vars(obj).items():
                if inspect.isfunction(member) and not attr.startswith("_"):
                    seen[f"pt.{name}.{attr}"] = member
    for name, obj in vars(plots).items():
        if inspect.isfunction(obj) and not name.startswith("_") and obj.__module__ == plots.__name__:
            seen[f"pt.plots.{name}"] = obj
    return seen


PUBLIC = _public_callables()


def _parameters(func):
    return inspect.signature(inspect.unwrap(func)).parameters


def test_every_by_defaults_to_per_document_or_the_tables_own_column():
    defaults = {name: _parameters(f)["by"].default for name, f in PUBLIC.items() if "by" in _parameters(f)}
    assert len(defaults) > 20
    # lexicon_precision groups the judged hits of a lexicon by its own levels (dimension, term), not documents
    wrong = {name: d for name, d in defaults.items() if name != "pt.lexicon_precision"
             and d is not None and d is not deprecation.NOT_GIVEN and d is not inspect.Parameter.empty}
    assert wrong == {}


@pytest.mark.parametrize("old", ["seed", "top", "topn", "top_edges", "groups"])
def test_no_public_function_takes_an_old_name_except_through_its_deprecation(old):
    taking = [name for name, f in PUBLIC.items() if old in _parameters(f)]
    deprecated_ok = {"pt.topic_prevalence_difference"} if old == "groups" else set()
    assert set(taking) <= deprecated_ok, taking


def test_every_seed_is_called_random_state():
    seeds = [name for name, f in PUBLIC.items() for p in _parameters(f) if "seed" in p and p != "stability_seeds"]
    assert seeds == [], seeds


def test_every_rename_points_to_a_real_parameter_of_its_function():
    import importlib

    for module in ("compare.counting", "compare.weighting", "networks", "plots", "topics.model", "topics.selection"):
        importlib.import_module(f"policytext.{module}")
    assert len(deprecation.RENAMED) >= 8
    for (module, qualname), renames in deprecation.RENAMED.items():
        if module == deprecation.__name__:
            continue  # the example in its own documentation
        func = importlib.import_module(module)
        for part in qualname.split("."):
            func = getattr(func, part)
        for old, new in renames.items():
            assert new in _parameters(func) and old not in _parameters(func), (module, qualname, old)


def _warned(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = call()
    return value, [w for w in caught if issubclass(w.category, DeprecationWarning)]


def test_old_keyword_names_give_the_same_result_with_a_deprecation_warning(tokens):
    cases = [
        (lambda: pt.tfidf(tokens, by="province", top=3), lambda: pt.tfidf(tokens, by="province", n=3), "tfidf(n="),
        (lambda: pt.ngram_frequency(tokens, n=3), lambda: pt.ngram_frequency(tokens, ngram=3), "ngram="),
        (lambda: pt.ngrams(tokens, n=2), lambda: pt.ngrams(tokens, ngram=2), "ngram="),
        (lambda: pt.cooccurrence(tokens, top=20), lambda: pt.cooccurrence(tokens, n=20), "cooccurrence(n="),
    ]
    for old, new, named in cases:
        (got, caught), expected = _warned(old), new()
        pd.testing.assert_frame_equal(got, expected)
        assert len(caught) == 1 and named in str(caught[0].message) and "0.3" in str(caught[0].message)
    edges = pt.cooccurrence(tokens, n=30)
    (old_graph, caught) = _warned(lambda: pt.coword_network(edges, top_edges=10))
    assert caught and sorted(old_graph.edges) == sorted(pt.coword_network(edges, n=10).edges)
    with pytest.raises(TypeError, match="give n= only"):
        pt.tfidf(tokens, top=3, n=3)


def test_the_seeds_of_a_model_are_random_state(tokens):
    model = pt.fit_lda(tokens, k=2, random_state=1, iterations=20, cache=False)
    (old, caught) = _warned(lambda: model.infer([["工业互联网", "平台"]], seed=4))
    assert caught and "random_state" in str(caught[0].message)
    np.testing.assert_array_equal(old, model.infer([["工业互联网", "平台"]], random_state=4))


def test_a_by_whose_default_changed_warns_where_the_answer_differs(tokens):
    with pytest.warns(FutureWarning, match="by='province'"):
        per_doc = pt.emphasis(tokens, n_boot=0)
    assert per_doc.columns[0] == "doc_id" and per_doc["doc_id"].nunique() == tokens["doc_id"].nunique()
    pd.testing.assert_frame_equal(per_doc, pt.emphasis(tokens, by=None, n_boot=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning when by is given, or when there is no province to group by
        pt.group_sizes(tokens, by="province")
        pt.group_sizes(tokens.drop(columns=[c for c in tokens.columns if c == "province"]).pipe(
            lambda t: t.assign(doc_id=t["doc_id"])), by=None)
        toks = pd.DataFrame({"doc_id": ["a", "b"], "token": ["数据", "平台"]})
        assert pt.group_sizes(toks)["doc_id"].tolist() == ["a", "b"]


def test_tables_first_then_documents(tokens, clean_docs):
    new = pt.corpus_summary(tokens, clean_docs, by="province")
    (old, caught) = _warned(lambda: pt.corpus_summary(clean_docs, tokens, by="province"))
    pd.testing.assert_frame_equal(old, new)
    assert caught and "corpus_summary(tokens, docs)" in str(caught[0].message)
    order = [list(_parameters(f))[:2] for name, f in PUBLIC.items() if {"tokens", "docs"} <= set(_parameters(f))]
    assert order and all(o == ["tokens", "docs"] for o in order), order


def test_accounts_come_from_functions_not_tuples(tmp_path):
    (pair, caught) = _warned(lambda: pt.load_corpus(pt.bundled_corpus_path(), return_account=True))
    assert caught and "load_account" in str(caught[0].message)
    docs, account = pair
    pd.testing.assert_frame_equal(account, pt.load_account(docs))
    (pair, caught) = _warned(lambda: pt.clean(docs, return_account=True))
    assert caught and "clean_account" in str(caught[0].message)
    pd.testing.assert_frame_equal(pair[1], pt.clean_account(pair[0]))


def test_one_function_compares_rates_of_tokens_and_of_counts(tokens):
    counts = pt.document_counts(tokens, covariates="province", lexicon="digital_policy")
    direct = pt.compare_rates(counts, covariates="province")
    via_tokens = pt.compare_rates(tokens, covariates="province", lexicon="digital_policy")
    pd.testing.assert_frame_equal(direct, via_tokens)
    (old, caught) = _warned(lambda: pt.rate_ratios(counts, covariates="province"))
    assert caught and "compare_rates(counts)" in str(caught[0].message)
    pd.testing.assert_frame_equal(old, direct)
    with pytest.raises(TypeError, match="neither terms= nor lexicon="):
        pt.compare_rates(counts, lexicon="digital_policy")


def test_a_prevalence_difference_names_target_and_reference_as_keyness_does(tokens):
    model = pt.fit_lda(tokens, k=2, random_state=1, iterations=20, cache=False)
    new = pt.topic_prevalence_difference(model, by="province", target="湖北省", reference="四川省", n_boot=30)
    (old, caught) = _warned(lambda: pt.topic_prevalence_difference(model, by="province", groups=("湖北省", "四川省"),
                                                                    n_boot=30))
    pd.testing.assert_frame_equal(old, new)
    assert caught and "target=a" in str(caught[0].message)


def test_settings_are_under_one_attrs_key(tokens):
    made = {"tfidf": pt.tfidf(tokens, by="province", n=3), "keyness": pt.keyness(tokens, by="province", n_perm=0),
            "emphasis": pt.emphasis(tokens, by="province", n_boot=0),
            "rate": pt.compare_rates(tokens, covariates="province", lexicon="digital_policy"),
            "tokenizer": tokens}
    for function, table in made.items():
        assert table.attrs["made_by"] == function and isinstance(table.attrs["params"], dict), function
        assert table.attrs[f"{function}_params"] is table.attrs["params"]  # the key of earlier releases, until 0.3
