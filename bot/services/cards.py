"""Render items into message texts and button rows."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot import callbacks as cb
from bot import texts
from bot.callbacks import Buttons
from bot.db.models import Item, Member
from bot.domain.states import RouteSource
from classifier import RoutingConfig, Topic

PREVIEW_CHARS = 600


def clip(text: str, limit: int = PREVIEW_CHARS) -> str:
    """Shorten a long text for a card."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def topic_name(config: RoutingConfig, code: str | None) -> str:
    """Return a topic's display name."""
    topic = config.topic(code) if code else None
    return topic.name if topic else texts.TOPIC_NONE


def department_name(config: RoutingConfig, code: str | None) -> str:
    """Return a department's display name."""
    department = config.department(code) if code else None
    return department.name if department else texts.TOPIC_UNKNOWN


def deputy_label(deputy: Member | None, item: Item) -> str:
    """Describe who raised an item for handlers: a deputy's name, level and district."""
    if deputy is None:
        return texts.SOURCE_SYSTEM.format(name=item.requester or "—")
    return f"{deputy.name}（{deputy.level}级人大代表，{deputy.district}）"


def draft_card(config: RoutingConfig, item: Item) -> tuple[str, Buttons]:
    """Render the preview a deputy confirms before submitting.

    An unsure one offers the classifier's top topics as one-tap buttons, each with the
    department it goes to; a sure one offers 提交.
    """
    guess = config.topic(item.topic) if item.abstained and item.topic else None
    offered = _offered(config, item)
    if item.topic and item.route_source is RouteSource.DEPUTY:
        basis = texts.BASIS_MANUAL
    elif offered:
        basis = texts.BASIS_SUGGEST.format(
            topics="".join(f"「{topic.name}」" for topic in offered),
            keywords="、".join(str(pair[0]) for pair in item.matched[:6]) or "—",
        )
    elif guess is not None:
        basis = texts.BASIS_GUESS.format(topic=guess.name)
    elif item.abstained or not item.department:
        basis = texts.BASIS_NONE
    else:
        keywords = "、".join(str(pair[0]) for pair in item.matched[:6])
        basis = texts.BASIS_KEYWORDS.format(
            keywords=keywords or "—", confidence=round(item.confidence * 100)
        )
    routed = item.department and not item.abstained
    photo = texts.WITH_PHOTO if item.photo_file_id else ""
    template = texts.DRAFT_CARD_UNSURE if offered else texts.DRAFT_CARD
    text = photo + template.format(
        text=clip(item.text),
        topic=topic_name(config, item.topic) if routed else texts.TOPIC_UNKNOWN,
        department=department_name(config, item.department) if routed else texts.TOPIC_UNKNOWN,
        basis=basis,
    )
    urgent_label = texts.BTN_NOT_URGENT if item.urgent else texts.BTN_URGENT
    submit = texts.BTN_TRIAGE if offered else texts.BTN_SUBMIT
    buttons = [
        [(submit, cb.make(cb.SUBMIT, item.id)), (urgent_label, cb.make(cb.URGENT, item.id))],
        [
            (texts.BTN_RECLASSIFY, cb.make(cb.RECLASSIFY, item.id)),
            (texts.BTN_CANCEL, cb.make(cb.CANCEL, item.id)),
        ],
    ]
    if offered:
        buttons[:0] = [[_suggestion(config, item, topic)] for topic in offered]
    elif guess is not None:
        label = texts.BTN_GUESS.format(topic=guess.name)
        buttons.insert(0, [(label, cb.make(cb.TOPIC, item.id, guess.code))])
    return urgency(item) + text, buttons


def _suggestion(config: RoutingConfig, item: Item, topic: Topic) -> tuple[str, str]:
    """Return the button that files a draft under one suggested topic."""
    department = department_name(config, topic.department)
    label = texts.BTN_SUGGESTION.format(topic=topic.name, department=department)
    return label, cb.make(cb.TOPIC, item.id, topic.code)


