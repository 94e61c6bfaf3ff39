"""Topic stability: how each topic of a model recurs in models fitted again with other seeds."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from policytext.topics.model import TopicModel

__all__ = ["STABILITY_THRESHOLD", "centred", "matched_similarity", "pairwise_similarity", "stability_table"]

#: Mean matched similarity below which a topic is flagged unstable.
STABILITY_THRESHOLD = 0.7


def centred(topics: np.ndarray) -> np.ndarray:
    """Each topic's term probabilities minus its fit's mean topic, scaled to unit length: what sets the
    topic apart (raw distributions of near-uniform, meaningless topics look alike)."""
    dev = topics - topics.mean(axis=0, keepdims=True)
    return dev / np.maximum(np.linalg.norm(dev, axis=1, keepdims=True), 1e-12)


def matched_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each topic of ``a`` (centred), its similarity to the topic of ``b`` it is matched with
    (Hungarian matching on the cosine similarity)."""
    from scipy.optimize import linear_sum_assignment

    sim = a @ b.T
    rows, cols = linear_sum_assignment(-sim)
    matched = np.empty(len(a))
    matched[rows] = sim[rows, cols]
    return matched


def pairwise_similarity(betas: list[np.ndarray]) -> float:
    """Mean matched similarity over all pairs of fits: a symmetric summary of a solution's stability."""
    shifted = [centred(b) for b in betas]
    pairs = [float(matched_similarity(shifted[i], shifted[j]).mean())
             for i in range(len(shifted)) for j in range(i + 1, len(shifted))]
    return float(np.mean(pairs)) if pairs else float("nan")


def stability_table(model: TopicModel, refits: list[TopicModel], *,
                    threshold: float = STABILITY_THRESHOLD) -> pd.DataFrame:
    """Each topic of ``model``: its matched similarity to the topics of ``refits`` (same units, other seeds)."""
    mine = centred(model.beta())
    sims = np.vstack([matched_similarity(mine, centred(r.beta())) for r in refits])
    table = pd.DataFrame({"topic": model.topics, "stability": sims.mean(axis=0), "min_similarity": sims.min(axis=0),
                          "stable": sims.mean(axis=0) >= threshold,
                          "label": model.labels(n=5)["by_probability"].to_numpy()})
    table.attrs["pairwise_stability"] = pairwise_similarity([model.beta()] + [r.beta() for r in refits])
    table.attrs["seeds"] = [model.params_["random_state"], *[r.params_["random_state"] for r in refits]]
    return table


