"""Callback data carried by inline buttons: `<action>:<item id>[:<argument>]`."""

from __future__ import annotations

import re
from dataclasses import dataclass

Buttons = list[list[tuple[str, str]]]

# Item ids are 32-bit integer keys; anything else in a button is forged.
MAX_ID = 2**31 - 1
_SHAPE = re.compile(
    r"(?P<action>[a-z]{2,8}):(?P<item>[0-9]{1,10})(?::(?P<argument>[A-Za-z0-9_-]{1,40}))?"
)

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
TRANSFER = "tfr"
TRANSFER_TO = "tft"
TRANSFER_DECIDE = "tfa"
LEARN = "lrn"  # 应用 / 放弃 a /learn proposal (its id instead of an item's)

# Buttons that act on an item (each maps to a domain action, handlers/buttons.py).
ITEM_ACTIONS = (
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
    TRANSFER,
    TRANSFER_TO,
    TRANSFER_DECIDE,
)
ACTIONS = (*ITEM_ACTIONS, LEARN)


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
    """Parse callback data strictly; None when it is not ours, malformed or out of range."""
    if not data or len(data) > 64 or not data.isascii():
        return None
    match = _SHAPE.fullmatch(data)
    if match is None or match["action"] not in ACTIONS:
        return None
    item = int(match["item"])
    if not 1 <= item <= MAX_ID:
        return None
    return Callback(match["action"], item, match["argument"] or "")
