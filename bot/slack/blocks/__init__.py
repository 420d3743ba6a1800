"""Block Kit rendering: pure functions from results and values to Slack payloads."""
