"""The trie-backed tokenizer cuts exactly as jieba does, with the same dictionary and words."""

from __future__ import annotations

import csv
import logging
import random
from pathlib import Path

import jieba
import pytest

from classifier import Classifier
from classifier.dictionary import Frequencies, base_dictionary
from classifier.tokens import expand, make_tokenizer, split
from tests.classifier.conftest import DEV_CSV

MIXED = (
    "12345热线：小区3号楼电梯坏了，WiFi也连不上！物业说要等到下周二……",
    "急急急急急，门口的下水道堵了 2 天了，味道很大。",
    "K8县城关镇的路灯 LED 灯坏了 10 盏，晚上 8:30 以后一片漆黑",
    "学校食堂卫生差、校园周边交通拥堵；希望教育局、交警大队尽快处理。",
    "",
    "   ",
    "a",
    "无",
)


def _texts(classifier: Classifier) -> list[str]:
    """Return real messages when the dev file is present, and always made-up ones."""
    rng = random.Random(11)
    words = [w for t in classifier.config.topics for w in t.all_keywords()]
    made = ["".join(rng.sample(words, 8)) + "，希望有关部门尽快处理。" for _ in range(300)]
    if DEV_CSV.is_file():
        with Path(DEV_CSV).open(encoding="utf-8", newline="") as handle:
            made += [row["text"] for row in csv.DictReader(handle)]
    return [*MIXED, *made]


@pytest.fixture(scope="module")
def reference(shipped: Classifier) -> jieba.Tokenizer:
    """Return plain jieba with its own dictionary and the routing file's words added."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in (w for t in shipped.config.topics for w in t.all_keywords()):
        if len(word) > 1 and not word.isascii() and not tokenizer.FREQ.get(word):
            tokenizer.add_word(word)
    return tokenizer


def test_cuts_and_sub_words_match_jieba(shipped: Classifier, reference: jieba.Tokenizer) -> None:
    ours = make_tokenizer(w for t in shipped.config.topics for w in t.all_keywords())
    assert ours.total == reference.total
    texts = _texts(shipped)
    differ = [t for t in texts if split(ours, t) != split(reference, t)]
    assert differ == []
    for text in texts[:400]:
        words = split(reference, text)
        assert expand(ours.FREQ.is_word, words) == expand(
            lambda w: bool(reference.FREQ.get(w)), words
        )


def test_frequencies_answer_as_jiebas_dict(reference: jieba.Tokenizer) -> None:
    freq = Frequencies(base_dictionary())
    for key in ("路灯", "路", "中华人民共和", "中华人民共和国", "不存在的词语", "x", "物业管理"):
        assert freq.get(key) == reference.FREQ.get(key)
        assert (key in freq) == (key in reference.FREQ)
    with pytest.raises(KeyError):
        freq["不存在的词语"]
    freq["新造词语"] = 5
    assert freq.get("新造词语") == 5
    with pytest.raises(ValueError, match="dictionary already"):
        freq["路灯"] = 3


def test_the_dictionary_is_mapped_once_and_built_in_memory_where_it_cannot_be_cached(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    base = base_dictionary()
    assert base_dictionary() is base  # one per process, shared by every classifier
    assert len(base.trie) > 300_000
    assert base.longest == 16
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path / "missing"))
    kept = base_dictionary.__wrapped__()
    assert (len(kept.trie), kept.total, kept.longest) == (len(base.trie), base.total, 16)
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path))
    fresh = base_dictionary.__wrapped__()
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".freq", ".logs", ".trie"]
    assert fresh.freqs == base.freqs
    assert fresh.logs == kept.logs  # read from the file as computed in memory
