"""Settings: defaults, parsing, and one clear line naming a bad setting."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings
from classifier import SHIPPED_ROUTING


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    """Start every case from an empty environment and no .env file."""
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "DEPUTYBOT_DATABASE_URL",
        "DEPUTYBOT_TELEGRAM_API_URL",
        "DEPUTYBOT_ROUTING",
        "DEPUTYBOT_ADMIN_IDS",
        "DEPUTYBOT_TIMEZONE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(str(tmp_path))


def test_defaults() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///deputybot.db"
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.routing == str(SHIPPED_ROUTING)
    assert settings.admin_ids == frozenset()
    assert settings.timezone == "Asia/Shanghai"
    assert settings.token is None


def test_values_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPUTYBOT_ADMIN_IDS", " 11, 22 ,33")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc-DEF")
    monkeypatch.setenv("DEPUTYBOT_TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    settings = load_settings()
    assert settings.admin_ids == frozenset({11, 22, 33})
    assert settings.token == "123:abc-DEF"
    assert settings.telegram_api_url == "http://127.0.0.1:8081"
    assert "abc-DEF" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("DEPUTYBOT_ADMIN_IDS", "12,zhang", id="admin-ids-not-numbers"),
        pytest.param("TELEGRAM_BOT_TOKEN", "not-a-token", id="token-shape"),
        pytest.param("DEPUTYBOT_TIMEZONE", "Mars/Olympus", id="unknown-timezone"),
        pytest.param("DEPUTYBOT_DATABASE_URL", "sqlite:///x.db", id="sync-driver"),
        pytest.param("DEPUTYBOT_TELEGRAM_API_URL", "ftp://x", id="api-url-scheme"),
    ],
)
def test_bad_setting_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert name in message
    assert "\n" not in message
    if name == "TELEGRAM_BOT_TOKEN":
        assert value not in message


SECRET_NAME, URL_NAME = "DEPUTYBOT_WEBHOOK_SECRET", "DEPUTYBOT_WEBHOOK_URL"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        pytest.param({}, SECRET_NAME, id="webhook-without-secret"),
        pytest.param({SECRET_NAME: "has space"}, SECRET_NAME, id="secret-shape"),
        pytest.param({SECRET_NAME: "short-secret"}, SECRET_NAME, id="secret-too-short"),
        pytest.param({URL_NAME: "bot.example.org/hook"}, URL_NAME, id="url-scheme"),
    ],
)
def test_webhook_mode_needs_an_https_url_and_its_secret(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    monkeypatch.setenv("DEPUTYBOT_WEBHOOK_URL", "https://bot.example.org/telegram/webhook")
    monkeypatch.delenv("DEPUTYBOT_WEBHOOK_SECRET", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert named in message
    assert "\n" not in message
    assert "has space" not in message


def test_webhook_mode_keeps_its_secret_out_of_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPUTYBOT_WEBHOOK_URL", "https://bot.example.org/telegram/webhook/")
    monkeypatch.setenv("DEPUTYBOT_WEBHOOK_SECRET", "S3cret_token-value")
    settings = load_settings()
    assert settings.webhook_url == "https://bot.example.org/telegram/webhook"
    assert "S3cret_token-value" not in repr(settings)
