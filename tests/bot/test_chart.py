"""The summary chart: a PNG that decodes, with the CJK font that pip installs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.services import chart
from bot.services.chart import cjk_font, render_chart
from bot.services.summary import HotSpot, Overdue, Summary
from bot.services.summary_text import Names

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 7, tzinfo=TZ).astimezone(UTC)
NAMES = Names(
    topics={"urban_rural": "城乡建设", "environment": "环境保护"},
    departments={"housing": "住房和城乡建设局", "ecology": "生态环境局"},
)


def make_summary(received: int) -> Summary:
    """Build a summary by hand: a busy week, or an empty one."""
    busy = received > 0
    return Summary(
        start=START,
        end=START + timedelta(days=7),
        now=START + timedelta(days=8),
        tz=TZ,
        received=received,
        closed=received // 2,
        by_topic={"urban_rural": 7, "environment": 4, "": 1} if busy else {},
        by_department={"housing": 7, "ecology": 4, "": 1} if busy else {},
        by_district={"岳麓区": 12} if busy else {},
        by_level={"市": 12} if busy else {},
        ack_due=10 if busy else 0,
        ack_in_time=9 if busy else 0,
        rated=4 if busy else 0,
        ratings={"satisfied": 3, "basic": 1, "unsatisfied": 0},
        median_ack_hours=2.5 if busy else None,
        median_answer_hours=30.0 if busy else None,
        overdue=(Overdue("261207-0001", "housing", 12.0),) if busy else (),
        hot_topics=(HotSpot("urban_rural", 7, 2, 2.5),) if busy else (),
        hot_districts=(),
        recurrences={},
        previous_received=3,
    )


def decode(png: bytes) -> Image.Image:
    """Decode a PNG, checking its signature."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Pretend no CJK font package is installed."""
    monkeypatch.setattr(chart, "CJK_FONTS", (("no_such_font_package", "x.ttf"),))
    cjk_font.cache_clear()
    yield
    cjk_font.cache_clear()


def test_the_installed_cjk_font_is_found() -> None:
    assert cjk_font() == "WenQuanYi Micro Hei"


@pytest.mark.parametrize("received", [pytest.param(12, id="busy"), pytest.param(0, id="empty")])
def test_chart_is_a_sane_png(received: int) -> None:
    image = decode(render_chart(make_summary(received), NAMES))
    assert image.format == "PNG"
    assert image.size == (1100, 750)
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None
    assert len(colours) > 20  # more than a blank canvas


def test_a_plain_mapping_names_both_kinds() -> None:
    image = decode(render_chart(make_summary(12), {"housing": "住建", "urban_rural": "城建"}))
    assert image.size == (1100, 750)


def test_without_a_cjk_font_codes_are_drawn(
    no_cjk_font: None, caplog: pytest.LogCaptureFixture
) -> None:
    image = decode(render_chart(make_summary(12), NAMES))
    assert image.size == (1100, 750)
    assert "no CJK font installed" in caplog.text
