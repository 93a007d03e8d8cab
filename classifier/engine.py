"""The keyword classifier: weighted keyword scoring over jieba tokens, with abstention."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from classifier.loader import load_config
from classifier.model import Route, RoutingConfig
from classifier.tokens import expand, lead, make_tokenizer, segment, split

Index = dict[str, tuple[tuple[int, float], ...]]
_LOG = [0.0] + [1.0 + math.log(n) for n in range(1, 64)]


def _sublinear(count: int) -> float:
    """Return 1 + ln(count), or 0 for no occurrence."""
    return _LOG[count] if count < 64 else 1.0 + math.log(count)


Hit = tuple[str, float]


def _build_index(config: RoutingConfig) -> Index:
    """Map each keyword to (topic position, signed weight) pairs."""
    pairs: dict[str, list[tuple[int, float]]] = {}
    for position, topic in enumerate(config.topics):
        for word, weight in topic.all_keywords().items():
            pairs.setdefault(word, []).append((position, weight))
        for word, weight in topic.negative.items():
            pairs.setdefault(word, []).append((position, -weight))
    return {word: tuple(hits) for word, hits in pairs.items()}


class Classifier:
    """Route a concern to a topic and department; immutable once built."""

    def __init__(self, config: RoutingConfig, tokenizer: Any) -> None:
        self._config = config
        self._tokenizer = tokenizer
        self._index = _build_index(config)
        self._bias = [t.bias for t in config.topics]
        codes = [t.code for t in config.topics]
        self._roots = [codes.index(config.root(c)) for c in codes]
        self._root_set = sorted(set(self._roots))
        self._children: dict[int, list[int]] = {}
        for position, topic in enumerate(config.topics):
            if topic.parent is not None and topic.parent in codes:
                self._children.setdefault(codes.index(topic.parent), []).append(position)

    @property
    def config(self) -> RoutingConfig:
        """Return the routing config this classifier was built from."""
        return self._config

    def rebuilt(self, config: RoutingConfig) -> Classifier:
        """Return a classifier for config sharing this tokenizer (its words must be tokens)."""
        return Classifier(config, self._tokenizer)

    def tokens(self, text: str) -> list[str]:
        """Segment text with this classifier's own tokenizer (words and their sub-words)."""
        return segment(self._tokenizer, text)

    def _counts(self, text: str, title: str) -> tuple[Counter[str], Counter[str]]:
        """Count body tokens, and title tokens (else the plain words of the opening clause)."""
        text = text.strip()
        words = split(self._tokenizer, text)
        body = Counter(expand(self._tokenizer, words))
        if title.strip():  # a separate title: its words and sub-words, like the body
            return body, Counter(segment(self._tokenizer, title))
        head: Counter[str] = Counter()
        size, used = len(lead(text)), 0
        for word in words:
            if used >= size:
                break
            head[word] += 1
            used += len(word)
        return body, head

    def _scale(self, body: Counter[str], head: Counter[str], titled: bool) -> float:
        """Return sqrt(length_norm / distinct words), at most 1 (see Scoring.length_norm)."""
        norm = self._config.scoring.length_norm
        if norm <= 0.0:
            return 1.0
        words = len(body.keys() | head.keys()) if titled else len(body)
        return math.sqrt(norm / words) if words > norm else 1.0

    def _factors(
        self, body: Counter[str], head: Counter[str], words: Iterable[str], scale: float
    ) -> dict[str, float]:
        """Weigh words: 1 + ln(count) in the body plus title_weight times that in the title."""
        weight = self._config.scoring.title_weight
        return {w: scale * (_sublinear(body[w]) + weight * _sublinear(head[w])) for w in words}

    def found(self, text: str, title: str = "") -> dict[str, float]:
        """Map every token to its factor (see _factors); learning and evaluation use this."""
        body, head = self._counts(text, title)
        scale = self._scale(body, head, bool(title.strip()))
        return self._factors(body, head, body.keys() | head.keys(), scale)

    def topic_scores(self, found: dict[str, float]) -> tuple[list[float], list[list[Hit]]]:
        """Score every topic: its bias plus each keyword weight times its factor in found."""
        scores = list(self._bias)
        matched: list[list[Hit]] = [[] for _ in scores]
        index = self._index
        for word, factor in found.items():
            hits = index.get(word)
            if hits is None:
                continue
            for position, weight in hits:
                scores[position] += weight * factor
                matched[position].append((word, weight * factor))
        return scores, matched

    def classify(self, text: str, title: str = "") -> Route:
        """Route one concern; abstain (send to triage) when the evidence is weak or split."""
        body, head = self._counts(text, title)
        keys = self._index.keys()
        scale = self._scale(body, head, bool(title.strip()))
        words = (body.keys() & keys) | (head.keys() & keys)
        return self.route(self._factors(body, head, words, scale))

    def route(self, found: dict[str, float]) -> Route:
        """Route already segmented tokens (see found)."""
        scores, matched = self.topic_scores(found)
        topics = self._config.topics
        totals = dict.fromkeys(self._root_set, 0.0)
        hit_roots: set[int] = set()
        for position, score in enumerate(scores):
            totals[self._roots[position]] += score
            if matched[position]:
                hit_roots.add(self._roots[position])
        if not hit_roots:
            return Route("", "", 0.0, (), None, True)
        ranked = sorted(totals, key=lambda r: (-totals[r], r))
        best = ranked[0]
        second = ranked[1] if len(ranked) > 1 else None
        second_score = totals[second] if second is not None else 0.0
        temperature = self._config.scoring.temperature
        top = totals[best]
        norm = sum(math.exp((s - top) / temperature) for s in totals.values())
        confidence = 1.0 / norm
        chosen = self._descend(best, scores)
        words = [
            pair for p, pairs in enumerate(matched) if self._roots[p] == best for pair in pairs
        ]
        words.sort(key=lambda pair: (-pair[1], pair[0]))
        thresholds = self._config.thresholds
        abstained = top < thresholds.min_score or top - second_score < thresholds.min_margin * top
        runner_up = topics[second].code if second is not None and second in hit_roots else None
        return Route(
            topic=topics[chosen].code,
            department=topics[chosen].department,
            confidence=round(confidence, 4),
            matched=tuple(words),
            runner_up=runner_up,
            abstained=abstained,
        )

    def root_scores(self, found: dict[str, float]) -> list[tuple[str, float]]:
        """Return (top-level topic code, score) pairs, best first (for threshold tuning)."""
        scores, _ = self.topic_scores(found)
        totals = dict.fromkeys(self._root_set, 0.0)
        for position, score in enumerate(scores):
            totals[self._roots[position]] += score
        ranked = sorted(totals, key=lambda r: (-totals[r], r))
        return [(self._config.topics[r].code, totals[r]) for r in ranked]

    def _descend(self, position: int, scores: list[float]) -> int:
        """Move to the best finer topic while its own score reaches min_score."""
        while position in self._children:
            child = max(self._children[position], key=lambda c: scores[c])
            if scores[child] < self._config.thresholds.min_score:
                break
            position = child
        return position


def load(path: str | Path) -> Classifier:
    """Build a classifier from a routing file; raise ConfigError when it is invalid."""
    config = load_config(path)
    words = list(config.words)
    for topic in config.topics:
        words.extend(topic.keywords)
        words.extend(topic.negative)
    return Classifier(config, make_tokenizer(words))
