"""The JSON contract with the 12345 platform: what it reports to us, what we send it.

Inbound (`POST /hotline/events`): one event about one work order, by its code (our tracking
number). Outbound: a work order (`POST {base}/workorders`) and further events on the same
code (`POST {base}/workorders/{code}/events`). Every answer, both ways, is
`{"success": bool, "code": str, "message": str}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.domain.hotline import NEEDS_TEXT, REPORT_NAMES, Report

MAX_TEXT = 4000
# Every model's validator is built on its first use (defer_build), not at start-up.


class PlatformEvent(BaseModel):
    """One progress report from the platform about a work order."""

    model_config = ConfigDict(
        extra="ignore", frozen=True, str_strip_whitespace=True, defer_build=True
    )

    event_id: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$",
        description="the platform's unique id of this event; a repeat is acknowledged and ignored",
    )  # fmt: skip
    code: str = Field(min_length=1, max_length=32, description="the work-order code (编号)")
    type: Report = Field(
        description="accepted/受理, progress/进展, answered/办结, returned/退回, extended/延期"
    )
    at: AwareDatetime = Field(
        description="when it happened on the platform (处理时间), with offset"
    )
    handler: str | None = Field(None, max_length=64, description="the person (处理人员)")
    unit: str | None = Field(None, max_length=64, description="the unit (处理单位)")
    text: str | None = Field(None, max_length=MAX_TEXT, description="progress, answer or reason")
    deadline: AwareDatetime | None = Field(None, description="the new answer deadline (延期)")

    @field_validator("type", mode="before")
    @classmethod
    def _named(cls, value: Any) -> Any:
        """Accept the Chinese names of the reports."""
        if isinstance(value, str) and value.strip() in REPORT_NAMES:
            return REPORT_NAMES[value.strip()]
        return value

    @model_validator(mode="after")
    def _complete(self) -> PlatformEvent:
        """Require what each report carries: a text, a name, a deadline."""
        if self.type in NEEDS_TEXT and not self.text:
            raise ValueError(f"a {self.type.value} event needs a text")
        if self.type is Report.ACCEPTED and not (self.handler or self.unit):
            raise ValueError("an accepted event needs the handler's name or unit")
        if self.type is Report.EXTENDED and self.deadline is None:
            raise ValueError("an extended event needs the new deadline")
        return self

    @property
    def who(self) -> str:
        """Return the person and unit as one label."""
        return " ".join(part for part in (self.unit, self.handler) if part)


class PlatformEvents(BaseModel):
    """What the platform answers when asked for a work order's events (the poll)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    events: list[PlatformEvent] = Field(default_factory=list)


class Answer(BaseModel):
    """The answer to every request, both ways."""

    model_config = ConfigDict(defer_build=True)

    success: bool
    code: str = Field(description="ok, duplicate, late, or why the request was refused")
    message: str = ""


def iso(moment: datetime | None) -> str | None:
    """Return an ISO 8601 time with its offset, or None."""
    return moment.isoformat(timespec="seconds") if moment else None
