"""Co-word networks: co-occurrence counts and their normalisations by hand, communities, export, the plot."""

from __future__ import annotations

import io
import logging
import math
import re
import warnings
from pathlib import Path

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import policytext as pt  # noqa: E402
from policytext import networks, plots  # noqa: E402
from policytext.compare.counting import metadata_column  # noqa: E402

CITY = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "city-gov-reports-2024"

# A = 数据, B = 平台, C = 安全, D = 人才, E = 农业 (sorted: 人才 < 农业 < 安全 < 平台 < 数据)
A, B, C, D, E = "数据", "平台", "安全", "人才", "农业"


def hand_table() -> pd.DataFrame:
    """Six paragraphs in two documents (positions with gaps, as after stopword removal).

    d1 p0: A B C     d1 p1: A B     d1 p2: A D
    d2 p0: B C       d2 p1: C D D   d2 p2: E
    """
    rows = [("d1", 0, [A, B, C]), ("d1", 1, [A, B]), ("d1", 2, [A, D]),
            ("d2", 0, [B, C]), ("d2", 1, [C, D, D]), ("d2", 2, [E])]
    out = [(doc, para, 3 * i + 1, tok) for doc, para, toks in rows for i, tok in enumerate(toks)]
    return pd.DataFrame(out, columns=["doc_id", "para_id", "position", "token"])


def pairs(edges: pd.DataFrame, column: str) -> dict:
    return {frozenset((a, b)): v for a, b, v in edges[["term_a", "term_b", column]].itertuples(index=False)}


def test_the_measures_equal_a_hand_computation():
    edges = networks.cooccurrence(hand_table(), unit="paragraph", top=None)
    # Paragraph units, N = 6: u1 {A,B,C}, u2 {A,B}, u3 {A,D}, u4 {B,C}, u5 {C,D}, u6 {E}
    # n_A = 3, n_B = 3, n_C = 3, n_D = 2, n_E = 1
    # n_AB = 2 (u1, u2), n_AC = 1 (u1), n_AD = 1 (u3), n_BC = 2 (u1, u4), n_CD = 1 (u5); BD and anything with E: 0
    assert pairs(edges, "n_ab") == {frozenset((A, B)): 2, frozenset((A, C)): 1, frozenset((A, D)): 1,
                                    frozenset((B, C)): 2, frozenset((C, D)): 1}
    assert (edges["term_a"] < edges["term_b"]).all() and (edges["n_units"] == 6).all()
    n = {A: 3, B: 3, C: 3, D: 2}
    for a, b, na, nb in edges[["term_a", "term_b", "n_a", "n_b"]].itertuples(index=False):
        assert (na, nb) == (n[a], n[b])
    # Ochiai n_ab / sqrt(n_a n_b): AB 2/3, AC 1/3, AD 1/sqrt(6), BC 2/3, CD 1/sqrt(6)
    expected = {frozenset((A, B)): 2 / 3, frozenset((A, C)): 1 / 3, frozenset((A, D)): 1 / math.sqrt(6),
                frozenset((B, C)): 2 / 3, frozenset((C, D)): 1 / math.sqrt(6)}
    assert pairs(edges, "ochiai") == pytest.approx(expected)
    # Jaccard n_ab / (n_a + n_b - n_ab): AB 2/4, AC 1/5, AD 1/4, BC 2/4, CD 1/4
    expected = {frozenset((A, B)): 0.5, frozenset((A, C)): 0.2, frozenset((A, D)): 0.25,
                frozenset((B, C)): 0.5, frozenset((C, D)): 0.25}
    assert pairs(edges, "jaccard") == pytest.approx(expected)
    # association strength 2 m n_ab / (c_a c_b): c_A = 2+1+1 = 4, c_B = 2+2 = 4, c_C = 1+2+1 = 4, c_D = 1+1 = 2,
    # m = 2+1+1+2+1 = 7: AB 28/16, AC 14/16, AD 14/8, BC 28/16, CD 14/8
    expected = {frozenset((A, B)): 1.75, frozenset((A, C)): 0.875, frozenset((A, D)): 1.75,
                frozenset((B, C)): 1.75, frozenset((C, D)): 1.75}
    assert pairs(edges, "association_strength") == pytest.approx(expected)
    # PMI log2(n_ab N / (n_a n_b)): AB log2(12/9), AC log2(6/9), AD log2(6/6) = 0, BC log2(12/9), CD 0
    expected = {frozenset((A, B)): math.log2(4 / 3), frozenset((A, C)): math.log2(2 / 3), frozenset((A, D)): 0.0,
                frozenset((B, C)): math.log2(4 / 3), frozenset((C, D)): 0.0}
    assert pairs(edges, "pmi") == pytest.approx(expected, abs=1e-12)
    # sorted by n_ab, then the terms; the basis is recorded
    assert edges["n_ab"].tolist() == [2, 2, 1, 1, 1]
    assert edges.attrs["cooccurrence"]["unit"] == "paragraph"
    assert edges.attrs["cooccurrence"]["n_units"] == {"(all)": 6}


