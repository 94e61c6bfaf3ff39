"""The computed sections of the report: each takes what it needs from the :class:`Pipeline` and returns tables,
figures, files and typed facts (numbers, names, lists: never strings to be parsed back).

Every section declares what it reads (:attr:`Section.inputs`, products of the pipeline) and
which settings it depends on (:attr:`Section.settings`); its cache key holds exactly those.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from policytext._core import attrs as _attrs
from policytext import networks, plots, reuse
from policytext.compare import counting, inference, weighting
from policytext.compare.emphasis import emphasis, emphasis_examples, emphasis_terms
from policytext.compare.keyness import keyness
from policytext.errors import NotEstimable
from policytext.topics import effects as topic_effects
from policytext.topics import model as topics
from policytext.topics import selection as topic_selection

__all__ = ["Section", "SectionResult", "SECTIONS", "figure_files"]

logger = logging.getLogger(__name__)


@dataclass
class SectionResult:
    """What a section produces: tables, figures (name -> format -> bytes), files (relative path -> bytes) and
    facts (JSON values the page shows); how long it took, whether it came from the cache, and why it did not run."""

    tables: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)
    seconds: float = 0.0
    from_cache: bool = False
    not_run: str | None = None


@dataclass(frozen=True)
class Section:
    """A computed section: its name, the function that computes it, what it reads and which settings it uses."""

    name: str
    compute: Callable
    inputs: tuple[str, ...]
    settings: tuple[str, ...]


def figure_files(fig, config) -> dict[str, bytes]:
    """A figure's files: PNG (embedded in the page) and each of the configured formats, then the figure closed."""
    import matplotlib.pyplot as plt

    files = {fmt: plots.figure_bytes(fig, fmt, dpi=plots.REPORT_DPI)
             for fmt in dict.fromkeys(("png", *config.figure_formats))}
    plt.close(fig)
    return files


def _places_fact(p) -> dict:
    dropped = len(p.tokens) - len(p.compared)
    return {"dropped": p.drop_places, "tokens": int(dropped), "share": dropped / max(1, len(p.tokens))}


def words(p, config) -> SectionResult:
    by, out = p.by, SectionResult()
    sizes = p.group_sizes
    freq = counting.term_frequency(p.tokens, by=by)
    out.tables["top_terms"] = counting.top_terms(freq, n=config.top)
    flagged = freq.merge(sizes[[by, "single_document"]], on=by, how="left")
    out.figures["top_terms"] = figure_files(plots.top_terms(counting.top_terms(flagged, n=10), by=by), config)
    out.figures["wordclouds"] = figure_files(plots.wordclouds(flagged, by=by, random_state=config.random_state),
                                             config)
    out.facts["places"] = _places_fact(p)
    out.tables["tfidf"] = weighting.tfidf(p.matrix, by=by, n=config.top)
    out.tables["collocations"] = counting.collocations(p.tokens, min_count=config.min_count).head(100)
    sim = weighting.similarity(p.matrix, by=by, matrix=True)
    out.tables["similarity"] = sim.reset_index()
    out.figures["similarity"] = figure_files(plots.similarity(sim, title=f"Cosine similarity of TF-IDF by {by}",
                                                              n_docs=sizes.set_index(by)["n_docs"]), config)
    return out


def significance_counts(key: pd.DataFrame, by: str) -> pd.DataFrame:
    """Terms over-used at BH-adjusted p < 0.05 per group: by G² (tokens) and by the permutation test (documents)."""
    over = key[key["direction"] == "over"]
    return over.groupby(by, sort=True).agg(
        n_docs=("n_docs_target", "first"), terms_tested=("term", "size"),
        significant_g2=("p_adjusted", lambda p: int((p < 0.05).sum())),
        significant_permutation=("p_perm_adjusted", lambda p: int((p < 0.05).sum())),
        reachable_adjusted_p=("p_perm_adjusted_floor", "first")).reset_index()


