"""Learn a whole routing file from labelled messages: both keyword tables and the thresholds.

The long-message tables ([topics.learned], bias) are learned from the messages in full; the
short-message ones ([topics.learned_short], bias_short) from the messages in full and from
their titles alone, so that a one-liner is scored by weights that saw one-liners. The
abstention thresholds of each length band are then learned by cross-validation: keywords are
learned on k-1 folds, the held-out fold is scored in full, by its title, and cut to a few
lengths in between, and the thresholds are chosen on those out-of-fold scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from classifier.dataset import Sample, stratified_folds
from classifier.engine import Classifier
from classifier.learn import Learned, LearnParams, learn_keywords, with_learned
from classifier.titles import short_text
from classifier.tuning import Scored, tune

View = tuple[dict[str, float], int]
"""A message as the classifier sees it: token factors (Classifier.found) and its length."""
CUTS = (60, 100)
"""Lengths messages are cut to, to learn the thresholds of messages between a line and a letter."""


@dataclass(frozen=True)
class Example:
    """A labelled message seen in full, by its title alone, and cut to the CUTS lengths."""

    code: str
    full: View
    short: View
    cuts: tuple[View, ...] = ()


def examples(classifier: Classifier, samples: Sequence[Sample]) -> list[Example]:
    """Segment labelled samples; samples whose label is no topic are left out."""
    out = []
    for sample in samples:
        code = classifier.config.resolve_label(sample.label)
        if code is None:
            continue
        length = classifier.length(sample.text, sample.title)
        full = (classifier.found(sample.text, sample.title), length)
        title = short_text(sample.title, sample.text)
        whole = f"{sample.title}，{sample.text}" if sample.title else sample.text
        cuts = tuple((classifier.found(whole[:n]), n) for n in CUTS if len(whole) > n)
        out.append(Example(code, full, (classifier.found(title), len(title)), cuts))
    return out


def fit_tables(base: Classifier, items: Sequence[Example], params: LearnParams) -> Learned:
    """Learn the long-message and the short-message keyword tables and biases."""
    config = base.config
    sharp = replace(params, top_n=params.long_top_n, keep=params.long_top_n)
    long = learn_keywords(config, [(e.full[0], e.code) for e in items], sharp)
    both = [(view[0], e.code) for e in items for view in (e.full, e.short)]
    short = learn_keywords(config, both, params, short=True)
    return replace(
        long,
        short_keywords=short.short_keywords,
        short_bias=short.short_bias,
        short_length=params.short_length,
    )


def out_of_fold(base: Classifier, items: Sequence[Example], params: LearnParams) -> list[Scored]:
    """Score every view of every example with tables learned without its fold."""
    config = base.config
    assignment = stratified_folds([e.code for e in items], params.folds)
    scored = []
    for fold in range(params.folds):
        train = [e for e, f in zip(items, assignment, strict=True) if f != fold]
        fitted = base.rebuilt(with_learned(config, fit_tables(base, train, params)))
        for example, f in zip(items, assignment, strict=True):
            if f != fold:
                continue
            gold = config.root(example.code)
            for found, length in (example.full, example.short, *example.cuts):
                ranked = fitted.rank(found, length)
                best = ranked.topics[0][0] if ranked.topics else ""
                evidence = bool(ranked.topics)
                scored.append(Scored(length, best == gold, ranked.top, ranked.second, evidence))
    return scored


def learn_all(base: Classifier, items: Sequence[Example], params: LearnParams) -> Learned:
    """Learn both keyword tables from every example, and thresholds from out-of-fold scores."""
    learned = fit_tables(base, items, params)
    if params.folds < 2:
        return learned
    thresholds = tune(out_of_fold(base, items, params), params.bands, params.accuracy)
    return replace(learned, thresholds=thresholds)


def learn_from_samples(
    classifier: Classifier, samples: Sequence[Sample], params: LearnParams | None = None
) -> Learned:
    """Learn a routing file's keywords and thresholds from labelled samples."""
    return learn_all(classifier, examples(classifier, samples), params or LearnParams())
