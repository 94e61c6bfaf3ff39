"""Text reuse: passages documents share, found by a MinHash/LSH pre-filter and local alignment, and their summaries.
"""

from policytext._core.lazy import stage_exports

__getattr__, __dir__ = stage_exports(__name__)
