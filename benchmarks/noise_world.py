"""The noise benchmark's world: a team in three time zones, its client channels, fresh
client phrasings, and the seeded script of a working week (what clients write, when the team
answers, which promises are made and how each one ends).

Nothing here talks to the app: `benchmarks/noise.py` plays the script over signed HTTP, and
`noise_measure.py` judges what arrived. The phrasings are in `noise_phrases.py`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from benchmarks.noise_phrases import ACKS, ADDENDA, PROMISE_WORK, REQUESTS, TEAM_REPLIES, TOPICS

NY, LONDON, KOLKATA = "America/New_York", "Europe/London", "Asia/Kolkata"
DAY_START, DAY_END = time(9), time(17)  # the app's defaults, for every person


@dataclass(frozen=True)
class Person:
    uid: str
    name: str
    tz: str

    def local(self, at: datetime) -> datetime:
        return at.astimezone(ZoneInfo(self.tz))

    def is_working(self, at: datetime) -> bool:
        t = self.local(at)
        return t.weekday() < 5 and DAY_START <= t.time() < DAY_END

    def next_start(self, at: datetime) -> datetime:
        """The next moment at or after `at` inside this person's working hours."""
        t = self.local(at)
        if self.is_working(at):
            return at
        day = t.date() if t.time() < DAY_START else t.date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return datetime.combine(day, DAY_START, tzinfo=ZoneInfo(self.tz)).astimezone(UTC)

    def add_working(self, at: datetime, minutes: float) -> datetime:
        """`minutes` of this person's working time after `at`."""
        left = timedelta(minutes=minutes)
        t = self.next_start(at)
        while True:
            end = datetime.combine(self.local(t).date(), DAY_END, tzinfo=ZoneInfo(self.tz))
            room = end.astimezone(UTC) - t
            if left <= room:
                return t + left
            left -= room
            t = self.next_start(end.astimezone(UTC))

    def working_minutes(self, start: datetime, end: datetime) -> float:
        """Working minutes between `start` and `end`, counted in 5-minute steps."""
        n, t = 0, start
        while t < end:
            n += self.is_working(t)
            t += timedelta(minutes=5)
        return n * 5.0


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    client: str  # the client's name, as `watch` records it
    owner: Person
    team: tuple[Person, ...]  # who answers and promises here (the owner first)
    clients: tuple[Person, ...]  # Slack Connect users of the client's own workspace
    client_team: str
    weight: float  # share of the client traffic


def _people() -> tuple[list[Person], Person]:
    names = [
        ("U0NY01", "maria", NY),
        ("U0NY02", "dev", NY),
        ("U0NY03", "rosa", NY),
        ("U0NY04", "tom", NY),
        ("U0LN01", "sam", LONDON),
        ("U0LN02", "priya", LONDON),
        ("U0LN03", "olly", LONDON),
        ("U0IN01", "arjun", KOLKATA),
        ("U0IN02", "meera", KOLKATA),
        ("U0IN03", "kabir", KOLKATA),
    ]
    return [Person(*n) for n in names], Person("U0LEAD01", "lee", LONDON)


TEAM, LEAD = _people()
_BY = {p.name: p for p in TEAM}


