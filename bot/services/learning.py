"""/learn: propose a routing file learned from the corrections, and apply it when told to.

Learning takes a minute of CPU, so it runs as `deputybot learn --from-db --json` in a child
process started by a job, never inside an update; the proposal waits in `routing_changes`
(so any instance can apply it) until an administrator presses 应用 or 放弃.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from bot import callbacks as cb
from bot import texts
from bot.db.models import RoutingChange
from bot.services import outbox
from bot.services.actors import Actor
from bot.services.base import ServiceDeps
from bot.services.errors import Refused
from bot.services.routing_edits import RoutingEdits
from bot.settings import Settings

logger = logging.getLogger(__name__)

WAITING = ("pending", "running")
TIME_LIMIT = 900.0  # seconds a learning run may take before it is given up


class Learning:
    """Queues learning runs, runs them in a child process, and applies what is accepted."""

    def __init__(self, deps: ServiceDeps, edits: RoutingEdits, settings: Settings) -> None:
        self._deps = deps
        self._edits = edits
        self._settings = settings

    async def request(self, actor: Actor, chat_id: int, args: list[str]) -> str:
        """Queue a learning run for an administrator; answer when it is queued."""
        if not self._settings.learn_data:
            raise Refused(texts.LEARN_NEEDS_DATA)
        since = _since(args)
        async with self._deps.sessions.begin() as session:
            busy = await session.scalar(
                select(RoutingChange.id).where(RoutingChange.status.in_(WAITING))
            )
            if busy is not None:
                return texts.LEARN_BUSY
            session.add(
                RoutingChange(
                    at=self._deps.clock.now(), actor_telegram_id=actor.telegram_id,
                    kind="learn", summary=since or "", file_sha256="", status="pending",
                    chat_id=chat_id,
                )
            )  # fmt: skip
        return texts.LEARN_STARTED

    async def run_pending(self) -> int:
        """Run the oldest queued learning (at most one at a time); return how many ran."""
        async with self._deps.sessions.begin() as session:
            change_id = await session.scalar(
                select(RoutingChange.id)
                .where(RoutingChange.status == "pending")
                .order_by(RoutingChange.id)
            )
            if change_id is None:
                return 0
            claimed = await session.execute(
                update(RoutingChange)
                .where(RoutingChange.id == change_id, RoutingChange.status == "pending")
                .values(status="running")
            )
            if not getattr(claimed, "rowcount", 0):
                return 0
            row = await session.get(RoutingChange, change_id)
            assert row is not None
            since = row.summary or None
        status, text, figures, message = await self._learn(since)
        async with self._deps.sessions.begin() as session:
            row = await session.get(RoutingChange, change_id)
            assert row is not None
            row.status, row.proposed, row.figures = status, text, figures
            buttons = None
            if status == "ready":
                buttons = [
                    [
                        (texts.BTN_APPLY, cb.make(cb.LEARN, change_id, "yes")),
                        (texts.BTN_DISCARD, cb.make(cb.LEARN, change_id, "no")),
                    ]
                ]
            if row.chat_id is not None:
                outbox.send(
                    session, self._deps.clock.now(), chat_id=row.chat_id, text=message,
                    buttons=buttons,
                )  # fmt: skip
        self._deps.outbox.kick()
        return 1

    async def decide(self, actor: Actor, change_id: int, apply: bool) -> str:
        """Apply or discard a ready proposal (once; a stale button changes nothing)."""
        async with self._deps.sessions.begin() as session:
            row = await session.get(RoutingChange, change_id, with_for_update=True)
            if row is None or row.status != "ready" or row.proposed is None:
                raise Refused(texts.STALE_BUTTON)
            row.status = "applied" if apply else "discarded"
            proposed = row.proposed
            if not apply:
                return texts.LEARN_DISCARDED
            before = self._deps.routing.current
            summary = await self._edits.save(
                actor, "learn", proposed, f"/learn {change_id}", before
            )
        return f"{texts.LEARN_APPLIED}\n{summary}"

    async def _learn(self, since: str | None) -> tuple[str, str | None, Any, str]:
        """Run the learner; return its status, proposed text, figures and the answer."""
        settings = self._settings
        assert settings.learn_data is not None
        with tempfile.TemporaryDirectory(prefix="deputybot-learn-") as folder:
            output = Path(folder) / "proposed.toml"
            command = [
                sys.executable, "-m", "bot", "learn", "--from-db", settings.learn_data,
                "--json", "--base", str(self._deps.routing.path), "-o", str(output),
                *(["--since", since] if since else []),
            ]  # fmt: skip
            try:
                code, out, err = await _run(command, _child_env(settings))
            except TimeoutError:
                return "failed", None, None, texts.LEARN_FAILED.format(reason="timeout")
            figures = _json_line(out)
            if code == 0 and figures is not None and output.exists():
                text = output.read_text(encoding="utf-8")
                figures.update(await self._edits.preview(text))
                return "ready", text, figures, _proposal(figures)
        if figures is not None and figures.get("lowered"):
            lowered = "\n".join(f"• {line}" for line in figures["lowered"])
            return (
                "refused",
                None,
                figures,
                texts.LEARN_REFUSED.format(count=figures.get("corrections", 0), lowered=lowered),
            )
        reason = (err.strip().splitlines() or ["?"])[-1][:300]
        if "nothing to learn from" in reason:
            return "failed", None, None, texts.LEARN_NOTHING
        logger.warning("learning failed (exit %s): %s", code, reason)
        return "failed", None, None, texts.LEARN_FAILED.format(reason=reason)


def _since(args: list[str]) -> str | None:
    """Read the optional date argument of /learn."""
    if not args:
        return None
    try:
        return date.fromisoformat(args[0]).isoformat() if len(args) == 1 else _usage()
    except ValueError:
        return _usage()


def _usage() -> str:
    """Refuse with the usage line."""
    raise Refused(texts.LEARN_USAGE)


def _child_env(settings: Settings) -> dict[str, str]:
    """Return the environment of the learner: our database and the platform's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPUTYBOT_", "TELEGRAM_"))}
    env["DEPUTYBOT_DATABASE_URL"] = settings.database_url
    env["DEPUTYBOT_TIMEZONE"] = settings.timezone
    if settings.hotline_url and settings.hotline_app_id and settings.hotline_secret:
        env["DEPUTYBOT_HOTLINE_URL"] = settings.hotline_url
        env["DEPUTYBOT_HOTLINE_APP_ID"] = settings.hotline_app_id
        env["DEPUTYBOT_HOTLINE_SECRET"] = settings.hotline_secret.get_secret_value()
    return env


