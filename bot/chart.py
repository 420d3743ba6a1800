"""The weekly digest's chart: on-time rate and median reply time per day, as a PNG.

matplotlib draws it, in a short-lived child process (`python -m bot.chart`): importing
matplotlib and numpy costs ~75 MB of memory and ~2 s, which the long-running bot would
otherwise keep for good after its first weekly digest. The child reads the days as JSON on
stdin and writes the PNG to stdout.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.core.stats import Day

TIMEOUT_SECONDS = 60
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ChartError(Exception):
    """The chart could not be drawn (the digest goes out without it)."""


def render(days: Sequence[Day], title: str) -> bytes:
    """The chart as PNG bytes, drawn in a child process."""
    payload = json.dumps({"title": title, "days": [_day_json(d) for d in days]})
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot.chart"],
            input=payload.encode(),
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ChartError(f"the chart process did not finish: {e}") from e
    if done.returncode != 0 or not done.stdout.startswith(PNG_SIGNATURE):
        raise ChartError(done.stderr.decode(errors="replace").strip()[-500:] or "no PNG drawn")
    return done.stdout


def draw(days: Sequence[dict[str, Any]], title: str) -> bytes:
    """Draw the chart in this process (the child's work): bars for the on-time rate, a line
    for the median first-response time, one tick per day."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backends

    labels = [date.fromisoformat(d["day"]).strftime("%a %-d") for d in days]
    xs = list(range(len(days)))
    rates = [d["on_time_rate"] * 100 if d["on_time_rate"] is not None else 0.0 for d in days]
    minutes = [d["reply_minutes"] for d in days]

    fig = Figure(figsize=(8, 4), dpi=100)
    ax = fig.subplots()
    bars = ax.bar(xs, rates, color="#1f6f5c", alpha=0.85, label="On time (% of promises)")
    for x, d in zip(xs, days, strict=True):
        if d["on_time_rate"] is None:
            ax.annotate("–", (x, 1), ha="center", color="#888888")
    ax.set_ylim(0, 125)  # headroom for the legend above the 100% bars
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("On time, %")
    ax.set_xticks(xs, labels)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)

    ax2 = ax.twinx()
    points = [(x, m) for x, m in zip(xs, minutes, strict=True) if m is not None]
    if points:
        (line,) = ax2.plot(
            [p[0] for p in points],
            [p[1] for p in points],
            color="#d9822b",
            marker="o",
            label="Median first reply (min)",
        )
        ax2.set_ylim(0, max(p[1] for p in points) * 1.4 + 1)
    else:
        (line,) = ax2.plot([], [], color="#d9822b", marker="o", label="Median first reply (min)")
        ax2.set_ylim(0, 60)
    ax2.set_ylabel("Median first reply, minutes")
    ax.legend(handles=[bars, line], loc="upper left", fontsize="small", ncols=2, framealpha=0.9)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _day_json(d: Day) -> dict[str, Any]:
    return {
        "day": d.day.isoformat(),
        "on_time_rate": d.on_time_rate,
        "reply_minutes": (
            d.reply_median.total_seconds() / 60 if d.reply_median is not None else None
        ),
    }


def main() -> None:
    spec = json.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(draw(spec["days"], spec["title"]))


if __name__ == "__main__":
    main()
