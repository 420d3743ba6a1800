"""The noise benchmark measures something: a short run (two days, a small team) plays real
traffic against the app, judges every DM the fake Slack received, and a DM planted to lie
(a "missed" before the deadline) is counted as false."""

from __future__ import annotations

import re
from pathlib import Path

from slack_sdk import WebClient

from benchmarks import noise_world as world
from benchmarks.noise import run
from benchmarks.noise_sim import START, Sim
from benchmarks.noise_world import Channel, Person

NY, LONDON = "America/New_York", "Europe/London"
MARIA, SAM, PRIYA = (
    Person("U0NY01", "maria", NY),
    Person("U0LN01", "sam", LONDON),
    Person("U0LN02", "priya", LONDON),
)
LEAD = Person("U0LEAD01", "lee", LONDON)
CHANNELS = [
    Channel(
        "C0ACME",
        "acme",
        "Acme",
        MARIA,
        (MARIA, SAM),
        (Person("U0ACME1", "pat", NY),),
        "T0ACME",
        1.0,
    ),
    Channel(
        "C0GLOBEX",
        "globex",
        "Globex",
        SAM,
        (SAM, PRIYA),
        (Person("U0GLBX1", "hans", "Europe/Berlin"),),
        "T0GLOBEX",
        1.0,
    ),
]


def plant_a_false_miss(sim: Sim) -> None:
    """Sam promises something for Wednesday, then a DM naming its queued 'missed' nudge
    arrives on Tuesday night: the statement "missed its deadline" is false."""
    answer = sim.bot.command("send the floor plan by wed 4pm", user=SAM.uid, channel="C0GLOBEX")
    found = re.search(r"#(\d+)", str(answer))
    assert found, answer
    from sqlalchemy import select

    from bot.store.models import Nudge

    with sim.bot.runtime.repo.sessions() as s:
        [missed] = s.scalars(
            select(Nudge.id).where(Nudge.item_id == int(found.group(1)), Nudge.kind == "missed")
        ).all()
    WebClient(token=sim.fake.bot_token, base_url=sim.fake.api_url).chat_postMessage(
        channel=SAM.uid,
        text="#1 missed its deadline",
        metadata={"event_type": "promise_nudge", "event_payload": {"nudges": str(missed)}},
    )


def test_a_short_run_judges_every_dm_and_counts_a_planted_false_one(tmp_path: Path) -> None:
    r = run(
        f"sqlite:///{tmp_path / 'noise.db'}",
        seed=3,
        days=2,
        step_minutes=10,
        team=[MARIA, SAM, PRIYA],
        lead=LEAD,
        channels=CHANNELS,
        requests_per_day=10,
        promises_per_day=5,
        plant=plant_a_false_miss,
    )
    s = r.summary
    assert r.refused == []  # every scripted command was taken
    assert s.requests_sent > 5 and s.acks_sent > 0 and r.promises > 3
    assert {"before", "eod"} <= set(s.by_kind)  # real nudges arrived and were read
    assert s.dms == len(r.judge.dms) > 5
    planted = [d for d in r.judge.dms if d.text == "#1 missed its deadline"]
    assert len(planted) == 1 and planted[0].false
    assert any("before its deadline" in why for why in planted[0].reasons)
    assert s.false_dms >= 1 and s.median >= 0 and s.max >= 1


def test_the_script_is_seeded() -> None:
    def shape(seed: int) -> list[tuple[str, str]]:
        return [(s.at.isoformat(), s.what) for s in world.script(seed, START, 2)]

    assert shape(5) == shape(5) and shape(5) != shape(6)
