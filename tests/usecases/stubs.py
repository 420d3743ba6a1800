"""Stub ports for the use-case tests, in the style of zulip_bots' StubBotHandler: a
directory of people you add, and a transcript of everything that would have been posted
(and to whom) instead of Slack. With them and a real Repo, `build_world` puts the use cases
together exactly as bot/runtime.py does, without Slack or Bolt.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.config import Defaults
from bot.core.outcome import Outcome
from bot.core.stats import Numbers
from bot.store.models import Item, ItemEvent, Nudge
from bot.store.repo import Repo
from bot.usecases import nudge_kinds
from bot.usecases.clients import Clients, QuietNudge
from bot.usecases.commands import PromiseCommand
from bot.usecases.coverage import Coverage, CoverageNudge
from bot.usecases.digest import Digests
from bot.usecases.dispatch import Dispatcher
from bot.usecases.end_of_day import EndOfDayNudge
from bot.usecases.home import Home, HomeData, HomeRefresher, HomeWatch
from bot.usecases.lead_updates import LeadUpdateNudge
from bot.usecases.nudge_kinds import Kinds, TickResult
from bot.usecases.planner import Planner
from bot.usecases.ports import (
    CatchUp,
    ChannelFacts,
    DirectoryUnavailable,
    EndOfDay,
    NotifyError,
    NudgeView,
    Person,
)
from bot.usecases.promises import Promises
from bot.usecases.results import Created, Invocation
from bot.usecases.resume import ResumeNudge
from bot.usecases.settings import Settings
from bot.usecases.workplace import Workplace

__all__ = ["FrozenClock", "Said", "StubDirectory", "Transcript", "World", "build_world"]


class StubDirectory:
    """bot.usecases.ports.Directory: the people you add; `unavailable` makes every look-up
    raise DirectoryUnavailable (Slack down, rate limited after the retries)."""

    def __init__(self) -> None:
        self.people: dict[tuple[str, str], Person] = {}
        self.unavailable = False
        self.asked: list[tuple[str, str]] = []

    def add(
        self,
        user_id: str,
        tz: str | None = "UTC",
        *,
        team_id: str = "T1",
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        name: str = "",
    ) -> Person:
        person = Person(
            id=user_id,
            tz=tz,
            is_bot=is_bot,
            deleted=deleted,
            is_admin=is_admin,
            name=name or user_id.lower(),
        )
        self.people[(team_id, user_id)] = person
        return person

    def person(self, team_id: str, user_id: str) -> Person | None:
        self.asked.append((team_id, user_id))
        if self.unavailable:
            raise DirectoryUnavailable("users.info: service unavailable")
        return self.people.get((team_id, user_id))


@dataclass(frozen=True)
class Said:
    """One thing that would have been posted: what, in which workspace, to whom (a channel
    or a person), about which items, and the rest of what the port was given."""

    what: str  # thank_you | deadline_moved | handed_off | nudges | digest | join | home
    team: str
    to: str
    item_ids: tuple[int | None, ...] = ()
    kinds: tuple[str, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict, compare=False)


def _key(key: str | None) -> dict[str, str]:
    """A post's request key, when it has one (a change made under an intake key)."""
    return {"key": key} if key else {}


