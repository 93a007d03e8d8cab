"""Callback data carried by inline buttons: `<action>:<item id>[:<argument>]`."""

from __future__ import annotations

from dataclasses import dataclass

Buttons = list[list[tuple[str, str]]]

SUBMIT = "sub"
RECLASSIFY = "cls"
TOPIC = "top"
CANCEL = "can"
ACK = "ack"
RETURN = "ret"
ANSWER = "ans"
PROGRESS = "prg"
RATE = "rate"
ROUTE = "route"
TRIAGE_DRAFT = "tri"
URGENT = "urg"
OPEN = "open"
EXTEND = "ext"
APPROVE = "apv"
LOOKBACK = "look"

ACTIONS = (
    SUBMIT,
    RECLASSIFY,
    TOPIC,
    CANCEL,
    ACK,
    RETURN,
    ANSWER,
    PROGRESS,
    RATE,
    ROUTE,
    TRIAGE_DRAFT,
    URGENT,
    OPEN,
    EXTEND,
    APPROVE,
    LOOKBACK,
)


@dataclass(frozen=True)
class Callback:
    """A parsed button press."""

    action: str
    item_id: int
    argument: str = ""


def make(action: str, item_id: int, argument: str = "") -> str:
    """Build callback data for a button (at most 64 bytes)."""
    data = f"{action}:{item_id}:{argument}" if argument else f"{action}:{item_id}"
    if len(data.encode()) > 64:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def parse(data: str | None) -> Callback | None:
    """Parse callback data; None when it is not ours or malformed."""
    if not data:
        return None
    action, _, rest = data.partition(":")
    item, _, argument = rest.partition(":")
    if action not in ACTIONS or not item.isdigit():
        return None
    return Callback(action, int(item), argument)


def pattern(action: str) -> str:
    """Return the regex a CallbackQueryHandler uses for one action."""
    return rf"^{action}:\d+(:[\w-]+)?$"
