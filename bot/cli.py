"""`promise-bot run | migrate`: argument parsing, logging, and one clear line per start-up error."""

from __future__ import annotations

import argparse
import gc
import logging
import re
import signal
import sys
from datetime import timedelta
from typing import IO, NoReturn

from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger("bot")

# Slack retries an event for about an hour; its ID (and a processed request's intake row,
# whose key catches replays) is kept this long to catch late copies.
SEEN_EVENTS_KEPT = timedelta(days=3)
_SECRET = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]+")
# A password in a database URL: `scheme://user:password@host`. Neither part crosses a
# space, slash or quote, so a line holding a URL and, later, an "@" is left as it was.
_DB_PASSWORD = re.compile(r"(://[^:/@\s'\"]+:)[^@/\s'\"]+@")
# A response_url (`https://hooks.slack.com/commands/T…/123…/secret`, or `actions/`): its last
# part lets anyone answer in the user's name for half an hour, so it is a credential too.
_RESPONSE_URL = re.compile(
    r"((?:/|%2F)(?:commands|actions)(?:/|%2F)[TE][A-Z0-9]+(?:/|%2F)\d+(?:/|%2F))[A-Za-z0-9]+",
    re.IGNORECASE,
)


class RedactSecrets(logging.Filter):
    """Tokens, passwords and response URLs never reach the logs, even inside a library's
    message or a traceback; everything else in the line is left exactly as it was."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def redact(text: str) -> str:
    text = _SECRET.sub(r"\1-***", text)
    text = _DB_PASSWORD.sub(r"\1***@", text)
    return _RESPONSE_URL.sub(r"\1***", text)


def setup_logging(level: str, stream: IO[str] | None = None) -> None:
    """One handler on the root logger (stderr unless told), every line redacted."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    if level != "DEBUG":  # two lines per tick otherwise
        logging.getLogger("apscheduler").setLevel(logging.WARNING)


def fail(message: str, code: int = 2) -> NoReturn:
    """One line per problem (several when the configuration has several), no traceback."""
    for line in message.splitlines() or [message]:
        print(f"promise-bot: {redact(line)}", file=sys.stderr)
    raise SystemExit(code)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="promise-bot",
        description="promise-bot remembers what your team promised clients and nudges the "
        "owner before it's late. Configure it with environment variables or a .env file "
        "(see .env.example).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run", help="serve Slack (Socket Mode when SLACK_APP_TOKEN is set, else HTTP)"
    )
    run.add_argument(
        "--http", action="store_true", help="serve HTTP even when SLACK_APP_TOKEN is set"
    )
    run.add_argument("--port", type=int, default=None, help="HTTP port (default: PORT, else 3000)")
    run.add_argument("--host", default="0.0.0.0", help="HTTP address to bind (default 0.0.0.0)")
    sub.add_parser("migrate", help="bring the database schema up to date")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        if args.command == "migrate":
            settings = _load(require_slack=False)
        else:
            settings = _load(require_slack=True)
    except ConfigError as e:
        fail(str(e))
    setup_logging(settings.log_level)
    if args.command == "migrate":
        _migrate(settings)
    else:
        _run(settings, http=args.http, port=args.port, host=args.host)


def _load(*, require_slack: bool) -> Settings:
    if require_slack:
        return load_settings()
    import os

    from bot.config import load_dotenv_file

    load_dotenv_file()
    env = dict(os.environ)
    env.setdefault("SLACK_BOT_TOKEN", "xoxb-not-needed-to-migrate")
    env.setdefault("SLACK_SIGNING_SECRET", "not-needed-to-migrate")
    return load_settings(env)


def _migrate(settings: Settings) -> None:
    from bot.store import StoreError
    from bot.store.db import make_engine, migrate

    try:
        migrate(make_engine(settings.database_url))
    except StoreError as e:
        fail(f"can't reach the database at DATABASE_URL={settings.database_url}: {_first_line(e)}")
    log.info("database schema is up to date")


def _run(settings: Settings, *, http: bool, port: int | None, host: str) -> None:
    from slack_bolt.error import BoltError

    from bot.runtime import build_runtime
    from bot.store import StoreError

    try:
        runtime = build_runtime(settings)
    except StoreError as e:
        fail(f"can't reach the database at DATABASE_URL={settings.database_url}: {_first_line(e)}")
    except BoltError as e:
        fail(f"Slack did not accept SLACK_BOT_TOKEN ({_first_line(e)}); check it in .env")
    except OSError as e:
        fail(f"can't reach Slack at SLACK_API_URL={settings.slack_api_url}: {_first_line(e)}")

    from bot.slack.http import make_server

    # Everything loaded so far lives as long as the process: keep the garbage collector
    # from rescanning it, which otherwise stalls every thread for ~100 ms now and then.
    gc.collect()
    gc.freeze()
    port = settings.port if port is None else port
    try:
        server = make_server(runtime.web(), host, port)
    except OSError as e:
        runtime.close()
        fail(f"can't listen on {host}:{port} ({_first_line(e)}): set PORT or --port to a free port")
    signal.signal(signal.SIGTERM, _stop)
    if settings.app_token and not http:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        handler = SocketModeHandler(runtime.app, settings.app_token, web_client=runtime.client)
        try:
            handler.connect()
        except Exception as e:  # slack_sdk raises SlackApiError (invalid_auth, …)
            server.close()
            runtime.close()
            fail(
                f"Slack refused SLACK_APP_TOKEN ({_first_line(e)}): check it in .env, or leave it out to serve HTTP"
            )
        runtime.health.watch_socket(handler.client.is_connected)
        log.info(
            "connected to Slack in Socket Mode; health checks on port %s", server.effective_port
        )
    else:
        log.info(
            "serving Slack over HTTP on %s:%s (POST /slack/events)", host, server.effective_port
        )
    from bot.scheduler import start_ticking

    def housekeeping() -> None:
        before = runtime.clock.now() - SEEN_EVENTS_KEPT
        runtime.repo.forget_events(before)
        runtime.intake.store.forget(before)

    # Its first tick, right away, also takes up the requests acked before a crash.
    scheduler = start_ticking(
        runtime.dispatcher, settings.defaults.tick, housekeeping, runtime.intake.renew
    )
    runtime.home.start()  # re-publishes Home tabs after changes (stopped by close)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        runtime.dispatcher.stop()
        scheduler.shutdown(wait=False)
        server.close()
        runtime.after_ack.drain(timeout=10)  # finish what was acked before stopping
        runtime.close()
        log.info("stopped")


def _stop(*_: object) -> None:
    """SIGTERM (docker stop, systemd, Kubernetes) ends the process cleanly."""
    raise SystemExit(0)


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:300]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("promise-bot")
    except PackageNotFoundError:
        return "unknown"
