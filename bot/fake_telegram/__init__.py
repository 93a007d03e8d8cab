"""A local Telegram Bot API emulator over HTTP for tests and the offline demo."""

from .errors import ApiError
from .models import BotMessage, Mark, StoredFile
from .server import FakeTelegram

__all__ = ["ApiError", "BotMessage", "FakeTelegram", "Mark", "StoredFile"]
