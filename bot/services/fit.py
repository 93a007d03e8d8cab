"""Fit texts to Telegram's limits before they are queued, so no call fails for length."""

from __future__ import annotations

from bot import texts

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024


def units(text: str) -> int:
    """Return a text's length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Cut a text to the limit, saying that it was cut."""
    if units(text) <= limit:
        return text
    room = limit - units(texts.MESSAGE_CLIPPED)
    return _head(text, room).rstrip() + texts.MESSAGE_CLIPPED


def split(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split a text into messages within the limit, at line breaks where possible."""
    parts: list[str] = []
    rest = text
    while units(rest) > limit:
        head = _head(rest, limit)
        cut = head.rfind("\n")
        if cut > len(head) // 2:
            head = head[:cut]
        parts.append(head.rstrip("\n"))
        rest = rest[len(head) :].lstrip("\n")
    if rest or not parts:
        parts.append(rest)
    return parts


def _head(text: str, limit: int) -> str:
    """Return the longest prefix of the text within `limit` UTF-16 units."""
    count = 0
    for index, char in enumerate(text):
        count += 2 if ord(char) > 0xFFFF else 1
        if count > limit:
            return text[:index]
    return text
