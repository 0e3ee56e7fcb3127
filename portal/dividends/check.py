"""The household check (/v/<code>/dividends/check): a check code opens its own line, nothing else.

Wrong codes are counted in the database with the login throttle's counters (every worker sees
them), per client address and per village, and counted *before* the lookup, so parallel guesses
cannot slip under the limit; a right code takes its own attempt back.
"""
from __future__ import annotations

from datetime import timedelta

from portal.accounts.throttle import Limits, begin_attempt, forgive
from portal.dividends.reads import HouseholdLine, household_line
from portal.dividends.services import normalize_code
from portal.kernel.transaction import Backend

# 5 wrong codes per address in 15 minutes; a village-wide cap stops a spread-out guesser.
CHECK_LIMITS = Limits(per_account=200, per_address=5, window=timedelta(minutes=15))


def check_household(backend: Backend, code: str, typed: str, address: str,
                    limits: Limits = CHECK_LIMITS) -> HouseholdLine | None:
    """The household's line for a right code, None for a wrong one; raises TooManyFailedLogins
    (with how long to wait) once the limit of wrong codes is reached, without looking the code up."""
    attempt = begin_attempt(backend.db, limits, f"dividend-check:{code}", f"dividend:{address}",
                            backend.clock())
    found = household_line(backend, code, normalize_code(typed))
    if found is not None:
        forgive(backend.db, attempt, None)
    return found
