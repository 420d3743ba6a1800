"""The fake the tests below drive, seeded with two people and three channels."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from tests.fakeslack import FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user("U1", "Alice Owner")
        fake.add_user("U2", "Bob Lead", tz="Europe/London", is_admin=True)
        fake.add_channel("C1", "client-acme")
        fake.add_channel("C2", "client-globex", bot_is_member=False)
        fake.add_channel("G1", "secret-project", is_private=True, bot_is_member=False)
        yield fake
        assert fake.internal_errors == []


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.bot_token, base_url=fake.api_url)
