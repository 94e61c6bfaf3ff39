"""Tables written for publication: LaTeX, Word and CSV, with Chinese text and readable numbers."""

from __future__ import annotations

import doctest
import zipfile

import numpy as np
import pandas as pd
import pytest

from policytext import export


@pytest.fixture
def table():
    return pd.DataFrame({
        "province": ["湖北省", "四川省", "广东省"],
        "term": ["数字_经济", "增长10%", "产学研&用"],
        "n": pd.array([1234, 5, None], dtype="Int64"),
        "per_10k": [123.456, 0.98765, np.nan],
        "p_adjusted": [0.0000123, 0.04567, 1.0],
        "single_document": [True, False, False],
        "year": [2024, 2023, 2024],
    })


def test_the_word_table_reads_back_cell_for_cell(tmp_path, table):
    import docx

    path = export.write_table(table, tmp_path / "t.docx")
    assert path == tmp_path / "t.docx"
    doc = docx.Document(str(path))
    assert len(doc.tables) == 1
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert cells[0] == list(table.columns)
    assert cells[1] == ["湖北省", "数字_经济", "1234", "123", "1.23e-05", "True", "2024"]
    assert cells[2] == ["四川省", "增长10%", "5", "0.988", "0.0457", "False", "2023"]
    assert cells[3] == ["广东省", "产学研&用", "", "", "1", "False", "2024"]
    assert all(run.bold for run in doc.tables[0].rows[0].cells[0].paragraphs[0].runs)
    # the same table gives the same bytes (no dates in the file or its zip entries)
    assert export.write_table(table, tmp_path / "again.docx").read_bytes() == path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        assert {info.date_time[0] for info in archive.infolist()} == {1980}
    assert doc.core_properties.created.year < 2020 and doc.core_properties.modified.year < 2020


def test_the_latex_table_keeps_chinese_and_escapes_special_characters(tmp_path, table):
    path = export.write_table(table, tmp_path / "t.tex")
    tex = path.read_text(encoding="utf-8")
    for text in ("湖北省", "四川省", "广东省"):
        assert text in tex
    assert r"数字\_经济" in tex and r"增长10\%" in tex and r"产学研\&用" in tex
    assert r"per\_10k" in tex and r"p\_adjusted" in tex  # the header too
    # no special character is left unescaped outside the table's own syntax
    body = tex.split(r"\midrule")[1].split(r"\bottomrule")[0]
    assert not [line for line in body.splitlines() if "_" in line.replace(r"\_", "")]
    assert r"\begin{tabular}" in tex and "1.23e-05" in tex and " 1234 " in tex and "2024" in tex
    assert "2,024" not in tex  # years are not numbers to group


def test_the_format_comes_from_the_suffix_unless_given(tmp_path, table):
    csv = export.write_table(table, tmp_path / "t.csv")
    back = pd.read_csv(csv)
    assert back["province"].tolist() == ["湖北省", "四川省", "广东省"]
    assert back["per_10k"].iloc[0] == 123.456  # CSV keeps full precision
    tex = export.write_table(table, tmp_path / "t.table", format="tex")
    assert tex.read_text(encoding="utf-8").count(r"\toprule") == 1
    with pytest.raises(ValueError, match="ods"):
        export.write_table(table, tmp_path / "t.ods")
    import openpyxl

    sheet = openpyxl.load_workbook(export.write_table(table, tmp_path / "t.xlsx")).active
    assert [c.value for c in sheet[2]][:1] == ["湖北省"] and sheet.max_row == 4
    with pytest.raises(ValueError, match="suffix"):
        export.write_table(table, tmp_path / "t")


def test_long_tables_break_across_pages_in_latex(tmp_path):
    long = pd.DataFrame({"term": [f"词{i}" for i in range(120)], "n": range(120)})
    tex = export.write_table(long, tmp_path / "long.tex").read_text(encoding="utf-8")
    assert r"\begin{longtable}" in tex and r"\endhead" in tex


def test_docstring_examples():
    result = doctest.testmod(export, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
