"""Render the notices of the rules: one function per message key, over a view of the item."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from zoneinfo import ZoneInfo

from bot import callbacks as cb
from bot import texts
from bot.callbacks import Buttons
from bot.db.models import Item, Member
from bot.domain.rules import Action
from bot.domain.states import CardKind, EventKind
from bot.services import cards
from bot.services.actors import Actor
from classifier import RoutingConfig


@dataclass(frozen=True)
class View:
    """What a notice may say: the item after the change and what the action brought."""

    config: RoutingConfig
    tz: ZoneInfo
    item: Item
    deputy: Member | None  # None: the item came from another system (Open311)
    actor: Actor | None
    text: str = ""  # the typed input
    before_department: str | None = None  # the department before the change
    target: str | None = None  # a department the action names (transfer)
    note: str = ""  # a detail of the action (a new deadline, a new item's number)

    @property
    def no(self) -> str:
        """Return the tracking number."""
        return self.item.tracking_no or ""

    @property
    def department(self) -> str:
        """Return the name of the item's department."""
        return cards.department_name(self.config, self.item.department)

    @property
    def actor_name(self) -> str:
        """Return the acting person's name."""
        return self.actor.label if self.actor else ""

    def name_of(self, code: str | None) -> str:
        """Return a department's name."""
        return cards.department_name(self.config, code)


@dataclass(frozen=True)
class Rendered:
    """A message to queue: text, buttons, the card it is, whether the item's photo follows."""

    text: str
    buttons: Buttons | None = None
    card: CardKind | None = None
    photo: bool = False


def _short(v: View, limit: int = 200) -> str:
    """Return the item's text clipped for a note."""
    return cards.clip(v.item.text, limit)


def _assignment(v: View, extra: str = "", reopen: str | None = None) -> Rendered:
    """Render the card handlers work from until one acknowledges."""
    text, buttons = cards.handler_card(v.config, v.item, v.deputy, reopen_reason=reopen, tz=v.tz)
    return Rendered(text + extra, buttons, CardKind.ASSIGNMENT, photo=True)


def _working(v: View, *, due: bool = False) -> Rendered:
    """Render the card of the handler who acknowledged the item."""
    name = v.actor_name if v.actor and v.actor.is_handler else ""
    text, buttons = cards.acknowledged_card(v.item, name)
    return Rendered(text + (cards.due_line(v.item, v.tz) if due else ""), buttons, CardKind.WORKING)


def _current(v: View) -> Rendered:
    """Render the card an item's handlers work from now."""
    return _assignment(v) if v.item.acknowledged_at is None else _working(v, due=True)


def _triage(v: View, why: str) -> Rendered:
    """Render a triage card for administrators."""
    text, buttons = cards.triage_card(v.config, v.item, v.deputy, why)
    return Rendered(text, buttons, CardKind.TRIAGE)


def _plain(template: str, **fields: Callable[[View], str]) -> Callable[[View], Rendered]:
    """Build a renderer of a text with the tracking number and the given fields."""

    def render(v: View) -> Rendered:
        values = {key: get(v) for key, get in fields.items()}
        return Rendered(template.format(no=v.no, **values))

    return render


def _decision(action: str, item_id: int, yes: str, no: str) -> Buttons:
    """Return approve / refuse buttons."""
    return [[(yes, cb.make(action, item_id, "yes")), (no, cb.make(action, item_id, "no"))]]


def _extension_card(v: View) -> Rendered:
    """Render an extension request for administrators."""
    assert v.item.answer_due_at is not None
    text = texts.EXTENSION_REQUEST.format(
        no=v.no,
        department=v.department,
        name=v.actor_name,
        reason=cards.clip(v.text, 500),
        due=cards.local_time(v.item.answer_due_at, v.tz),
        new_due=v.note,
    )
    buttons = _decision(cb.APPROVE, v.item.id, texts.BTN_APPROVE, texts.BTN_REFUSE)
    return Rendered(text, buttons, CardKind.EXTENSION)