def _channels() -> list[Channel]:
    def people(*names: str) -> tuple[Person, ...]:
        return tuple(_BY[n] for n in names)

    def client(uid: str, name: str, tz: str) -> Person:
        return Person(uid, name, tz)

    return [
        Channel(
            "C0ACME",
            "acme-project",
            "Acme",
            _BY["maria"],
            people("maria", "dev", "arjun"),
            (client("U0ACME1", "pat", NY), client("U0ACME2", "jo", NY)),
            "T0ACME",
            1.3,
        ),
        Channel(
            "C0GLOBEX",
            "globex-launch",
            "Globex",
            _BY["sam"],
            people("sam", "priya", "rosa"),
            (client("U0GLBX1", "hans", "Europe/Berlin"),),
            "T0GLOBEX",
            1.0,
        ),
        Channel(
            "C0INITECH",
            "initech-support",
            "Initech",
            _BY["arjun"],
            people("arjun", "meera", "olly"),
            (client("U0INIT1", "bill", LONDON), client("U0INIT2", "peter", LONDON)),
            "T0INITECH",
            1.1,
        ),
        Channel(
            "C0UMBRA",
            "umbrella-site",
            "Umbrella",
            _BY["tom"],
            people("tom", "kabir", "dev"),
            (client("U0UMBR1", "alice", "America/Chicago"),),
            "T0UMBRA",
            0.8,
        ),
        Channel(
            "C0STARK",
            "stark-retainer",
            "Stark",
            _BY["priya"],
            people("priya", "olly", "meera", "rosa"),
            (client("U0STRK1", "pepper", LONDON),),
            "T0STARK",
            0.8,
        ),
    ]


CHANNELS = _channels()

# -- the script ------------------------------------------------------------------------------


@dataclass
class Promise:
    """A promise someone will make, and how it ends (decided up front, seeded)."""

    maker: Person
    owner: Person
    channel: Channel
    what: str
    when: str
    fate: str  # on_time | renegotiate | hand_off | late | very_late | cancel
    u: float  # where in its window it is delivered (0..1)
    later: str  # the new deadline when renegotiated
    to: Person | None  # who takes it over when handed off
    item_id: int | None = None


@dataclass
class Step:
    """One thing that happens at `at`: `what` names the action, `args` its data."""

    at: datetime
    what: str  # client | teammate | react | promise
    args: dict[str, object] = field(default_factory=dict)