def test_document_paragraph_and_window_units_give_the_hand_counts():
    toks = hand_table()
    # documents, N = 2: d1 {A,B,C,D}, d2 {B,C,D,E}
    docs = networks.cooccurrence(toks, unit="document", n=None)
    assert pairs(docs, "n_ab") == {frozenset((A, B)): 1, frozenset((A, C)): 1, frozenset((A, D)): 1,
                                   frozenset((B, C)): 2, frozenset((B, D)): 2, frozenset((C, D)): 2,
                                   frozenset((B, E)): 1, frozenset((C, E)): 1, frozenset((D, E)): 1}
    assert (docs["n_units"] == 2).all() and pairs(docs, "n_a")[frozenset((B, C))] == 2
    # windows of 2 consecutive tokens within a paragraph (the gaps in position do not count), N = 8:
    # u1 A B C -> [A B], [B C]; u2 [A B]; u3 [A D]; u4 [B C]; u5 C D D -> [C D], [D D]; u6 E (shorter: one window)
    # n_A = 3, n_B = 4, n_C = 3, n_D = 3; AB 2, BC 2, AD 1, CD 1, and A C never within two tokens
    win = networks.cooccurrence(toks, unit=2, n=None)
    assert pairs(win, "n_ab") == {frozenset((A, B)): 2, frozenset((B, C)): 2, frozenset((A, D)): 1,
                                  frozenset((C, D)): 1}
    assert (win["n_units"] == 8).all()
    n = dict(zip(win["term_a"], win["n_a"])) | dict(zip(win["term_b"], win["n_b"]))
    assert n == {A: 3, B: 4, C: 3, D: 3}
    assert networks.cooccurrence_terms(win).set_index("term")["frequency"].to_dict() == {D: 3, E: 1, C: 3, B: 4,
                                                                                          A: 3}
    assert win.attrs["cooccurrence"]["unit"] == "window" and win.attrs["cooccurrence"]["window"] == 2
    # a term repeated within a paragraph counts once per window: D D D D has 3 windows of 2 with D, fewer than
    # the 4 of X, alone in four paragraphs; so X is the top term
    rep = pd.DataFrame({"doc_id": ["d"] * 8, "para_id": [0, 0, 0, 0, 1, 2, 3, 4], "position": [0, 1, 2, 3, 0, 0, 0, 0],
                        "token": [D] * 4 + ["X"] * 4})
    counted = networks.cooccurrence_terms(networks.cooccurrence(rep, unit=2, n=None))
    assert counted.set_index("term")["frequency"].to_dict() == {D: 3, "X": 4}
    assert networks.cooccurrence_terms(networks.cooccurrence(rep, unit=2, n=1))["term"].tolist() == ["X"]
    # a window as long as the longest paragraph: each paragraph is one window, as with paragraph units
    whole = networks.cooccurrence(toks, unit=3, n=None)
    pd.testing.assert_frame_equal(whole.drop(columns="n_units"),
                                  networks.cooccurrence(toks, n=None).drop(columns="n_units"))


