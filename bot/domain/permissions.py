"""The one permission check: may this actor do this to this item (or run this command)?"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from bot.domain.rules import Action, Guard, Rule, Who, rules_for
from bot.domain.states import Role, Status

# The refusal told when a guard, not the actor or the state, stands in the way.
GUARD_REFUSALS: Mapping[Guard, str] = MappingProxyType(
    {
        Guard.EXTENSION_AVAILABLE: "EXTENSION_USED",
        Guard.TRANSFER_AVAILABLE: "TRANSFER_WAITING",
    }
)


@dataclass(frozen=True)
class ActorFacts:
    """What the check needs to know about who acts; `role` None is the system itself."""

    role: Role | None
    member_id: int | None = None
    department: str | None = None


SYSTEM = ActorFacts(None)


@dataclass(frozen=True)
class ItemFacts:
    """What the check needs to know about the item."""

    status: Status
    deputy_id: int | None
    department: str | None
    hotline: bool = False  # the department is handled by the 12345 platform
    routable: bool = False
    rated: bool = False
    extension_used: bool = False
    extension_asked: bool = False
    extension_pending: bool = False
    transfer_pending: bool = False
    lookback_open: bool = False


class Denied(Exception):
    """The action is not allowed; `text` names the refusal in bot.texts."""

    def __init__(self, text: str = "STALE_BUTTON") -> None:
        super().__init__(text)
        self.text = text


def acts_as(actor: ActorFacts, item: ItemFacts) -> frozenset[Who]:
    """Return the capacities in which the actor may act on the item."""
    if actor.role is None:
        return frozenset({Who.SYSTEM})
    found = set()
    if actor.role is Role.ADMIN:
        found.add(Who.ADMIN)
    if actor.role is Role.DEPUTY and item.deputy_id and actor.member_id == item.deputy_id:
        found.add(Who.OWNER)
    if actor.role is Role.HANDLER and item.department and actor.department == item.department:
        found.add(Who.DEPARTMENT)
    if actor.role is Role.PLATFORM and item.hotline:
        found.add(Who.PLATFORM)
    return frozenset(found)


def holds(guard: Guard, item: ItemFacts) -> bool:
    """Tell whether a guard's condition holds for the item."""
    match guard:
        case Guard.ROUTABLE:
            return item.routable
        case Guard.UNROUTABLE:
            return not item.routable
        case Guard.NOT_RATED:
            return not item.rated
        case Guard.EXTENSION_AVAILABLE:
            return not (item.extension_used or item.extension_asked)
        case Guard.EXTENSION_PENDING:
            return item.extension_pending
        case Guard.TRANSFER_AVAILABLE:
            return not item.transfer_pending
        case Guard.TRANSFER_PENDING:
            return item.transfer_pending
        case Guard.LOOKBACK_OPEN:
            return item.lookback_open


def choose(action: Action, actor: ActorFacts, item: ItemFacts) -> Rule:
    """Return the rule that lets the actor do the action now, or raise Denied saying why."""
    refusal = "STALE_BUTTON"
    for rule in rules_for(action):
        if not rule.who & acts_as(actor, item) or item.status not in rule.states:
            continue
        failed = [guard for guard in rule.guards if not holds(guard, item)]
        if not failed:
            return rule
        refusal = GUARD_REFUSALS.get(failed[0], refusal)
    raise Denied(refusal)


class Command(StrEnum):
    """Commands that do not act on one item."""

    INVITE = "invite"
    REVOKE = "revoke"
    RELOAD = "reload"
    KEYWORD = "keyword"
    LEARN = "learn"
    SUMMARY = "summary"
    TRIAGE = "triage"
    NEW = "new"
    CONCERN = "concern"  # free text or a photo that becomes a draft
    MINE = "mine"
    STATUS = "status"
    RECORD = "record"  # a deputy's record (履职档案)
    CANCEL_INPUT = "cancel"
    WEB = "web"  # a one-time sign-in link to the desk


_EVERYONE = frozenset({Role.ADMIN, Role.DEPUTY, Role.HANDLER, Role.SUPERVISOR})
COMMANDS: Mapping[Command, frozenset[Role]] = MappingProxyType(
    {
        Command.INVITE: frozenset({Role.ADMIN}),
        Command.REVOKE: frozenset({Role.ADMIN}),
        Command.RELOAD: frozenset({Role.ADMIN}),
        Command.KEYWORD: frozenset({Role.ADMIN}),
        Command.LEARN: frozenset({Role.ADMIN}),
        Command.SUMMARY: frozenset({Role.ADMIN}),
        Command.TRIAGE: frozenset({Role.ADMIN}),
        Command.NEW: frozenset({Role.DEPUTY}),
        Command.CONCERN: frozenset({Role.DEPUTY}),
        Command.MINE: _EVERYONE,
        Command.STATUS: _EVERYONE,
        Command.RECORD: frozenset({Role.ADMIN, Role.DEPUTY}),
        Command.CANCEL_INPUT: _EVERYONE,
        Command.WEB: _EVERYONE,
    }
)


def may_run(role: Role, command: Command) -> bool:
    """Tell whether a role may run a command."""
    return role in COMMANDS[command]
