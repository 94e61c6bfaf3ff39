"""policytext: compare what Chinese provinces emphasise in their policy documents.

Tables in, tables out::

    import policytext as pt
    docs = pt.load_corpus("data")            # one row per document, with metadata
    docs = pt.clean(docs)                    # adds text_clean; raw text untouched
    tokens = pt.tokenize(docs)               # one row per token, metadata attached
    freq = pt.term_frequency(tokens, by="province")

Names are imported lazily, so ``import policytext`` does no work and loads
neither jieba nor OpenCC.

The package is laid out by stage, each importing only from those below it:
``report`` (the pipeline and the one-command report) and ``cli``; ``plots``,
``networks``, ``scale``, ``topics`` and ``reuse``; ``compare`` (counts, keyness,
emphasis, rate models); ``text`` (cleaning, units, segmentation); ``io`` (reading
the corpus); and the ground floor ``export``, ``errors`` and ``_core``. Every
public name is also here, ``pt.keyness`` as ``policytext.compare.keyness.keyness``.
"""

from __future__ import annotations

import importlib
import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

from policytext._core.exports import EXPORTS as _EXPORTS

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