def _transfer_picker(v: View) -> Rendered:
    """Render the departments a handler may hand the item to."""
    pairs = [
        (d.name, cb.make(cb.TRANSFER_TO, v.item.id, d.code))
        for d in v.config.departments
        if d.code != v.item.department
    ]
    rows = [pairs[i : i + 2] for i in range(0, len(pairs), 2)]
    return Rendered(texts.TRANSFER_PICK.format(no=v.no, text=_short(v)), rows)


def _transfer_card(v: View) -> Rendered:
    """Render a transfer request for administrators."""
    text = texts.TRANSFER_REQUEST.format(
        no=v.no,
        department=v.department,
        target=v.name_of(v.target),
        name=v.actor_name,
        reason=cards.clip(v.text, 500),
        text=_short(v),
    )
    buttons = _decision(cb.TRANSFER_DECIDE, v.item.id, texts.BTN_APPROVE_TRANSFER, texts.BTN_REFUSE)
    return Rendered(text, buttons, CardKind.TRANSFER)


def _answer(v: View) -> Rendered:
    """Render the answer the deputy rates."""
    text = texts.TO_DEPUTY_ANSWER.format(no=v.no, department=v.department, text=v.text)
    return Rendered(text, cards.rating_buttons(v.item), CardKind.RATING)


def _lookback_answered(v: View) -> Rendered:
    """Redraw the 30-day question with the deputy's answer."""
    question = texts.LOOKBACK.format(no=v.no, text=cards.clip(v.item.text, 300))
    return Rendered(f"{question}\n→ {v.note}")


RENDERERS: Mapping[str, Callable[[View], Rendered]] = MappingProxyType(
    {
        "topic_picker": lambda v: Rendered(*cards.topic_picker(v.config, v.item), CardKind.DRAFT),
        "draft_card": lambda v: Rendered(*cards.draft_card(v.config, v.item), CardKind.DRAFT),
        "draft_cancelled": _plain(texts.DRAFT_CANCELLED, text=_short),
        "submitted_card": _plain(texts.SUBMITTED_CARD, text=_short),
        "received_routed": _plain(texts.RECEIVED_ROUTED, department=lambda v: v.department),
        "received_triage": _plain(texts.RECEIVED_TRIAGE),
        "assignment_card": _assignment,
        "assignment_card_reopened": lambda v: _assignment(v, reopen=v.text),
        "assignment_card_released": lambda v: _assignment(
            v, texts.RELEASED_EXTRA.format(name=v.note)
        ),
        "assignment_card_recurred": lambda v: _assignment(
            v, texts.RECURRENCE_EXTRA.format(no=v.note)
        ),
        "triage_card_abstained": lambda v: _triage(v, texts.TRIAGE_WHY_ABSTAINED),
        "triage_card_returned": lambda v: _triage(
            v,
            texts.TRIAGE_WHY_RETURNED.format(
                department=v.name_of(v.before_department), reason=v.text
            ),
        ),
        "working_card": _working,
        "current_card": _current,
        "card_routed": _plain(texts.CARD_ROUTED, department=lambda v: v.department, text=_short),
        "to_deputy_acked": _plain(
            texts.TO_DEPUTY_ACKED, department=lambda v: v.department, name=lambda v: v.actor_name
        ),
        "to_deputy_returned": _plain(texts.TO_DEPUTY_RETURNED),
        "to_deputy_progress": _plain(
            texts.TO_DEPUTY_PROGRESS, department=lambda v: v.department, text=lambda v: v.text
        ),
        "to_deputy_answer": _answer,
        "to_deputy_rerouted": _plain(texts.TO_DEPUTY_REROUTED, department=lambda v: v.department),
        "to_deputy_thanks": _plain(
            texts.TO_DEPUTY_THANKS, rating=lambda v: texts.RATINGS[v.item.rating or ""]
        ),
        "to_deputy_reopened": _plain(texts.TO_DEPUTY_REOPENED, department=lambda v: v.department),
        "handler_done_return": _plain(texts.HANDLER_DONE_RETURN),
        "handler_done_progress": _plain(texts.HANDLER_DONE_PROGRESS),
        "handler_done_answer": _plain(texts.HANDLER_DONE_ANSWER),
        "extension_card": _extension_card,
        "extension_sent": _plain(texts.EXTENSION_SENT),
        "extension_approved": _plain(texts.EXTENSION_APPROVED, due=lambda v: v.note),
        "extension_refused": _plain(texts.EXTENSION_REFUSED, due=lambda v: v.note),
        "extended_by_platform": _plain(texts.EXTENDED_BY_PLATFORM, due=lambda v: v.note),
        "transfer_picker": _transfer_picker,
        "transfer_card": _transfer_card,
        "transfer_sent": _plain(texts.TRANSFER_SENT, target=lambda v: v.name_of(v.target)),
        "transfer_approved": _plain(texts.TRANSFER_APPROVED, department=lambda v: v.department),
        "transfer_refused": _plain(texts.TRANSFER_REFUSED, target=lambda v: v.name_of(v.target)),
        "lookback_answered": _lookback_answered,
        "lookback_ok": _plain(texts.LOOKBACK_OK),
    }
)


