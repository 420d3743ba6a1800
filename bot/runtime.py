"""The composition root: settings → database → Slack client → use cases → Bolt app.

Everything is built bottom-up and handed in through constructors; nothing is assigned
after construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.core import fair_use
from bot.slack.app import UseCases, build_app
from bot.slack.client import build_web_client
from bot.slack.digest_poster import SlackDigestPoster
from bot.slack.directory import SlackDirectory
from bot.slack.fair_use import CommandLimits
from bot.slack.health import Health
from bot.slack.home_screen import SlackHomeScreen
from bot.slack.http import WebApp
from bot.slack.intake import Intake
from bot.slack.notifier import SlackNotifier
from bot.slack.priority import AckFirst, AfterAckExecutor
from bot.store.db import make_engine, migrate, ping
from bot.store.intake import IntakeStore
from bot.store.repo import Repo
from bot.usecases import nudge_kinds
from bot.usecases.clients import Clients, QuietNudge
from bot.usecases.commands import PromiseCommand
from bot.usecases.coverage import Coverage, CoverageNudge
from bot.usecases.digest import Digests
from bot.usecases.dispatch import Dispatcher
from bot.usecases.end_of_day import EndOfDayNudge
from bot.usecases.home import Home, HomeRefresher, HomeWatch
from bot.usecases.lead_updates import LeadUpdateNudge
from bot.usecases.planner import Planner
from bot.usecases.promises import Promises
from bot.usecases.resume import ResumeNudge
from bot.usecases.settings import Settings as WorkspaceSettings
from bot.usecases.workplace import Workplace


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    repo: Repo
    client: WebClient
    notifier: SlackNotifier
    directory: SlackDirectory
    workplace: Workplace
    planner: Planner
    uses: UseCases
    digests: Digests
    home: HomeRefresher
    dispatcher: Dispatcher
    app: App
    gate: AckFirst
    after_ack: AfterAckExecutor
    health: Health
    intake: Intake

    def web(self) -> WebApp:
        return WebApp(
            self.app,
            health=self.health,
            signing_secret=self.settings.signing_secret,
            gate=self.gate,
        )

    def close(self) -> None:
        self.home.stop()
        self.repo.engine.dispose()


def build_runtime(
    settings: Settings, clock: Clock | None = None, *, run_migrations: bool = True
) -> Runtime:
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url)
    if run_migrations:
        migrate(engine)
    repo = Repo(engine)
    client = build_web_client(settings.bot_token, settings.slack_api_url)
    notifier = SlackNotifier(client, clock)
    directory = SlackDirectory(client)
    gate = AckFirst()
    after_ack = AfterAckExecutor(gate)
    requests = IntakeStore(engine)
    intake = Intake(requests, after_ack, clock, settings.lease)

    def again_later(team_id: str, key: str) -> bool:
        """A request whose post Slack failed for now is processed again after a lease."""
        return requests.again_later(team_id, key, clock.now() + settings.lease)

    workplace = Workplace(repo.settings, settings.defaults, directory)
    watch = HomeWatch()
    planner = Planner(repo, workplace, clock, listeners=[watch])
    promises = Promises(repo, workplace, planner, notifier, notifier, clock, again_later)
    clients = Clients(repo, directory, notifier, workplace, planner, promises, clock, notifier)
    coverage = Coverage(repo, workplace, planner, clock)
    digests = Digests(repo, workplace, SlackDigestPoster(notifier), clock)
    home = Home(repo, workplace, digests, coverage, SlackHomeScreen(client), clock)
    refresher = HomeRefresher(watch, home, before_publish=gate.wait_idle)
    workspace_settings = WorkspaceSettings(workplace, planner, digests, coverage, clock)
    command = PromiseCommand(workplace, promises, clients, coverage, digests, workspace_settings)
    kinds = nudge_kinds.table(
        end_of_day=EndOfDayNudge(repo, workplace, planner),
        resume=ResumeNudge(promises),
        quiet=QuietNudge(clients),
        coverage=CoverageNudge(coverage),
        lead_update=LeadUpdateNudge(repo),
        digests=digests,
    )
    dispatcher = Dispatcher(
        repo,
        repo.outbox,
        notifier,
        workplace,
        kinds,
        clock,
        lease=settings.lease,
        # Requests a dead process acked and left undone: any replica takes them over.
        each_tick=[digests.ensure_all, intake.recover],
    )
    uses = UseCases(
        command=command,
        promises=promises,
        clients=clients,
        coverage=coverage,
        settings=workspace_settings,
        workplace=workplace,
        home=refresher,
        clock=clock,
    )
    limits = CommandLimits(clock, fair_use.COMMANDS)
    app = build_app(
        client, settings.signing_secret, uses, notifier, directory, intake, after_ack, limits
    )
    return Runtime(
        settings=settings,
        clock=clock,
        repo=repo,
        client=client,
        notifier=notifier,
        directory=directory,
        workplace=workplace,
        planner=planner,
        uses=uses,
        digests=digests,
        home=refresher,
        dispatcher=dispatcher,
        app=app,
        gate=gate,
        after_ack=after_ack,
        health=Health(lambda: ping(repo.engine)),
        intake=intake,
    )
