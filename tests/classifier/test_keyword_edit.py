"""Editing one keyword of a routing file keeps everything else as it was."""

from __future__ import annotations

import pytest

from classifier.keyword_edit import EditError, remove_keyword, set_keyword
from classifier.loader import parse_config
from tests.conftest import ROUTING

TEXT = ROUTING.read_text(encoding="utf-8")
CONFIG = parse_config(TEXT, ROUTING)


def _changed(old: str, new: str) -> tuple[list[str], list[str]]:
    """Return the lines only in old, and those only in new."""
    before, after = old.splitlines(), new.splitlines()
    gone = [line for line in before if line not in after]
    return gone, [line for line in after if line not in before]


def test_a_new_keyword_is_one_added_line_and_loads() -> None:
    new = set_keyword(TEXT, CONFIG, "城乡建设", "飞线充电", 2.5)
    assert _changed(TEXT, new) == ([], ['"飞线充电" = 2.5'])
    topic = parse_config(new, ROUTING).topic("urban_rural")
    assert topic is not None
    assert topic.keywords["飞线充电"] == 2.5


def test_a_learned_word_becomes_curated_with_its_new_weight() -> None:
    topic = CONFIG.topic("urban_rural")
    assert topic is not None
    word = next(w for w in topic.learned if w not in topic.keywords)
    new = set_keyword(TEXT, CONFIG, "urban_rural", word, 3)
    config = parse_config(new, ROUTING).topic("urban_rural")
    assert config is not None
    assert config.keywords[word] == 3
    assert word not in config.learned
    assert word not in config.learned_short


def test_reweighing_and_removing_change_only_that_keyword() -> None:
    added = set_keyword(TEXT, CONFIG, "城乡建设", "飞线充电", 2)
    config = parse_config(added, ROUTING)
    reweighed = set_keyword(added, config, "城乡建设", "飞线充电", 4)
    assert _changed(added, reweighed) == (['"飞线充电" = 2'], ['"飞线充电" = 4'])
    assert remove_keyword(reweighed, config, "城乡建设", "飞线充电") == TEXT


@pytest.mark.parametrize(
    ("topic", "word"),
    [pytest.param("没有", "物业", id="topic"), pytest.param("城乡建设", "不存在的词", id="word")],
)
def test_unknown_topics_and_words_are_refused(topic: str, word: str) -> None:
    with pytest.raises(EditError):
        remove_keyword(TEXT, CONFIG, topic, word)
