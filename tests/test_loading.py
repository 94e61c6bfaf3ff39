"""Loading: encodings, the account of every file and metadata row, errors that name the place."""

from __future__ import annotations

import codecs
import os
from pathlib import Path
import hashlib

import pandas as pd
import pytest

import policytext as pt
from conftest import DATA

TEXT = "湖北省加快推进工业互联网创新发展,打造全国数字经济发展高地。"


#: Reasons about where a file is, exercised by test_paths_outside_links_and_unreadable_files_are_accounted_for.
PATH_REASONS = {"outside the corpus folder", "broken link", "linked folder", "duplicate file", "unreadable"}
#: Reasons of the document readers, exercised by tests/test_readers.py.
READER_REASONS = {"scanned PDF", "needs LibreOffice", "not matching pattern"}


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
    (tmp_path / "notes.csv").write_text("x", encoding="utf-8")  # not a text: not read, but accounted for
    docs = pt.load_corpus(tmp_path)
    assert docs["doc_id"].tolist() == ["b", "sub/a"]
    assert docs["text"].tolist() == ["乙文", "甲文"]
    account = pt.load_account(docs).set_index("file")
    assert account.loc["notes.csv", "reason"] == "not a text file"


def test_every_skip_reason_is_accounted_for(tmp_path):
    (tmp_path / "ok.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\t\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"%PDF-1.7\x00\x01\x02\x03" * 20)
    (tmp_path / "bad.txt").write_bytes(b"abc\x80\xff\x80")
    (tmp_path / "stray.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "dup.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "scan.caj").write_bytes(b"%PDF-1.7")  # a format without a reader
    (tmp_path / "README.md").write_text("about the corpus", encoding="utf-8")
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
    docs = pt.load_corpus(tmp_path, required=["province"])
    account = pt.load_account(docs)
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
        "scan.caj|<NA>": "unsupported format",
        "README.md|<NA>": "not a text file",
    }
    assert set(account["reason"]) - {""} == set(pt.SKIP_REASONS) - PATH_REASONS - READER_REASONS  # the rest: below
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
    # the metadata have no issuer column: the one text whose header names its issuer (a 发文单位 field) gives one
    assert list(raw_docs.columns) == list(meta.columns) + ["issuer", "text", "encoding"]
    assert pt.metadata_changes(raw_docs)[["row", "column", "before", "after", "change"]].values.tolist() == [
        [3, "issuer", "", "咸寧市經濟和信息化局", "from the text's header"]]
    assert raw_docs["issuer"].tolist() == ["", "咸寧市經濟和信息化局", "", "", ""]
    account = pt.load_account(raw_docs)
    assert (account["status"] == "loaded").sum() == 5 and len(account) == 7
    # the folder's README and checksum list are not texts of the corpus: listed, not read, not skipped
    assert account.loc[account["status"] != "loaded", ["file", "status"]].values.tolist() == [
        ["README.md", "not read"], ["SHA256SUMS", "not read"]]
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
    docs = pt.load_corpus(tmp_path)
    account = pt.load_account(docs)
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


# --------------------------------------------------------------------------------------
# Hardening: paths, links, unreadable inputs, metadata parsing, encodings by plausibility
# --------------------------------------------------------------------------------------

