"""The HTTP surface: signatures always checked, health, routing, and the ack budget."""

from __future__ import annotations

import time

from tests.e2e.harness import Bot


def test_it_rejects_unsigned_requests(bot: Bot) -> None:
    body, _ = bot.command_body("send the deck by 4pm")
    answer = bot.request(
        "POST", "/slack/events", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert answer.status == 401
    assert bot.items() == []


def test_it_rejects_stale_requests(bot: Bot) -> None:
    body, _ = bot.command_body("send the deck by 4pm")
    answer = bot.post_signed(
        body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 6 * 60
    )
    assert answer.status == 401
    assert bot.items() == []


def test_it_rejects_tampered_requests(bot: Bot) -> None:
    body, _ = bot.command_body("send the deck by 4pm")
    from tests.fakeslack import signed_headers

    headers = signed_headers("e2e-signing-secret", body)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    tampered = body.replace("U0OWNER", "U0LEAD")
    assert bot.request("POST", "/slack/events", tampered, headers).status == 401
    assert bot.post_signed(body, "application/x-www-form-urlencoded", secret="wrong").status == 401
    assert bot.items() == []


def test_it_reports_health(bot: Bot) -> None:
    answer = bot.request("GET", "/healthz")
    assert (answer.status, answer.body) == (200, "ok")


def test_it_reports_an_unreachable_database(make_bot, pg_url: str) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine, text

    bot = make_bot(pg_url)
    assert bot.request("GET", "/healthz").status == 200
    server, name = pg_url.rsplit("/", 1)
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()
    answer = bot.request("GET", "/healthz")
    assert (answer.status, answer.body) == (503, "database unreachable")


def test_it_routes_only_its_paths(bot: Bot) -> None:
    assert bot.request("GET", "/").status == 404
    assert bot.request("GET", "/slack/events").status == 405


def test_it_acks_before_the_slow_work(bot: Bot) -> None:
    bot.fake.slow_next("users.info", seconds=2.5)
    body, url = bot.command_body("send the deck by 4pm")
    answer = bot.post_signed(body, "application/x-www-form-urlencoded")
    assert answer.status == 200 and answer.seconds < 1.0
    bot.fake.wait_for_response(url, timeout=10)
    assert len(bot.items()) == 1
