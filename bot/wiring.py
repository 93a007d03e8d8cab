"""Build the services from settings: the same for the bot, the CLI jobs and the tests."""

from __future__ import annotations

from bot.clock import Clock
from bot.context import Services
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import upgrade
from bot.desk.web.signin import SignIn
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
from bot.services.routing import RoutingHolder, routing_holder
from bot.services.routing_edits import RoutingEdits
from bot.services.workflow import Workflow
from bot.settings import Settings


async def build_services(
    settings: Settings, clock: Clock, routing: RoutingHolder | None = None
) -> Services:
    """Open and migrate the database, load the routing file, and wire every service."""
    holder = routing or routing_holder(
        settings.routing, settings.tz, hotline=settings.hotline_configured
    )
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    sessions = session_factory(engine)
    outbox = Outbox(sessions, clock)
    secret = settings.hotline_secret.get_secret_value() if settings.hotline_secret else ""
    hotline = HotlineQueue(public_url=settings.public_url, media_secret=secret)
    deps = ServiceDeps(sessions, clock, holder, settings.admin_ids, outbox, settings.tz, hotline)
    acting = Acting(deps)
    edits = RoutingEdits(deps)
    return Services(
        engine=engine,
        deps=deps,
        actors=ActorDirectory(sessions, settings.admin_ids),
        invites=Invites(sessions, clock, lambda: holder.current.departments),
        acting=acting,
        intake=Intake(deps),
        workflow=Workflow(deps, acting),
        inputs=PendingInputs(deps, acting),
        queries=Queries(deps),
        records=Records(deps),
        reminders=Reminders(deps),
        digests=Digests(deps),
        reports=Reports(deps),
        inbox=Inbox(sessions, clock, settings.admin_ids),
        deliveries=Deliveries(sessions, clock, settings.admin_ids),
        instances=Instances(sessions),
        menus=Menus(sessions, clock, outbox),
        retention=Retention(sessions, clock, settings.retention_days),
        members=Members(deps, acting),
        hotline_reports=HotlineReports(deps, acting),
        routing_edits=edits,
        learning=Learning(deps, edits, settings),
        open311=Open311(deps, acting, public_url=settings.public_url, media_secret=secret),
        hotline_deliveries=HotlineDeliveries(sessions, settings.admin_ids),
        desk=SignIn(sessions, clock, public_url=settings.public_url),
    )


async def run_due_jobs(services: Services) -> int:
    """Run every sweep and digest due now; return how many messages they queued."""
    now = services.deps.clock.now()
    issued = await services.reminders.sweep(now)
    issued += await services.digests.daily_due(now)
    issued += await services.reports.weekly_due(now)
    return issued
