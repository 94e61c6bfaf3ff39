"""The notebook a researcher writes by hand, kept as a script to time policytext against it.

jieba.lcut on every paragraph, a stopword list, gensim's Dictionary and LdaModel with 10 topics and 10
passes: raw text files to a fitted model, nothing cached.

    .venv/bin/python benchmarks/notebook_pipeline.py CORPUS_FOLDER [--topics 10]
"""

from __future__ import annotations

import argparse
import logging
import re
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--topics", type=int, default=10)
    args = parser.parse_args()
    logging.getLogger("jieba").setLevel(logging.WARNING)
    start = time.perf_counter()

    import jieba
    import stopwordsiso
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    jieba.setLogLevel(logging.WARNING)
    stop = set(stopwordsiso.stopwords("zh"))
    paragraphs = []
    for path in sorted(args.corpus.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for para in text.split("\n"):
            words = [w for w in jieba.lcut(para.strip()) if len(w) > 1 and w not in stop and not re.fullmatch(r"\W+|\d+", w)]
            if words:
                paragraphs.append(words)
    dictionary = Dictionary(paragraphs)
    dictionary.filter_extremes(no_below=2, no_above=0.5)
    corpus = [dictionary.doc2bow(p) for p in paragraphs]
    LdaModel(corpus=corpus, id2word=dictionary, num_topics=args.topics, passes=10, random_state=0)
    print(f"{time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main()
