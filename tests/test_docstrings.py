"""Every example in the docstrings runs and gives what it shows."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["loading", "resources", "_decoding", "cleaning", "segmentation", "counting", "weighting", "key_terms", "policy_emphasis", "context", "topics", "reuse",
           "plots", "export", "report", "places", "inference", "networks"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"policytext.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
