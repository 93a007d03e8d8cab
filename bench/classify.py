"""Time Classifier.classify against bare jieba.lcut on the same messages, in one run.

Usage: python bench/classify.py [--routing config/routing.toml] [--data CSV] [--repeat 5]
Prints throughputs and the ratio classify / lcut (the target is >= 0.9), and the load time.
Without ../shared/data it times synthetic messages built from the routing file's keywords.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import jieba  # noqa: E402

from classifier import load  # noqa: E402

DEV = ROOT / ".." / "shared" / "data" / "teddy2020c-dev.csv"
FILLER = "我们这里的情况已经持续很久了，希望有关部门能够尽快过来看看并且给一个说法，谢谢。"


def messages(data: Path, keywords: list[str], limit: int) -> list[str]:
    """Return real messages when the dev file is present, else synthetic ones."""
    if data.is_file():
        with data.open(encoding="utf-8", newline="") as handle:
            rows = [row["text"] for row in csv.DictReader(handle)]
        return rows[:limit]
    rng = random.Random(7)
    return ["".join(rng.sample(keywords, 6)) + FILLER * rng.randint(1, 8) for _ in range(limit)]


def best_of(repeat: int, *runs: Callable[[], object]) -> list[float]:
    """Time the runs in turn (interleaved, so machine noise hits all alike); best of each."""
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for index, run in enumerate(runs):
            start = time.perf_counter()
            run()
            times[index].append(time.perf_counter() - start)
    return [min(each) for each in times]


def main() -> int:
    """Run the benchmark and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--routing", type=Path, default=ROOT / "config" / "routing.toml")
    parser.add_argument("--data", type=Path, default=DEV)
    parser.add_argument("--limit", type=int, default=2316)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    classifier = load(args.routing)
    load_seconds = time.perf_counter() - start
    jieba.setLogLevel(30)
    jieba.initialize()

    words = [w for t in classifier.config.topics for w in t.all_keywords()]
    texts = messages(args.data, words, args.limit)
    chars = sum(len(t) for t in texts)
    for text in texts[:50]:  # warm both paths
        classifier.classify(text)
        jieba.lcut(text)

    classify_s, lcut_s, plain_s = best_of(
        args.repeat,
        lambda: [classifier.classify(t) for t in texts],
        lambda: [jieba.lcut(t) for t in texts],
        lambda: [jieba.lcut(t, HMM=False) for t in texts],
    )
    print(f"messages: {len(texts)} ({chars} characters), best of {args.repeat}")
    print(f"load classifier: {load_seconds:.3f} s (jieba cache warm after the first run)")
    print(f"Classifier.classify: {len(texts) / classify_s:9.0f} msg/s")
    print(f"jieba.lcut:          {len(texts) / lcut_s:9.0f} msg/s")
    print(f"jieba.lcut(HMM=False): {len(texts) / plain_s:7.0f} msg/s (for reference)")
    ratio = lcut_s / classify_s
    print(f"throughput ratio classify / lcut: {ratio:.2f} (target >= 0.9)")
    print(f"median message length: {statistics.median(len(t) for t in texts):.0f} characters")
    return 0 if ratio >= 0.9 else 1


if __name__ == "__main__":
    raise SystemExit(main())
