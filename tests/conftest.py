"""Shared fixtures: the bundled corpus loaded, cleaned and tokenized once per session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SEEDS = ROOT.parent / "shared" / "seeds"


def pytest_configure(config):
    # Never write the token cache into the user's home during tests.
    os.environ.setdefault("POLICYTEXT_CACHE_DIR", tempfile.mkdtemp(prefix="policytext-test-cache-"))


@pytest.fixture(scope="session")
def raw_docs():
    import policytext as pt

    return pt.load_corpus(DATA)


@pytest.fixture(scope="session")
def clean_docs(raw_docs):
    import policytext as pt

    return pt.clean(raw_docs)


@pytest.fixture(scope="session")
def tokens(clean_docs):
    import policytext as pt

    return pt.tokenize(clean_docs, cache=False)


@pytest.fixture(scope="session")
def tokenizer():
    import policytext as pt

    return pt.PolicyTokenizer()


@pytest.fixture(scope="module")
def client():
    """A Dask client on a LocalCluster of two worker processes (the tests of the Dask path)."""
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with Client(cluster) as c:
        yield c
    cluster.close()
