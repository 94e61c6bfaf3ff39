"""The content vocabulary that topics and co-word networks see: tokens without place names and genre words."""

from __future__ import annotations

import logging

import pandas as pd

from policytext._core.codes import keep_mask
from policytext._core import attrs as _attrs

logger = logging.getLogger(__name__)


def content_tokens(tokens: pd.DataFrame, *, drop_places: bool, drop_boilerplate: bool,
                   purpose: str = "vocabulary") -> pd.DataFrame:
    """The rows of ``tokens`` left once place names (``drop_places``) and the genre boilerplate
    (``drop_boilerplate``: the stopword layer ``policy`` and ``data/stopwords/topic_boilerplate.txt``)
    are taken out; ``tokens`` itself when neither is asked, or when it has been through these filters already
    (recorded in its attrs, so that a table is filtered once however many analyses ask). ``purpose`` names the
    caller in the log."""
    if not (drop_places or drop_boilerplate):
        return tokens
    original, done = tokens, _attrs.filters_applied(tokens)
    asked = {name for name, on in (("places", drop_places), ("boilerplate", drop_boilerplate)) if on}
    if asked <= done:  # already filtered so (a tokens table is filtered once, whoever asks again)
        logger.debug("%s: the tokens are already without %s", purpose, " and ".join(sorted(asked)))
        return tokens
    drop: set[str] = set()
    if drop_places and "places" not in done:
        from policytext.text.places import drop_place_names

        tokens = drop_place_names(tokens)
    if drop_boilerplate and "boilerplate" not in done:
        from policytext.io import resources

        drop |= set(resources.read_wordlist(resources.data_path("stopwords", "policy_boilerplate.txt")))
        drop |= set(resources.read_wordlist(resources.data_path("stopwords", "topic_boilerplate.txt")))
    keep = keep_mask(tokens["token"], drop)
    logger.info("%s: %d of %d tokens left out (places=%s, boilerplate=%s)", purpose, int((~keep).sum()),
                len(tokens), drop_places, drop_boilerplate)
    out = tokens[keep] if drop else tokens
    if out is original:  # the caller's table is never marked
        out = out.copy(deep=False)
    _attrs.record_filters(out, done | asked)
    return out
