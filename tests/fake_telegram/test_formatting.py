"""HTML rendering into text and entities, matching Telegram's parser."""

from __future__ import annotations

from typing import Any

import pytest

from bot.fake_telegram.errors import ApiError
from bot.fake_telegram.formatting import command_entities, parse_html


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        pytest.param("plain", "plain", [], id="plain"),
        pytest.param("<b>a</b>b", "ab", [{"type": "bold", "offset": 0, "length": 1}], id="bold"),
        pytest.param("&lt;&amp;&gt;&quot;&#65;", '<&>"A', [], id="escapes"),
        pytest.param(
            '😀<a href="https://x.y">l</a>',
            "😀l",
            [{"type": "text_link", "offset": 2, "length": 1, "url": "https://x.y"}],
            id="utf16-offsets",
        ),
        pytest.param(
            '<pre><code class="language-py">x</code></pre>',
            "x",
            [{"type": "pre", "offset": 0, "length": 1, "language": "py"}],
            id="pre-language",
        ),
        pytest.param(
            "<i><u>x</u></i>",
            "x",
            [
                {"type": "italic", "offset": 0, "length": 1},
                {"type": "underline", "offset": 0, "length": 1},
            ],
            id="nested",
        ),
    ],
)
def test_parse_html(source: str, text: str, entities: list[dict[str, Any]]) -> None:
    assert parse_html(source) == (text, entities)


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        pytest.param("a < b", "Unexpected end of name token at byte offset 2", id="bare-lt"),
        pytest.param("<div>x</div>", 'Unsupported start tag "div"', id="unknown-tag"),
        pytest.param("<b>x</i>", 'Unmatched end tag, expected "</b>", found "</i>"', id="mismatch"),
        pytest.param("<b>x", 'start tag "b"', id="unclosed"),
    ],
)
def test_parse_html_errors(source: str, detail: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_html(source)
    assert caught.value.error_code == 400
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")
    assert detail in caught.value.description


@pytest.mark.parametrize(
    ("text", "length"),
    [
        pytest.param("/start abc", 6, id="with-args"),
        pytest.param("/help@deputy_test_bot", 21, id="with-username"),
        pytest.param("hello /start", None, id="not-leading"),
    ],
)
def test_command_entities(text: str, length: int | None) -> None:
    expected = [{"type": "bot_command", "offset": 0, "length": length}] if length else []
    assert command_entities(text) == expected
