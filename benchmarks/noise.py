"""Noise: a working week of a client-facing team, played against the real app, and what
its DMs were worth (issue #6's measure).

`uv run python -m benchmarks.noise [--seed N] [--days N] [--step MIN] [--list]`

The script (`noise_world.py`, seeded) has clients write in five watched Slack Connect
channels, teammates answer in the thread or the channel (or with a ✅), and promises made
and ended; `noise_sim.py` plays it against the real app and the fake Slack with a frozen
clock; every DM the fake received is judged when it arrives (`noise_measure.py`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks import noise_world as world
from benchmarks.noise_measure import Judge, Summary, summarise
from benchmarks.noise_phrases import overlap_with_table
from benchmarks.noise_sim import START, Sim
from benchmarks.noise_world import Channel, Person

TABLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "replies.csv"


@dataclass(frozen=True)
class Run:
    summary: Summary
    judge: Judge
    promises: int
    refused: list[str]
    seconds: float


def run(
    database_url: str,
    *,
    seed: int = 1,
    days: int = 7,
    step_minutes: int = 5,
    team: list[Person] | None = None,
    lead: Person | None = None,
    channels: list[Channel] | None = None,
    requests_per_day: float = 24.0,
    promises_per_day: float = 14.0,
    plant: Any = None,
) -> Run:
    """Play `days` days from START and judge every DM; `plant(sim)`, when given, runs
    after the script (tests use it to slip in a DM that must be judged false)."""
    started = time.perf_counter()
    sim = Sim(database_url, seed=seed, team=team, lead=lead, channels=channels)
    try:
        sim.watch_channels()
        steps = world.script(
            seed, START, days, requests_per_day, promises_per_day, sim.channels, sim.team
        )
        end = START + timedelta(days=days)
        sim.run(steps, end, timedelta(minutes=step_minutes))
        if plant is not None:
            plant(sim)
            sim.observe()
        promises = sum(1 for s in steps if s.what == "promise")
        summary = summarise(sim.judge, sim.team, sim.lead, START, end)
        return Run(summary, sim.judge, promises, sim.refused, time.perf_counter() - started)
    finally:
        sim.close()


def report(r: Run, seed: int, days: int, show: bool) -> str:
    s = r.summary
    overlap, phrasings = overlap_with_table(TABLE) if TABLE.exists() else (0, 0)
    lines = [
        f"Noise, {days} days from Mon {START:%Y-%m-%d} (seed {seed}): {len(world.TEAM)} people in "
        f"3 time zones + a lead, {len(world.CHANNELS)} client channels; "
        f"{s.requests_sent + s.acks_sent} client messages ({s.acks_sent} acknowledgements), "
        f"{r.promises} promises; {r.seconds:.0f} s",
        "",
        "| measure | value | target |",
        "|---|---:|---|",
        f"| DMs per person per working day, median (max) | {s.median:g} ({s.max}) | median ≤ 3 |",
        f"| the lead's DMs per working day, median (max) | {s.lead_median:g} ({s.lead_max}) | |",
        f"| false DMs (of all DMs) | {s.false_dms} (of {s.dms}) | 0 |",
        f"| reply-owed items opened by an acknowledgement | {s.ack_items} (of {s.acks_sent}) | |",
        f"| DMs naming such an item | {s.ack_dms} | |",
        f"| escalations to the lead (false; about an acknowledgement) | {s.escalations} "
        f"({s.false_escalations}; {s.ack_escalations}) | |",
        "",
        "DMs by nudge kind: " + ", ".join(f"{k} {n}" for k, n in s.by_kind.items()),
    ]
    if s.reasons:
        lines.append(
            "Why DMs were false: " + "; ".join(f"{n}× {k}" for k, n in s.reasons.most_common())
        )
    if r.refused:
        lines.append(f"Commands the app refused: {len(r.refused)} (first: {r.refused[0]})")
    lines.append(
        f"Phrasings: {phrasings} written for this benchmark; {overlap} of their texts are also "
        "rows of tests/data/replies.csv."
    )
    if show:
        for item, text in sorted(r.judge.truth.ack_items.items()):
            lines.append(f"  acknowledgement owed as #{item}: {text!r}")
        for dm in r.judge.dms:
            if dm.false or dm.about_acks:
                why = (
                    "; ".join(dm.reasons) or f"about acknowledgement items {sorted(dm.about_acks)}"
                )
                lines.append(f"  {dm.at:%a %H:%M}Z to {dm.to} [{','.join(dm.kinds)}]: {why}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--step", type=int, default=5, help="minutes between dispatcher ticks")
    parser.add_argument("--list", action="store_true", help="list every false or ack DM")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        r = run(
            f"sqlite:///{Path(tmp) / 'promise-bot.db'}",
            seed=args.seed,
            days=args.days,
            step_minutes=args.step,
        )
    print(report(r, args.seed, args.days, args.list))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