class Transcript:
    """The Notifier, Messenger, ChannelInfo, digest Poster and HomeScreen at once: each call
    is recorded as a `Said` (in order), or raises what `refuse` queued for it."""

    def __init__(self) -> None:
        self.log: list[Said] = []
        self.channels: dict[str, ChannelFacts] = {}
        self.already_sent: dict[int, tuple[str, str]] = {}  # nudge id → (channel, ts)
        # Requests handed back to the intake for later (a post Slack failed for now); how
        # many more times the intake would take one back before giving it up.
        self.handed_back: list[tuple[str, str]] = []
        self.tries_left = 4
        self._refusals: dict[str, list[NotifyError]] = defaultdict(list)

    # -- set-up

    def add_channel(
        self, channel_id: str, name: str, *, is_private: bool = False, is_member: bool = True
    ) -> None:
        self.channels[channel_id] = ChannelFacts(name, is_private, is_member)

    def refuse(self, what: str, reason: str, *, transient: bool = False) -> None:
        """The next `what` call raises NotifyError(reason), as Slack refusing it would."""
        self._refusals[what].append(NotifyError(reason, transient=transient))

    # -- reading

    def said(self, what: str | None = None, to: str | None = None) -> list[Said]:
        return [s for s in self.log if (what is None or s.what == what) and (to in (None, s.to))]

    def dms(self, to: str | None = None) -> list[Said]:
        """The nudge DMs, in the order they were sent."""
        return self.said("nudges", to)

    def views(self, to: str | None = None) -> list[NudgeView]:
        return [v for dm in self.dms(to) for v in dm.detail["views"]]

    def clear(self) -> None:
        self.log.clear()

    def _record(self, said: Said) -> None:
        if self._refusals[said.what]:
            raise self._refusals[said.what].pop(0)
        self.log.append(said)

    # -- Notifier

    def thank_you(
        self, item: Item, outcome: Outcome, *, client_reads: bool, key: str | None = None
    ) -> None:
        self._record(
            Said(
                "thank_you",
                item.team_id,
                item.channel_id or "",
                (item.id,),
                detail={"outcome": outcome, "client_reads": client_reads, **_key(key)},
            )
        )

    def deadline_moved(
        self, item: Item, note: str, actor_id: str, tz: str, key: str | None = None
    ) -> None:
        self._record(
            Said(
                "deadline_moved",
                item.team_id,
                item.channel_id or "",
                (item.id,),
                detail={"note": note, "actor": actor_id, "due_at": item.due_at, **_key(key)},
            )
        )

    def handed_off(
        self, item: Item, previous_owner: str, actor_id: str, key: str | None = None
    ) -> None:
        self._record(
            Said(
                "handed_off",
                item.team_id,
                item.owner_id,  # by DM, to the new owner
                (item.id,),
                detail={"previous_owner": previous_owner, "actor": actor_id, **_key(key)},
            )
        )

    def later(self, team_id: str, key: str) -> bool:
        """The intake's `again_later`: True while it has tries left."""
        if self.tries_left <= 0:
            return False
        self.tries_left -= 1
        self.handed_back.append((team_id, key))
        return True

    def posted(
        self, key: str, oldest: datetime, *, channel: str | None = None, dm: str | None = None
    ) -> bool:
        """Whether a post under `key` was recorded (where it went is the caller's to say)."""
        return any(said.detail.get("key") == key for said in self.log)

    def channel_changed(
        self, channel_id: str, previous_owner: str, new_owner: str | None, actor_id: str
    ) -> None:
        self._record(
            Said(
                "channel_changed",
                "",
                previous_owner,  # by DM
                (),
                detail={"channel": channel_id, "new_owner": new_owner, "actor": actor_id},
            )
        )

    # -- Messenger

    def send_nudges(
        self,
        team_id: str,
        user_id: str,
        views: list[NudgeView],
        eod: EndOfDay | None,
        tz: str,
        catch_up: CatchUp | None = None,
    ) -> tuple[str, str]:
        self._record(
            Said(
                "nudges",
                team_id,
                user_id,
                tuple(v.item.id if v.item is not None else None for v in views),
                tuple(v.kind for v in views),
                detail={"views": list(views), "eod": eod, "tz": tz, "catch_up": catch_up},
            )
        )
        return f"D{user_id}", f"{len(self.log)}.000100"

    def find_sent(
        self, team_id: str, user_id: str, nudge_id: int, oldest: datetime
    ) -> tuple[str, str] | None:
        return self.already_sent.get(nudge_id)

    # -- ChannelInfo

    def info(self, channel_id: str) -> ChannelFacts:
        if channel_id not in self.channels:
            raise NotifyError("channel_not_found")
        return self.channels[channel_id]

    def join(self, channel_id: str) -> None:
        self._record(Said("join", "", channel_id))
        facts = self.channels[channel_id]
        self.channels[channel_id] = ChannelFacts(facts.name, facts.is_private, is_member=True)

    # -- the digests' Poster

    def post_digest(
        self,
        channel: str,
        numbers: Numbers,
        tz: str,
        nudge_id: int,
        weekly: bool,
        scope: str | None,
    ) -> tuple[str, str]:
        self._record(
            Said(
                "digest",
                "",
                channel,
                kinds=("weekly" if weekly else "digest",),
                detail={"numbers": numbers, "nudge_id": nudge_id, "scope": scope, "tz": tz},
            )
        )
        return channel, f"{len(self.log)}.000200"

    def upload_chart(
        self, channel: str, png: bytes, nudge_id: int, title: str, comment: str
    ) -> None:
        self._record(Said("chart", "", channel, detail={"title": title, "bytes": len(png)}))

    def find(self, channel: str, nudge_id: int, oldest: datetime) -> tuple[str | None, bool]:
        return None, False

    def chart_text(self, start: datetime, end: datetime, tz: str) -> tuple[str, str]:
        return "The week", "Closed loops per day"

    # -- HomeScreen

    def publish(self, team_id: str, user_id: str, data: HomeData) -> None:
        self._record(Said("home", team_id, user_id, detail={"data": data}))


