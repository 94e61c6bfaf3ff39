"""Topics: LDA on units (model), choosing k and stability (selection), prevalence and effects (effects).
"""

from policytext._core.lazy import stage_exports

__getattr__, __dir__ = stage_exports(__name__)
