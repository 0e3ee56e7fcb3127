from portal.contracts.labels import FIELDS
from portal.kernel.history import diff, versions


def entry(seq, action, data, private=None, reason=None, actor="staff:a"):
    return {"seq": seq, "ts": "2026-01-01T00:00:00.000000Z", "actor": actor, "action": action,
            "version": seq + 1, "reason": reason, "hash": f"{seq:064x}", "data": data, "private": private}


def test_diff_names_changed_fields_with_chinese_labels():
    changes = diff({"rent": {"rate": "300.00"}, "note": "a"}, {"rent": {"rate": "500.00"}, "note": "a"}, FIELDS)
    assert [(c.label, c.before, c.after) for c in changes] == [("租金单价", "300.00", "500.00")]


def test_versions_say_who_in_role_terms_what_and_why():
    history = versions([entry(0, "contract.create", {"note": "a"}, private="11"),
                        entry(1, "contract.correct", {"note": "b"}, private="22", reason="录入错误")])
    assert [(v.role, v.action, v.reason) for v in history] == [("村干部", "新建", None), ("村干部", "更正", "录入错误")]
    assert [c.field for c in history[1].changes] == ["note", "private"]
