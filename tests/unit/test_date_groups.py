"""The sidebar's date groups, with fixed clocks and time zones."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.date_groups import date_group, message_time

PARIS_WINTER = timezone(timedelta(hours=1))
NOW = datetime(2026, 12, 5, 9, 30, tzinfo=PARIS_WINTER)


@pytest.mark.parametrize(
    ("updated_at", "group"),
    [
        ("2026-12-05T08:00:00.000Z", "Today"),
        ("2026-12-04T23:30:00.000Z", "Today"),  # 00:30 on the 5th in Paris
        ("2026-12-04T22:30:00.000Z", "Yesterday"),  # 23:30 on the 4th in Paris
        ("2026-11-29T12:00:00.000Z", "Previous 7 days"),
        ("2026-11-28T12:00:00.000Z", "Previous 7 days"),  # 7 calendar days ago
        ("2026-11-27T12:00:00.000Z", "Previous 30 days"),  # 8
        ("2026-11-10T12:00:00.000Z", "Previous 30 days"),
        ("2026-03-02T12:00:00.000Z", "March"),
        ("2025-12-24T12:00:00.000Z", "December 2025"),
        ("2026-12-06T12:00:00.000Z", "Today"),  # a clock set back: never "in the future"
    ],
)
def test_groups_follow_the_users_calendar_days(updated_at: str, group: str) -> None:
    assert date_group(updated_at, NOW) == group


@pytest.mark.parametrize(
    ("created_at", "shown"),
    [
        ("2026-12-05T08:02:00.000Z", "09:02"),  # today, in Paris time
        ("2026-12-04T23:30:00.000Z", "00:30"),  # 00:30 on the 5th in Paris
        ("2026-12-04T22:30:00.000Z", "Yesterday 23:30"),
        ("2026-11-02T12:05:00.000Z", "2 Nov 13:05"),
        ("2025-12-24T12:00:00.000Z", "24 Dec 2025"),
    ],
)
def test_a_messages_time_is_as_short_as_is_clear(created_at: str, shown: str) -> None:
    assert message_time(created_at, NOW) == shown