class Listener:
    """A planner change listener that remembers whom it was told about."""

    def __init__(self) -> None:
        self.changes: list[tuple[str, str]] = []

    def changed(self, team_id: str, user_id: str) -> None:
        self.changes.append((team_id, user_id))


@dataclass
class World:
    """The use cases over a real Repo, with stub ports and a frozen clock."""

    team: str
    clock: FrozenClock
    directory: StubDirectory
    transcript: Transcript
    listener: Listener
    repo: Repo
    workplace: Workplace
    planner: Planner
    promises: Promises
    clients: Clients
    coverage: Coverage
    digests: Digests
    home: HomeRefresher
    settings: Settings
    command: PromiseCommand
    kinds: Kinds
    dispatcher: Dispatcher

    def who(self, user: str, channel: str | None = None) -> Invocation:
        return Invocation(self.team, user, channel)

    def run(self, user: str, text: str, channel: str | None = None) -> Any:
        """`/promise TEXT` as `user` typed it (in `channel`)."""
        return self.command.handle(self.who(user, channel), text)

    def promise(
        self,
        what: str = "send the revised deck to Acme",
        by: str = "3pm",
        *,
        owner: str | None = None,
        creator: str = "UMARIA",
        channel: str | None = "C0ACME",
    ) -> Item:
        """`/promise [@owner] WHAT by BY`, typed by `creator` in `channel`; the new item."""
        mention = f"<@{owner}> " if owner else ""
        result = self.run(creator, f"{mention}{what} by {by}", channel)
        assert isinstance(result, Created), result
        return result.item

    def item(self, item_id: int) -> Item:
        item = self.repo.get_item(self.team, item_id)
        assert item is not None, f"no item #{item_id}"
        return item

    def rows(self, *, status: str | None = "queued", item_id: int | None = None) -> list[Nudge]:
        """Outbox rows of this workspace (queued ones by default), soonest first."""
        query = select(Nudge).where(Nudge.team_id == self.team)
        if status is not None:
            query = query.where(Nudge.status == status)
        if item_id is not None:
            query = query.where(Nudge.item_id == item_id)
        with self.repo.sessions() as s:
            return list(s.scalars(query.order_by(Nudge.due_at, Nudge.id)))

    def events(self, item_id: int) -> list[str]:
        """The kinds of the item's history, oldest first."""
        with self.repo.sessions() as s:
            query = select(ItemEvent.kind).where(ItemEvent.item_id == item_id)
            return list(s.scalars(query.order_by(ItemEvent.id)))

    def tick_at(self, at: datetime) -> TickResult:
        """Move the clock to `at` and let the dispatcher send what is due."""
        self.clock.set(at)
        return self.dispatcher.tick()


def build_world(
    repo: Repo,
    clock: FrozenClock,
    directory: StubDirectory,
    transcript: Transcript,
    defaults: Defaults,
    team: str = "T1",
) -> World:
    """bot/runtime.py's build_runtime from the workplace up, with the stubs for Slack."""
    listener = Listener()
    workplace = Workplace(repo.settings, defaults, directory)
    watch = HomeWatch()
    planner = Planner(repo, workplace, clock, listeners=[watch, listener])
    promises = Promises(repo, workplace, planner, transcript, transcript, clock, transcript.later)
    clients = Clients(repo, directory, transcript, workplace, planner, promises, clock, transcript)
    coverage = Coverage(repo, workplace, planner, clock)
    digests = Digests(repo, workplace, transcript, clock)
    home = Home(repo, workplace, digests, coverage, transcript, clock)
    refresher = HomeRefresher(watch, home)
    settings = Settings(workplace, planner, digests, coverage, clock)
    command = PromiseCommand(workplace, promises, clients, coverage, digests, settings)
    kinds = nudge_kinds.table(
        end_of_day=EndOfDayNudge(repo, workplace, planner),
        resume=ResumeNudge(promises),
        quiet=QuietNudge(clients),
        coverage=CoverageNudge(coverage),
        lead_update=LeadUpdateNudge(repo),
        digests=digests,
    )
    dispatcher = Dispatcher(
        repo, repo.outbox, transcript, workplace, kinds, clock, each_tick=[digests.ensure_all]
    )
    return World(
        team=team,
        clock=clock,
        directory=directory,
        transcript=transcript,
        listener=listener,
        repo=repo,
        workplace=workplace,
        planner=planner,
        promises=promises,
        clients=clients,
        coverage=coverage,
        digests=digests,
        home=refresher,
        settings=settings,
        command=command,
        kinds=kinds,
        dispatcher=dispatcher,
    )
