"""The content vocabulary that topics and co-word networks see: tokens without place names and genre words."""

from __future__ import annotations

import logging

import pandas as pd

logger = logging.getLogger(__name__)


def content_tokens(tokens: pd.DataFrame, *, drop_places: bool, drop_boilerplate: bool,
                   purpose: str = "vocabulary") -> pd.DataFrame:
    """The rows of ``tokens`` left once place names (``drop_places``) and the genre boilerplate
    (``drop_boilerplate``: the stopword layer ``policy`` and ``data/stopwords/topic_boilerplate.txt``)
    are taken out; ``tokens`` itself when neither is asked. ``purpose`` names the caller in the log."""
    if not (drop_places or drop_boilerplate):
        return tokens
    drop: set[str] = set()
    if drop_places:
        from policytext.text.places import drop_place_names

        tokens = drop_place_names(tokens)
    if drop_boilerplate:
        from policytext.io import resources

        drop |= set(resources.read_wordlist(resources.data_path("stopwords", "policy_boilerplate.txt")))
        drop |= set(resources.read_wordlist(resources.data_path("stopwords", "topic_boilerplate.txt")))
    column = tokens["token"]
    if isinstance(column.dtype, pd.CategoricalDtype):  # one test per distinct token
        keep = ~column.cat.categories.isin(list(drop))[column.cat.codes.to_numpy()]
    else:
        keep = ~column.astype("object").isin(drop).to_numpy()
    logger.info("%s: %d of %d tokens left out (places=%s, boilerplate=%s)", purpose, int((~keep).sum()),
                len(tokens), drop_places, drop_boilerplate)
    return tokens[keep] if drop else tokens
