"""Propose a routing file learned with people's corrections, and check it does no harm.

The proposal is learned from the dev file and the corrections together. Its figures are
measured the way crossval measures them: learned on four folds of the dev file (plus every
correction), scored on the fifth, against the same learning without the corrections. A
proposal that would lower any of those held-out figures is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from classifier.crossval import TARGET, VIEWS, Routed, crossval
from classifier.dataset import Sample
from classifier.engine import Classifier
from classifier.fit import examples, learn_from_samples
from classifier.learn import LearnParams, with_learned
from classifier.metrics import Report
from classifier.render import splice_learned
from classifier.tuning import choose

# The held-out figures a proposal must not lower, per view: those routing quality is judged
# by (coverage: the share routed at a covered accuracy of at least 0.93).
GUARDED = ("macro_f1", "top3", "coverage")


@dataclass(frozen=True)
class Figures:
    """Held-out figures of both views."""

    reports: dict[str, Report]
    coverage: dict[str, float]

    @classmethod
    def of(cls, routed: dict[str, Routed]) -> Figures:
        """Score the routes of both views."""
        return cls(
            {view: got.report() for view, got in routed.items()},
            {view: choose(got.scored, TARGET).coverage for view, got in routed.items()},
        )

    def value(self, view: str, name: str) -> float:
        """Return one figure."""
        if name == "coverage":
            return self.coverage[view]
        return float(getattr(self.reports[view], name))


@dataclass(frozen=True)
class Proposal:
    """A new routing file's text and what it would do."""

    text: str
    classifier: Classifier
    corrections: int
    right_before: int  # corrections the file in force routes to the topic people chose
    right_after: int
    before: Figures | None = None  # held-out on the dev file, without and with corrections
    after: Figures | None = None
    lowered: list[str] = field(default_factory=list)

    @property
    def acceptable(self) -> bool:
        """Tell whether the proposal lowers nothing that was measured."""
        return not self.lowered


def propose(
    base: Classifier,
    text: str,
    dev: Sequence[Sample],
    corrections: Sequence[Sample],
    params: LearnParams,
    folds: int = 5,
) -> Proposal:
    """Learn from the dev file and the corrections; measure the change on held-out folds."""
    learned = learn_from_samples(base, [*dev, *corrections], params)
    note = f"{len(dev)} labelled messages and {len(corrections)} corrections"
    new_text = splice_learned(text, base.config, learned, note)
    fitted = base.rebuilt(with_learned(base.config, learned))
    proposal = Proposal(
        new_text,
        fitted,
        len(corrections),
        _right(base, corrections),
        _right(fitted, corrections),
    )
    if not dev:
        return proposal
    quick = replace(params, folds=1)  # the guarded figures do not depend on the thresholds
    items = examples(base, dev)
    extra = examples(base, corrections)
    before = Figures.of(crossval(base, items, quick, folds)[0])
    after = Figures.of(crossval(base, items, quick, folds, extra)[0])
    lowered = [
        f"{view} {name} {before.value(view, name):.4f} -> {after.value(view, name):.4f}"
        for view in VIEWS
        for name in GUARDED
        if after.value(view, name) < before.value(view, name)
    ]
    return replace(proposal, before=before, after=after, lowered=lowered)


def _right(classifier: Classifier, samples: Sequence[Sample]) -> int:
    """Count the samples the classifier routes to their labelled topic's top-level topic."""
    config = classifier.config
    right = 0
    for sample in samples:
        code = config.resolve_label(sample.label)
        route = classifier.classify(sample.text, sample.title)
        right += (
            bool(code)
            and not route.abstained
            and config.root(route.topic) == config.root(code or "")
        )
    return right


def render(proposal: Proposal) -> list[str]:
    """Describe a proposal's figures for an administrator."""
    lines = [
        f"corrections: {proposal.corrections}; routed as people chose: "
        f"{proposal.right_before} now, {proposal.right_after} with the proposal",
    ]
    if proposal.before is None or proposal.after is None:
        lines.append("no dev file given: the held-out figures were not measured")
        return lines
    lines.append("held-out figures on the dev file (without -> with the corrections):")
    for view in VIEWS:
        cells = ", ".join(
            f"{name} {proposal.before.value(view, name):.4f} -> "
            f"{proposal.after.value(view, name):.4f}"
            for name in GUARDED
        )
        lines.append(f"  {view}: {cells}")
    lines.append(
        "refused: it would lower " + "; ".join(proposal.lowered)
        if proposal.lowered
        else "accepted: no figure is lower"
    )
    return lines
