"""The one-command report: the whole pipeline on a corpus, as HTML, CSV tables and a manifest."""


def __getattr__(name: str):
    import importlib

    return getattr(importlib.import_module("policytext.report.build"), name)