def keyness_section(p, config) -> SectionResult:
    by, out = p.by, SectionResult()
    key = keyness(p.matrix, by=by, min_count=config.min_count, n_perm=config.n_perm,
                  random_state=config.random_state)
    if key.empty:
        raise NotEstimable(f"no term occurs {config.min_count} times or more in the corpus (min_count), so no term "
                           "can be compared between groups")
    out.tables["keyness"] = key.groupby(by, sort=True).head(config.top).reset_index(drop=True)
    out.tables["keyness_significance"] = significance_counts(key, by)
    out.figures["keyness"] = figure_files(plots.keyness(key, by=by), config)
    out.facts["places"] = _places_fact(p)
    floors = key.groupby(by, sort=True)["p_perm_adjusted_floor"].first()
    out.facts["keyness_power"] = {
        "n_perm": config.n_perm, "floor_low": float(key["p_perm_floor"].min()),
        "floor_high": float(key["p_perm_floor"].max()),
        "adjusted_floor_low": float(floors.min()), "adjusted_floor_high": float(floors.max()),
        "groups_without_power": int((floors > 0.05).sum()), "groups": int(len(floors)),
        "one_document_per_group": bool((key.groupby(by)["n_docs_target"].first() == 1).all()),
    } if config.n_perm else None
    return out


def emphasis_section(p, config) -> SectionResult:
    by, out = p.by, SectionResult()
    tokens = p.tokens
    emph = emphasis(tokens, by=by, n_boot=config.n_boot, random_state=config.random_state)
    out.tables["emphasis"] = emph
    per_group = emphasis_terms(tokens, by=by)
    out.tables["emphasis_terms"] = per_group.query("hits > 0").reset_index(drop=True)
    corpus = (per_group.groupby(["dimension", "label", "term"], sort=False, as_index=False)["hits"].sum()
              .query("hits > 0"))  # the corpus's hits of each term: the groups' summed
    out.tables["emphasis_drivers"] = (corpus.sort_values(["dimension", "hits", "term"], ascending=[True, False, True],
                                                         kind="stable")
                                      .groupby("dimension", sort=False).head(5).reset_index(drop=True))
    out.tables["emphasis_examples"] = emphasis_examples(tokens, p.docs, n=3, random_state=config.random_state)
    out.figures["emphasis_heatmap"] = figure_files(plots.emphasis_heatmap(emph, by=by), config)
    out.figures["emphasis_intervals"] = figure_files(plots.emphasis_intervals(emph, by=by), config)
    if by == "doc_id":  # one document per group: no variation between documents to compare rates against
        out.facts["rate_ratios_not_estimated"] = ("every document is its own group, so there is no variation "
                                                  "between the documents of a group to judge a difference by")
    else:
        # the report compares its groups: a numeric grouping (year) is compared level by level here
        rates = inference.compare_rates(tokens, covariates=by, lexicon="digital_policy",
                                        reference=config.rates_reference, categorical=[by])
        if rates["rate_ratio"].notna().any():
            out.tables["rate_ratios"] = rates
            out.figures["rate_ratios"] = figure_files(
                plots.rate_ratios(rates, labels=dict(zip(emph["dimension"], emph["label"]))), config)
        else:  # nothing estimable: the reason, not an empty figure and a table of NaN
            notes = [n for n in rates["note"] if n]
            out.facts["rate_ratios_not_estimated"] = (max(set(notes), key=notes.count) if notes else
                                                      "no rate ratio could be estimated").rstrip(".")
    instruments = emphasis(tokens, by=by, lexicon="policy_instruments", n_boot=config.n_boot,
                           random_state=config.random_state)
    out.tables["instruments"] = instruments
    out.figures["instruments"] = figure_files(plots.emphasis_intervals(instruments, by=by, value="share"), config)
    return out


