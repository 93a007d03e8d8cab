"""Learn keyword weights from labelled messages: smoothed log-odds, refined discriminatively."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from types import MappingProxyType

from classifier.jieba_import import jieba
from classifier.model import RoutingConfig, Thresholds
from classifier.refine import RefineParams, refine
from classifier.stopwords import STOPWORDS

_WORD = re.compile(r"^(?:[\u4e00-\u9fff]{2,}|[a-z]{2,})$")
NAME_TAGS = frozenset({"ns", "nr", "nrt", "nrfg"})


@dataclass(frozen=True)
class Learned:
    """What learning yields per labelled topic: keyword weights and a score bias, for long and
    for short messages; and the thresholds and short_length to use them with (None: keep)."""

    keywords: dict[str, dict[str, float]]
    bias: dict[str, float]
    short_keywords: dict[str, dict[str, float]] = field(default_factory=dict)
    short_bias: dict[str, float] = field(default_factory=dict)
    thresholds: Thresholds | None = None
    short_length: int | None = None


@dataclass(frozen=True)
class LearnParams:
    """Knobs of the learner, chosen by 5-fold cross-validation on the dev file."""

    top_n: int = 3000
    """Keywords per topic in the short-message tables (before and after refining)."""
    long_top_n: int = 500
    """Keywords per topic in the long-message tables: letters need fewer, and sharper, ones
    (5-fold CV: 500 gives full-text macro-F1 0.903 where 3000 gives 0.898)."""
    alpha: float = 0.3
    min_df: int = 2
    min_weight: float = 0.1
    max_weight: float = 5.0
    refine: bool = True
    keep: int = 3000
    epochs: int = RefineParams().epochs
    floor: float = 0.05
    """Refined weights below this are left out of the routing file (they change nothing)."""
    balance: float = RefineParams().balance
    short_length: int = 120
    """Messages up to this many characters use the short-message keywords."""
    bands: tuple[int, ...] = (40, 120)
    """Thresholds are learned for messages up to each of these lengths, and for longer ones."""
    accuracy: float = 0.93
    """Covered accuracy the thresholds are chosen to keep."""
    folds: int = 5
    """Cross-validation folds giving the out-of-fold scores thresholds are learned on."""


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
    """Return config with learned tables, biases, thresholds and short_length put in.

    Curated and negative keywords stay first: a learned word never repeats one of them.
    """
    topics = []
    for topic in config.topics:
        taken = set(topic.keywords) | set(topic.negative)
        changes: dict[str, object] = {}
        if topic.code in learned.keywords:
            words = learned.keywords[topic.code]
            changes["learned"] = MappingProxyType(
                {w: v for w, v in words.items() if w not in taken}
            )
            changes["bias"] = learned.bias.get(topic.code, topic.bias)
        if topic.code in learned.short_keywords:
            words = learned.short_keywords[topic.code]
            fresh = {w: v for w, v in words.items() if w not in taken}
            changes["learned_short"] = MappingProxyType(fresh)
            changes["bias_short"] = learned.short_bias.get(topic.code, topic.bias_short)
        topics.append(replace(topic, **changes) if changes else topic)  # type: ignore[arg-type]
    scoring = config.scoring
    if learned.short_length is not None:
        scoring = replace(scoring, short_length=learned.short_length)
    thresholds = learned.thresholds or config.thresholds
    return replace(config, topics=tuple(topics), scoring=scoring, thresholds=thresholds)


def learn_keywords(
    config: RoutingConfig,
    docs: Sequence[tuple[Mapping[str, float], str]],
    params: LearnParams = LearnParams(),
    short: bool = False,
) -> Learned:
    """Learn each labelled topic's keywords and bias: log-odds, then discriminative refinement.

    Curated keywords (and negative ones) stay fixed and are never learned for their own topic;
    topics without labelled messages keep their hand-set bias. The result goes into the
    long-message tables, or with short=True into the short-message ones.
    """
    initial = learn_weights(docs, params)
    biases: dict[str, float] = {}
    if params.refine:
        fixed = {
            t.code: {**dict(t.keywords), **{w: -v for w, v in t.negative.items()}}
            for t in config.topics
        }
        codes = [t.code for t in config.topics]
        hand = {t.code: t.bias_for(short) for t in config.topics}
        refining = RefineParams(epochs=params.epochs, balance=params.balance)
        initial, biases = refine(docs, codes, fixed, initial, refining, hand)
    learned: dict[str, dict[str, float]] = {}
    for topic in config.topics:
        if topic.code not in initial:
            continue
        taken = set(topic.keywords) | set(topic.negative)
        ranked = sorted(initial[topic.code].items(), key=lambda kv: (-kv[1], kv[0]))
        kept = [(w, round(v, 2)) for w, v in ranked if w not in taken and v >= params.floor]
        learned[topic.code] = dict(kept[: params.keep])
    rounded = {code: round(value, 2) for code, value in biases.items()}
    if short:
        return Learned({}, {}, learned, rounded)
    return Learned(learned, rounded)
