"""policytext: compare what Chinese provinces emphasise in their policy documents.

Tables in, tables out::

    import policytext as pt
    docs = pt.load_corpus("data")            # one row per document, with metadata
    docs = pt.clean(docs)                    # adds text_clean; raw text untouched
    tokens = pt.tokenize(docs)               # one row per token, metadata attached
    freq = pt.term_frequency(tokens, by="province")

Names are imported lazily, so ``import policytext`` does no work and loads
neither jieba nor OpenCC.
"""

from __future__ import annotations

import importlib
import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

_EXPORTS = {
    "io.loading": ["load_corpus", "load_account", "metadata_changes", "decode_bytes", "plausibility", "SKIP_REASONS",
                   "RESERVED_COLUMNS"],
    "errors": ["CorpusError", "NotEstimable"],
    "io.resources": ["read_lexicon", "read_wordlist", "read_cleaning_rules", "read_places", "read_counties",
                     "read_ethnic_groups", "read_emphasis_lexicon", "read_boilerplate", "data_path",
                     "bundled_corpus_path", "EMPHASIS_LEXICONS"],
    "text.cleaning": ["clean", "clean_account", "compose", "chrome_decisions", "strip_invisible",
                      "strip_encoding_damage", "strip_pinyin", "normalize_unicode", "to_simplified", "strip_chrome",
                      "join_pdf_breaks", "DEFAULT_STEPS"],
    "text.segmentation": ["tokenize", "tokenize_account", "split_units", "with_metadata", "PolicyTokenizer",
                          "STOPWORD_LAYERS", "ENGINES"],
    "text.places": ["place_names", "drop_place_names", "place_bound", "place_account"],
    "compare.counting": ["term_frequency", "top_terms", "corpus_summary", "group_sizes", "document_metadata",
                         "term_matrix", "TermMatrix", "ngrams", "ngram_frequency", "collocations"],
    "compare.weighting": ["tfidf", "similarity"],
    "compare.keyness": ["keyness", "adjust_bh"],
    "compare.emphasis": ["emphasis", "emphasis_terms", "emphasis_examples", "lexicon_table"],
    "compare.lexicons": ["lexicon_matches"],
    "compare.validation": ["validation_sample", "write_validation_sheet", "read_validation_sheet",
                           "lexicon_precision"],
    "compare.inference": ["poisson_interval", "binomial_interval", "document_counts", "compare_rates",
                          "rate_ratios"],
    "compare.context": ["kwic"],
    "topics.model": ["fit_lda", "TopicModel", "export_ldavis"],
    "topics.selection": ["lda_sweep", "topic_stability", "document_completion"],
    "topics.effects": ["topic_prevalence", "topic_prevalence_difference", "estimate_effects"],
    "scale": ["tokenize_to_parquet", "term_counts", "read_tokens"],
    "export": ["write_table"],
    "networks": ["cooccurrence", "cooccurrence_terms", "coword_network", "coword_communities", "community_terms",
                 "write_network"],
    "reuse.find": ["find_reuse", "align_pair", "reuse_from", "reuse_pairs", "reuse_groups", "reuse_network",
                   "reuse_excluded", "reuse_widely_shared"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)

#: Modules and stage packages reachable as attributes (``pt.plots.keyness(...)``, ``pt.text.cleaning``); no
#: module shares a name with a function, or importing the module would replace the function.
_MODULES = {"plots": "plots", "report": "report", "cli": "cli", "errors": "errors", "scale": "scale", "export": "export",
            "networks": "networks", "io": "io", "text": "text", "compare": "compare", "topics": "topics",
            "reuse": "reuse"}
#: Where the modules of earlier versions went (``pt.cleaning`` still works, with a DeprecationWarning).
_MOVED = {"loading": "io.loading", "resources": "io.resources", "cleaning": "text.cleaning",
          "segmentation": "text.segmentation", "places": "text.places", "counting": "compare.counting",
          "weighting": "compare.weighting", "key_terms": "compare.keyness", "policy_emphasis": "compare.emphasis",
          "inference": "compare.inference", "context": "compare.context", "lookup": "compare.lexicons",
          "validation": "compare.validation", "topic_selection": "topics.selection", "topic_effects": "topics.effects"}


def __getattr__(name: str):
    if name in _MODULES:
        return importlib.import_module(f".{_MODULES[name]}", __name__)
    if name in _MOVED:
        import warnings

        warnings.warn(f"policytext.{name} is now policytext.{_MOVED[name]}", DeprecationWarning, stacklevel=2)
        return importlib.import_module(f".{_MOVED[name]}", __name__)
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'policytext' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
