"""auth.test, users.info and team.info: the shapes and time zones the app reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakeslack import FakeSlack
from tests.fakeslack_tests.helpers import api_error


class FixedClock:
    """A clock pinned to one instant, so tz offsets are deterministic."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def test_auth_test_has_slacks_shape(fake: FakeSlack, client: WebClient) -> None:
    assert client.auth_test().data == {
        "ok": True,
        "url": "https://acme.slack.com/",
        "team": "Acme Agency",
        "user": "promise-bot",
        "team_id": "T0001",
        "user_id": "UBOT",
        "bot_id": "B0001",
        "is_enterprise_install": False,
    }
    call = fake.calls_to("auth.test")[0]
    assert call.token == fake.bot_token
    assert call.headers["Authorization"] == f"Bearer {fake.bot_token}"


def test_users_info_shape_and_time_zone() -> None:
    summer = FixedClock(datetime(2024, 7, 1, 12, tzinfo=UTC))
    with FakeSlack(clock=summer) as fake:
        fake.add_user("U1", "Alice Owner", status_text="On leave", status_emoji=":palm_tree:")
        fake.add_user("U9", "Gone User", deleted=True)
        client = WebClient(token=fake.bot_token, base_url=fake.api_url)

        user = client.users_info(user="U1")["user"]
        assert user["id"] == "U1"
        assert user["team_id"] == "T0001"
        assert user["real_name"] == "Alice Owner"
        assert user["tz"] == "America/New_York"
        assert user["tz_offset"] == -4 * 3600  # EDT on 1 July
        assert user["tz_label"] == "Eastern Daylight Time"
        assert user["is_bot"] is False
        assert user["is_restricted"] is False
        assert user["profile"]["display_name"] == "Alice Owner"
        assert user["profile"]["status_text"] == "On leave"
        assert user["profile"]["status_emoji"] == ":palm_tree:"

        summer.at = datetime(2024, 1, 15, 12, tzinfo=UTC)
        assert client.users_info(user="U1")["user"]["tz_offset"] == -5 * 3600

        fake.add_user("U8", "No Zone", tz="")
        no_zone = client.users_info(user="U8")["user"]
        assert no_zone["tz"] is None
        assert no_zone["tz_offset"] == -8 * 3600  # Slack still sends a Pacific offset (PST)

        gone = client.users_info(user="U9")["user"]
        assert gone["deleted"] is True
        assert "tz" not in gone  # Slack omits tz for deactivated accounts

        with pytest.raises(SlackApiError) as excinfo:
            client.users_info(user="U404")
        assert api_error(excinfo) == {"ok": False, "error": "user_not_found"}


def test_external_user_belongs_to_their_own_team(fake: FakeSlack, client: WebClient) -> None:
    fake.add_team("T0CLIENT", "Client Co")
    fake.add_user("UEXT", "Carol Client", team_id="T0CLIENT")
    assert client.users_info(user="UEXT")["user"]["team_id"] == "T0CLIENT"
    assert client.team_info(team="T0CLIENT")["team"]["name"] == "Client Co"
    assert client.team_info()["team"]["id"] == "T0001"


def test_users_info_answers_user_not_visible(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U0HIDDEN", "hidden", visible=False)
    with pytest.raises(SlackApiError) as excinfo:
        client.users_info(user="U0HIDDEN")
    assert api_error(excinfo)["error"] == "user_not_visible"


@pytest.mark.parametrize(
    ("user", "error"),
    [("U0BOTTY", "cannot_dm_bot"), ("U0LEFT", "user_disabled"), ("UBOT", "not_enough_users")],
)
def test_no_dm_with_a_bot_a_deactivated_user_or_itself(
    fake: FakeSlack, client: WebClient, user: str, error: str
) -> None:
    fake.add_user("U0BOTTY", "botty", is_bot=True)
    fake.add_user("U0LEFT", "left", deleted=True)
    with pytest.raises(SlackApiError) as opened:
        client.conversations_open(users=user)
    assert api_error(opened)["error"] == error
    with pytest.raises(SlackApiError) as posted:
        client.chat_postMessage(channel=user, text="hello")
    assert api_error(posted)["error"] == error


def test_bots_info_names_the_bots_app(fake: FakeSlack, client: WebClient) -> None:
    bot_id = client.auth_test()["bot_id"]
    bot = client.bots_info(bot=bot_id)["bot"]
    assert (bot["id"], bot["app_id"], bot["user_id"]) == ("B0001", "A0001", "UBOT")
    with pytest.raises(SlackApiError) as unknown:
        client.bots_info(bot="B404")
    assert api_error(unknown)["error"] == "bot_not_found"
