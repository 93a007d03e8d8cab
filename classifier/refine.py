"""Refine log-odds keyword weights discriminatively: non-negative softmax regression.

The routing score of a topic is the sum of its keyword weights times the keyword factors of a
message. Starting from scaled log-odds weights, stochastic gradient steps on the softmax loss
over all topics (curated keywords held fixed) move each weight, clipped at zero so that every
learned keyword keeps counting *for* its topic. Words whose weight reaches zero drop out. Each
learned topic also gets a bias, added to its score; other topics keep the bias they have.
Messages of rare topics weigh more (balance), so that small topics are not drowned out.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RefineParams:
    """Knobs of the refinement, chosen by 5-fold cross-validation on the dev file."""

    epochs: int = 15
    rate: float = 0.05
    decay: float = 0.3
    l2: float = 1e-4
    init_scale: float = 0.3
    seed: int = 0
    balance: float = 1.0
    """Each message weighs (mean topic size / its topic's size) ** balance."""


def refine(
    docs: Sequence[tuple[Mapping[str, float], str]],
    topics: Sequence[str],
    fixed: Mapping[str, Mapping[str, float]],
    initial: Mapping[str, Mapping[str, float]],
    params: RefineParams = RefineParams(),
    bias: Mapping[str, float] | None = None,
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Return refined weights and biases for the topics in initial, over the words of initial.

    bias gives the fixed bias of the other topics (0 when absent).
    """
    order = list(topics)
    position = {code: i for i, code in enumerate(order)}
    learnable = [position[c] for c in initial if c in position]
    vocabulary = sorted({w for words in initial.values() for w in words})
    weights: dict[str, list[float]] = {}
    for word in vocabulary:
        row = [0.0] * len(order)
        for code, words in initial.items():
            if code in position:
                row[position[code]] = words.get(word, 0.0) * params.init_scale
        weights[word] = row
    frozen: dict[str, list[float]] = {}
    for code, words in fixed.items():
        for word, weight in words.items():
            frozen.setdefault(word, [0.0] * len(order))[position[code]] += weight
    sizes = Counter(code for _, code in docs if code in position)
    mean = sum(sizes.values()) / max(len(sizes), 1)
    data = []
    for found, code in docs:
        if code not in position:
            continue
        base = [0.0] * len(order)
        for word, factor in found.items():
            for k, weight in enumerate(frozen.get(word, ())):
                base[k] += weight * factor
        features = [(weights[w], f) for w, f in found.items() if w in weights]
        share = (mean / sizes[code]) ** params.balance
        data.append((features, base, position[code], share))
    offset = [0.0 if k in learnable else (bias or {}).get(c, 0.0) for k, c in enumerate(order)]
    rng = random.Random(params.seed)
    for epoch in range(params.epochs):
        rng.shuffle(data)
        epoch_rate = params.rate / (1 + epoch * params.decay)
        for features, base, target, share in data:
            rate = epoch_rate * share
            scores = [b + s for b, s in zip(offset, base, strict=True)]
            for row, factor in features:
                for k in learnable:
                    scores[k] += row[k] * factor
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            total = sum(exps)
            for k in learnable:
                grad = exps[k] / total - (1.0 if k == target else 0.0)
                if abs(grad) < 1e-3:
                    continue
                for row, factor in features:
                    value = row[k] - rate * (grad * factor + params.l2 * row[k])
                    row[k] = value if value > 0.0 else 0.0
                offset[k] -= rate * grad
    refined = {
        code: {w: weights[w][position[code]] for w in vocabulary if weights[w][position[code]] > 0}
        for code in initial
        if code in position
    }
    return refined, {code: offset[position[code]] for code in refined}
