"""Text: cleaning scraped text, units, segmentation with the policy lexicon, place names, the content vocabulary.
"""

from policytext._core.lazy import stage_exports

__getattr__, __dir__ = stage_exports(__name__)