def topics_section(p, config, *, n_jobs: int = 1) -> SectionResult:
    by, out = p.by, SectionResult()
    fits = {"n_jobs": n_jobs, "cache": config.cache, "cache_dir": config.cache_dir, "progress": config.progress}
    units = p.topic_units
    out.facts["topic_vocabulary"] = config.topic_vocabulary
    sweep_options = {} if config.sweep_iterations is None else {"iterations": config.sweep_iterations}
    sweep = topic_selection.lda_sweep(units, ks=list(config.ks), random_state=config.random_state,
                                      stability_seeds=list(config.sweep_stability_seeds), **fits, **sweep_options)
    out.facts["sweep_iterations"] = config.sweep_iterations
    out.tables["lda_sweep"] = sweep
    logger.info("topics: sweep over k = %s done", list(config.ks))
    out.facts["sweep_rule"] = sweep.attrs["rule"]
    out.figures["coherence"] = figure_files(plots.coherence(sweep), config)
    k, k_sentence = topic_selection.chosen_k(sweep, k=config.k)
    out.facts["k"] = k
    out.facts["k_chosen_by"] = "--k" if config.k else "the sweep's rule"
    out.facts["k_sentence"] = k_sentence
    out.facts["k_recommended"] = bool(sweep["recommended"].any())
    # the model and its refits one after the other: each already runs on two threads
    model = topics.fit_lda(units, k=k, random_state=config.random_state,
                           stability_seeds=list(config.stability_seeds) or None, **{**fits, "n_jobs": 1})
    logger.info("topics: the model with k = %d and its stability refits done", k)
    with tempfile.TemporaryDirectory() as tmp:
        model.save(Path(tmp) / "model")
        topics.export_ldavis(model, Path(tmp) / "topics.html")
        for path in sorted(Path(tmp).rglob("*")):
            if path.is_file():
                out.files[path.relative_to(tmp).as_posix()] = path.read_bytes()
    labels = model.labels()
    out.tables["topic_labels"] = labels
    out.tables["topic_terms"] = model.topic_terms(n=15)
    out.figures["topic_terms"] = figure_files(plots.topic_terms(model.topic_terms(n=10)), config)
    prevalence = topic_effects.topic_prevalence(model, by=by, n_boot=config.n_boot, random_state=config.random_state)
    out.tables["topic_prevalence"] = prevalence
    out.figures["topic_prevalence"] = figure_files(plots.topic_prevalence(prevalence, by=by, labels=labels), config)
    if model.stability_ is not None:
        out.tables["topic_stability"] = model.stability_
        out.facts["pairwise_stability"] = float(model.stability_.attrs["pairwise_stability"])
    else:
        out.facts["pairwise_stability"] = None
    if by == "doc_id":
        out.facts["topic_effects_not_estimated"] = ("every document is its own group, so there is no variation "
                                                    "between the documents of a group to judge a difference by")
        return out
    try:
        effects = topic_effects.estimate_effects(model, covariates=by, categorical=[by],
                                                 reference=config.rates_reference, n_draws=config.n_draws,
                                                 random_state=config.random_state)
    except NotEstimable as err:  # no more documents than groups, or collinear groups: nothing to estimate
        out.facts["topic_effects_not_estimated"] = str(err)
        logger.warning("topics: effects of %s not estimated: %s", by, err)
        return out
    out.tables["topic_effects"] = effects
    out.figures["topic_effects"] = figure_files(plots.topic_effects(effects, labels=labels), config)
    return out