def naive_windows(tokens: pd.DataFrame, w: int, terms: list[str]) -> tuple[dict, dict, int]:
    """Windows counted one by one: (n_a, n_ab, N)."""
    n_a, n_ab, total = {}, {}, 0
    ordered = tokens.assign(_d=tokens["doc_id"].astype(str)).sort_values(["_d", "para_id", "position"])
    for _, part in ordered.groupby(["_d", "para_id"], sort=False):
        words = part["token"].astype(str).tolist()
        for s in range(max(1, len(words) - w + 1)):
            seen = sorted(set(words[s:s + w]) & set(terms))
            total += 1
            for i, a in enumerate(seen):
                n_a[a] = n_a.get(a, 0) + 1
                for b in seen[i + 1:]:
                    n_ab[(a, b)] = n_ab.get((a, b), 0) + 1
    return n_a, n_ab, total


def test_windows_agree_with_counting_them_one_by_one(tokens):
    small = tokens[tokens["doc_id"].astype(str).isin(sorted(tokens["doc_id"].astype(str).unique())[:2])]
    edges = networks.cooccurrence(small, unit=5, n=15)
    terms = networks.cooccurrence_terms(edges)["term"].tolist()
    n_a, n_ab, total = naive_windows(small, 5, terms)
    assert edges["n_units"].iloc[0] == total
    assert dict(zip(edges["term_a"] + "|" + edges["term_b"], edges["n_ab"])) == {f"{a}|{b}": v
                                                                                 for (a, b), v in n_ab.items()}
    assert networks.cooccurrence_terms(edges).set_index("term")["frequency"].to_dict() == n_a
    # the top terms are those in the most windows
    every, _, _ = naive_windows(small, 5, small["token"].astype(str).unique().tolist())
    others = [v for t, v in every.items() if t not in n_a]
    assert len(n_a) == 15 and min(n_a.values()) >= max(others)


def test_top_terms_are_those_in_the_most_units_and_a_given_list_replaces_them():
    toks = hand_table()
    edges = networks.cooccurrence(toks, n=2)  # A, B, C are in 3 paragraphs each: the tie goes by the term
    assert set(edges["term_a"]) | set(edges["term_b"]) == {C, B}
    given = networks.cooccurrence(toks, terms=[A, D, "没有"], n=1)
    assert given[["term_a", "term_b", "n_ab"]].values.tolist() == [[D, A, 1]]
    assert networks.cooccurrence(toks, n=None, min_count=2)["n_ab"].min() == 2
    for bad in ({"unit": "sentence"}, {"unit": 1}, {"unit": True}, {"top": 0}, {"min_count": 0}):
        with pytest.raises(ValueError):
            networks.cooccurrence(toks, **bad)


def test_per_group_results_equal_running_each_group_alone(tokens):
    grouped = networks.cooccurrence(tokens, by="province", n=30)
    provinces = metadata_column(tokens, "province").astype(str)
    assert grouped["province"].nunique() == provinces.nunique() >= 3
    for province, part in grouped.groupby("province"):
        alone = networks.cooccurrence(tokens[(provinces == province).to_numpy()], top=30)
        pd.testing.assert_frame_equal(part.drop(columns="province").reset_index(drop=True), alone,
                                      check_dtype=False)
    # a given term list is the same in every group
    fixed = networks.cooccurrence(tokens, by="province", terms=["数据", "平台", "安全", "企业", "数字"])
    assert set(fixed["term_a"]) | set(fixed["term_b"]) <= {"数据", "平台", "安全", "企业", "数字"}


def test_token_order_and_document_names_do_not_change_the_edges_and_the_input_is_kept(tokens):
    before = tokens.copy()
    for unit in ("paragraph", "document", 4):
        edges = networks.cooccurrence(tokens, unit=unit, n=40)
        shuffled = tokens.sample(frac=1.0, random_state=3)
        renamed = shuffled.assign(doc_id=shuffled["doc_id"].astype(str).map(lambda d: "x-" + d[::-1]))
        pd.testing.assert_frame_equal(networks.cooccurrence(renamed, unit=unit, n=40), edges)
    pd.testing.assert_frame_equal(tokens, before)
    assert tokens.attrs.keys() == before.attrs.keys()


