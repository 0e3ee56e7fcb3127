"""The one clock: UTC instants for storage and the log, Beijing dates for rent, deadlines and pages.

Every village on the portal is in China, so "today" is the Beijing date of the backend's clock;
services and views ask `Backend.today()` rather than reading the system time themselves, so a
test (or a replay) that sets the backend's clock sets every date the portal uses.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc_now() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(timezone.utc)


def local_date(moment: datetime) -> date:
    """The Beijing date of an aware instant."""
    return moment.astimezone(SHANGHAI).date()
