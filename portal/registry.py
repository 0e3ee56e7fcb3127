"""The record types of the portal: the one place that knows every domain's models."""
from __future__ import annotations

from portal.accounts.models import User
from portal.auditlog import models as auditlog_models  # noqa: F401  (registers the log tables)
from portal.contracts.models import Contract
from portal.kernel.base import Audited
from portal.notices.models import Notice
from portal.parcels.models import Asset
from portal.plans.models import ConsentVote, Plan, PlanComment
from portal.receipts.models import Receipt
from portal.stats import models as stats_models  # noqa: F401  (registers the page-visit table)
from portal.villages.models import Village

AUDITED_MODELS: tuple[type[Audited], ...] = (Village, User, Asset, Contract, Receipt,
                                              Notice, Plan, PlanComment, ConsentVote)
