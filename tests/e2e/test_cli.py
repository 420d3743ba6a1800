"""The installed entry points, run as a person would: real processes, real output."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, inspect

from tests.fakeslack import FakeSlack


def run_cli(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "PROMISE_", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_run_without_tokens_says_what_to_set_in_one_line(tmp_path: Path) -> None:
    result = run_cli(["run"], tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SLACK_BOT_TOKEN" in lines[0] and ".env.example" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_malformed_setting_is_named(tmp_path: Path) -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PROMISE_END_OF_DAY": "25:00"}
    result = run_cli(["run"], tmp_path, env)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("promise-bot: PROMISE_END_OF_DAY='25:00' is not valid")
    assert "Traceback" not in result.stderr


def test_the_dotenv_file_is_read_and_real_env_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "SLACK_BOT_TOKEN=xoxb-1\nSLACK_SIGNING_SECRET=s\nPROMISE_TICK=soon\n"
    )
    result = run_cli(["run"], tmp_path)
    assert "PROMISE_TICK='soon'" in result.stderr
    result = run_cli(["run"], tmp_path, {"PROMISE_TICK": "20s", "PROMISE_WORKDAYS": "never"})
    assert "PROMISE_WORKDAYS='never'" in result.stderr


def test_migrate_creates_the_sqlite_file_in_the_working_directory(tmp_path: Path) -> None:
    result = run_cli(["migrate"], tmp_path)
    assert result.returncode == 0, result.stderr
    db = tmp_path / "promise-bot.db"
    assert db.exists()
    engine = create_engine(f"sqlite:///{db}")
    assert {"items", "contributors", "item_events", "seen_events"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()


def test_an_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    env = {"DATABASE_URL": "postgresql://nobody:secret@127.0.0.1:1/none"}
    result = run_cli(["migrate"], tmp_path, env)
    assert result.returncode == 2
    assert "can't reach the database" in result.stderr and "secret" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_rejected_token_is_one_clear_line(tmp_path: Path) -> None:
    with FakeSlack(bot_token="xoxb-right") as fake:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-wrong",
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": fake.api_url,
        }
        result = run_cli(["run", "--http", "--port", "0"], tmp_path, env)
    assert result.returncode == 2
    assert (
        "Slack did not accept SLACK_BOT_TOKEN" in result.stderr and "invalid_auth" in result.stderr
    )
    assert "xoxb-wrong" not in result.stderr


def test_run_serves_http_until_terminated(tmp_path: Path) -> None:
    with FakeSlack() as fake:
        env = {
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": fake.api_url,
            "LOG_LEVEL": "INFO",
        }
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PROMISE_"))}
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--port", "0", "--host", "127.0.0.1"],
            cwd=tmp_path,
            env={**clean, **env},
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            port = None
            assert proc.stderr is not None
            for line in proc.stderr:
                if "serving Slack over HTTP" in line:
                    port = int(line.rsplit(":", 1)[1].split()[0])
                    break
            assert port, "the server never said it was serving"
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
                assert resp.status == 200 and resp.read() == b"ok"
            assert (tmp_path / "promise-bot.db").exists()  # run migrated on start
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        assert proc.returncode in (0, -15)


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    result = run_cli(["--version"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == "promise-bot 0.1.0"


def test_every_configuration_error_is_reported_at_once_one_line_each(tmp_path: Path) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "PROMISE_END_OF_DAY": "25:00",
        "PORT": "abc",
        "LOG_LEVEL": "LOUD",
        "DATABASE_URL": "mysql://db/promises",
    }
    result = run_cli(["run"], tmp_path, env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    named = ["PROMISE_END_OF_DAY", "PORT", "LOG_LEVEL", "DATABASE_URL"]
    assert len(lines) == len(named), result.stderr
    for name in named:
        assert sum(line.startswith(f"promise-bot: {name}") for line in lines) == 1, name
    assert "only SQLite" in result.stderr and "Traceback" not in result.stderr


def test_the_placeholder_app_token_of_env_example_is_one_clear_line(tmp_path: Path) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_APP_TOKEN": "xapp-your-app-level-token",
    }
    result = run_cli(["run"], tmp_path, env)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "SLACK_APP_TOKEN is still the placeholder" in line


def test_a_busy_port_is_one_clear_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken, FakeSlack() as fake:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": fake.api_url,
        }
        result = run_cli(
            ["run", "--http", "--host", "127.0.0.1", "--port", str(port)], tmp_path, env
        )
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]  # after the start-up log lines
    assert last.startswith(f"promise-bot: can't listen on 127.0.0.1:{port}") and "PORT" in last
    assert "Traceback" not in result.stderr
    assert "`token` will be unused" not in result.stderr  # Bolt's warning at every start