def retired_note(action: Action, kind: CardKind, v: View) -> str:
    """Return what a retired card says instead, by the action that retired it."""
    match action:
        case Action.ACKNOWLEDGE:
            return texts.CARD_TAKEN.format(no=v.no, name=v.actor_name, text=_short(v))
        case Action.RETURN:
            return texts.CARD_RETURNED.format(no=v.no, text=_short(v))
        case Action.REROUTE:
            return texts.CARD_ROUTED.format(no=v.no, department=v.department, text=_short(v))
        case Action.APPROVE_EXTENSION | Action.REFUSE_EXTENSION:
            result = texts.BTN_APPROVE if action is Action.APPROVE_EXTENSION else texts.BTN_REFUSE
            return texts.EXTENSION_DONE_ADMIN.format(no=v.no, result=f"：{result}")
        case Action.APPROVE_TRANSFER if kind is not CardKind.TRANSFER:
            return texts.CARD_TRANSFERRED.format(no=v.no, department=v.department, text=_short(v))
        case _:
            approved = action is Action.APPROVE_TRANSFER
            result = texts.BTN_APPROVE_TRANSFER if approved else texts.BTN_REFUSE
            return texts.TRANSFER_DONE_ADMIN.format(no=v.no, result=f"：{result}")


def event_note(kind: EventKind, action: Action, v: View) -> str | None:
    """Return what the history says about one event."""
    match kind:
        case EventKind.RECLASSIFIED if action is Action.TOGGLE_URGENT:
            return texts.BTN_URGENT if v.item.urgent else texts.BTN_NOT_URGENT
        case EventKind.RECLASSIFIED:
            return cards.topic_name(v.config, v.item.topic) if v.item.topic else texts.BTN_TRIAGE
        case EventKind.RETURNED:
            return f"{v.name_of(v.before_department)}：{v.text}"
        case EventKind.RATED:
            label = texts.RATINGS[v.item.rating or "unsatisfied"]
            return f"{label}：{v.text}" if action is Action.COMPLAIN else label
        case EventKind.REROUTED | EventKind.TRANSFERRED:
            return v.department
        case EventKind.EXTENDED | EventKind.LOOKBACK:
            return v.note
        case EventKind.TRANSFER_REQUESTED:
            return f"{v.name_of(v.target)}：{v.text}"
        case EventKind.RELEASED:
            return texts.RELEASED_NOTE.format(name=v.note, department=v.department)
        case EventKind.PROGRESS | EventKind.ANSWERED | EventKind.REOPENED:
            return v.text
        case EventKind.EXTENSION_REQUESTED:
            return v.text
        case EventKind.ACKNOWLEDGED if v.actor is not None and v.actor.platform is not None:
            return v.actor_name
        case _:
            return None
