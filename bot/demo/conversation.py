"""Play users against the bot through the local Bot API (the offline demo and the e2e tests)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.fake_telegram import BotMessage, FakeTelegram

Printer = Callable[[str], None]


@dataclass
class Person:
    """A Telegram user in the conversation."""

    user_id: int
    name: str


@dataclass
class Conversation:
    """Sends what people type and press, and waits for what the bot answers."""

    fake: FakeTelegram
    printer: Printer | None = None
    timeout: float = 15.0
    seen: set[tuple[int, int, int]] = field(default_factory=set)

    def join(self, user_id: int, name: str) -> Person:
        """Add a user to the emulator."""
        self.fake.add_user(user_id, name)
        return Person(user_id, name)

    def say(self, person: Person, text: str) -> int:
        """Send a text message as the person; return its message id."""
        self._print(f"👤 {person.name}: {text}")
        return int(self.fake.send_text(person.user_id, text)["message_id"])

    def press(self, person: Person, message: BotMessage, label: str) -> str:
        """Press a button on a bot message; return the callback query id."""
        self._print(f"👤 {person.name} 点击 [{label}]")
        return self.fake.press_button(person.user_id, message.message_id, label)

    async def expect(
        self, person: Person, contains: str, *, buttons: bool | None = None
    ) -> BotMessage:
        """Wait for a not yet seen message (or edit) to the person containing the text."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while loop.time() < deadline:
            for message in self.fake.chat(person.user_id):
                key = (message.chat_id, message.message_id, message.edited)
                if key in self.seen or contains not in (message.text or ""):
                    continue
                if buttons is not None and bool(message.buttons()) != buttons:
                    continue
                self.seen.add(key)
                return message
            await asyncio.sleep(0.02)
        seen = "\n".join(f"  {m.describe()}" for m in self.fake.chat(person.user_id))
        raise TimeoutError(f"{person.name} never got a message containing {contains!r}:\n{seen}")

    async def expect_photo(self, person: Person) -> BotMessage:
        """Wait for a picture sent to the person."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while loop.time() < deadline:
            for message in self.fake.chat(person.user_id):
                key = (message.chat_id, message.message_id, message.edited)
                if message.photo and key not in self.seen:
                    self.seen.add(key)
                    return message
            await asyncio.sleep(0.02)
        raise TimeoutError(f"{person.name} never got a picture")

    async def answer_of(self, callback_query_id: str) -> str:
        """Wait for the bot's answer to a button press and return its text."""
        answer = await self.fake.wait_callback_answer(callback_query_id, timeout=self.timeout)
        return str(answer.get("text") or "")

    def _print(self, line: str) -> None:
        """Print a line of the transcript."""
        if self.printer is not None:
            self.printer(line)


def invite_code(message: BotMessage) -> str:
    """Pull the invite code out of the bot's invite message."""
    found = re.search(r"邀请码：(\w+)", message.text or "")
    if not found:
        raise ValueError(f"no invite code in {message.text!r}")
    return found.group(1)


def tracking_number(message: BotMessage) -> str:
    """Pull a tracking number like 261129-0001 out of a message."""
    found = re.search(r"\d{6}-\d{4,}", message.text or "")
    if not found:
        raise ValueError(f"no tracking number in {message.text!r}")
    return found.group(0)


def sign_in_link(message: BotMessage) -> str:
    """Pull the desk's one-time sign-in link out of the bot's /web answer."""
    found = re.search(r"https?://\S+/desk/login\?token=\S+", message.text or "")
    if not found:
        raise ValueError(f"no sign-in link in {message.text!r}")
    return found.group(0)