async def _run(command: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run a child process; return its exit code, output and errors."""
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), TIME_LIMIT)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return int(process.returncode or 0), out.decode(errors="replace"), err.decode(errors="replace")


def _json_line(out: str) -> dict[str, Any] | None:
    """Return the JSON object the learner printed, if any."""
    for line in out.splitlines():
        if line.startswith("{"):
            try:
                found = json.loads(line)
            except ValueError:
                continue
            if isinstance(found, dict):
                return found
    return None


def _proposal(figures: dict[str, Any]) -> str:
    """Render a ready proposal for the administrator."""
    lines = []
    before, after = figures.get("before") or {}, figures.get("after") or {}
    for view, label in texts.LEARN_VIEWS.items():
        if view in before and view in after:
            b, a = before[view], after[view]
            lines.append(
                texts.LEARN_FIGURE.format(
                    view=label, f1_before=b["macro_f1"], f1_after=a["macro_f1"],
                    top3_before=b["top3"], top3_after=a["top3"],
                    cov_before=b["coverage"], cov_after=a["coverage"],
                )
            )  # fmt: skip
    return texts.LEARN_PROPOSAL.format(
        count=figures.get("corrections", 0),
        right_before=figures.get("right_before", 0),
        right_after=figures.get("right_after", 0),
        figures="\n".join(lines) or "—",
        total=figures.get("total", 0),
        moved=figures.get("moved", 0),
    )
