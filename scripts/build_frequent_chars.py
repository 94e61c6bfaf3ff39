"""Rebuild src/policytext/data/encoding/frequent_chars.txt.

The list feeds the plausibility score that chooses a text's encoding
(policytext/_decoding.py). It holds the 1,500 Chinese characters that carry
the most weight in jieba's dictionary (each word's frequency credited to each
of its characters; together about 93% of the characters of that dictionary)
and their Traditional forms (OpenCC s2t). Run from the repository root:

    python scripts/build_frequent_chars.py
"""

from __future__ import annotations

import collections
from pathlib import Path

import jieba
import opencc

N = 1500
OUT = Path(__file__).resolve().parents[1] / "src" / "policytext" / "data" / "encoding" / "frequent_chars.txt"


def main() -> None:
    counts = collections.Counter()
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as f:
        for line in f:
            word, freq = line.split()[:2]
            for ch in word:
                if "\u4e00" <= ch <= "\u9fff":
                    counts[ch] += int(freq)
    simplified = [ch for ch, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:N]]
    convert = opencc.OpenCC("s2t")
    traditional = sorted({convert.convert(ch) for ch in simplified} - set(simplified))
    lines = ["# The most frequent Chinese characters, for the plausibility score that chooses an encoding.",
             "# Made by scripts/build_frequent_chars.py: the 1,500 characters with the most weight in",
             "# jieba's dictionary, then (after the marker line) their Traditional forms by OpenCC s2t.",
             "# One or more characters per line; white space is ignored."]
    lines += ["".join(simplified[i:i + 50]) for i in range(0, len(simplified), 50)]
    lines += ["# traditional"]
    lines += ["".join(traditional[i:i + 50]) for i in range(0, len(traditional), 50)]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(simplified)} simplified and {len(traditional)} traditional characters written to {OUT}")


if __name__ == "__main__":
    main()
