"""audit.checkpoint: C2SP tlog-checkpoint text and the portal's origins."""
import base64

import pytest

from audit import NoteError
from audit.checkpoint import (
    Checkpoint,
    format_checkpoint,
    log_of_origin,
    parse_checkpoint,
)

ROOT = base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
SPEC_EXAMPLE = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def test_the_spec_example_round_trips():
    checkpoint = parse_checkpoint(SPEC_EXAMPLE)
    assert checkpoint == Checkpoint("example.com/behind-the-sofa", 20852163, ROOT)
    assert format_checkpoint(*checkpoint) == SPEC_EXAMPLE


def test_extension_lines_are_ignored():
    assert parse_checkpoint(SPEC_EXAMPLE + "extension\n").size == 20852163


@pytest.mark.parametrize("text", [
    SPEC_EXAMPLE[:-1],
    "example.com\n20852163\n",
    SPEC_EXAMPLE.replace("20852163", "020852163"),
    SPEC_EXAMPLE.replace("20852163", "-1"),
    SPEC_EXAMPLE.replace("20852163", "+5"),
    SPEC_EXAMPLE.replace("20852163", " 5"),
    SPEC_EXAMPLE.replace("20852163", "18446744073709551616"),
    SPEC_EXAMPLE.replace("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", "CsUYapGG"),
    SPEC_EXAMPLE.replace("2I=", "2J="),
    SPEC_EXAMPLE.replace("2I=", "2I"),
    SPEC_EXAMPLE + "\n",
    "\n" + SPEC_EXAMPLE,
    "",
], ids=["no final newline", "two lines", "leading zero", "negative", "plus sign", "space",
        "beyond uint64", "short root", "non-canonical base64", "no padding", "blank line after",
        "empty origin", "empty"])
def test_malformed_checkpoints_are_refused(text):
    with pytest.raises(NoteError):
        parse_checkpoint(text)


def test_size_zero_is_allowed():
    assert parse_checkpoint(format_checkpoint("host/v/1", 0, ROOT)).size == 0


@pytest.mark.parametrize("origin,size,root", [("", 1, ROOT), ("a\nb", 1, ROOT), ("a", -1, ROOT),
                                              ("a", 1, ROOT[:31])])
def test_checkpoints_of_bad_values_are_not_made(origin, size, root):
    with pytest.raises(NoteError):
        format_checkpoint(origin, size, root)


def test_the_village_code_is_the_log_name():
    assert log_of_origin("sanzi.example.cn/v/330102001") == "330102001"
    assert log_of_origin("三资公开/v/A01") == "A01"


@pytest.mark.parametrize("origin", ["sanzi.example.cn", "sanzi.example.cn/v/", "/v/330102001",
                                    "sanzi.example.cn/v/33/01"])
def test_other_origins_name_no_log(origin):
    with pytest.raises(NoteError):
        log_of_origin(origin)
