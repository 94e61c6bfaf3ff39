"""Comparing groups: counts, TF-IDF and similarity, keyness, lexicons and emphasis, rate models, contexts, lexicon validation.
"""

from policytext._core.lazy import stage_exports

__getattr__, __dir__ = stage_exports(__name__)