def _offered(config: RoutingConfig, item: Item) -> list[Topic]:
    """Return the topics an unsure preview offers (the classifier's suggestions)."""
    if not item.abstained or item.route_source is not RouteSource.CLASSIFIER:
        return []
    codes = [str(pair[0]) for pair in item.suggestions or []][:3]
    return [topic for code in codes if (topic := config.topic(code)) is not None]


def urgency(item: Item) -> str:
    """Return the urgency tag every card starts with, if the item is urgent."""
    return texts.URGENT_TAG if item.urgent else ""


def due_line(item: Item, tz: ZoneInfo) -> str:
    """Render the acknowledge and answer deadlines in local time."""
    if item.ack_due_at is None or item.answer_due_at is None:
        return ""
    return texts.DUE_LINE.format(
        ack=local_time(item.ack_due_at, tz), answer=local_time(item.answer_due_at, tz)
    )


def local_time(moment: datetime | None, tz: ZoneInfo) -> str:
    """Format a moment as local month, day and time."""
    return moment.astimezone(tz).strftime("%m-%d %H:%M") if moment else "—"


def topic_picker(config: RoutingConfig, item: Item) -> tuple[str, Buttons]:
    """Render the topics as buttons, two to a row."""
    pairs = [(topic.name, cb.make(cb.TOPIC, item.id, topic.code)) for topic in config.topics]
    rows: Buttons = [pairs[i : i + 2] for i in range(0, len(pairs), 2)]
    rows.append([(texts.BTN_TRIAGE, cb.make(cb.TRIAGE_DRAFT, item.id))])
    return texts.CHOOSE_TOPIC.format(text=clip(item.text, 200)), rows


def handler_card(
    config: RoutingConfig,
    item: Item,
    deputy: Member | None,
    reopen_reason: str | None = None,
    tz: ZoneInfo | None = None,
) -> tuple[str, Buttons]:
    """Render a new assignment for a department's handlers."""
    extra = texts.REOPEN_EXTRA.format(reason=clip(reopen_reason, 300)) if reopen_reason else ""
    if tz is not None:
        extra += due_line(item, tz)
    text = texts.HANDLER_CARD.format(
        no=item.tracking_no,
        deputy=deputy_label(deputy, item),
        topic=topic_name(config, item.topic),
        text=clip(item.text, 3000),
        extra=extra,
    )
    text = urgency(item) + (texts.WITH_PHOTO if item.photo_file_id else "") + text
    buttons = [
        [
            (texts.BTN_ACK, cb.make(cb.ACK, item.id)),
            (texts.BTN_RETURN, cb.make(cb.RETURN, item.id)),
        ]
    ]
    return text, buttons


def acknowledged_card(item: Item, handler_name: str) -> tuple[str, Buttons]:
    """Render the card the acknowledging handler works from."""
    text = texts.ACKED_CARD.format(no=item.tracking_no, name=handler_name, text=clip(item.text))
    last_row = [
        (texts.BTN_RETURN, cb.make(cb.RETURN, item.id)),
        (texts.BTN_TRANSFER, cb.make(cb.TRANSFER, item.id)),
    ]
    if not item.extension_used:
        last_row.append((texts.BTN_EXTEND, cb.make(cb.EXTEND, item.id)))
    buttons = [
        [
            (texts.BTN_ANSWER, cb.make(cb.ANSWER, item.id)),
            (texts.BTN_PROGRESS, cb.make(cb.PROGRESS, item.id)),
        ],
        last_row,
    ]
    return urgency(item) + text, buttons


def triage_card(
    config: RoutingConfig, item: Item, deputy: Member | None, why: str
) -> tuple[str, Buttons]:
    """Render a triage item for administrators with one button per department."""
    text = texts.TRIAGE_CARD.format(
        no=item.tracking_no, deputy=deputy_label(deputy, item), text=clip(item.text, 3000), why=why
    )
    pairs = [(d.name, cb.make(cb.ROUTE, item.id, d.code)) for d in config.departments]
    return text, [pairs[i : i + 2] for i in range(0, len(pairs), 2)]


def rating_buttons(item: Item) -> Buttons:
    """Render the three rating buttons."""
    return [[(label, cb.make(cb.RATE, item.id, code)) for code, label in texts.RATINGS.items()]]
