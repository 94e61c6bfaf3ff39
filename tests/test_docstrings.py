"""Every example in the docstrings runs and gives what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import policytext

ALL_MODULES = sorted(m.name for m in pkgutil.walk_packages(policytext.__path__, "policytext.")
                     if not m.name.endswith("__main__"))
#: The modules of the public interface: each shows how it is used.
WITH_EXAMPLES = ["policytext.io.loading", "policytext.io.resources", "policytext.io.decoding",
                 "policytext.io.formats", "policytext.io.pdf", "policytext.io.docx", "policytext.io.html",
                 "policytext.io.document_numbers", "policytext.text.clauses",
                 "policytext.text.cleaning", "policytext.text.segmentation", "policytext.text.places",
                 "policytext.compare.counting", "policytext.compare.weighting", "policytext.compare.keyness",
                 "policytext.compare.emphasis", "policytext.compare.context", "policytext.compare.inference",
                 "policytext.compare.lexicons", "policytext.compare.validation", "policytext.topics.model",
                 "policytext.reuse.find", "policytext.plots", "policytext.export", "policytext.report.config",
                 "policytext.report.pipeline", "policytext.topics.prepare",
                 "policytext.networks", "policytext._core.output"]


@pytest.mark.parametrize("name", ALL_MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    if name in WITH_EXAMPLES:
        assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


def test_every_module_of_the_interface_is_found():
    assert set(WITH_EXAMPLES) <= set(ALL_MODULES)
