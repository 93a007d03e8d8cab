"""A local Telegram Bot API emulator over HTTP for tests and the offline demo.

    fake = FakeTelegram()
    fake.add_user(1001, "Alice")
    await fake.start()
    app = ApplicationBuilder().token(fake.token).base_url(fake.base_url)
          .base_file_url(fake.base_file_url).build()
    ...
    fake.send_text(1001, "/start")
    reply = await fake.wait_for(1001)
    fake.press_button(1001, reply.message_id, "提交")

With a webhook set (setWebhook), each new update is POSTed to it instead, in order, with the
secret-token header, retried until answered 2xx (fake.webhook counts pushes and attempts);
getUpdates answers 409 meanwhile, as Telegram does.

Fault modes for benchmarks: fail_next, late_answers, slow_calls, error_phase, go_offline /
come_back and user_deletes; clear_faults() ends them, fault_counts and conflicts count them.

Only aiohttp and the standard library are used; PTB is never imported here.
"""

from .errors import ApiError
from .models import BotMessage, Mark, StoredFile
from .server import FakeTelegram

__all__ = ["ApiError", "BotMessage", "FakeTelegram", "Mark", "StoredFile"]