def reuse_section(p, config) -> SectionResult:
    def source_documents(query: str | None) -> tuple[list[str], str | None]:
        """The doc_ids ``query`` chooses as common sources, or none and why (no query, no such column, no
        document chosen); a query that is not one is an error that names it."""
        if not query:
            return [], "no query for common sources (reuse_sources is not set)"
        try:
            chosen = docs.query(query)
        except pd.errors.UndefinedVariableError as err:
            return [], f"the documents have no column that {query!r} names ({err})"
        except Exception as err:  # pandas raises many kinds of error for a bad query
            raise ValueError(f"reuse_sources={query!r} is not a query on the documents' metadata: {err}") from err
        if chosen.empty:
            return [], f"{query!r} selects no document"
        return sorted(chosen["doc_id"].astype(str)), None

    def pairs_with_reuse(table: pd.DataFrame, groups: pd.DataFrame | None, leave_out: list) -> dict:
        """Document pairs with a passage, and pairs of different groups whose documents share one: all of them,
        and those without a group in ``leave_out`` (the groups made only of source documents)."""
        facts = {"doc_pairs_with_reuse": int(table[["doc_a", "doc_b"]].drop_duplicates().shape[0])}
        if groups is not None:
            between = groups[groups[f"{by}_a"] != groups[f"{by}_b"]]
            others = between[~between[f"{by}_a"].isin(leave_out) & ~between[f"{by}_b"].isin(leave_out)]
            facts.update(group_pairs=len(between),
                         group_pairs_with_reuse=int((between["doc_pairs_with_reuse"] > 0).sum()),
                         other_group_pairs=len(others),
                         other_group_pairs_with_reuse=int((others["doc_pairs_with_reuse"] > 0).sum()))
        return facts

    by, out = p.by, SectionResult()
    docs = p.docs
    grouped = by if by != "doc_id" else None
    # the other sections finish first: the reuse section then has the cores to itself (its result does not depend
    # on the number of processes)
    passages = reuse.find_reuse(docs, by=grouped, min_length=config.reuse_min_length,
                                min_similarity=config.reuse_min_similarity, random_state=config.random_state,
                                n_jobs=config.n_jobs, progress=config.progress)
    source_ids, no_source = source_documents(config.reuse_sources)
    if source_ids:
        passages = reuse.attribute_sources(passages, docs, sources=source_ids)
    else:
        logger.info("reuse: no common source: %s", no_source)
    out.tables["reuse_passages"] = passages
    pairs = reuse.reuse_pairs(passages, docs)
    out.tables["reuse_pairs"] = pairs.sort_values(["chars_a", "doc_a", "doc_b"], ascending=[False, True, True],
                                                  kind="stable").reset_index(drop=True)
    account = passages.attrs.get("reuse_account", {})
    out.facts["reuse_account"] = {k: v for k, v in account.items() if isinstance(v, (int, float, str))}
    out.facts["reuse_ngram"] = (_attrs.params_of(passages, "reuse") or {}).get("ngram")
    out.tables["reuse_excluded"] = reuse.reuse_excluded(passages)
    out.tables["reuse_widely_shared"] = reuse.reuse_widely_shared(passages)
    groups = None
    if grouped is not None:
        groups = reuse.reuse_groups(passages, docs, by=by)
        out.tables["reuse_groups"] = groups
        out.figures["reuse_heatmap"] = figure_files(plots.reuse_heatmap(groups, by=by), config)
    graph = reuse.reuse_network(passages, docs, by=grouped)
    out.facts["reuse_directed"] = bool(graph.is_directed())
    out.files.update(network_files(graph, "reuse_network"))
    source_groups: list[str] = []  # groups whose every document is a source: their pairs are borrowing from it
    if source_ids and grouped is not None:
        from policytext._core.tables import group_keys

        _, keys = group_keys(docs.assign(doc_id=docs["doc_id"].astype(str)), [by])
        label = dict(zip(docs["doc_id"].astype(str), keys[by].astype(str)))
        sizes = pd.Series(list(label.values())).value_counts()
        in_sources = pd.Series([label[d] for d in source_ids]).value_counts()
        source_groups = sorted(g for g, n in in_sources.items() if n == sizes[g])
    sources = {"query": config.reuse_sources, "documents": source_ids, "not_attributed": no_source,
               "passages": len(passages), "attributed": 0, "heatmap": False, "source_groups": source_groups,
               "before": pairs_with_reuse(passages, groups, source_groups)}
    sources["after"] = dict(sources["before"])
    if source_ids:
        # the same tables without the passages both documents share with a source: borrowing between them
        between = reuse.without_sources(passages)
        sources["attributed"] = len(passages) - len(between)
        out.tables["reuse_sources"] = reuse.source_account(passages)
        settings = _attrs.params_of(out.tables["reuse_sources"], "attribute_sources") or {}
        sources.update(min_share=settings.get("min_share"), ngram=settings.get("ngram"))
        between_pairs = reuse.reuse_pairs(between, docs)
        out.tables["reuse_pairs_without_sources"] = between_pairs.sort_values(
            ["chars_a", "doc_a", "doc_b"], ascending=[False, True, True], kind="stable").reset_index(drop=True)
        between_groups = None
        if grouped is not None:
            between_groups = reuse.reuse_groups(between, docs, by=by)
            out.tables["reuse_groups_without_sources"] = between_groups
            out.figures["reuse_heatmap_without_sources"] = figure_files(
                plots.reuse_heatmap(between_groups, by=by), config)
            sources["heatmap"] = True
        out.files.update(network_files(reuse.reuse_network(between, docs, by=grouped),
                                       "reuse_network_without_sources"))
        sources["after"] = pairs_with_reuse(between, between_groups, source_groups)
    out.facts["reuse_sources"] = sources
    return out


