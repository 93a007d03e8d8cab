"""Exceptions services raise for the handlers to turn into a reply."""

from __future__ import annotations


class Refused(Exception):
    """The request is not allowed or no longer valid; `text` tells the user why."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text
