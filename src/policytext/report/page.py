"""report.html: the sections' tables, figures and facts rendered through the jinja2 templates in
``policytext/report/templates`` (HTML escaped everywhere: autoescape on)."""

from __future__ import annotations

import base64
import functools
import json

import pandas as pd
from markupsafe import Markup, escape

from policytext.topics.stability import STABILITY_THRESHOLD

__all__ = ["PARTS", "render_page"]

#: The parts of the page, in order: key (the ``id`` of its ``<section>``, the template
#: ``templates/sections/<key>.html.j2``) and title.
PARTS = (
    ("corpus", "1. Corpus: what was loaded, skipped and cleaned"),
    ("keywords", "2. Keywords and TF-IDF"),
    ("keyness", "3. Keyness: what each group says more than the others"),
    ("similarity", "4. Similarity between groups"),
    ("emphasis", "5. Policy emphasis with uncertainty"),
    ("topics", "6. Topics"),
    ("reuse", "7. Text reuse: passages the documents share"),
    ("network", "8. Co-word network"),
    ("reproduce", "9. Reproducing this report"),
)

#: The computed section (:data:`policytext.report.sections.SECTIONS`) each part of the page shows.
PART_SECTION = {"keywords": "words", "similarity": "words", "keyness": "keyness", "emphasis": "emphasis",
                "topics": "topics", "reuse": "reuse", "network": "network"}


@functools.lru_cache(maxsize=1)
def _environment():
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("policytext.report", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def _table(table: pd.DataFrame, rows: int = 40) -> Markup:
    """A table as HTML (cells escaped), its first ``rows`` rows, and how many more the CSV file holds."""
    shown = table.head(rows)
    body = shown.to_html(index=False, float_format=lambda x: f"{x:.3g}", border=0, classes="t", escape=True)
    more = f"<p class='note'>{len(table) - rows} more rows in the CSV file.</p>" if len(table) > rows else ""
    return Markup(body + more)


def _columns(table: pd.DataFrame, names) -> pd.DataFrame:
    return table[[c for c in names if c in table.columns]]


def _image(figures: dict, formats, name: str, alt: str) -> Markup:
    """The figure embedded as PNG, a link to its file (the PNG if written, else the first format) around it."""
    data = base64.b64encode(figures[name]["png"]).decode("ascii")
    target = f"figures/{name}.{'png' if 'png' in formats else formats[0]}"
    return Markup(f"<a class='figure' href='{escape(target)}' title='open the figure at full size'>"
                  f"<img alt='{escape(alt)}' src='data:image/png;base64,{data}'></a>")


def _dimensions(tables: dict) -> list[dict]:
    """Each emphasis dimension with its top terms and examples in context."""
    if "emphasis" not in tables:
        return []
    examples, drivers = tables["emphasis_examples"], tables["emphasis_drivers"]
    return [{"label": str(label),
             "drivers": drivers.loc[drivers["dimension"] == dim, ["term", "hits"]].to_dict("records"),
             "examples": examples[examples["dimension"] == dim].to_dict("records")}
            for dim, label in tables["emphasis"][["dimension", "label"]].drop_duplicates().itertuples(index=False)]


def _reuse_parts(tables: dict, by: str) -> dict:
    if "reuse_passages" not in tables:
        return {"longest_passages": None, "reuse_between_groups": None}
    passages = tables["reuse_passages"]
    longest = passages.sort_values(["length", "doc_a", "doc_b", "start_a"], ascending=[False, True, True, True],
                                   kind="stable").head(10)
    grouped = "reuse_groups" in tables
    side = [f"{by}_a", f"{by}_b"] if grouped else []
    shown = longest[["doc_a", "doc_b"] + side + ["length", "similarity"]].assign(
        text_a=[(t if len(t) <= 160 else t[:160] + "…").replace("\n", " ¶ ") for t in longest["text_a"]])
    between = None
    if grouped:
        groups = tables["reuse_groups"]
        between = groups[groups["doc_pairs_with_reuse"] > 0].sort_values(
            ["doc_pairs_with_reuse", "passages"], ascending=False, kind="stable")
    return {"longest_passages": shown, "reuse_between_groups": between}


def render_page(*, data_dir, by: str, by_requested: str, by_fallback: str | None, metadata_columns: list[str],
                tables: dict, figures: dict, facts: dict, not_run: dict, config, manifest: dict, k: int | None) -> str:
    """The report page: every part of :data:`PARTS`, or the sentence that says why it was not run."""
    account, sizes = tables["load_account"], tables["group_sizes"]
    clean_totals = tables["clean_account"].groupby("step", sort=False)[
        ["chars_removed", "chars_added", "chars_converted"]].sum().reset_index()
    command = (f"policytext report {data_dir} -o OUT"
               + (f" --metadata {config.metadata}" if getattr(config, "metadata", None) is not None else "")
               + f" --by {by}{f' --k {k}' if k else ''} --seed "
               f"{manifest['seeds']['random_state']}" + (f" --skip {','.join(config.skip)}" if config.skip else ""))
    rates = tables.get("rate_ratios")
    context = {
        "data_dir": str(data_dir), "by": by, "by_requested": by_requested, "by_fallback": by_fallback,
        "metadata_columns": metadata_columns, "parts": PARTS, "config": config, "manifest": manifest,
        "tables": tables, "facts": facts,
        "not_run": {part: not_run[section] for part, section in PART_SECTION.items() if section in not_run},
        "skipped_sections": {part: section for part, section in PART_SECTION.items() if section in config.skip},
        "n_documents": int(tables["corpus_summary"]["documents"].iloc[-1]),
        "skipped": account[account["status"] == "skipped"], "unread": account[account["status"] == "not read"],
        "clean_totals": clean_totals,
        "singles": sizes.loc[sizes["single_document"], by].astype(str).tolist(),
        "tfidf_top": (tables["tfidf"][tables["tfidf"]["rank"] <= 5][[by, "term", "n", "tf_idf"]]
                      if "tfidf" in tables else None),
        "dimensions": _dimensions(tables),
        "sweep_table": tables["lda_sweep"].drop(columns=["reason"]) if "lda_sweep" in tables else None,
        "sweep_reasons": [r for r in tables["lda_sweep"]["reason"] if r] if "lda_sweep" in tables else [],
        "rates_reference": ", ".join(sorted(set(rates["reference"].astype(str)))) if rates is not None and len(rates)
        else "",
        "stability_threshold": STABILITY_THRESHOLD,
        "command": command, "packages_json": json.dumps(manifest["packages"], indent=1),
        **_reuse_parts(tables, by),
        "table": _table, "columns": _columns,
        "img": functools.partial(_image, figures, tuple(config.figure_formats)),
    }
    return _environment().get_template("report.html.j2").render(**context)
