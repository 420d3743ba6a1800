"""Tests of the Slack fake itself, driven through the real slack_sdk / slack_bolt clients.

The app's end-to-end tests trust this fake to behave like Slack; these tests pin that
behaviour down (shapes, errors, faults, Socket Mode) so a regression in the fake cannot
silently make the app's tests meaningless.
"""
