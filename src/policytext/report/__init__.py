"""The one-command report: the whole pipeline on a corpus, as HTML, CSV tables and a manifest.

Rooms: ``config`` (:class:`ReportConfig`), ``pipeline`` (:class:`Pipeline`: each stage computed
once), ``sections`` (what each part computes, and what it reads), ``page`` with ``templates/``
(the HTML, rendered by jinja2), ``folder`` (the output folder, replaced as a whole) and
``build`` (:func:`build_report`, which runs them).
"""

_WHERE = {"ReportConfig": "config", "SKIPPABLE": "config", "DEFAULT_BY": "config", "Pipeline": "pipeline",
          "resolve_by": "pipeline", "SECTIONS": "sections", "PARTS": "page", "build_report": "build",
          "TIMING_KEYS": "build", "pipeline_for": "build"}


def __getattr__(name: str):
    import importlib

    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'policytext.report' has no attribute {name!r}")
    return getattr(importlib.import_module(f"policytext.report.{module}"), name)