def network_section(p, config) -> SectionResult:
    out = SectionResult()
    edges = networks.cooccurrence(p.content, unit=config.coword_unit, n=config.coword_top, drop_places=True,
                                  drop_boilerplate=True)
    graph = networks.coword_network(edges, weight="ochiai", n=config.coword_edges)
    nodes = networks.coword_communities(graph, random_state=config.random_state)
    out.tables["coword_edges"] = edges
    out.tables["coword_nodes"] = nodes
    out.tables["coword_communities"] = networks.community_terms(nodes, n=10)
    found = nodes.attrs.get("communities", {})
    out.facts["coword_communities"] = int(found.get("n_communities", 0))
    out.facts["coword_modularity"] = float(found.get("modularity", float("nan")))
    out.facts["coword_units"] = int(sum(edges.attrs["cooccurrence"]["n_units"].values()))
    out.figures["coword_network"] = figure_files(plots.network(nodes, edges, weight="ochiai",
                                                               n=config.coword_edges,
                                                               random_state=config.random_state), config)
    out.files.update(network_files(graph, "coword_network"))
    return out


def network_files(graph, name: str) -> dict[str, bytes]:
    """A graph as GEXF and GraphML bytes (for Gephi), under ``networks/``."""
    files = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("gexf", "graphml"):
            path = networks.write_network(graph, Path(tmp) / f"{name}.{fmt}")
            files[f"networks/{name}.{fmt}"] = path.read_bytes()
    return files


#: The computed sections, in the order the page shows them. ``inputs``: the pipeline's products each reads
#: (their fingerprints are in its cache key; ``tokens`` stands for every product derived from the tokens and the
#: documents' metadata); ``settings``: the fields of :class:`ReportConfig` it uses.
SECTIONS = (
    Section("words", words, ("tokens",), ("by", "top", "min_count", "drop_places", "random_state", "figure_formats",
                                          "tokenizer")),
    Section("keyness", keyness_section, ("tokens",), ("by", "top", "min_count", "drop_places", "n_perm",
                                                      "random_state", "figure_formats", "tokenizer")),
    Section("emphasis", emphasis_section, ("tokens", "docs"), ("by", "n_boot", "random_state", "rates_reference",
                                                              "figure_formats", "tokenizer")),
    Section("reuse", reuse_section, ("docs",), ("by", "reuse_min_length", "reuse_min_similarity", "reuse_sources",
                                                "random_state", "figure_formats")),
    Section("network", network_section, ("tokens",), ("coword_top", "coword_unit", "coword_edges", "random_state",
                                                      "figure_formats", "tokenizer")),
    Section("topics", topics_section, ("tokens",), ("by", "k", "ks", "random_state", "n_boot", "stability_seeds",
                                                    "sweep_stability_seeds", "sweep_iterations", "topic_vocabulary",
                                                    "n_draws", "rates_reference", "figure_formats", "tokenizer")),
)
