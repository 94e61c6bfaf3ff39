"""Loading: encodings, the account of every file and metadata row, errors that name the place."""

from __future__ import annotations

import codecs
import hashlib

import pandas as pd
import pytest

import policytext as pt
from conftest import DATA

TEXT = "湖北省加快推进工业互联网创新发展,打造全国数字经济发展高地。"


def write_meta(folder, rows, columns=("doc_id", "file", "province")):
    pd.DataFrame(rows, columns=list(columns)).to_csv(folder / "metadata.csv", index=False)


@pytest.mark.parametrize("encoding, data, expected", [
    ("utf-8", TEXT.encode("utf-8"), "utf-8"),
    ("utf-8 with BOM", codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    ("gbk", TEXT.encode("gbk"), "gb18030"),
    ("gb18030", (TEXT + "𠀀").encode("gb18030"), "gb18030"),  # a character outside GBK
    ("utf-16 LE with BOM", TEXT.encode("utf-16"), "utf-16"),
    ("utf-16 BE with BOM", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
])
def test_each_encoding_is_detected_and_decoded(tmp_path, encoding, data, expected):
    (tmp_path / "a.txt").write_bytes(data)
    docs = pt.load_corpus(tmp_path)
    assert docs["encoding"].tolist() == [expected]
    assert docs["text"].iloc[0].rstrip("𠀀") == TEXT  # no BOM left in the text


def test_folder_without_metadata_takes_doc_id_from_file_names(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.txt").write_text("乙文", encoding="utf-8")
    (tmp_path / "sub" / "a.txt").write_text("甲文", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("x", encoding="utf-8")  # not a text: ignored
    docs = pt.load_corpus(tmp_path)
    assert docs["doc_id"].tolist() == ["b", "sub/a"]
    assert docs["text"].tolist() == ["乙文", "甲文"]


def test_every_skip_reason_is_accounted_for(tmp_path):
    (tmp_path / "ok.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\t\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"%PDF-1.7\x00\x01\x02\x03" * 20)
    (tmp_path / "bad.txt").write_bytes(b"abc\x80\xff\x80")
    (tmp_path / "stray.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "dup.txt").write_text(TEXT, encoding="utf-8")
    write_meta(tmp_path, [
        ["a", "ok.txt", "湖北省"],
        ["b", "empty.txt", "湖北省"],
        ["c", "blank.txt", "湖北省"],
        ["d", "binary.txt", "湖北省"],
        ["e", "bad.txt", "湖北省"],
        ["f", "missing.txt", "湖北省"],
        ["a", "dup.txt", "湖北省"],
        ["g", "", "湖北省"],
        ["h", "ok.txt", ""],
    ])
    docs, account = pt.load_corpus(tmp_path, required=["province"], return_account=True)
    assert docs["doc_id"].tolist() == ["a"]
    reasons = {f"{'' if pd.isna(f) else f}|{'<NA>' if pd.isna(r) else r}": reason
               for f, r, reason in zip(account["file"], account["row"], account["reason"])}
    assert reasons == {
        "ok.txt|2": "",
        "empty.txt|3": "empty",
        "blank.txt|4": "empty",
        "binary.txt|5": "binary",
        "bad.txt|6": "undecodable",
        "missing.txt|7": "file missing",
        "dup.txt|8": "duplicate doc_id",
        "|9": "missing required column",
        "ok.txt|10": "missing required column",
        "stray.txt|<NA>": "not in metadata",
    }
    assert set(account["reason"]) - {""} == set(pt.SKIP_REASONS)
    # every metadata row and every file is in the account, once
    assert account["row"].dropna().tolist() == list(range(2, 11))
    files_on_disk = {p.name for p in tmp_path.glob("*.txt")}
    assert files_on_disk <= set(account["file"].dropna())
    # the details name what is wrong
    detail = account.set_index("reason")["detail"]
    assert "'a' is already used by row 2" in detail["duplicate doc_id"]
    assert "offset 3" in detail["undecodable"]
    assert pt.load_account(docs).equals(account)


def test_strict_turns_skips_into_an_error_naming_file_row_and_column(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    write_meta(tmp_path, [["a", "a.txt", ""], ["b", "gone.txt", "山东省"]])
    with pytest.raises(pt.CorpusError) as err:
        pt.load_corpus(tmp_path, required=["province"], strict=True)
    message = str(err.value)
    assert "file a.txt" in message and "metadata.csv row 2" in message and "'province'" in message
    assert "file gone.txt" in message and "row 3" in message and "file missing" in message


def test_metadata_without_file_column_is_an_error_naming_file_and_column(tmp_path):
    (tmp_path / "metadata.csv").write_text("doc_id,province\na,湖北省\n", encoding="utf-8")
    with pytest.raises(pt.CorpusError, match=r"metadata\.csv: required column 'file' is missing"):
        pt.load_corpus(tmp_path)


def test_bad_year_is_an_error_naming_the_document_and_column(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    write_meta(tmp_path, [["a", "a.txt", "2O21"]], columns=("doc_id", "file", "year"))
    with pytest.raises(pt.CorpusError, match=r"column 'year' of doc_id 'a' \(file a.txt\) is '2O21'"):
        pt.load_corpus(tmp_path)


def test_metadata_can_be_passed_as_a_table_and_doc_id_defaults_to_the_file_stem(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "x1.txt").write_text(TEXT, encoding="gbk")
    meta = pd.DataFrame({"file": ["t/x1.txt"], "province": ["四川省"], "year": ["2021"]})
    docs = pt.load_corpus(tmp_path, metadata=meta)
    assert docs[["doc_id", "province", "year", "encoding"]].values.tolist() == [["x1", "四川省", 2021, "gb18030"]]
    assert meta.columns.tolist() == ["file", "province", "year"]  # the caller's table is not changed


def test_metadata_csv_in_gbk_is_read(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "metadata.csv").write_bytes("doc_id,file,province\na,a.txt,湖北省\n".encode("gbk"))
    assert pt.load_corpus(tmp_path)["province"].tolist() == ["湖北省"]


def test_not_a_folder_is_a_clear_error(tmp_path):
    with pytest.raises(pt.CorpusError, match="not a folder"):
        pt.load_corpus(tmp_path / "nope")


def test_bundled_corpus_matches_its_metadata(raw_docs):
    meta = pd.read_csv(DATA / "metadata.csv", dtype=str, keep_default_na=False)
    assert raw_docs["doc_id"].tolist() == meta["doc_id"].tolist()
    assert list(raw_docs.columns) == list(meta.columns) + ["text", "encoding"]
    account = pt.load_account(raw_docs)
    assert (account["status"] == "loaded").all() and len(account) == 5
    for rec in raw_docs.itertuples():
        assert rec.text == (DATA / rec.file).read_text(encoding="utf-8")
    assert sorted(raw_docs["province"]) == ["四川省", "山东省", "湖北省", "湖北省", "湖北省"]


def test_loading_and_cleaning_never_write_into_the_raw_data(clean_docs):
    # the session fixtures have loaded and cleaned the corpus by now; the raw texts still
    # have the checksums of the seeds as published (data/SHA256SUMS)
    pt.clean(pt.load_corpus(DATA))
    published = dict(line.split()[::-1] for line in (DATA / "SHA256SUMS").read_text().splitlines()
                     if line and not line.startswith("#"))
    now = {f"raw/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest() for p in (DATA / "raw").iterdir()}
    assert now == published and len(now) == 5


def test_big5_is_recognised_rather_than_read_as_gb18030(tmp_path):
    raw = (DATA / "raw" / "000_65f858969d164425.txt").read_text(encoding="utf-8")
    traditional = pt.strip_pinyin(pt.strip_encoding_damage(raw))[:2000]
    (tmp_path / "big5.txt").write_bytes(traditional.encode("big5", errors="ignore"))
    docs = pt.load_corpus(tmp_path)
    assert docs["encoding"].tolist() == ["big5"]
    assert docs["text"].iloc[0][:20] == traditional[:20]


def test_a_metadata_path_written_on_windows_loads(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("doc_id,file\na,sub\\a.txt\n", encoding="utf-8")
    docs, account = pt.load_corpus(tmp_path, return_account=True)
    assert docs["doc_id"].tolist() == ["a"] and (account["status"] == "loaded").all()


def test_decode_bytes_reports_the_reason():
    with pytest.raises(ValueError) as err:
        pt.decode_bytes(b"")
    assert err.value.args[0] == "empty"
    assert pt.decode_bytes(TEXT.encode("gb18030")) == (TEXT, "gb18030")


def test_read_lexicon_rejects_a_malformed_line_naming_file_and_line(tmp_path):
    path = tmp_path / "dict.txt"
    path.write_text("# category: x\n数字经济 10 n\n工业互联网 n extra\n", encoding="utf-8")
    with pytest.raises(pt.CorpusError, match=r"dict\.txt, line 3"):
        pt.read_lexicon(path)
