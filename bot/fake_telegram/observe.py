"""Driver API that observes the bot: sent messages, waits, callback answers, calls."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .models import BotMessage, Mark
from .state import State

Predicate = Callable[[BotMessage], bool]


class Observer:
    """Read what the bot did, and wait for it without racing."""

    _state: State
    _cursors: dict[int, int]
    _snapshots: dict[tuple[int, int], int]

    @property
    def messages(self) -> list[BotMessage]:
        """Return every message the bot sent, in order, with edits applied."""
        return self._state.messages

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        """Return every API call as (method, decoded params), in order."""
        return self._state.calls

    @property
    def commands(self) -> dict[str, list[dict[str, Any]]]:
        """Return command lists by scope key ("default", "chat:<id>", ...[@lang])."""
        return self._state.commands

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        """Return answerCallbackQuery parameters, in order."""
        return self._state.callback_answers

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """Return the params of every call to one method (name case-insensitive)."""
        return [params for name, params in self._state.calls if name.lower() == method.lower()]

    def chat(self, chat_id: int, *, include_deleted: bool = False) -> list[BotMessage]:
        """Return the bot's messages in one chat, in order."""
        return [
            m
            for m in self._state.messages
            if m.chat_id == chat_id and (include_deleted or not m.deleted)
        ]

    def last(self, chat_id: int) -> BotMessage | None:
        """Return the bot's latest (not deleted) message in a chat."""
        messages = self.chat(chat_id)
        return messages[-1] if messages else None

    def mark(self) -> Mark:
        """Return the current position; `wait_for(after=mark)` only sees later sends/edits."""
        return Mark(len(self._state.events))

    # wait_for(after=None) reads a chat like a queue: it resumes just past the event the
    # previous call returned, and skips later events of a message whose returned state already
    # included them. after=fake.mark() sees only events after the mark; an int `after` keeps
    # only messages whose index in `messages` is >= after (edits of those included).
    async def wait_for(
        self,
        chat_id: int,
        predicate: Predicate | None = None,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - part of the driver API
        after: int | Mark | None = None,
    ) -> BotMessage:
        """Wait for a new or edited bot message in the chat that matches `predicate`."""
        if isinstance(after, Mark):
            position, min_index = after.position, 0
        elif after is None:
            position, min_index = self._cursors.get(chat_id, 0), 0
        else:
            position, min_index = 0, after
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = self._scan(chat_id, predicate, position, min_index, queue=after is None)
            if found is not None:
                return found
            position = len(self._state.events)
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._dump(chat_id, timeout))
            await self._state.changed.wait(remaining)

    def _scan(
        self, chat_id: int, predicate: Predicate | None, position: int, min_index: int, queue: bool
    ) -> BotMessage | None:
        """Return the first matching event's message from `position` on, moving the cursor."""
        state = self._state
        for index in range(position, len(state.events)):
            kind, message = state.events[index]
            key = (chat_id, message.message_id)
            if (
                message.chat_id != chat_id
                or kind == "deleted"
                or message.deleted
                or state.index_of[key] < min_index
                or (queue and index < self._snapshots.get(key, 0))
                or (predicate is not None and not predicate(message))
            ):
                continue
            self._cursors[chat_id] = index + 1
            self._snapshots[key] = len(state.events)
            return message
        return None

    def _dump(self, chat_id: int, timeout: float) -> str:
        lines = [m.describe() for m in self.chat(chat_id, include_deleted=True)]
        body = "\n  ".join(lines) if lines else "(no bot messages)"
        return f"no matching bot message in chat {chat_id} within {timeout}s; chat has:\n  {body}"

    def callback_answer(self, callback_query_id: str) -> dict[str, Any] | None:
        """Return the answer given to a callback query, if any."""
        for answer in self._state.callback_answers:
            if answer["callback_query_id"] == callback_query_id:
                return answer
        return None

    async def wait_callback_answer(
        self,
        callback_query_id: str,
        timeout: float = 10.0,  # noqa: ASYNC109 - part of the driver API
    ) -> dict[str, Any]:
        """Wait until the bot answers the callback query."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (answer := self.callback_answer(callback_query_id)) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                answered = [a["callback_query_id"] for a in self._state.callback_answers]
                raise TimeoutError(
                    f"callback query {callback_query_id} not answered within {timeout}s;"
                    f" answered so far: {answered}"
                )
            await self._state.changed.wait(remaining)
        return answer
