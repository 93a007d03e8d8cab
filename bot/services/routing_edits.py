"""Changes administrators make to the routing file from the bot: one keyword at a time."""

from __future__ import annotations

import asyncio
import hashlib
import math

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.db.models import Item, RoutingChange
from bot.services.actors import Actor
from bot.services.base import ServiceDeps
from bot.services.errors import Refused
from bot.services.routing import Routing
from classifier import ConfigError
from classifier.keyword_edit import EditError, find_topic, remove_keyword, set_keyword
from classifier.replay import TRIAGE, replay

# How many recent items a change is replayed on (enough to show its effect, cheap to route).
REPLAYED = 1000
MAX_WEIGHT = 10.0


class RoutingEdits:
    """Edits the routing file in force: validated, written at once, reloaded, recorded."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def keyword(self, actor: Actor, args: list[str]) -> str:
        """Add, reweigh or remove one curated keyword: `分类 +词 [权重]` or `分类 -词`."""
        if len(args) not in (2, 3) or args[1][:1] not in "+-" or len(args[1]) < 2:
            raise Refused(texts.KEYWORD_USAGE)
        holder = self._deps.routing
        before = holder.current
        topic_name, word = args[0], args[1][1:]
        try:
            _, topic = find_topic(before.config, topic_name)
        except EditError:
            names = "、".join(t.name for t in before.config.topics)
            raise Refused(texts.KEYWORD_NO_TOPIC.format(topic=topic_name, topics=names)) from None
        text = holder.path.read_text(encoding="utf-8")
        if args[1][0] == "+":
            weight = _weight(args[2] if len(args) == 3 else "1")
            new_text = set_keyword(text, before.config, topic.code, word, weight)
            done = texts.KEYWORD_SET.format(word=word, weight=weight, topic=topic.name)
        else:
            if len(args) == 3:
                raise Refused(texts.KEYWORD_USAGE)
            try:
                new_text = remove_keyword(text, before.config, topic.code, word)
            except EditError:
                raise Refused(texts.KEYWORD_NOT_FOUND.format(topic=topic.name, word=word)) from None
            done = texts.KEYWORD_REMOVED.format(word=word, topic=topic.name)
        summary = await self.save(actor, "keyword", new_text, f"{topic.code} {args[1]}", before)
        return f"{done}\n{summary}"

    async def save(self, actor: Actor, kind: str, new_text: str, what: str, before: Routing) -> str:
        """Write, reload and record a change; return what it does to recent items."""
        holder = self._deps.routing
        problems = await asyncio.to_thread(holder.replace_text, new_text)
        if problems:
            listed = "\n".join(str(problem) for problem in problems[:20])
            raise Refused(texts.RELOAD_REFUSED.format(problems=listed))
        after = holder.current
        async with self._deps.sessions.begin() as session:
            items = await _recent(session)
            session.add(
                RoutingChange(
                    at=self._deps.clock.now(),
                    actor_telegram_id=actor.telegram_id,
                    kind=kind,
                    summary=what,
                    file_sha256=hashlib.sha256(new_text.encode()).hexdigest(),
                )
            )
        report = await asyncio.to_thread(replay, before.classifier, after.classifier, items)
        examples = "".join(
            texts.ROUTING_MOVE.format(
                no=m.tracking_no, old=self._name(m.old), new=self._name(m.new)
            )
            for m in report.moves[:5]
        )
        return texts.ROUTING_SAVED.format(
            total=report.total,
            moved=len(report.moves),
            examples=("：" + examples) if examples else "。",
        )

    async def preview(self, text: str) -> dict[str, int]:
        """Count how many recent items a new routing file would send elsewhere."""
        holder = self._deps.routing
        try:
            fresh = await asyncio.to_thread(holder.preview, text)
        except ConfigError:
            return {"total": 0, "moved": 0}
        async with self._deps.sessions() as session:
            items = await _recent(session)
        current = holder.current.classifier
        moved = await asyncio.to_thread(replay, current, fresh.classifier, items)
        return {"total": moved.total, "moved": len(moved.moves)}

    def _name(self, code: str) -> str:
        """Return a department's name, or the triage queue's."""
        if code == TRIAGE:
            return texts.TOPIC_UNKNOWN
        department = self._deps.config.department(code)
        return department.name if department else code


async def _recent(session: AsyncSession) -> list[tuple[str, str, str]]:
    """Return (tracking number, title, text) of the most recent submitted items."""
    rows = await session.execute(
        select(Item.tracking_no, Item.text)
        .where(Item.tracking_no.is_not(None))
        .order_by(Item.id.desc())
        .limit(REPLAYED)
    )
    return [(str(no), "", body) for no, body in rows]


def _weight(text: str) -> float:
    """Read a keyword weight, refusing what the routing file would not take."""
    try:
        weight = float(text)
    except ValueError:
        raise Refused(texts.KEYWORD_USAGE) from None
    if not (math.isfinite(weight) and 0.1 <= weight <= MAX_WEIGHT):
        raise Refused(texts.KEYWORD_USAGE)
    return weight
