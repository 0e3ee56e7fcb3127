"""Typed SQLAlchemy 2 models, one module per aggregate."""
from .asset import Asset, AssetKind, RecordStatus
from .audit import AuditCheckpoint, AuditEntry, AuditHead, AuditNode, PrivateRecord, StoredFile
from .base import Audited, Base
from .contract import Contract, ContractAsset, ContractStatus, LesseeKind, RentUnit
from .notice import Notice, NoticeCategory
from .plan import CommentStatus, ConsentVote, Plan, PlanComment, PlanStatus
from .receipt import Receipt
from .stats import PageVisit
from .user import Role, User
from .village import Village

AUDITED_MODELS: tuple[type[Audited], ...] = (Village, User, Asset, Contract, Receipt,
                                              Notice, Plan, PlanComment, ConsentVote)

__all__ = [
    "AUDITED_MODELS", "Asset", "AssetKind", "AuditCheckpoint", "AuditEntry", "AuditHead",
    "AuditNode", "Audited", "Base", "Contract", "ContractAsset", "ContractStatus", "LesseeKind",
    "PageVisit", "PrivateRecord", "Receipt", "RecordStatus", "RentUnit", "Role", "StoredFile", "User", "Village",
    "CommentStatus", "ConsentVote", "Notice", "NoticeCategory", "Plan", "PlanComment", "PlanStatus",
]
