"""Settings read from the environment or a `.env` file."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from classifier import SHIPPED_ROUTING

OFFICIAL_API_ROOT = "https://api.telegram.org"

_ENV_NAMES = {
    "telegram_bot_token": "TELEGRAM_BOT_TOKEN",
    "database_url": "DEPUTYBOT_DATABASE_URL",
    "telegram_api_url": "DEPUTYBOT_TELEGRAM_API_URL",
    "routing": "DEPUTYBOT_ROUTING",
    "admin_ids": "DEPUTYBOT_ADMIN_IDS",
    "timezone": "DEPUTYBOT_TIMEZONE",
    "bot_username": "DEPUTYBOT_BOT_USERNAME",
    "poll_stall_seconds": "DEPUTYBOT_POLL_STALL_SECONDS",
    "retention_days": "DEPUTYBOT_RETENTION_DAYS",
    "hotline_url": "DEPUTYBOT_HOTLINE_URL",
    "hotline_app_id": "DEPUTYBOT_HOTLINE_APP_ID",
    "hotline_secret": "DEPUTYBOT_HOTLINE_SECRET",
    "hotline_poll_seconds": "DEPUTYBOT_HOTLINE_POLL_SECONDS",
    "http_listen": "DEPUTYBOT_HTTP_LISTEN",
    "public_url": "DEPUTYBOT_PUBLIC_URL",
    "webhook_url": "DEPUTYBOT_WEBHOOK_URL",
    "webhook_secret": "DEPUTYBOT_WEBHOOK_SECRET",
    "learn_data": "DEPUTYBOT_LEARN_DATA",
}


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN")
    )
    database_url: str = Field(
        default="sqlite+aiosqlite:///deputybot.db",
        validation_alias=AliasChoices("DEPUTYBOT_DATABASE_URL"),
    )
    telegram_api_url: str = Field(
        default=OFFICIAL_API_ROOT, validation_alias=AliasChoices("DEPUTYBOT_TELEGRAM_API_URL")
    )
    routing: str = Field(
        default=str(SHIPPED_ROUTING), validation_alias=AliasChoices("DEPUTYBOT_ROUTING")
    )
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(), validation_alias=AliasChoices("DEPUTYBOT_ADMIN_IDS")
    )
    timezone: str = Field(
        default="Asia/Shanghai", validation_alias=AliasChoices("DEPUTYBOT_TIMEZONE")
    )
    bot_username: str | None = Field(
        default=None, validation_alias=AliasChoices("DEPUTYBOT_BOT_USERNAME")
    )
    poll_stall_seconds: float = Field(
        default=180.0, ge=5, validation_alias=AliasChoices("DEPUTYBOT_POLL_STALL_SECONDS")
    )
    retention_days: int = Field(
        default=30, ge=1, validation_alias=AliasChoices("DEPUTYBOT_RETENTION_DAYS")
    )

    hotline_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DEPUTYBOT_HOTLINE_URL")
    )
    hotline_app_id: str | None = Field(
        default=None, validation_alias=AliasChoices("DEPUTYBOT_HOTLINE_APP_ID")
    )
    hotline_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DEPUTYBOT_HOTLINE_SECRET")
    )
    hotline_poll_seconds: float = Field(
        default=0.0, ge=0, validation_alias=AliasChoices("DEPUTYBOT_HOTLINE_POLL_SECONDS")
    )
    http_listen: str = Field(
        default="127.0.0.1:8080", validation_alias=AliasChoices("DEPUTYBOT_HTTP_LISTEN")
    )
    public_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DEPUTYBOT_PUBLIC_URL")
    )
    webhook_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DEPUTYBOT_WEBHOOK_URL")
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("DEPUTYBOT_WEBHOOK_SECRET"),
        validate_default=True,
    )

    learn_data: str | None = Field(
        default=None, validation_alias=AliasChoices("DEPUTYBOT_LEARN_DATA")
    )

    @field_validator(
        "hotline_url", "hotline_app_id", "hotline_secret", "public_url", "webhook_url",
        "webhook_secret", "learn_data", mode="before",
    )  # fmt: skip
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        """Treat an empty optional setting as not set."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("hotline_url", "public_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        """Require an http(s) URL, kept without a trailing slash."""
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_shape(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        """Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and -; we want 16 at least.

        The secret is all that proves a push came from Telegram, so it must not be guessable.
        """
        if value is None:
            if info.data.get("webhook_url"):
                raise ValueError("required when DEPUTYBOT_WEBHOOK_URL is set")
            return None
        secret = value.get_secret_value()
        if not (
            16 <= len(secret) <= 256
            and all(c.isascii() and (c.isalnum() or c in "_-") for c in secret)
        ):
            raise ValueError(
                "use 16-256 characters: letters, digits, _ and - (openssl rand -hex 32)"
            )
        return value

    @field_validator("http_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        """Require host:port (port 0 picks a free one)."""
        host, sep, port = value.rpartition(":")
        if not (sep and host and port.isdigit() and int(port) < 65536):
            raise ValueError("expected host:port, e.g. 127.0.0.1:8080")
        return value

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        """Treat an empty token as no token."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        """Check the token looks like `<digits>:<secret>` without echoing it."""
        if value is None:
            return None
        head, sep, tail = value.get_secret_value().partition(":")
        if not (sep and head.isdigit() and tail):
            raise ValueError("expected the form <digits>:<secret> from @BotFather")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        """Parse a comma-separated list of Telegram user ids."""
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            bad = [p for p in parts if not p.lstrip("-").isdigit()]
            if bad:
                raise ValueError(f"not a Telegram user id: {bad[0]!r}")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        """Reject time zones the system does not know."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        """Require an async driver the bot ships with."""
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///FILE or postgresql+asyncpg://HOST/DB")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _http_root(cls, value: str) -> str:
        """Require an http(s) root without a trailing slash."""
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @property
    def tz(self) -> ZoneInfo:
        """Return the configured time zone."""
        return ZoneInfo(self.timezone)

    @property
    def listen(self) -> tuple[str, int]:
        """Return the HTTP server's host and port."""
        host, _, port = self.http_listen.rpartition(":")
        return host.strip("[]"), int(port)

    @property
    def hotline_configured(self) -> bool:
        """Tell whether the 12345 platform can be reached (URL, app id and secret all set)."""
        return bool(self.hotline_url and self.hotline_app_id and self.hotline_secret)

    @property
    def token(self) -> str | None:
        """Return the bot token, or None when running offline."""
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning a validation failure into one line naming the setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        name = _ENV_NAMES.get(field, field)
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"setting {name} is invalid: {message}") from None


if __name__ == "__main__":
    # `python -m bot.settings`: exit 0 when a token is configured (make run uses it).
    import sys

    try:
        sys.exit(0 if load_settings().token else 1)
    except SettingsError as exc:
        print(f"deputybot: {exc}", file=sys.stderr)
        sys.exit(1)