def test_boilerplate_and_places_can_be_left_out(tokens):
    kept = networks.cooccurrence(tokens, n=60)
    dropped = networks.cooccurrence(tokens, n=60, drop_boilerplate=True, drop_places=True)
    terms = set(networks.cooccurrence_terms(dropped)["term"])
    assert {"发展", "建设"} & set(networks.cooccurrence_terms(kept)["term"])
    assert not {"发展", "建设", "湖北省", "武汉"} & terms
    filtered = pt.drop_place_names(tokens)
    pd.testing.assert_frame_equal(networks.cooccurrence(tokens, n=60, drop_places=True),
                                  networks.cooccurrence(filtered, n=60))


def planted(order=1):
    """Two weighted cliques (6 and 5 terms) joined by one weak edge."""
    left = ["数据", "平台", "算力", "芯片", "软件", "网络"]
    right = ["粮食", "乡村", "农业", "耕地", "种业"]
    edges = [(a, b, 1.0) for group in (left, right) for i, a in enumerate(group) for b in group[i + 1:]]
    edges.append(("网络", "粮食", 0.05))
    g = nx.Graph()
    for term in (left + right)[::order]:
        g.add_node(term, frequency=len(term) + (10 if term in left else 0))
    g.add_weighted_edges_from(edges[::order])
    return g, set(left), set(right)


def test_louvain_separates_two_cliques_and_the_same_seed_gives_the_same_tables():
    g, left, right = planted()
    nodes = networks.coword_communities(g, random_state=0)
    members = nodes.groupby("community")["term"].apply(set).to_dict()
    assert members == {1: left, 2: right}  # numbered by size
    assert nodes.attrs["communities"]["modularity"] > 0.4
    assert nodes.columns.tolist() == ["term", "community", "frequency", "degree", "strength", "betweenness",
                                      "eigenvector", "pagerank"]
    # the bridge carries every shortest path between the cliques
    top = nodes.sort_values("betweenness", ascending=False)["term"].head(2)
    assert set(top) == {"网络", "粮食"}
    assert nodes.set_index("term").loc["数据", "degree"] == 5 and nodes.set_index("term").loc["数据", "strength"] == 5
    again = networks.coword_communities(planted(order=-1)[0], random_state=0)  # built in the other order
    pd.testing.assert_frame_equal(again, nodes)
    pd.testing.assert_frame_equal(networks.coword_communities(g, random_state=0), nodes)
    # on a graph without a clear partition the seed matters, and the same seed still gives the same table
    noisy = nx.relabel_nodes(nx.gnp_random_graph(60, 0.12, seed=1), lambda i: f"词{i:02d}")
    runs = {seed: networks.coword_communities(noisy.copy(), random_state=seed) for seed in range(6)}
    assert len({tuple(t["community"]) for t in runs.values()}) > 1
    pd.testing.assert_frame_equal(networks.coword_communities(noisy.copy(), random_state=4), runs[4])
    # the graph's nodes carry their community (for Gephi)
    assert {g.nodes[t]["community"] for t in left} == {1}
    summary = networks.community_terms(nodes, n=3)
    assert summary.columns.tolist() == ["community", "size", "frequency", "top_terms"]
    assert summary["size"].tolist() == [6, 5] and summary["top_terms"].iloc[0].count(" · ") == 2


def test_an_eigenvector_that_does_not_converge_is_left_empty(monkeypatch, caplog):
    def fail(*args, **kwargs):
        raise nx.PowerIterationFailedConvergence(1000)

    monkeypatch.setattr(nx, "eigenvector_centrality", fail)
    with caplog.at_level(logging.WARNING, logger="policytext.networks"):
        nodes = networks.coword_communities(planted()[0])
    assert nodes["eigenvector"].isna().all() and nodes["pagerank"].gt(0).all()
    assert any("pagerank" in r.getMessage() for r in caplog.records)


