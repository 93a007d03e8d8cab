"""Learn keyword weights from labelled messages: smoothed log-odds, top N per topic."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from types import MappingProxyType

import jieba

from classifier.dataset import Sample
from classifier.engine import Classifier
from classifier.model import RoutingConfig
from classifier.refine import RefineParams, refine
from classifier.stopwords import STOPWORDS

_WORD = re.compile(r"^(?:[\u4e00-\u9fff]{2,}|[a-z]{2,})$")
NAME_TAGS = frozenset({"ns", "nr", "nrt", "nrfg"})


@dataclass(frozen=True)
class Learned:
    """What learning yields: keyword weights and a score bias per labelled topic."""

    keywords: dict[str, dict[str, float]]
    bias: dict[str, float]


@dataclass(frozen=True)
class LearnParams:
    """Knobs of the learner, chosen by 5-fold cross-validation on the dev file."""

    top_n: int = 300
    alpha: float = 0.3
    min_df: int = 2
    min_weight: float = 0.1
    max_weight: float = 5.0
    refine: bool = True
    keep: int = 300
    epochs: int = RefineParams().epochs


@cache
def _dictionary_tags() -> dict[str, str]:
    """Return jieba's part-of-speech tag for each word of its default dictionary."""
    tags: dict[str, str] = {}
    with jieba.get_dict_file() as handle:
        for raw in handle:
            parts = raw.decode("utf-8").split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    return tags


def is_candidate(word: str) -> bool:
    """Keep Chinese words of 2+ characters and ASCII words; drop stop words and names."""
    if not _WORD.match(word) or word in STOPWORDS:
        return False
    return _dictionary_tags().get(word) not in NAME_TAGS


def learn_weights(
    docs: Sequence[tuple[Mapping[str, float], str]], params: LearnParams = LearnParams()
) -> dict[str, dict[str, float]]:
    """Return topic -> {keyword: weight} from (token factors, topic) pairs.

    A keyword's weight is the smoothed log-odds of the word in the topic's messages against
    all other messages (term frequencies, additive smoothing); the top N by
    (p_in - p_out) * weight, the word's share of the evidence, are kept.
    """
    tf: dict[str, Counter[str]] = {}
    df: dict[str, Counter[str]] = {}
    total: Counter[str] = Counter()
    for found, topic in docs:
        words = {w: n for w, n in found.items() if is_candidate(w)}
        tf.setdefault(topic, Counter()).update(words)
        df.setdefault(topic, Counter()).update(words.keys())
        total.update(words)
    vocabulary = len(total)
    grand = sum(total.values())
    a = params.alpha
    learned: dict[str, dict[str, float]] = {}
    for topic, counts in tf.items():
        inside = sum(counts.values())
        outside = grand - inside
        ranked: list[tuple[float, str, float]] = []
        for word, hits in counts.items():
            if df[topic][word] < params.min_df:
                continue
            p_in = (hits + a) / (inside + a * vocabulary)
            p_out = (total[word] - hits + a) / (outside + a * vocabulary)
            weight = math.log(p_in / p_out)
            if weight < params.min_weight:
                continue
            ranked.append(((p_in - p_out) * weight, word, min(weight, params.max_weight)))
        ranked.sort(key=lambda item: (-item[0], item[1]))
        learned[topic] = {word: round(weight, 2) for _, word, weight in ranked[: params.top_n]}
    return learned


def with_learned(config: RoutingConfig, learned: Learned) -> RoutingConfig:
    """Return config with each learned topic's table and bias replaced (curated words first)."""
    topics = []
    for topic in config.topics:
        if topic.code not in learned.keywords:
            topics.append(topic)
            continue
        taken = set(topic.keywords) | set(topic.negative)
        fresh = {w: v for w, v in learned.keywords[topic.code].items() if w not in taken}
        bias = learned.bias.get(topic.code, topic.bias)
        topics.append(replace(topic, learned=MappingProxyType(fresh), bias=bias))
    return replace(config, topics=tuple(topics))


def learn_keywords(
    config: RoutingConfig,
    docs: Sequence[tuple[Mapping[str, float], str]],
    params: LearnParams = LearnParams(),
) -> Learned:
    """Learn each labelled topic's keywords and bias: log-odds, then discriminative refinement.

    Curated keywords (and negative ones) stay fixed and are never learned for their own topic;
    topics without labelled messages keep their hand-set bias.
    """
    initial = learn_weights(docs, params)
    biases: dict[str, float] = {}
    if params.refine:
        fixed = {
            t.code: {**dict(t.keywords), **{w: -v for w, v in t.negative.items()}}
            for t in config.topics
        }
        codes = [t.code for t in config.topics]
        hand = {t.code: t.bias for t in config.topics}
        refining = RefineParams(epochs=params.epochs)
        initial, biases = refine(docs, codes, fixed, initial, refining, hand)
    learned: dict[str, dict[str, float]] = {}
    for topic in config.topics:
        if topic.code not in initial:
            continue
        taken = set(topic.keywords) | set(topic.negative)
        ranked = sorted(initial[topic.code].items(), key=lambda kv: (-kv[1], kv[0]))
        kept = [(w, round(v, 2)) for w, v in ranked if w not in taken and v >= 0.005]
        learned[topic.code] = dict(kept[: params.keep])
    return Learned(learned, {code: round(value, 2) for code, value in biases.items()})


def learn_from_samples(
    classifier: Classifier, samples: Sequence[Sample], params: LearnParams = LearnParams()
) -> Learned:
    """Learn topic keywords from labelled samples; labels resolve via names and aliases."""
    docs = []
    for sample in samples:
        code = classifier.config.resolve_label(sample.label)
        if code is not None:
            docs.append((classifier.found(sample.text, sample.title), code))
    return learn_keywords(classifier.config, docs, params)
