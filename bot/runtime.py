"""Wires the pieces together: settings → database → Slack client → service → Bolt app."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.slack.app import build_app
from bot.slack.client import build_web_client
from bot.slack.digest_poster import SlackDigestPoster
from bot.slack.directory import SlackDirectory
from bot.slack.http import WebApp
from bot.slack.notifier import SlackNotifier
from bot.slack.priority import AckFirst, AfterAckExecutor
from bot.store.db import make_engine, migrate, ping
from bot.store.repo import Repo
from bot.usecases.clients import Inbox
from bot.usecases.coverage import Coverage
from bot.usecases.digest import Digests
from bot.usecases.dispatch import Dispatcher
from bot.usecases.home import Home, HomeRefresher
from bot.usecases.promises import Service


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    repo: Repo
    client: WebClient
    service: Service
    app: App
    gate: AckFirst
    after_ack: AfterAckExecutor
    dispatcher: Dispatcher
    notifier: SlackNotifier

    def web(self) -> WebApp:
        return WebApp(self.app, healthy=lambda: ping(self.repo.engine), gate=self.gate)

    def close(self) -> None:
        if self.service.home is not None:
            self.service.home.stop()
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
    service = Service(repo, directory, notifier, settings.defaults, clock)
    service.inbox = Inbox(repo, directory, notifier, service, clock)
    service.coverage = Coverage(repo, service, clock)
    service.digests = Digests(repo, service, SlackDigestPoster(notifier), clock)
    dispatcher = Dispatcher(
        repo, repo.outbox, notifier, service, clock, lease=settings.lease, digests=service.digests
    )
    gate = AckFirst()
    service.home = HomeRefresher(
        Home(service, lambda team, user, view: client.views_publish(user_id=user, view=view)),
        before_publish=gate.wait_idle,
    )
    after_ack = AfterAckExecutor(gate)
    app = build_app(client, settings.signing_secret, service, notifier, service.inbox, after_ack)
    return Runtime(
        settings, clock, repo, client, service, app, gate, after_ack, dispatcher, notifier
    )