def test_negative_weights_are_refused_by_louvain():
    g = nx.Graph()
    g.add_edge("数据", "平台", weight=-0.5)
    with pytest.raises(ValueError, match="min_weight=0"):
        networks.coword_communities(g)


def test_the_network_from_the_table_keeps_its_nodes_and_edges_in_sorted_order(tokens):
    edges = networks.cooccurrence(tokens, n=30)
    g = networks.coword_network(edges, n=40)
    assert g.number_of_edges() == 40 and list(g.nodes) == sorted(g.nodes)
    assert g.graph["weight"] == "ochiai" and g.graph["unit"] == "paragraph"
    strongest = edges.nlargest(40, "ochiai")["ochiai"].min()
    assert min(w for *_, w in g.edges(data="weight")) >= strongest
    first = next(iter(g.edges(data=True)))
    assert set(first[2]) == {"weight", "n_ab", "ochiai", "jaccard", "association_strength", "pmi"}
    shuffled = networks.coword_network(edges.sample(frac=1.0, random_state=2), top_edges=40)
    assert list(shuffled.nodes(data=True)) == list(g.nodes(data=True))
    assert list(shuffled.edges(data=True)) == list(g.edges(data=True))
    pruned = networks.coword_network(edges, min_weight=0.3)
    assert min(w for *_, w in pruned.edges(data="weight")) >= 0.3
    assert networks.coword_network(edges, min_weight=0.3, keep_isolates=True).number_of_nodes() == len(
        set(edges["term_a"]) | set(edges["term_b"]))
    with pytest.raises(ValueError, match="groups"):
        networks.coword_network(networks.cooccurrence(tokens, by="province", n=10))
    one = networks.cooccurrence(tokens, by="province", n=10).query("province == '湖北省'")
    assert networks.coword_network(one).graph["group"] == {"province": "湖北省"}


def test_the_exported_files_open_with_networkx_and_hold_the_nodes_and_weights(tokens, tmp_path):
    g = networks.coword_network(networks.cooccurrence(tokens, n=30), top_edges=60)
    networks.coword_communities(g)
    weights = {frozenset((u, v)): w for u, v, w in g.edges(data="weight")}
    for suffix, read in ((".gexf", nx.read_gexf), (".graphml", nx.read_graphml)):
        path = networks.write_network(g, tmp_path / f"net{suffix}")
        back = read(path)
        assert set(back.nodes) == set(g.nodes)
        assert {frozenset((u, v)): w for u, v, w in back.edges(data="weight")} == pytest.approx(weights)
        for node in g.nodes:
            assert back.nodes[node]["community"] == g.nodes[node]["community"]
            assert back.nodes[node]["frequency"] == g.nodes[node]["frequency"]
    # no date of writing in the file: the same graph gives the same bytes on any day (reruns of the report)
    assert "lastmodifieddate" not in (tmp_path / "net.gexf").read_text(encoding="utf-8")
    table = pd.read_csv(networks.write_network(g, tmp_path / "edges.csv"))
    assert len(table) == g.number_of_edges()
    assert table.columns[:2].tolist() == ["source", "target"]
    assert {"weight", "n_ab", "ochiai", "jaccard", "association_strength", "pmi"} <= set(table.columns)
    assert {frozenset((a, b)): w for a, b, w in table[["source", "target", "weight"]].itertuples(index=False)} == \
        pytest.approx(weights)
    with pytest.raises(ValueError, match="gexf"):
        networks.write_network(g, tmp_path / "net.txt")
    assert networks.write_network(g, tmp_path / "net.txt", format="graphml").is_file()