def _when_phrase(rng: random.Random, person: Person, at: datetime) -> str:
    """A deadline as a person would type it at `at`, in their own hours."""
    t = person.local(at)
    hour = t.hour + t.minute / 60
    options: list[tuple[str, float]] = [
        ("EOD", 2.0),
        ("tomorrow 10am", 2.0),
        ("tomorrow", 2.0),
        ("tomorrow 3pm", 1.5),
    ]
    if hour < 15:
        options.append(("4pm", 2.5))
    if hour < 13:
        options.append(("2:30pm", 1.0))
    if hour < 15.5:
        quick = (t + timedelta(minutes=rng.choice([40, 60, 90]))).replace(second=0)
        quick = quick.replace(minute=(quick.minute // 5) * 5)
        options.append((quick.strftime("%-I:%M%p").lower(), 1.5))  # a short fuse
    if t.weekday() < 3:
        options += [("fri", 1.0), ("fri 3pm", 0.7)]
    phrases, weights = zip(*options, strict=True)
    return rng.choices(phrases, weights)[0]


def _fate(rng: random.Random) -> str:
    fates = ["on_time", "renegotiate", "hand_off", "late", "very_late", "cancel"]
    return rng.choices(fates, [55, 15, 10, 12, 5, 3])[0]


def _promise(rng: random.Random, maker: Person, channel: Channel, at: datetime) -> Promise:
    owner = maker
    if maker is channel.owner and len(channel.team) > 1 and rng.random() < 0.2:
        owner = rng.choice(channel.team[1:])  # the owner asks a teammate to do it
    others = [p for p in channel.team if p is not owner] or [p for p in TEAM if p is not owner]
    what = rng.choice(PROMISE_WORK).format(t=rng.choice(TOPICS))
    later = rng.choice(["tomorrow 3pm", "tomorrow 11am", "fri 2pm", "next monday 10am"])
    return Promise(
        maker,
        owner,
        channel,
        what,
        _when_phrase(rng, owner, at),
        _fate(rng),
        rng.random(),
        later,
        rng.choice(others),
    )


def _client_time(rng: random.Random, client: Person, day: datetime) -> datetime:
    local = datetime.combine(day.date(), DAY_START, tzinfo=ZoneInfo(client.tz))
    return (local + timedelta(minutes=rng.uniform(0, 8.5 * 60))).astimezone(UTC)


def _answer_delay(rng: random.Random) -> float:
    """Working minutes until a teammate answers a client: mostly soon, some late."""
    r = rng.random()
    if r < 0.70:
        return rng.uniform(5, 110)
    if r < 0.85:
        return rng.uniform(120, 330)
    if r < 0.95:
        return rng.uniform(420, 540)  # next working morning
    return rng.uniform(700, 1100)  # past the SLA and its grace: escalated


def script(
    seed: int,
    start: datetime,
    days: int,
    requests_per_day: float = 24.0,
    promises_per_day: float = 14.0,
    channels: list[Channel] | None = None,
    team: list[Person] | None = None,
) -> list[Step]:
    """A working week of client traffic and promises, as steps in time order. Follow-ups
    that depend on the app (outcomes of promises) are planned when the promise is made."""
    rng = random.Random(seed)
    channels = channels or CHANNELS
    team = team or TEAM
    steps: list[Step] = []
    total = sum(c.weight for c in channels)
    for d in range(days):
        day = start + timedelta(days=d)
        for ch in channels:
            for client in ch.clients:
                if client.local(day + timedelta(hours=12)).weekday() >= 5:
                    continue
                lam = requests_per_day * ch.weight / total / len(ch.clients) / 1.15
                for _ in range(_poisson(rng, lam)):
                    steps += _thread(rng, ch, client, _client_time(rng, client, day))
        for person in team:
            if person.local(day + timedelta(hours=12)).weekday() >= 5:
                continue
            mine = [c for c in channels if person in c.team]
            if not mine:
                continue
            for _ in range(_poisson(rng, promises_per_day / len(team))):
                local = datetime.combine(
                    person.local(day + timedelta(hours=12)).date(),
                    DAY_START,
                    tzinfo=ZoneInfo(person.tz),
                )
                at = (local + timedelta(minutes=rng.uniform(10, 7.5 * 60))).astimezone(UTC)
                steps.append(
                    Step(at, "promise", {"p": _promise(rng, person, rng.choice(mine), at)})
                )
    return sorted(steps, key=lambda s: s.at)


def _thread(rng: random.Random, ch: Channel, client: Person, at: datetime) -> list[Step]:
    """A client's request (sometimes in two messages), the team's answer, maybe a promise
    made with it, and maybe the client's thanks afterwards."""
    text = rng.choice(REQUESTS).format(t=rng.choice(TOPICS))
    first = {"channel": ch, "user": client, "text": text, "ack": False, "thread": None}
    steps = [Step(at, "client", first)]
    parts = [at]
    if rng.random() < 0.15:
        later = at + timedelta(minutes=rng.uniform(0.5, 4))
        steps.append(Step(later, "client", {**first, "text": rng.choice(ADDENDA)}))
        parts.append(later)
    responder = ch.owner if rng.random() < 0.7 else rng.choice(ch.team)
    answered = responder.add_working(at + timedelta(minutes=1), _answer_delay(rng))
    how = rng.choices(["thread", "thread_last", "channel", "react"], [55, 15, 22, 8])[0]
    answer = {
        "channel": ch,
        "user": responder,
        "text": rng.choice(TEAM_REPLIES),
        "how": how,
        "parts": parts,
    }
    steps.append(Step(answered, "react" if how == "react" else "teammate", answer))
    if how != "react" and rng.random() < 0.35:
        p = _promise(rng, responder, ch, answered)
        steps.append(Step(answered + timedelta(seconds=30), "promise", {"p": p}))
    if rng.random() < 0.55:
        thanked = client.add_working(answered, rng.uniform(2, 50))
        thread = parts[-1 if how == "thread_last" else 0] if how != "channel" else None
        steps.append(
            Step(
                thanked,
                "client",
                {
                    "channel": ch,
                    "user": client,
                    "text": rng.choice(ACKS),
                    "ack": True,
                    "thread": thread,
                },
            )
        )
    return steps


def _poisson(rng: random.Random, lam: float) -> int:
    n, p, limit = 0, 1.0, pow(2.718281828459045, -lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return n
        n += 1
