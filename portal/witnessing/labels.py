"""Chinese words of the committee keys' pages and history."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS, ROLES

KEY_STATUS = {"active": "有效", "revoked": "已吊销"}
FIELDS = COMMON_LABELS | {
    "key_name": "公钥名称", "verifier_key": "公钥", "fingerprint": "公钥指纹", "holder_role": "持有人",
    "registered_on": "登记日期", "revoked_on": "吊销日期",
}
# Coded values in words, for the committee's audit log (RecordType.values).
VALUES = {"status": KEY_STATUS, "holder_role": ROLES}
