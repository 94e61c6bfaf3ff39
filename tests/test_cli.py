"""The command line: the main job on the bundled corpus, and one-line errors."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pandas as pd
import pytest

from conftest import DATA
from policytext import cli


def test_summary_prints_counts_and_top_terms_per_province(tmp_path, capsys):
    code = cli.main(["summary", str(DATA), "--no-progress", "--cache-dir", str(tmp_path / "cache"),
                     "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    assert "5 documents loaded, 0 inputs skipped" in out
    joined = []  # a group's terms may be wrapped onto indented lines
    for line in out.splitlines():
        if line.startswith(" ") and joined and joined[-1].startswith(("湖北省:", "四川省:", "山东省:")):
            joined[-1] += " " + line.strip()
        else:
            joined.append(line)
    lines = {line.split(":")[0]: line for line in joined if line.startswith(("湖北省:", "四川省:", "山东省:"))}
    assert set(lines) == {"湖北省", "四川省", "山东省"}
    assert all(len(line.split(", ")) == 20 for line in lines.values())
    assert "工业互联网" in lines["四川省"] and "数字经济" in lines["山东省"]
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert summary.columns.tolist() == ["province", "documents", "chars_raw", "chars", "units", "tokens"]
    assert summary["documents"].iloc[-1] == 5
    top = pd.read_csv(tmp_path / "out" / "top_terms.csv")
    assert top.groupby("province").size().tolist() == [20, 20, 20]
    account = pd.read_csv(tmp_path / "out" / "load_account.csv")
    assert (account["status"] == "loaded").sum() == 5


def test_bad_path_and_bad_option_give_one_line_and_a_nonzero_exit(tmp_path):
    for args in (["summary", str(tmp_path / "missing")], ["summary", str(DATA), "--by", "provnce"]):
        run = subprocess.run([sys.executable, "-m", "policytext.cli", *args], capture_output=True, text=True)
        assert run.returncode == 2, args
        assert run.stderr.count("\n") == 1 and run.stderr.startswith("policytext: error:"), run.stderr
        assert "Traceback" not in run.stderr


# --------------------------------------------------------------------------------------
# Numbers checked before anything is loaded; --strict and --allow-outside (issue item 7)
# --------------------------------------------------------------------------------------

def _forbid_loading(monkeypatch):
    """Make any attempt to load a corpus or build a report fail the test."""
    from policytext import report
    from policytext.io import loading

    def refuse(*args, **kwargs):
        raise AssertionError("the corpus was loaded before the options were checked")

    monkeypatch.setattr(loading, "load_corpus", refuse)
    monkeypatch.setattr(report, "build_report", refuse)


BAD_NUMBERS = [
    (["report", "-o", "OUT", "--k", "1"], "--k 1"),
    (["report", "-o", "OUT", "--k", "0"], "--k 0"),
    (["report", "-o", "OUT", "--k", "two"], "--k two"),
    (["report", "-o", "OUT", "--ks", "3,1"], "--ks 3,1"),
    (["report", "-o", "OUT", "--ks", "3,x"], "--ks 3,x"),
    (["report", "-o", "OUT", "--n-boot", "0"], "--n-boot 0"),
    (["report", "-o", "OUT", "--n-boot", "-5"], "--n-boot -5"),
    (["report", "-o", "OUT", "--n-perm", "-1"], "--n-perm -1"),
    (["report", "-o", "OUT", "--n-jobs", "0"], "--n-jobs 0"),
    (["report", "-o", "OUT", "--n-jobs", "-2"], "--n-jobs -2"),
    (["report", "-o", "OUT", "--seed", "-1"], "--seed -1"),
    (["corpus", "--top", "0"], "--top 0"),
    (["summary", "--top", "-1"], "--top -1"),
    (["corpus", "--n-jobs", "0"], "--n-jobs 0"),
    (["keywords", "--top", "-1"], "--top -1"),
    (["keywords", "--ngram", "0"], "--ngram 0"),
    (["keywords", "--ngram", "4"], "--ngram 4"),
    (["tfidf", "--top", "-1"], "--top -1"),
    (["keyness", "--min-count", "-1"], "--min-count -1"),
    (["keyness", "--top", "-1"], "--top -1"),
    (["keyness", "--n-perm", "-1"], "--n-perm -1"),
    (["keyness", "--seed", "-1"], "--seed -1"),
    (["emphasis", "--n-boot", "0"], "--n-boot 0"),
    (["emphasis", "--seed", "-3"], "--seed -3"),
    (["rates", "--n-jobs", "-4"], "--n-jobs -4"),
    (["topics", "--k", "1"], "--k 1"),
    (["topics", "--ks", "2,1"], "--ks 2,1"),
    (["topics", "--stability-seeds", "1,-2"], "--stability-seeds 1,-2"),
    (["topics", "--stability-seeds", "a"], "--stability-seeds a"),
    (["topics", "--k", "5", "--seed", "3", "--stability-seeds", "3"], "--stability-seeds 3"),
    (["topics", "--n-boot", "0"], "--n-boot 0"),
    (["topics", "--seed", "-1"], "--seed -1"),
    (["reuse", "--min-length", "5"], "--min-length 5"),
    (["reuse", "--min-similarity", "1.5"], "--min-similarity 1.5"),
    (["reuse", "--min-similarity", "0"], "--min-similarity 0"),
    (["cowords", "--top", "0"], "--top 0"),
    (["cowords", "--unit", "1"], "--unit 1"),
    (["cowords", "--unit", "sentence"], "--unit sentence"),
    (["report", "-o", "OUT", "--skip", "topics"], "--skip topics"),
]


@pytest.mark.parametrize("args, named", BAD_NUMBERS, ids=[" ".join(a) for a, _ in BAD_NUMBERS])
def test_bad_numbers_are_refused_in_one_line_before_anything_is_loaded(args, named, tmp_path, monkeypatch, capsys):
    _forbid_loading(monkeypatch)
    argv = [args[0], str(tmp_path / "no such corpus"), *[str(tmp_path / a) if a == "OUT" else a for a in args[1:]]]
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("policytext: error: "), err
    assert named in err, err
    assert "no such corpus" not in err and "Traceback" not in err
    assert not (tmp_path / "OUT").exists()


def test_boundary_numbers_are_accepted():
    parser = cli._parser()
    args = parser.parse_args(["keyness", "D", "--min-count", "0", "--n-perm", "0", "--top", "0", "--seed", "0",
                              "--n-jobs", "-1"])
    assert (args.min_count, args.n_perm, args.top, args.seed, args.n_jobs) == (0, 0, 0, 0, -1)
    args = parser.parse_args(["topics", "D", "--k", "2", "--ks", "2, 3,10", "--stability-seeds", "", "--n-boot", "1"])
    assert (args.k, args.ks, args.stability_seeds, args.n_boot) == (2, [2, 3, 10], [], 1)
    args = parser.parse_args(["keywords", "D", "--ngram", "3", "--top", "0"])
    assert (args.ngram, args.top) == (3, 0)


LOADING_COMMANDS = [["corpus"], ["summary"], ["keywords"], ["tfidf"], ["keyness"], ["emphasis"], ["rates"],
                    ["topics"]]


@pytest.mark.parametrize("command", LOADING_COMMANDS, ids=[c[0] for c in LOADING_COMMANDS])
@pytest.mark.parametrize("flags", [[], ["--strict"], ["--allow-outside"], ["--strict", "--allow-outside"]])
def test_strict_and_allow_outside_reach_load_corpus(command, flags, tmp_path, monkeypatch, capsys):
    from policytext.io import loading

    seen = {}

    def fake_load(path, **kwargs):
        seen.update(kwargs, path=path)
        raise loading.CorpusError("2 input(s) would be skipped:\nfile a.txt: empty (the file has 0 bytes)\n"
                                  "file b.txt: binary (contains NUL bytes)")

    monkeypatch.setattr(loading, "load_corpus", fake_load)
    code = cli.main([*command, str(tmp_path), *flags])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "a.txt" in err and "b.txt" in err, err
    assert seen["path"] == tmp_path
    assert seen["strict"] is ("--strict" in flags)
    assert seen["allow_outside"] is ("--allow-outside" in flags)
    assert "return_account" not in seen


def test_report_passes_strict_and_allow_outside_in_its_config(tmp_path, monkeypatch, capsys):
    from policytext import report

    configs = []
    monkeypatch.setattr(report, "build_report", lambda data_dir, out, config: configs.append(config) or out)
    (tmp_path / "corpus").mkdir()
    for flags in ([], ["--strict", "--allow-outside"]):
        assert cli.main(["report", str(tmp_path / "corpus"), "-o", str(tmp_path / "out"), *flags]) == 0
    assert [(c.strict, c.allow_outside) for c in configs] == [(False, False), (True, True)]
    assert configs[0].by is None  # the report decides: province, or doc_id when the corpus has none


def test_report_formats_reach_its_config_and_bad_ones_are_refused(tmp_path, monkeypatch, capsys):
    from policytext import report

    configs = []
    monkeypatch.setattr(report, "build_report", lambda data_dir, out, config: configs.append(config) or out)
    (tmp_path / "corpus").mkdir()
    args = ["report", str(tmp_path / "corpus"), "-o", str(tmp_path / "out")]
    assert cli.main([*args, "--figure-format", "png,SVG,pdf", "--table-format", "csv,.tex,docx"]) == 0
    assert configs[-1].figure_formats == ("png", "svg", "pdf") and configs[-1].table_formats == ("csv", "tex", "docx")
    assert cli.main([*args, "--by", "level"]) == 0 and configs[-1].by == "level"
    capsys.readouterr()
    assert cli.main([*args, "--figure-format", "png,jpg"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--figure-format png,jpg" in err and "svg" in err


def _write(folder, files: dict, metadata: str | None = None):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    if metadata is not None:
        (folder / "metadata.csv").write_text(metadata, encoding="utf-8")
    return folder


TEXT_A = "推进数字经济发展，加快建设工业互联网平台。\n加强数据安全保障，推动数字政府建设。\n"
TEXT_B = "发展现代农业，提高粮食产量。\n推进乡村振兴，改善农村人居环境。\n"


def test_strict_turns_a_skipped_file_into_a_one_line_error(tmp_path, capsys):
    corpus = _write(tmp_path / "c", {"a.txt": TEXT_A, "b.txt": TEXT_B, "empty.txt": b""})
    common = ["--no-progress", "--cache-dir", str(tmp_path / "cache")]
    assert cli.main(["corpus", str(corpus), *common]) == 0
    assert "2 documents loaded, 1 inputs skipped" in capsys.readouterr().out
    assert cli.main(["corpus", str(corpus), "--strict", *common]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("policytext: error:") and "empty.txt" in err, err


def test_allow_outside_reads_a_text_that_metadata_names_outside_the_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "100")
    _write(tmp_path, {"outside.txt": TEXT_B})
    corpus = _write(tmp_path / "c", {"a.txt": TEXT_A}, "file,province\na.txt,湖北省\n../outside.txt,四川省\n")
    common = ["--no-progress", "--cache-dir", str(tmp_path / "cache")]
    assert cli.main(["corpus", str(corpus), *common]) == 0
    out = capsys.readouterr().out
    assert "1 documents loaded, 1 inputs skipped" in out and "outside the corpus folder: 1" in out, out
    assert cli.main(["corpus", str(corpus), "--allow-outside", *common]) == 0
    out = capsys.readouterr().out
    assert "2 documents loaded, 0 inputs skipped" in out and "四川省" in out, out


# --------------------------------------------------------------------------------------
# A folder of .txt files without metadata; the skipped inputs summed up (issue item 8)
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["corpus"], ["keywords", "--top", "3"], ["tfidf", "--top", "3"]])
def test_folder_without_metadata_is_grouped_by_doc_id_with_a_note(command, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "100")
    corpus = _write(tmp_path / "c", {"a.txt": TEXT_A, "b.txt": TEXT_B})
    code = cli.main([command[0], str(corpus), *command[1:], "--no-progress", "--cache-dir", str(tmp_path / "cache")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    notes = [line for line in captured.err.splitlines() if "doc_id" in line]
    assert len(notes) == 1 and "province" in notes[0], captured.err
    rows = [line.split() for line in captured.out.splitlines()]
    assert any(r and r[0] == "a" for r in rows) and any(r and r[0] == "b" for r in rows), captured.out


def test_tfidf_top_0_keeps_every_term_as_its_help_says(tmp_path):
    corpus = _write(tmp_path / "c", {"a.txt": TEXT_A, "b.txt": TEXT_B})
    common = ["--no-progress", "--cache-dir", str(tmp_path / "cache")]
    for top in ("0", "2"):
        out = str(tmp_path / f"top{top}.csv")
        assert cli.main(["tfidf", str(corpus), "--by", "doc_id", "--top", top, "-o", out, *common]) == 0
    every, two = pd.read_csv(tmp_path / "top0.csv"), pd.read_csv(tmp_path / "top2.csv")
    assert len(two) == 4 and len(every) > 10 and every.groupby("doc_id")["rank"].max().gt(2).all()


def test_explicit_by_on_a_missing_column_stays_an_error(tmp_path, capsys):
    corpus = _write(tmp_path / "c", {"a.txt": TEXT_A, "b.txt": TEXT_B})
    code = cli.main(["corpus", str(corpus), "--by", "province", "--no-progress", "--cache-dir", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "--by province" in err, err


def _corpus_with_many_skips(folder):
    rows = ["file,province", "a.txt,湖北省", "b.txt,四川省", "empty.txt,湖北省"]
    rows += [f"missing_{i:03d}.txt,四川省" for i in range(40)]
    return _write(folder, {"a.txt": TEXT_A, "b.txt": TEXT_B, "empty.txt": b"", "stray.txt": TEXT_B},
                  "\n".join(rows) + "\n")


def test_corpus_sums_up_skipped_inputs_by_reason(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "100")
    corpus = _corpus_with_many_skips(tmp_path / "c")
    common = ["--no-progress", "--cache-dir", str(tmp_path / "cache")]
    assert cli.main(["corpus", str(corpus), *common]) == 0
    out = capsys.readouterr().out
    assert "2 documents loaded, 42 inputs skipped" in out
    assert sum("missing_" in line for line in out.splitlines()) == 5, out
    assert "file missing: 40" in out and "empty: 1" in out and "not in metadata: 1" in out, out
    assert "use -o DIR to write every skipped input to DIR/load_account.csv" in out
    assert cli.main(["corpus", str(corpus), *common, "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / "out" / "load_account.csv") in out and "use -o DIR" not in out
    account = pd.read_csv(tmp_path / "out" / "load_account.csv")
    assert (account["status"] == "skipped").sum() == 42


# --------------------------------------------------------------------------------------
# Terminal tables: wide characters, the terminal's width, cut tables (issue item 14)
# --------------------------------------------------------------------------------------

def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def test_table_columns_line_up_with_chinese_text(capsys, monkeypatch):
    table = pd.DataFrame({"province": ["湖北省", "Hubei", "四川省", "x"], "term": ["数字经济", "AI", "工业互联网", "5G"],
                          "n": [12, 3456, 7, 0], "share": [0.5, 0.125, 1e-7, float("nan")]})
    monkeypatch.setenv("COLUMNS", "80")
    cli._emit(table, None)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 5 and len({_display_width(line) for line in printed}) == 1, printed

    from policytext._core import terminal as _terminal

    lines = _terminal.format_table(table, width=80)
    assert lines == printed
    assert len(lines) == 5
    assert len({_display_width(line) for line in lines}) == 1, lines
    terms = ["term", "数字经济", "AI", "工业互联网", "5G"]
    term_at = [line.index(term) for line, term in zip(lines, terms)]
    assert len({_display_width(line[:i]) for line, i in zip(lines, term_at)}) == 1, lines  # left-aligned text
    n_end = [line.index(n, i + len(t)) + len(n) for line, n, i, t in zip(lines, ["n", "12", "3456", "7", "0"],
                                                                            term_at, terms)]
    assert len({_display_width(line[:e]) for line, e in zip(lines, n_end)}) == 1, lines  # right-aligned numbers


def test_a_cut_table_says_how_to_get_every_row(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    table = pd.DataFrame({"province": ["湖北省"] * 100, "n": range(100)})
    cli._emit(table, None)
    out = capsys.readouterr().out.splitlines()
    assert len(out) < 100 and "-o FILE.csv" in out[-1], out

    from policytext._core import terminal as _terminal

    lines = _terminal.format_table(table, width=80, max_rows=10)
    assert len(lines) == 12 and "-o" in lines[-1] and "100" in lines[-1], lines
    assert len(_terminal.format_table(table, width=80, max_rows=100)) == 101


def test_long_cells_and_notes_fit_the_width(capsys, monkeypatch):
    note = ("推进数字经济和实体经济深度融合，" * 10) + " see https://example.org/" + "a" * 80 + " and more words " * 5
    assert len(note) >= 300
    table = pd.DataFrame({"province": ["湖北省", "四川省"], "n": [1, 2], "note": [note, "short"]})
    monkeypatch.setenv("COLUMNS", "70")
    cli._emit(table, None)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and all(_display_width(line) <= 70 for line in out), out

    from policytext._core import terminal as _terminal

    lines = _terminal.wrap(note, 60)
    assert len(lines) > 5 and all(_display_width(line) <= 60 for line in lines), lines
    assert "".join(lines).replace(" ", "") == note.replace(" ", "")
    lines = _terminal.format_table(table, width=70)
    assert all(_display_width(line) <= 70 for line in lines), lines
    assert "…" in lines[1] and "short" in lines[2]


def test_corpus_output_fits_a_narrow_terminal(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "60")
    code = cli.main(["corpus", str(DATA), "--no-progress", "--cache-dir", str(tmp_path / "cache")])
    out = capsys.readouterr().out
    assert code == 0
    assert all(_display_width(line) <= 60 for line in out.splitlines()), out


def test_a_reader_that_stops_early_is_not_an_error(tmp_path):
    """``policytext corpus data | head -2``: the closed pipe ends the command quietly."""
    proc = subprocess.Popen([sys.executable, "-m", "policytext.cli", "corpus", str(DATA), "--no-progress",
                             "--cache-dir", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # as head does after its lines
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0 and first.startswith(b"policytext")
    assert "Broken pipe" not in err and "Traceback" not in err, err


def test_reuse_and_cowords_write_their_tables_and_networks(tmp_path, capsys):
    import networkx as nx

    out = tmp_path / "communities.csv"
    assert cli.main(["cowords", str(DATA), "--table", "communities", "--top", "40", "--network",
                     str(tmp_path / "cowords.gexf"), "-o", str(out), "--no-progress"]) in (None, 0)
    communities = pd.read_csv(out)
    graph = nx.read_gexf(tmp_path / "cowords.gexf")
    # every term of the network is in exactly one community, and the sizes add up
    assert communities["size"].sum() == graph.number_of_nodes() <= 40
    assert communities["community"].tolist() == list(range(1, len(communities) + 1))
    assert cli.main(["reuse", str(DATA), "--table", "groups", "-o", str(tmp_path / "groups.csv"),
                     "--network", str(tmp_path / "reuse.graphml"), "--no-progress"]) in (None, 0)
    groups = pd.read_csv(tmp_path / "groups.csv")
    provinces = set(pd.read_csv(DATA / "metadata.csv")["province"])
    assert set(groups["province_a"]) | set(groups["province_b"]) == provinces
    assert set(nx.read_graphml(tmp_path / "reuse.graphml").nodes) == provinces
