"""Footprint: the bot imports charts and the emulator only when a command needs them."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest

from bot.runtime.runner import settle_memory
from tests.conftest import ROOT

# Imported on the first chart (matplotlib, numpy, PIL) or by the demo (the emulator, aiohttp).
HEAVY = ("matplotlib", "numpy", "PIL", "aiohttp", "bot.fake_telegram", "bot.demo")


def imported(code: str) -> list[str]:
    """Run code in a fresh interpreter; return which of HEAVY it imported."""
    script = f"import sys\n{code}\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPUTYBOT_", "TELEGRAM_"))}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return [name for name in result.stdout.strip().split(",") if name]


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("import bot.app", id="the-application"),
        pytest.param(
            "from bot.cli import build_parser, load_settings\nbuild_parser(load_settings())",
            id="the-command-line",
        ),
        pytest.param("import bot.services.reports, bot.cli.summary", id="the-summary"),
    ],
)
def test_running_the_bot_imports_no_chart_library_and_no_emulator(code: str) -> None:
    assert imported(code) == []


def test_the_first_chart_imports_matplotlib() -> None:
    code = (
        "from tests.bot.test_chart import NAMES, make_summary\n"
        "from bot.services.chart import render_chart\n"
        "assert render_chart(make_summary(3), NAMES).startswith(b'\\x89PNG')"
    )
    assert "matplotlib" in imported(code)


def test_settle_memory_takes_what_start_up_built_out_of_collections() -> None:
    try:
        settle_memory()
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
