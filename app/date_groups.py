"""The sidebar's date groups: Today, Yesterday, Previous 7 days, Previous 30 days, then months.

Qt-free so that it is tested with fixed clocks. Days are the user's local days: a
conversation from 23:30 UTC is "Today" or "Yesterday" depending on where the user is.
"""

from __future__ import annotations

from datetime import datetime

PINNED = "Pinned"


def date_group(updated_at: str, now: datetime) -> str:
    """The group of a conversation last updated at `updated_at` (the store's ISO-8601 UTC
    text) as seen at `now` (an aware local time)."""
    moment = datetime.fromisoformat(updated_at.replace("Z", "+00:00")).astimezone(now.tzinfo)
    days = (now.date() - moment.date()).days
    if days <= 0:
        return "Today"
    if days == 1:
        return "Yesterday"
    if days <= 7:
        return "Previous 7 days"
    if days <= 30:
        return "Previous 30 days"
    if moment.year == now.year:
        return moment.strftime("%B")
    return moment.strftime("%B %Y")


def message_time(created_at: str, now: datetime) -> str:
    """When a message was written, as short as is clear at `now` (an aware local time):
    "14:02" today, "Yesterday 14:02", "3 Dec 14:02" this year, else "3 Dec 2025"."""
    moment = datetime.fromisoformat(created_at.replace("Z", "+00:00")).astimezone(now.tzinfo)
    clock = moment.strftime("%H:%M")
    days = (now.date() - moment.date()).days
    if days <= 0:
        return clock
    if days == 1:
        return f"Yesterday {clock}"
    day = f"{moment.day} {moment.strftime('%b')}"
    return f"{day} {clock}" if moment.year == now.year else f"{day} {moment.year}"


def local_now() -> datetime:
    """Now, in the computer's time zone (aware)."""
    return datetime.now().astimezone()
