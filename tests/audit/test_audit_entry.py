"""audit.entry: entries, their lines and hashes, timestamps and personal-data commitments."""
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from audit.canonical import canonical_bytes
from audit.entry import (
    ENTRY_KEYS,
    LINE_KEYS,
    ZERO_HASH,
    build_entry,
    entry_defect,
    entry_hash,
    entry_line,
    format_ts,
    new_salt,
    parse_ts,
    private_commitment,
)

SHANGHAI = timezone(timedelta(hours=8))
FIELDS = dict(log="330102001", seq=0, ts=datetime(2024, 5, 1, 16, 30, 0, 5, tzinfo=SHANGHAI),
              actor="staff:7", action="contract.create", entity="contract", entity_id="HT-2024-001",
              version=1, reason=None, data={"lessee": "张*华", "rent_fen": 50000}, private=None,
              prev=ZERO_HASH)


def test_timestamps_are_utc_with_six_fraction_digits_and_z():
    assert format_ts(FIELDS["ts"]) == "2024-05-01T08:30:00.000005Z"
    assert format_ts(datetime(2024, 1, 1, tzinfo=UTC)) == "2024-01-01T00:00:00.000000Z"


def test_naive_timestamps_are_refused():
    with pytest.raises(ValueError, match="naive"):
        format_ts(datetime(2024, 5, 1, 8, 30))


def test_parse_ts_reverses_format_ts():
    assert parse_ts("2024-05-01T08:30:00.000005Z") == FIELDS["ts"]


@pytest.mark.parametrize("ts", ["2024-05-01T08:30:00Z", "2024-05-01T08:30:00.000Z",
                                "2024-05-01T08:30:00.000000+00:00", "2024-05-01 08:30:00.000000Z",
                                "2024-13-01T08:30:00.000000Z", "2024-05-01T08:30:00.000000z"])
def test_other_timestamp_forms_are_refused(ts):
    with pytest.raises(ValueError):
        parse_ts(ts)


def test_build_entry_returns_the_entry_with_its_hash_and_the_hashed_line():
    entry, line = build_entry(**FIELDS)
    assert tuple(sorted(entry)) == tuple(sorted(ENTRY_KEYS))
    assert entry["v"] == 1 and entry["ts"] == "2024-05-01T08:30:00.000005Z"
    assert entry["hash"] == hashlib.sha256(line).hexdigest() == entry_hash(line)
    assert json.loads(line) == {k: v for k, v in entry.items() if k != "hash"}
    assert line == canonical_bytes(json.loads(line))
    assert "张*华".encode() in line


def test_entry_line_needs_every_key_but_hash():
    entry, _ = build_entry(**FIELDS)
    del entry["hash"]
    assert entry_line(entry) == build_entry(**FIELDS)[1]
    with pytest.raises(ValueError, match="missing \\['reason'\\]"):
        entry_line({k: v for k, v in entry.items() if k != "reason"})
    with pytest.raises(ValueError, match="unexpected \\['hash'\\]"):
        entry_line({**entry, "hash": "0" * 64})


@pytest.mark.parametrize("change,message", [
    ({"v": 2}, "v must be 1"), ({"v": True}, "v must be 1"), ({"seq": -1}, "seq"),
    ({"seq": "3"}, "seq"), ({"log": ""}, "log"), ({"prev": "00"}, "prev"),
    ({"ts": "2024-05-01"}, "ts"), ({"ts": 1714552200}, "ts"),
])
def test_malformed_fields_are_named(change, message):
    entry, _ = build_entry(**FIELDS)
    del entry["hash"]
    assert message in entry_defect({**entry, **change})
    with pytest.raises(ValueError, match=message):
        entry_line({**entry, **change})


def test_floats_in_data_are_refused():
    with pytest.raises(TypeError, match="float"):
        build_entry(**{**FIELDS, "data": {"area_mu": 12.5}})


def test_line_keys_are_the_entry_keys_without_hash():
    assert set(ENTRY_KEYS) - {"hash"} == LINE_KEYS and len(ENTRY_KEYS) == 14


def test_a_person_given_the_salt_can_check_the_commitment():
    salt, personal = new_salt(), {"name": "张三华", "id_number": "350500199001011234"}
    commitment = private_commitment(salt, personal)
    assert commitment == hashlib.sha256(salt + canonical_bytes(personal)).hexdigest()
    assert private_commitment(salt, {**personal, "name": "张三"}) != commitment
    assert private_commitment(new_salt(), personal) != commitment


def test_salts_are_32_random_bytes():
    assert len(new_salt()) == 32 and new_salt() != new_salt()