def test_any_graph_is_written_directed_or_not_with_numpy_and_missing_attributes(tmp_path):
    d = nx.DiGraph(name="reuse")
    d.add_node(np.str_("甲"), size=np.int64(3), note=None)
    d.add_node("乙", size=2.5, tags=["a", "b"])
    d.add_edge("甲", "乙", weight=np.float32(0.25), shared=np.int64(7), flag=np.bool_(True), gap=np.nan)
    d.add_edge("乙", "甲", weight=1, shared=None, flag=False)
    for suffix, read in ((".gexf", nx.read_gexf), (".graphml", nx.read_graphml)):
        back = read(networks.write_network(d, tmp_path / f"d{suffix}"))
        assert back.is_directed() and set(back.edges) == {("甲", "乙"), ("乙", "甲")}
        assert back.edges["甲", "乙"]["weight"] == pytest.approx(0.25) and back.edges["乙", "甲"]["weight"] == 1.0
        assert back.edges["甲", "乙"]["shared"] == 7 and "shared" not in back.edges["乙", "甲"]
        assert back.nodes["乙"]["size"] == 2.5 and back.nodes["甲"]["size"] == 3.0  # one type: float
    table = pd.read_csv(networks.write_network(d, tmp_path / "d.csv"))
    assert table[["source", "target"]].values.tolist() == [["甲", "乙"], ["乙", "甲"]]
    assert table["shared"].isna().tolist() == [False, True] and "gap" not in table.columns
    m = nx.MultiGraph()
    m.add_edge("甲", "乙", weight=1.0)
    m.add_edge("甲", "乙", weight=2.0)
    table = pd.read_csv(networks.write_network(m, tmp_path / "m.csv"))
    assert table.columns.tolist() == ["source", "target", "key", "weight"] and len(table) == 2
    assert nx.read_graphml(networks.write_network(m, tmp_path / "m.graphml")).number_of_edges() == 2
    assert d.nodes["甲"]["note"] is None  # the graph itself is left as it was


def test_the_network_plot_renders_chinese_and_draws_into_the_given_axes(tokens):
    import matplotlib.pyplot as plt

    edges = networks.cooccurrence(tokens, n=40, drop_boilerplate=True)
    nodes = networks.coword_communities(networks.coword_network(edges, n=120))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plots.network(nodes, edges)
        fig.savefig(io.BytesIO(), format="png")
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert sorted(t.get_text() for t in fig.axes[0].texts) == sorted(nodes["term"])
    labels = [t for t in fig.axes[0].texts if re.search("[\u4e00-\u9fff]", t.get_text())]
    assert len(labels) > 20
    assert all(t.get_fontname() == plots.cjk_font()[0] for t in labels)
    assert fig.get_size_inches()[0] <= plots.PAGE_WIDTH + 1e-9
    # node sizes follow the frequency
    sizes = fig.axes[0].collections[1].get_sizes()
    order = sorted(nodes["term"])
    freq = nodes.set_index("term").loc[order, "frequency"].to_numpy()
    assert np.argmax(sizes) == np.argmax(freq)
    # the same tables draw the same figure
    assert plots.figure_bytes(plots.network(nodes, edges), "svg") == plots.figure_bytes(plots.network(nodes, edges),
                                                                                         "svg")
    plt.close("all")
    fig, (mine, other) = plt.subplots(1, 2)
    assert plots.network(nodes, edges, ax=mine) is fig
    assert mine.collections and mine.texts and not other.collections and not other.texts
    plt.close(fig)


@pytest.mark.corpus
def test_a_coword_network_of_twenty_city_reports(tmp_path):
    if not (CITY / "metadata.csv").is_file():
        pytest.skip("the shared city corpus is not beside this checkout")
    docs = pt.load_corpus(CITY)
    docs = pt.clean(docs[docs["doc_id"].isin(sorted(docs["doc_id"])[:20])], progress=False)
    tokens = pt.drop_place_names(pt.tokenize(docs, n_jobs=2, progress=False))
    edges = networks.cooccurrence(tokens, n=80, drop_boilerplate=True)
    assert edges["ochiai"].between(0, 1).all() and edges["jaccard"].le(edges["ochiai"] + 1e-12).all()
    assert not {"发展", "建设"} & set(networks.cooccurrence_terms(edges)["term"])
    g = networks.coword_network(edges, n=300)
    nodes = networks.coword_communities(g)
    assert nodes["community"].nunique() >= 2 and nodes.attrs["communities"]["modularity"] > 0.1
    back = nx.read_gexf(networks.write_network(g, tmp_path / "city.gexf"))
    assert back.number_of_edges() == 300
