"""Which client messages need a reply: the classifier's rates on the labelled table, and its speed.

Runs `bot.core.replies.classify` over tests/data/replies.csv and prints, for all rows and
for the holdout rows apart (written after the rules, never used to change them):

- requests kept: the `owed` rows classified owed (target 100 %);
- acknowledgements recognised: the `ack` rows classified ack (target ≥ 90 %);
- which rule made each owed row owed;
- what `MAX_WORDS` costs: both rates with other word limits;
- throughput, one thread: messages a second over the table, warm (the caches of word
  forms filled) and cold (emptied before each pass).

Pure Python, no database, no Slack: `uv run python -m benchmarks.replies [--seconds 3] [--list]`.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from bot.core import replies
from bot.core.replies import Verdict, classify
from tests.data.replies_table import NAMES, Row, load

ACK_TARGET = 0.90


def rates(rows: list[Row]) -> dict[str, int]:
    acks = [r for r in rows if r.label == "ack"]
    owed = [r for r in rows if r.label == "owed"]
    return {
        "rows": len(rows),
        "acks": len(acks),
        "recognised": sum(classify(r.text, names=NAMES).verdict is Verdict.ACK for r in acks),
        "owed": len(owed),
        "kept": sum(classify(r.text, names=NAMES).verdict is Verdict.OWED for r in owed),
    }


def pct(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "—"


def throughput(texts: list[str], seconds: float, *, cold: bool) -> float:
    done = 0
    elapsed = 0.0
    while elapsed < seconds:
        if cold:
            replies._variants.cache_clear()
            replies._name_keys.cache_clear()
        t = time.perf_counter()
        for text in texts:
            classify(text, names=NAMES)
        elapsed += time.perf_counter() - t
        done += len(texts)
    return done / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per throughput figure")
    parser.add_argument("--list", action="store_true", help="list the misclassified rows")
    args = parser.parse_args()

    rows = load()
    groups = {
        "all rows": rows,
        "written with the rules": [r for r in rows if not r.holdout],
        "holdout (written after)": [r for r in rows if r.holdout],
    }
    print("| rows | messages | acks recognised | requests kept |")
    print("|---|---:|---:|---:|")
    for name, group in groups.items():
        g = rates(group)
        print(
            f"| {name} | {g['rows']} | {g['recognised']}/{g['acks']} = "
            f"**{pct(g['recognised'], g['acks'])}** | {g['kept']}/{g['owed']} = "
            f"**{pct(g['kept'], g['owed'])}** |"
        )
    total = rates(rows)
    ok = total["kept"] == total["owed"] and total["recognised"] >= ACK_TARGET * total["acks"]
    print(
        f"\ntargets (all rows): requests kept 100 %, acknowledgements ≥ {ACK_TARGET:.0%}: "
        + ("met" if ok else "NOT met")
    )

    decisions = [(r, classify(r.text, names=NAMES)) for r in rows]
    by_rule = Counter(d.rule.value for r, d in decisions if r.label == "owed")
    print("\nowed rows, by the rule that made them owed:")
    for rule, count in by_rule.most_common():
        print(f"  {rule:<20} {count}")
    missed = Counter(d.rule.value for r, d in decisions if r.label == "ack" and d.needs_reply)
    print("acks classified owed, by rule:", dict(missed.most_common()))
    if args.list:
        for r, d in decisions:
            if d.verdict.value != r.label:
                print(f"  line {r.line}: {r.text!r} → {d.rule} {d.detail!r}  {r.note}")

    print("\nword limit (MAX_WORDS) | acks recognised | requests kept")
    default = replies.MAX_WORDS
    try:
        for limit in (6, 8, 10, 12, 20):
            replies.MAX_WORDS = limit
            g = rates(rows)
            mark = "  ← in force" if limit == default else ""
            print(
                f"  {limit:>2} | {pct(g['recognised'], g['acks']):>6} | "
                f"{pct(g['kept'], g['owed'])}{mark}"
            )
    finally:
        replies.MAX_WORDS = default

    texts = [r.text for r in rows]
    warm = throughput(texts, args.seconds, cold=False)
    cold = throughput(texts, args.seconds, cold=True)
    print(
        f"\nthroughput, one thread, {len(texts)} messages a pass: "
        f"{warm:,.0f} messages/s warm ({1e6 / warm:.1f} µs each), "
        f"{cold:,.0f} messages/s cold ({1e6 / cold:.1f} µs each)"
    )


if __name__ == "__main__":
    main()
