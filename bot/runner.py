"""Run the bot against Telegram (or any Bot API server) with long polling."""

from __future__ import annotations

import logging

from telegram import Update

from bot.app import build_application
from bot.settings import Settings

logger = logging.getLogger(__name__)


def run_polling(settings: Settings) -> None:
    """Run until interrupted; the database is migrated on start."""
    application = build_application(settings)
    logger.info("deputybot polling %s", settings.telegram_api_url)
    application.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.05, timeout=10)


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr; keep httpx quiet so URLs with the token never reach the log."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
