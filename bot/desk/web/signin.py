"""Sign-in without passwords: one-time links from the bot, then browser sessions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from bot import texts
from bot.clock import Clock
from bot.db.models import WebLink, WebSession
from bot.db.sessions import Sessions
from bot.services import outbox

LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=12)
COOKIE = "deputybot_desk"


def token_hash(token: str) -> str:
    """Return the SHA-256 hex digest stored in place of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Opened:
    """A new browser session: the cookie's value (never stored) and its CSRF token."""

    cookie: str
    csrf: str
    telegram_id: int


@dataclass(frozen=True)
class Signed:
    """Who a live session belongs to and the CSRF token its forms must carry."""

    telegram_id: int
    csrf: str
    session_id: int

    def csrf_ok(self, sent: str | None) -> bool:
        """Tell in constant time whether a form carried this session's CSRF token."""
        return bool(sent) and hmac.compare_digest(self.csrf.encode(), (sent or "").encode())


class SignIn:
    """Issue links, trade a link for a session once, resolve and end sessions."""

    def __init__(self, sessions: Sessions, clock: Clock, *, public_url: str | None = None) -> None:
        self._sessions = sessions
        self._clock = clock
        self.secure = bool(public_url and public_url.startswith("https://"))
        self._public_url = public_url

    async def issue_link(self, telegram_id: int) -> str:
        """Store a new link's hash for the person and return its token."""
        token = secrets.token_urlsafe(32)
        now = self._clock.now()
        async with self._sessions.begin() as s:
            s.add(
                WebLink(
                    token_hash=token_hash(token),
                    telegram_id=telegram_id,
                    created_at=now,
                    expires_at=now + LINK_LIFETIME,
                )
            )
        return token

    async def send_link(self, telegram_id: int, *, chat_id: int) -> None:
        """Queue a one-time sign-in link to the person's chat (or say the desk has no address)."""
        public_url = self._public_url
        if not public_url:
            async with self._sessions.begin() as s:
                outbox.send(s, self._clock.now(), chat_id=chat_id, text=texts.WEB_NO_URL)
            return
        token = await self.issue_link(telegram_id)
        url = f"{public_url.rstrip('/')}/desk/login?token={token}"
        async with self._sessions.begin() as s:
            outbox.send(s, self._clock.now(), chat_id=chat_id, text=texts.WEB_LINK.format(url=url))

    async def redeem(self, token: str) -> Opened | None:
        """Use a link once and open a session; None for a forged, used or expired link."""
        if not token or len(token) > 128:
            return None
        now = self._clock.now()
        async with self._sessions.begin() as s:
            used = await s.execute(
                update(WebLink)
                .where(
                    WebLink.token_hash == token_hash(token),
                    WebLink.used_at.is_(None),
                    WebLink.expires_at > now,
                )
                .values(used_at=now)
                .returning(WebLink.telegram_id)
            )
            telegram_id = used.scalar_one_or_none()
            if telegram_id is None:
                return None
            cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            s.add(
                WebSession(
                    token_hash=token_hash(cookie),
                    csrf=csrf,
                    telegram_id=telegram_id,
                    created_at=now,
                    expires_at=now + SESSION_LIFETIME,
                )
            )
        return Opened(cookie=cookie, csrf=csrf, telegram_id=telegram_id)

    async def link_state(self, token: str) -> str:
        """Say why a link cannot be used: 'used', 'expired' or 'unknown'."""
        async with self._sessions() as s:
            link = (
                await s.execute(select(WebLink).where(WebLink.token_hash == token_hash(token)))
            ).scalar_one_or_none()
        if link is None:
            return "unknown"
        return "used" if link.used_at is not None else "expired"

    async def resolve(self, cookie: str | None) -> Signed | None:
        """Return the live session a cookie belongs to, or None."""
        if not cookie or len(cookie) > 128:
            return None
        now = self._clock.now()
        async with self._sessions() as s:
            row = (
                await s.execute(
                    select(WebSession).where(
                        WebSession.token_hash == token_hash(cookie),
                        WebSession.ended_at.is_(None),
                        WebSession.expires_at > now,
                    )
                )
            ).scalar_one_or_none()
        if row is None:
            return None
        return Signed(telegram_id=row.telegram_id, csrf=row.csrf, session_id=row.id)

    async def end(self, signed: Signed) -> None:
        """End a session (sign-out)."""
        async with self._sessions.begin() as s:
            await s.execute(
                update(WebSession)
                .where(WebSession.id == signed.session_id)
                .values(ended_at=self._clock.now())
            )
