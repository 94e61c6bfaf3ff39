"""Rebuild src/policytext/data/cleaning/pinyin_syllables.txt.

The list lets policytext.strip_pinyin recognise pinyin annotations written
without tone marks (我(wǒ)们(men)的(de)): every syllable, without its tone, of
every reading in pypinyin's character dictionary (a maintained source, used here
at build time only, not by the package), with ü also written v. Run from the
repository root, with pypinyin installed:

    python scripts/build_pinyin_syllables.py
"""

from __future__ import annotations

from pathlib import Path

from pypinyin import Style, pinyin_dict
from pypinyin.style import convert

OUT = Path(__file__).resolve().parents[1] / "src" / "policytext" / "data" / "cleaning" / "pinyin_syllables.txt"


def main() -> None:
    syllables = set()
    for readings in pinyin_dict.pinyin_dict.values():
        for reading in readings.split(","):
            plain = convert(reading, Style.NORMAL, strict=False)  # tone marks off; ü stays ü
            if plain.isalpha():
                syllables.add(plain)
                syllables.add(plain.replace("ü", "v"))
                syllables.add(plain.replace("v", "ü"))
    lines = ["# Pinyin syllables without tone marks (ü also as v), one per line: every syllable of a reading in",
             "# pypinyin's character dictionary. Rebuilt by scripts/build_pinyin_syllables.py; strip_pinyin uses it",
             "# to recognise annotations written without tone marks (们(men), 的(de)) in a text that carries",
             f"# pinyin annotations. {len(syllables)} entries."]
    OUT.write_text("\n".join(lines + sorted(syllables)) + "\n", encoding="utf-8")
    print(f"{len(syllables)} syllables written to {OUT}")


if __name__ == "__main__":
    main()
