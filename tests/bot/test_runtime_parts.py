"""Small parts of the running bot: pager, rate gate, token redaction, text fitting, callbacks."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest

from bot import callbacks as cb
from bot.runtime.gate import RateGate
from bot.runtime.pager import ErrorPager
from bot.runtime.redact import RedactSecrets, secrets_of
from bot.services import fit
from bot.services.errors import Refused
from bot.services.health import Health, problems_of
from bot.services.inbox import chat_key
from bot.services.intake import check_text

TOKEN = "123456:AAHsecretSECRETsecret"


class Clock:
    """A movable monotonic clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_the_pager_pages_once_per_kind_then_reports_the_count() -> None:
    sent: list[str] = []

    async def tell(text: str) -> None:
        sent.append(text)

    clock = Clock()
    pager = ErrorPager(tell, window=600, clock=clock)
    for _ in range(5):
        await pager.page("OperationalError")
    await pager.page("TimedOut")
    assert len(sent) == 2
    clock.now = 599
    await pager.flush()
    assert len(sent) == 2
    clock.now = 601
    await pager.flush()
    assert sent[-1].startswith("⚠️ 过去 10 分钟内同类错误又发生 4 次：OperationalError")
    clock.now = 1300
    await pager.flush()
    await pager.flush()
    assert len(sent) == 3
    await pager.page("OperationalError")
    assert len(sent) == 4


async def test_a_pager_that_cannot_queue_does_not_raise() -> None:
    async def broken(text: str) -> None:
        raise OSError("database away")

    await ErrorPager(broken).page("OperationalError")


def test_the_gate_allows_a_few_per_minute_per_user() -> None:
    clock = Clock()
    gate = RateGate(limit=5, period=60, clock=clock)
    assert [gate.allow(1) for _ in range(7)] == [True] * 5 + [False] * 2
    assert gate.allow(2)
    clock.now = 61
    assert gate.allow(1)


def test_the_gate_forgets_the_oldest_users_beyond_its_size() -> None:
    gate = RateGate(limit=1, period=60, max_keys=2, clock=Clock())
    assert [gate.allow(user) for user in (1, 2, 3)] == [True, True, True]
    assert gate.allow(1), "user 1 was forgotten to keep memory bounded"


def test_the_token_is_masked_in_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets(secrets_of(TOKEN)))
    log = logging.getLogger("test.redact")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("calling https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise ValueError(f"The token `{TOKEN}` was rejected by the server.")
        except ValueError:
            log.exception("start-up failed")
        log.warning("only the secret half: %s", TOKEN.partition(":")[2])
    finally:
        log.removeHandler(handler)
    output = stream.getvalue()
    assert "AAHsecret" not in output
    assert output.count("<token>") == 3
    assert "ValueError" in output


@pytest.mark.parametrize(
    ("data", "parsed"),
    [
        pytest.param("sub:12", cb.Callback("sub", 12), id="plain"),
        pytest.param("rate:7:basic", cb.Callback("rate", 7, "basic"), id="argument"),
        pytest.param("sub:²", None, id="superscript-digit"),
        pytest.param("sub:١٢", None, id="arabic-digits"),
        pytest.param("sub:2147483648", None, id="over-2^31"),
        pytest.param("sub:0", None, id="zero"),
        pytest.param("sub:-1", None, id="negative"),
        pytest.param("sub:1:a b", None, id="space-in-argument"),
        pytest.param("sub:1:\x00", None, id="nul"),
        pytest.param("nope:1", None, id="unknown-action"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="none"),
    ],
)
def test_callback_data_is_parsed_strictly(data: str | None, parsed: cb.Callback | None) -> None:
    assert cb.parse(data) == parsed


def test_long_texts_split_at_line_breaks_within_the_limit() -> None:
    text = "\n".join("行" * 100 for _ in range(100))
    parts = fit.split(text)
    assert all(fit.units(part) <= fit.MESSAGE_LIMIT for part in parts)
    assert "\n".join(parts) == text
    assert fit.split("短") == ["短"]


def test_emoji_count_twice_as_telegram_counts_them() -> None:
    text = "😀" * 3000
    assert fit.units(text) == 6000
    clipped = fit.clip(text)
    assert fit.units(clipped) <= fit.MESSAGE_LIMIT
    assert clipped.endswith("（内容过长，已截断）")


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u2060", "\ufeff\n\t"])
def test_invisible_text_is_empty(text: str) -> None:
    with pytest.raises(Refused):
        check_text(text)


@pytest.mark.parametrize(
    ("update", "key"),
    [
        pytest.param({"update_id": 1, "message": {"chat": {"id": 5}}}, 5, id="message"),
        pytest.param(
            {"update_id": 1, "callback_query": {"from": {"id": 7}, "message": {"chat": {"id": 5}}}},
            5,
            id="button",
        ),
        pytest.param({"update_id": 1, "inline_query": {"from": {"id": 7}}}, 7, id="no-chat"),
        pytest.param({"update_id": 1, "poll": {"id": "x"}}, None, id="nobody"),
    ],
)
def test_updates_are_ordered_by_chat(update: dict[str, object], key: int | None) -> None:
    assert chat_key(update) == key


def _health(**changes: object) -> Health:
    """A healthy report, changed as given."""
    values: dict[str, Any] = {
        "instances": 2, "poller": "vm:1", "poller_up_seconds": 600.0,
        "last_poll_ok_seconds": 3.0, "inbox_pending": 0, "inbox_oldest_seconds": None,
        "inbox_failed": 0, "outbox_pending": 0, "outbox_due": 0,
        "outbox_oldest_due_seconds": None, "outbox_failed": 0, "held_chats": 0,
    }  # fmt: skip
    values.update(changes)
    report = Health(**values)
    report.problems = problems_of(report)
    return report


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        pytest.param({}, None, id="healthy"),
        pytest.param({"last_poll_ok_seconds": 0.0}, None, id="fetched-just-now"),
        pytest.param(
            {"last_poll_ok_seconds": None, "poller_up_seconds": 5.0}, None, id="just-started"
        ),
        pytest.param({"instances": 0}, "no bot instance", id="nobody"),
        pytest.param({"poller": None}, "no instance is polling", id="no-poller"),
        pytest.param({"last_poll_ok_seconds": 300.0}, "polling Telegram", id="poll-failing"),
        pytest.param({"inbox_oldest_seconds": 90.0}, "inbox", id="inbox-stuck"),
        pytest.param({"outbox_oldest_due_seconds": 400.0}, "waited to be sent", id="outbox-late"),
    ],
)
def test_health_names_what_needs_an_operator(
    changes: dict[str, object], problem: str | None
) -> None:
    report = _health(**changes)
    if problem is None:
        assert report.ok, report.problems
    else:
        assert [p for p in report.problems if problem in p], report.problems


def test_desk_link_tokens_and_session_cookies_are_masked() -> None:
    redactor = RedactSecrets([])
    line = (
        "GET /desk/login?token=Abc_DEF-123456789xyz HTTP/1.1 "
        "cookie: deputybot_desk=QwErTy_0987654321-zz; other=1"
    )
    masked = redactor.redact(line)
    assert "Abc_DEF-123456789xyz" not in masked
    assert "QwErTy_0987654321-zz" not in masked
    assert masked.count("<token>") == 2
    assert "other=1" in masked
