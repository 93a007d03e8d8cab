"""Run the bot against Telegram (or any Bot API server) until stopped."""

from __future__ import annotations

import asyncio
import logging

from bot.app import build_application
from bot.runtime import redact
from bot.runtime.lifecycle import serve
from bot.settings import Settings

logger = logging.getLogger(__name__)


def run_polling(settings: Settings) -> int:
    """Run until SIGINT/SIGTERM; return the process exit code (non-zero: restart or fix)."""
    application = build_application(settings)
    logger.info("deputybot starting against %s", settings.telegram_api_url)
    return asyncio.run(serve(application))


def configure_logging(level: int = logging.INFO, *, token: str | None = None) -> None:
    """Log to stderr with the token masked; keep chatty libraries quiet."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    redact.install(token)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
