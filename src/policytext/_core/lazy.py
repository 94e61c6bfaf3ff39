"""Lazy attributes of the stage packages: ``policytext.topics.fit_lda`` imports ``policytext.topics.model``
when it is first used, so that importing a package does no work."""

from __future__ import annotations

import importlib


def stage_exports(stage: str):
    """``__getattr__`` and ``__dir__`` for the stage package ``stage`` (``policytext.topics``): the names the
    root package exports from the stage's modules (see :mod:`policytext._core.exports`), and its modules."""
    from policytext._core.exports import EXPORTS

    prefix = stage.removeprefix("policytext.") + "."
    where = {name: module for module, names in EXPORTS.items() if module.startswith(prefix) for name in names}

    def __getattr__(name: str):
        module = where.get(name)
        if module is None:
            try:
                return importlib.import_module(f"{stage}.{name}")
            except ModuleNotFoundError:
                raise AttributeError(f"module {stage!r} has no attribute {name!r}") from None
        return getattr(importlib.import_module(f"policytext.{module}"), name)

    def __dir__():
        return sorted(where)

    return __getattr__, __dir__
