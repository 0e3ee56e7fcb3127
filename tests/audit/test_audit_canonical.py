"""audit.canonical: the bytes that are hashed."""
import pytest

from audit.canonical import canonical_bytes


def test_keys_are_sorted_and_separators_have_no_spaces():
    assert canonical_bytes({"b": 1, "a": [True, None, "x"], "c": {"z": 0, "y": -1}}) == \
        b'{"a":[true,null,"x"],"b":1,"c":{"y":-1,"z":0}}'


def test_chinese_stays_utf8_not_escaped():
    assert canonical_bytes({"承租方": "张三", "备注": "租金 500 元/亩/年"}) == \
        '{"备注":"租金 500 元/亩/年","承租方":"张三"}'.encode()


def test_control_characters_and_quotes_are_escaped():
    assert canonical_bytes(["a\nb", 'say "hi"', "\\"]) == b'["a\\nb","say \\"hi\\"","\\\\"]'


def test_big_integers_and_decimal_strings_are_kept_exactly():
    assert canonical_bytes({"fen": 12345678901234567890, "yuan": "123456789012345678.90"}) == \
        b'{"fen":12345678901234567890,"yuan":"123456789012345678.90"}'


@pytest.mark.parametrize("value", [
    1.5, {"rent": 500.0}, {"a": [1, {"b": 2.25}]}, [0, (1, float("nan"))], {"x": float("inf")},
])
def test_floats_anywhere_are_refused(value):
    with pytest.raises(TypeError, match="float"):
        canonical_bytes(value)


@pytest.mark.parametrize("value", [{1: "a"}, {"a": {2.5: "b"}}, {None: 1}])
def test_non_string_keys_are_refused(value):
    with pytest.raises(TypeError, match="keys must be strings"):
        canonical_bytes(value)


def test_values_json_cannot_encode_are_refused():
    with pytest.raises(TypeError):
        canonical_bytes({"when": object()})