def corpus_with_secret(tmp_path):
    """A corpus folder, and a secret file beside it that no corpus entry may reach."""
    root = tmp_path / "corpus"
    (root / "raw").mkdir(parents=True)
    (root / "raw" / "a.txt").write_text(TEXT, encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("机密口令", encoding="utf-8")
    return root, secret


@pytest.mark.parametrize("entry", ["../secret.txt", "raw/../../secret.txt", "ABSOLUTE"])
def test_a_metadata_entry_outside_the_folder_is_never_read(tmp_path, entry):
    root, secret = corpus_with_secret(tmp_path)
    entry = str(secret) if entry == "ABSOLUTE" else entry
    write_meta(root, [["a", "raw/a.txt", "湖北省"], ["s", entry, "湖北省"]])
    docs = pt.load_corpus(root)
    account = pt.load_account(docs)
    assert docs["doc_id"].tolist() == ["a"]
    assert not docs["text"].str.contains("机密").any()
    row = account[account["row"] == 3].iloc[0]
    assert row["reason"] == "outside the corpus folder" and "allow_outside" in row["detail"]
    with pytest.raises(pt.CorpusError, match="outside the corpus folder"):
        pt.load_corpus(root, strict=True)
    # only when the caller says so
    allowed = pt.load_corpus(root, allow_outside=True)
    assert allowed.set_index("doc_id").loc["s", "text"] == "机密口令"


def test_a_symbolic_link_leading_outside_is_not_followed(tmp_path):
    root, secret = corpus_with_secret(tmp_path)
    (root / "raw" / "link.txt").symlink_to(secret)
    outside_folder = tmp_path / "elsewhere"
    outside_folder.mkdir()
    (outside_folder / "b.txt").write_text("外部文件", encoding="utf-8")
    (root / "more").symlink_to(outside_folder, target_is_directory=True)
    # without metadata: the walk does not follow either link
    docs = pt.load_corpus(root)
    account = pt.load_account(docs)
    assert docs["file"].tolist() == ["raw/a.txt"]
    reasons = dict(zip(account["file"], account["reason"]))
    assert reasons["raw/link.txt"] == "outside the corpus folder"
    assert reasons["more/"] == "outside the corpus folder"
    # with metadata naming the link
    write_meta(root, [["a", "raw/a.txt", "湖北省"], ["l", "raw/link.txt", "湖北省"]])
    docs = pt.load_corpus(root)
    account = pt.load_account(docs)
    assert docs["doc_id"].tolist() == ["a"]
    assert account.loc[account["row"] == 3, "reason"].item() == "outside the corpus folder"
    assert pt.load_corpus(root, allow_outside=True)["doc_id"].tolist() == ["a", "l"]


def test_paths_outside_links_and_unreadable_files_are_accounted_for(tmp_path, monkeypatch):
    root, secret = corpus_with_secret(tmp_path)
    raw = root / "raw"
    (raw / "b.txt").write_text(TEXT, encoding="utf-8")
    (raw / "locked.txt").write_text(TEXT, encoding="utf-8")
    (raw / "dangling.txt").symlink_to(raw / "gone.txt")
    (raw / "loop.txt").symlink_to(raw / "loop.txt")
    (raw / "alias.txt").symlink_to(raw / "b.txt")  # inside: followed, and the same file as b.txt
    (root / "again").symlink_to(raw, target_is_directory=True)  # a folder of the corpus, linked
    (root / "closed").mkdir()
    (root / "closed" / "c.txt").write_text(TEXT, encoding="utf-8")
    real_read, real_scandir = type(raw).read_bytes, os.scandir

    def read_bytes(self):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    def scandir(path="."):
        if Path(path).name == "closed":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(type(raw), "read_bytes", read_bytes)
    monkeypatch.setattr(os, "scandir", scandir)
    write_meta(root, [
        ["a", "raw/a.txt", "湖北省"],
        ["b", "raw/b.txt", "湖北省"],
        ["b2", "raw/../raw/b.txt", "湖北省"],     # the same file, written another way
        ["b3", "raw/alias.txt", "湖北省"],        # the same file, through a link
        ["k", "raw/locked.txt", "湖北省"],
        ["d", "raw/dangling.txt", "湖北省"],
        ["o", "../secret.txt", "湖北省"],
    ])
    docs = pt.load_corpus(root)
    account = pt.load_account(docs)
    assert docs["doc_id"].tolist() == ["a", "b"]
    by_row = account.dropna(subset=["row"]).set_index("row")
    assert by_row["reason"].to_dict() == {2: "", 3: "", 4: "duplicate file", 5: "duplicate file", 6: "unreadable",
                                          7: "broken link", 8: "outside the corpus folder"}
    assert by_row.loc[4, "file"] == "raw/b.txt" and "row 3" in by_row.loc[4, "detail"]
    assert "Permission denied" in by_row.loc[6, "detail"]
    unlisted = account[account["row"].isna()].set_index("file")["reason"].to_dict()
    assert unlisted == {"raw/loop.txt": "broken link", "again/": "linked folder", "closed/": "unreadable"}
    assert "raw/../raw/b.txt" not in set(account["file"])  # normalised, not "not in metadata"
    assert set(account["reason"]) - {""} == PATH_REASONS
    with pytest.raises(pt.CorpusError) as err:
        pt.load_corpus(root, strict=True)
    assert "6 input(s) would be skipped" in str(err.value) or "input(s) would be skipped" in str(err.value)
    for reason in PATH_REASONS:
        assert reason in str(err.value)
    # the folder layout: the same rows, without metadata
    (root / "metadata.csv").unlink()
    docs = pt.load_corpus(root)
    account = pt.load_account(docs)
    assert docs["file"].tolist() == ["raw/a.txt", "raw/alias.txt", "raw/b.txt"]
    reasons = account.set_index("file")["reason"].to_dict()
    assert {f: reasons[f] for f in ("raw/locked.txt", "raw/dangling.txt", "raw/loop.txt", "again/", "closed/")} == {
        "raw/locked.txt": "unreadable", "raw/dangling.txt": "broken link", "raw/loop.txt": "broken link",
        "again/": "linked folder", "closed/": "unreadable"}


@pytest.mark.parametrize("column", ["token", "text", "para_id", "position", "encoding", "text_clean", "n", "term"])
def test_a_metadata_column_named_like_an_internal_one_is_renamed(tmp_path, column, caplog):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text("山东省推进数据要素市场化配置改革。", encoding="utf-8")
    write_meta(tmp_path, [["a", "a.txt", "x"], ["b", "b.txt", "y"]], columns=("doc_id", "file", column))
    docs = pt.load_corpus(tmp_path)
    assert docs[f"{column}_meta"].tolist() == ["x", "y"]
    assert f"'{column}' renamed" in caplog.text or f"'{column}'" in caplog.text
    docs = pt.clean(docs, progress=False)
    assert docs["text"].tolist()[0] == TEXT
    tokens = pt.tokenize(docs, progress=False, cache=False)
    assert {"工业互联网", "改革"} <= set(tokens["token"])  # not replaced by the metadata
    freq = pt.term_frequency(tokens, by=f"{column}_meta")
    assert set(freq[f"{column}_meta"]) == {"x", "y"} and freq["n"].sum() == len(tokens)


def test_reserved_columns_cover_every_column_the_package_adds(clean_docs, tokens):
    """A metadata column cannot collide with a column of a table that carries the metadata."""
    by = "province"
    meta = set(clean_docs.columns) - {"text", "encoding", "text_clean"}
    tables = [clean_docs, tokens, pt.term_frequency(tokens, by=by), pt.tfidf(tokens, by=by),
              pt.keyness(tokens, by=by, n_perm=20), pt.emphasis(tokens, by=by, n_boot=5),
              pt.emphasis(tokens, by=by, n_boot=5, lexicon="policy_instruments", level="subdimension"),
              pt.emphasis_terms(tokens, by=by), pt.emphasis_examples(tokens, clean_docs, n=2),
              pt.corpus_summary(tokens, clean_docs, by=by), pt.group_sizes(tokens, by=by),
              pt.ngram_frequency(tokens, ngram=2, by=by), pt.similarity(tokens, by=by), pt.kwic(clean_docs, "数字经济"),
              pt.document_counts(tokens, covariates=by, lexicon="digital_policy"),
              pt.compare_rates(tokens, covariates=by, lexicon="digital_policy"),
              pt.rate_trend(tokens, time="year", lexicon="digital_policy")]
    model = pt.fit_lda(tokens, k=2, progress=False)
    tables += [pt.topic_prevalence(model, by=by, n_boot=10), pt.estimate_effects(model, covariates=by),
               model.labels(), model.topic_terms(n=5),
               pt.topic_prevalence_difference(model, by=by, target="湖北省", reference="山东省", n_boot=10)]
    added = set().union(*(set(t.columns) for t in tables)) - meta - {f"{by}_a", f"{by}_b"}
    assert added <= set(pt.RESERVED_COLUMNS), sorted(added - set(pt.RESERVED_COLUMNS))


def test_an_extra_field_in_a_row_is_an_error_naming_the_row(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("doc_id,file,province\na,a.txt,湖北省,extra\nb,b.txt,山东省\n",
                                           encoding="utf-8")
    with pytest.raises(pt.CorpusError, match=r"metadata\.csv row 2: 4 fields where the header has 3"):
        pt.load_corpus(tmp_path)
    # a quoted comma is a field, not an extra one; a short row is padded
    (tmp_path / "metadata.csv").write_text('doc_id,file,province,title\na,a.txt,湖北省,"甲,乙"\nb,b.txt,山东省\n',
                                           encoding="utf-8")
    docs = pt.load_corpus(tmp_path)
    assert docs[["doc_id", "province", "title"]].values.tolist() == [["a", "湖北省", "甲,乙"], ["b", "山东省", ""]]


def test_duplicate_header_names_are_an_error(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("doc_id,file,province,province\na,a.txt,湖北省,山东省\n", encoding="utf-8")
    with pytest.raises(pt.CorpusError, match="'province' appear more than once"):
        pt.load_corpus(tmp_path)
    with pytest.raises(pt.CorpusError, match="'province' appear more than once"):
        pt.load_corpus(tmp_path, metadata=pd.DataFrame([["a", "a.txt", "x", "y"]],
                                                       columns=["doc_id", "file", "province", "province "]))


def test_rows_keep_their_spreadsheet_numbers_across_blank_lines(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("doc_id,file\na,a.txt\n\nb,gone.txt\n", encoding="utf-8")
    account = pt.load_account(pt.load_corpus(tmp_path))
    assert account.set_index("doc_id")["row"].to_dict() == {"a": 2, "b": 4}


# Short Traditional phrases that GB18030 decodes without an error (into other characters)
BIG5_SHORT = ["點產業鏈高質量發展", "生態環保督察整改", "產業鏈供應鏈", "政務服務集成", "優良天數比率",
              "推進數位經濟發展，加快建設工業互聯網平臺"]
GB_SHORT = ["推进数字经济发展，加快建设工业互联网平台", "关于进一步优化营商环境的实施意见"]


@pytest.mark.parametrize("text", BIG5_SHORT)
def test_short_big5_is_not_taken_for_gb18030(text):
    data = text.encode("big5")
    data.decode("gb18030")  # GB18030 decodes these bytes without an error: only plausibility tells
    assert pt.decode_bytes(data) == (text, "big5")


@pytest.mark.parametrize("text", GB_SHORT)
def test_short_gbk_is_not_taken_for_big5(text):
    assert pt.decode_bytes(text.encode("gbk")) == (text, "gb18030")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_text_not_binary(tmp_path, codec):
    (tmp_path / "a.txt").write_bytes(("第一章 总则\n" + TEXT).encode(codec))
    docs = pt.load_corpus(tmp_path)
    account = pt.load_account(docs)
    assert docs["text"].tolist() == ["第一章 总则\n" + TEXT] and docs["encoding"].tolist() == [codec]
    assert account["encoding_confidence"].iloc[0] > 0.5


def test_the_account_reports_how_sure_each_encoding_is(tmp_path, caplog):
    (tmp_path / "ascii.txt").write_text("Notice No. 12 of 2024", encoding="ascii")
    (tmp_path / "big5.txt").write_bytes(BIG5_SHORT[-1].encode("big5"))
    (tmp_path / "odd.txt").write_bytes("Приказ о цифровой экономике".encode("utf-8"))  # not Chinese at all
    docs = pt.load_corpus(tmp_path)
    account = pt.load_account(docs)
    conf = account.set_index("file")["encoding_confidence"]
    assert conf["ascii.txt"] == 1.0  # every encoding gives the same text
    assert 0.2 < conf["big5.txt"] < 1.0
    detail = account.set_index("file")["detail"]
    assert detail["odd.txt"].startswith("encoding doubtful") and detail["big5.txt"] == ""
    assert "doubtful" in caplog.text
    assert account.loc[account["file"] == "ascii.txt", "encoding"].item() == "utf-8"


def test_plausibility_separates_right_from_wrong_decodings_on_real_texts(clean_docs):
    """Each bundled text in GBK and Big5 (as far as Big5 holds it), decoded the right and the wrong way."""
    for text in clean_docs["text_clean"]:
        sample = text[:300]
        gbk = sample.encode("gbk", errors="ignore")
        big5 = sample.encode("big5", errors="ignore")  # Big5 lacks simplified forms: it keeps the rest
        assert pt.plausibility(gbk.decode("gbk")) > 0.9
        assert pt.plausibility(big5.decode("big5")) > 0.9
        assert pt.plausibility(big5.decode("gb18030", errors="replace")) < 0.7
        assert pt.decode_bytes(gbk)[1] == "gb18030" and pt.decode_bytes(big5)[1] == "big5"


def test_every_short_window_of_a_traditional_text_is_recognised_as_big5():
    """Windows of 8 characters of the bundled Traditional text, in Big5: all decoded right."""
    raw = (DATA / "raw" / "000_65f858969d164425.txt").read_text(encoding="utf-8")
    text = "".join(pt.strip_pinyin(pt.strip_encoding_damage(raw)).split())
    windows = [text[i:i + 8] for i in range(0, len(text) - 8, 5)]
    encodable = [w for w in windows if w.encode("big5", errors="ignore").decode("big5") == w]
    assert len(encodable) > 300
    wrong = [w for w in encodable if pt.decode_bytes(w.encode("big5")) != (w, "big5")]
    assert wrong == []
