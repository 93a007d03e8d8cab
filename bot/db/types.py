"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

E = TypeVar("E", bound=StrEnum)


class UTCDateTime(TypeDecorator[datetime]):
    """Store naive UTC, always hand back timezone-aware UTC (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Convert an aware datetime to naive UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Attach UTC to the stored naive datetime."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


class StrEnumType(TypeDecorator[E]):
    """Store a StrEnum as its string value and hand back the member."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> Any:
        """Store the member's value; refuse a string that is no member."""
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        """Return the member for the stored value."""
        return None if value is None else self.enum(value)


def one_of(column: str, enum: type[StrEnum], *extra: str, nullable: bool = False) -> str:
    """Return the SQL of a CHECK that a column holds one of the enum's values."""
    values = ", ".join(f"'{v}'" for v in [*(m.value for m in enum), *extra])
    check = f"{column} IN ({values})"
    return f"{check} OR {column} IS NULL" if nullable else check
