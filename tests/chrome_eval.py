"""The labelled chrome/body evaluation set (tests/data/chrome_eval) and its scoring.

Each page is a file of ``LABEL<TAB>text`` lines (see the set's README): ``C`` chrome, ``B`` body,
``M`` a line holding both, with the body part that must survive in a third column. A page is
cleaned as :func:`policytext.clean` would clean it up to and including page chrome (encoding damage,
pinyin, NFKC, Traditional to Simplified, chrome); then each line is scored by what is left of it:

* a B line is *lost* when its text is not left whole (the error that must never happen);
* the body of an M line is lost when it is not left whole inside what remains of its line;
* a C line is *removed* when nothing of it is left.

``python tests/chrome_eval.py [dev|heldout]`` prints the figures.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import policytext as pt
from policytext.text import cleaning

EVAL = Path(__file__).resolve().parent / "data" / "chrome_eval"
BEFORE_CHROME = cleaning.compose(cleaning.strip_encoding_damage, cleaning.strip_pinyin, cleaning.normalize_unicode,
                                 cleaning.to_simplified)


@dataclass
class Page:
    name: str
    labels: list[str]
    lines: list[str]  # as on the page
    bodies: list[str | None]  # the part of an M line that must survive


def read_pages(folder: str) -> list[Page]:
    pages = []
    for path in sorted((EVAL / folder).glob("*.tsv")):
        labels, lines, bodies = [], [], []
        for number, raw in enumerate(path.read_text(encoding="utf-8").split("\n")[:-1], start=1):
            label, _, rest = raw.partition("\t")
            assert label in ("B", "C", "M"), f"{path.name}:{number}: label {label!r}"
            if label == "M":
                text, _, body = rest.partition("\t")
                assert body and body in text, f"{path.name}:{number}: the body is not part of the line"
            else:
                text, body = rest, None
            labels.append(label)
            lines.append(text)
            bodies.append(body)
        pages.append(Page(path.stem, labels, lines, bodies))
    return pages


@dataclass
class Score:
    body_lines: int = 0
    body_lost: int = 0
    chrome_lines: int = 0
    chrome_removed: int = 0
    lost: list = field(default_factory=list)  # (page, line number, text)
    missed: list = field(default_factory=list)

    @property
    def chrome_share(self) -> float:
        return self.chrome_removed / max(1, self.chrome_lines)

    def __str__(self) -> str:
        return (f"body lines {self.body_lines}, lost {self.body_lost}; chrome lines {self.chrome_lines}, removed "
                f"{self.chrome_removed} ({self.chrome_share:.1%})")


def what_is_left(page: Page) -> list[str]:
    """What strip_chrome leaves of each line of the page ('' where the line went)."""
    text = BEFORE_CHROME("\n".join(page.lines))
    normalised = text.split("\n")
    assert len(normalised) == len(page.lines), page.name
    decisions = pt.chrome_decisions(text)
    return [row.kept for row in decisions.itertuples()]


def score(folder: str) -> Score:
    result = Score()
    for page in read_pages(folder):
        left = what_is_left(page)
        normalised = BEFORE_CHROME("\n".join(page.lines)).split("\n")
        for number, (label, line, body, kept) in enumerate(zip(page.labels, normalised, page.bodies, left), 1):
            if not line.strip(" \t\u3000\u00a0\u2002\u200b"):
                continue  # a blank line of the page
            if label == "C":
                result.chrome_lines += 1
                if kept.strip():
                    result.missed.append((page.name, number, line))
                else:
                    result.chrome_removed += 1
                continue
            result.body_lines += 1
            must = line if label == "B" else BEFORE_CHROME(body)
            if must.strip() not in kept:
                result.body_lost += 1
                result.lost.append((page.name, number, line))
    return result


if __name__ == "__main__":
    for folder in [a for a in sys.argv[1:] if not a.startswith("-")] or ["dev"]:
        found = score(folder)
        print(f"{folder}: {found}")
        for name, number, line in found.lost:
            print(f"  LOST {name}:{number}: {line[:100]}")
        if "-v" in sys.argv:
            for name, number, line in found.missed:
                print(f"  missed {name}:{number}: {line[:100]}")
