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


def local_now() -> datetime:
    """Now, in the computer's time zone (aware)."""
    return datetime.now().astimezone()
