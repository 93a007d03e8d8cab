"""Parse Telegram HTML formatting into plain text and message entities."""

from __future__ import annotations

import re
from typing import Any

from .errors import ApiError, bad_request

ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
TAG = re.compile(r"<(/?)([^\s>/]*)([^>]*)>")
ESCAPE = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d+)|#x([0-9a-fA-F]+));")
ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def utf16_len(text: str) -> int:
    """Count UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _fail(source: str, index: int, detail: str) -> ApiError:
    offset = len(source[:index].encode())
    return bad_request(f"can't parse entities: {detail} at byte offset {offset}")


def _attrs(raw: str) -> dict[str, str]:
    return {m[1].lower(): m[2] or m[3] or m[4] or "" for m in ATTR.finditer(raw)}


def _entity(name: str, attrs: dict[str, str], offset: int, length: int) -> dict[str, Any]:
    kind = ENTITY_TYPES[name]
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    if kind == "text_link":
        entity["url"] = attrs.get("href", "")
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    elif kind == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "pre" and attrs.get("language"):
        entity["language"] = attrs["language"]
    return entity


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Render HTML like Telegram: return (text, entities) or raise a 400."""
    out: list[str] = []
    entities: list[tuple[int, dict[str, Any]]] = []
    stack: list[tuple[str, int, dict[str, str]]] = []
    opened = 0
    units = 0
    i = 0
    while i < len(source):
        char = source[i]
        if char == "<":
            match = TAG.match(source, i)
            if match is None:
                raise _fail(source, i, "Unexpected end of name token")
            closing, name = match[1], match[2].lower()
            if name not in ENTITY_TYPES:
                kind = "end" if closing else "start"
                raise _fail(source, i, f'Unsupported {kind} tag "{name}"')
            if not closing:
                attrs = _attrs(match[3])
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise _fail(source, i, 'Tag "span" must have class "tg-spoiler"')
                attrs["#"] = str(opened)
                opened += 1
                stack.append((name, units, attrs))
            else:
                if not stack or stack[-1][0] != name:
                    expected = f'expected "</{stack[-1][0]}>", ' if stack else ""
                    raise _fail(source, i, f'Unmatched end tag, {expected}found "</{name}>"')
                _, start, attrs = stack.pop()
                language = attrs.get("class", "").removeprefix("language-")
                if name == "code" and stack and stack[-1][0] == "pre" and language:
                    stack[-1][2]["language"] = language
                elif units > start:
                    order = int(attrs["#"])
                    entities.append((order, _entity(name, attrs, start, units - start)))
            i = match.end()
            continue
        if char == "&" and (escape := ESCAPE.match(source, i)):
            if escape[1]:
                char = NAMED[escape[1]]
            else:
                char = chr(int(escape[2]) if escape[2] else int(escape[3], 16))
            i = escape.end()
        else:
            i += 1
        out.append(char)
        units += utf16_len(char)
    if stack:
        name = stack[-1][0]
        raise bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{name}\""
        )
    entities.sort(key=lambda item: (item[1]["offset"], -item[1]["length"], item[0]))
    return "".join(out), [entity for _, entity in entities]


def render(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Apply a parse mode; only HTML is interpreted, other modes keep the text as sent."""
    if parse_mode and parse_mode.upper() == "HTML":
        return parse_html(text)
    return text, []


def command_entities(text: str) -> list[dict[str, Any]]:
    """Return the bot_command entity Telegram adds for a leading /command."""
    match = re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?", text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match[0])}]
