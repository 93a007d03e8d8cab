"""The domain table as plain data: every action has its rows, renderers, buttons and questions."""

from __future__ import annotations

import itertools

import pytest

from bot import callbacks as cb
from bot.domain.permissions import (
    COMMANDS,
    ActorFacts,
    Command,
    Denied,
    ItemFacts,
    choose,
    may_run,
)
from bot.domain.rules import ANSWERS, TABLE, Action, Guard, Rule, Who, rules_for
from bot.domain.states import Purpose, Role, Status
from bot.services.notices import RENDERERS
from bot.services.workflow import ASK_TEXTS
from handlers.buttons import ASKING, BUTTONS, action_of

DEPUTY, OTHER_DEPUTY, DEPARTMENT = 7, 8, "housing"
# Who someone is to an item, and what the table calls that.
RELATIONS: dict[str, tuple[ActorFacts, Who | None]] = {
    "owner": (ActorFacts(Role.DEPUTY, DEPUTY), Who.OWNER),
    "other deputy": (ActorFacts(Role.DEPUTY, OTHER_DEPUTY), None),
    "department handler": (ActorFacts(Role.HANDLER, 20, DEPARTMENT), Who.DEPARTMENT),
    "other handler": (ActorFacts(Role.HANDLER, 21, "ecology"), None),
    "supervisor": (ActorFacts(Role.SUPERVISOR, 22, DEPARTMENT), None),
    "admin": (ActorFacts(Role.ADMIN), Who.ADMIN),
    "stranger": (ActorFacts(Role.STRANGER), None),
    "system": (ActorFacts(None), Who.SYSTEM),
}


def facts_meeting(rule: Rule, status: Status) -> ItemFacts:
    """Return item facts in `status` that meet every guard of the rule."""
    guards = set(rule.guards)
    return ItemFacts(
        status=status,
        deputy_id=DEPUTY,
        department=DEPARTMENT,
        routable=Guard.UNROUTABLE not in guards,
        extension_pending=Guard.EXTENSION_PENDING in guards,
        transfer_pending=Guard.TRANSFER_PENDING in guards,
        lookback_open=Guard.LOOKBACK_OPEN in guards,
    )


MATRIX = [
    pytest.param(rule, relation, status, id=f"{rule.action}-{relation}-{status}")
    for rule, relation, status in itertools.product(TABLE, RELATIONS, Status)
]


@pytest.mark.parametrize(("rule", "relation", "status"), MATRIX)
def test_the_table_decides_who_may_do_what_when(rule: Rule, relation: str, status: Status) -> None:
    actor, capacity = RELATIONS[relation]
    facts = facts_meeting(rule, status)
    allowed = capacity in rule.who and status in rule.states
    if allowed:
        assert choose(rule.action, actor, facts).action is rule.action
    else:
        # Another row of the same action may still allow it (SUBMIT has two).
        others = [r for r in rules_for(rule.action) if r is not rule]
        if not any(capacity in r.who and status in r.states for r in others):
            with pytest.raises(Denied):
                choose(rule.action, actor, facts)


def test_every_action_has_a_row_and_every_row_says_who() -> None:
    assert {rule.action for rule in TABLE} == set(Action)
    assert all(rule.who and rule.states for rule in TABLE)


def test_every_notice_has_a_renderer() -> None:
    missing = {n.message for rule in TABLE for n in rule.notices} - set(RENDERERS)
    assert missing == set()


def test_every_button_stands_for_an_action_and_every_user_action_has_a_button() -> None:
    assert set(BUTTONS) == set(cb.ITEM_ACTIONS)
    reachable = set()
    for code, entry in BUTTONS.items():
        arguments = entry if isinstance(entry, dict) else {"": entry}
        for argument in arguments:
            action = action_of(cb.Callback(code, 1, argument))
            assert action is not None
            reachable.add(action)
    system_only = {r.action for r in TABLE if r.who <= {Who.SYSTEM, Who.ADMIN}} - reachable
    assert system_only == {Action.RELEASE}


def test_every_question_belongs_to_an_action_that_asks_for_it() -> None:
    assert set(ANSWERS) == set(Purpose)
    assert set(ASK_TEXTS) == set(Purpose)
    assert frozenset(ANSWERS.values()) == ASKING


def test_a_guard_refuses_in_its_own_words() -> None:
    facts = ItemFacts(Status.ACKNOWLEDGED, DEPUTY, DEPARTMENT, extension_used=True)
    handler = RELATIONS["department handler"][0]
    with pytest.raises(Denied) as refused:
        choose(Action.REQUEST_EXTENSION, handler, facts)
    assert refused.value.text == "EXTENSION_USED"


def test_submit_routes_or_goes_to_triage_by_the_classification() -> None:
    owner = RELATIONS["owner"][0]
    routable = ItemFacts(Status.DRAFT, DEPUTY, DEPARTMENT, routable=True)
    unroutable = ItemFacts(Status.DRAFT, DEPUTY, None, routable=False)
    assert choose(Action.SUBMIT, owner, routable).to is Status.ROUTED
    assert choose(Action.SUBMIT, owner, unroutable).to is Status.TRIAGE


@pytest.mark.parametrize(("role", "command"), list(itertools.product(Role, Command)))
def test_commands_are_allowed_by_one_table(role: Role, command: Command) -> None:
    assert may_run(role, command) == (role in COMMANDS[command])
    if role is Role.STRANGER:
        assert not may_run(role, command)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_everyone_with_a_role_may_ask_for_a_desk_link(role: Role) -> None:
    assert may_run(role, Command.WEB) == (role not in {Role.PLATFORM, Role.STRANGER})
