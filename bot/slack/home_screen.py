"""App Home over Slack: render a person's `HomeData` and publish it with `views.publish`."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.slack.blocks.home import render_home
from bot.usecases.home import HomeData


class SlackHomeScreen:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def publish(self, team_id: str, user_id: str, data: HomeData) -> None:
        self.client.views_publish(user_id=user_id, view=render_home(data))
