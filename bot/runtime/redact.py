"""Keep the bot token out of every log line, traceback and exception text."""

from __future__ import annotations

import logging
import re

MASK = "<token>"
# Desk sign-in tokens in links and session cookies, masked whatever their value.
DESK_TOKENS = re.compile(r"(token=|deputybot_desk=)[A-Za-z0-9_\-]{8,}")


class RedactSecrets(logging.Filter):
    """Replace secrets in a record's message and traceback before any handler writes it."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """Return the text with every secret masked."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return DESK_TOKENS.sub(rf"\1{MASK}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the record's message and traceback now, masked."""
        record.msg = self.redact(record.getMessage())
        record.args = ()
        if record.exc_info:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self.redact(formatted)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def secrets_of(token: str | None) -> list[str]:
    """Return the strings to mask for a bot token: the whole token and its secret half."""
    if not token:
        return []
    return [token, token.partition(":")[2]]


def install(token: str | None) -> None:
    """Attach the filter to every handler of the root logger (desk tokens even without one)."""
    redactor = RedactSecrets(secrets_of(token))
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)


def mask(*secrets: str) -> None:
    """Mask more secrets (the webhook's secret token) in every log line from now on."""
    found = [secret for secret in secrets if secret]
    if not found:
        return
    redactor = RedactSecrets(found)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
