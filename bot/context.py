"""Typed bot data and the callback context every handler receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.desk.web.signin import SignIn
from bot.runtime.gate import RateGate
from bot.services.acting import Acting
from bot.services.actors import ActorDirectory
from bot.services.base import ServiceDeps
from bot.services.deliveries import Deliveries
from bot.services.digests import Digests
from bot.services.hotline_deliveries import HotlineDeliveries
from bot.services.hotline_queue import HotlineQueue
from bot.services.hotline_reports import HotlineReports
from bot.services.inbox import Inbox
from bot.services.inputs import PendingInputs
from bot.services.instances import Instances
from bot.services.intake import Intake
from bot.services.invites import Invites
from bot.services.learning import Learning
from bot.services.members import Members
from bot.services.menus import Menus
from bot.services.open311 import Open311
from bot.services.outbox import Outbox
from bot.services.queries import Queries
from bot.services.records import Records
from bot.services.reminders import Reminders
from bot.services.reports import Reports
from bot.services.retention import Retention
from bot.services.routing import RoutingHolder
from bot.services.routing_edits import RoutingEdits
from bot.services.workflow import Workflow

if TYPE_CHECKING:
    from bot.runtime.runtime import Runtime


@dataclass
class Services:
    """The services handlers call, built once the application starts."""

    engine: AsyncEngine
    deps: ServiceDeps
    actors: ActorDirectory
    acting: Acting
    invites: Invites
    intake: Intake
    workflow: Workflow
    inputs: PendingInputs
    queries: Queries
    records: Records
    reminders: Reminders
    digests: Digests
    reports: Reports
    inbox: Inbox
    deliveries: Deliveries
    instances: Instances
    menus: Menus
    retention: Retention
    members: Members
    hotline_reports: HotlineReports
    hotline_deliveries: HotlineDeliveries
    desk: SignIn
    routing_edits: RoutingEdits
    learning: Learning
    open311: Open311

    @property
    def outbox(self) -> Outbox:
        """Return the outbox."""
        return self.deps.outbox

    @property
    def hotline(self) -> HotlineQueue:
        """Return the queue of requests to the 12345 platform."""
        return self.deps.hotline

    @property
    def routing(self) -> RoutingHolder:
        """Return the routing holder."""
        return self.deps.routing


@dataclass
class BotData:
    """Application-wide state; constructible with no arguments, filled in post_init."""

    _services: Services | None = None
    # The last errors the error handler saw, for tests; on_error keeps only the newest few.
    errors: list[BaseException] = field(default_factory=list)
    _runtime: Runtime | None = None
    strangers: RateGate = field(default_factory=RateGate)

    @property
    def services(self) -> Services:
        """Return the services, which exist once the application has started."""
        if self._services is None:
            raise RuntimeError("services are not ready: the application has not started")
        return self._services

    @services.setter
    def services(self, value: Services | None) -> None:
        """Install or clear the services."""
        self._services = value

    @property
    def runtime(self) -> Runtime:
        """Return the background parts, which exist once the application has started."""
        if self._runtime is None:
            raise RuntimeError("runtime is not ready: the application has not started")
        return self._runtime

    @runtime.setter
    def runtime(self, value: Runtime | None) -> None:
        """Install or clear the background parts."""
        self._runtime = value


BotContext = CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]
BotApplication = Application[
    ExtBot[int], BotContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Any]
]
