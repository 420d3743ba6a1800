"""What some tests need from outside the repository, and what happens when it is missing.

A fresh clone has nothing beside it, so a test that needs such a thing skips and says what
is missing. CI sets `PROMISE_REQUIRE_<WHAT>=1` for each thing it provides, and then a missing
one fails the test instead: a broken CI setup must not pass by skipping.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]
# Reference data (Slack's manifest schema, the product contract) kept beside the checkout,
# never in it: `../shared/` next to the repository's directory.
SHARED = REPO.parent / "shared"
REQUIRE_SHARED = "PROMISE_REQUIRE_SHARED"
REQUIRE_POSTGRES = "PROMISE_REQUIRE_POSTGRES"


def required(env_var: str) -> bool:
    """Whether CI asked for the thing `env_var` names (`env_var=1`)."""
    return os.environ.get(env_var) == "1"


def missing(reason: str, *, env_var: str) -> NoReturn:
    """Skip the current test because of `reason`, or fail it if `env_var=1` requires the thing."""
    if required(env_var):
        pytest.fail(f"{reason} ({env_var}=1 requires it)", pytrace=False)
    pytest.skip(reason)


def shared_file(relative: str) -> Path:
    """`../shared/<relative>`, or skip (fail under PROMISE_REQUIRE_SHARED=1) if it isn't there."""
    path = SHARED / relative
    if not path.is_file():
        missing(
            f"{path} is missing: the shared reference data sits beside the repository "
            f"({SHARED.name}/ next to {REPO.name}/)",
            env_var=REQUIRE_SHARED,
        )
    return path
