"""Messages for people, written in Chinese in the services, shown in the reader's language.

A service cannot know the reader's language (it runs in the CLI, the demo, another process), so
a message keeps its pattern and its values beside the Chinese text: `say("请填写%(label)s",
label="面积")` IS the str "请填写面积" everywhere (logs, tests, the CLI), and a page's `translate`
filter looks the pattern up in the catalog and fills in the values, themselves translated where
they are catalog words (a field's label) — "Please fill in Area". pybabel extracts the pattern
(`say` is a keyword in babel.cfg).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Self


class Message(str):
    """The Chinese text, with `pattern` and `values` kept for translation."""

    pattern: str
    values: Mapping[str, Any]

    def __new__(cls, pattern: str, values: Mapping[str, Any] | None = None) -> Self:
        text = pattern % dict(values) if values else pattern
        made = super().__new__(cls, text)
        made.pattern, made.values = pattern, dict(values or {})
        return made

    def __reduce__(self) -> tuple[type[Message], tuple[str, dict[str, Any]]]:
        return type(self), (self.pattern, dict(self.values))

    def render(self, lookup: Callable[[str], str]) -> str:
        """The message through `lookup` (a catalog's gettext): its pattern, and each value that
        is text or itself a Message; a pattern the catalog lacks stays Chinese as a whole (one
        without Chinese words, like "%(label)s %(number)s", is the same in every language)."""
        pattern = lookup(self.pattern)
        if pattern == self.pattern and _has_chinese(pattern):
            return str(self)
        values = {name: value.render(lookup) if isinstance(value, Message)
                  else lookup(value) if isinstance(value, str) and value else value
                  for name, value in self.values.items()}
        try:
            return pattern % values
        except (KeyError, TypeError, ValueError):  # a catalog entry that does not fit its pattern
            return str(self)


def _has_chinese(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def say(pattern: str, **values: Any) -> Message:
    """A message for people: `pattern` in Chinese with %(name)s for each value."""
    return Message(pattern, values)


class InContext(Message):
    """A word whose translation depends on where it stands (the catalog's msgctxt): 地块/资产 naming
    one record is "Land parcel or asset", heading a list "Land parcels and assets". Without an
    entry in its context it is translated as the plain word."""

    context: str

    def __new__(cls, context: str, word: str) -> Self:
        made = super().__new__(cls, word)
        made.context = context
        return made

    def __reduce__(self) -> tuple[type[InContext], tuple[str, str]]:  # type: ignore[override]
        return type(self), (self.context, self.pattern)

    def render(self, lookup: Callable[[str], str]) -> str:
        key = f"{self.context}\x04{self.pattern}"  # how gettext catalogs key an entry with msgctxt
        found = lookup(key)
        return lookup(self.pattern) if found == key else found


class Joined(Message):
    """Several messages shown as one ("；" between them in Chinese, "; " in English)."""

    parts: list[str]

    def __new__(cls, parts: Sequence[str]) -> Joined:
        made = str.__new__(cls, "；".join(parts))
        made.pattern, made.values, made.parts = str(made), {}, list(parts)
        return made

    def __reduce__(self) -> tuple[type[Joined], tuple[list[str]]]:  # type: ignore[override]
        return type(self), (self.parts,)

    def render(self, lookup: Callable[[str], str]) -> str:
        return "; ".join(part.render(lookup) if isinstance(part, Message) else lookup(part) for part in self.parts)


def joined(parts: Sequence[str]) -> Joined:
    return Joined(parts)


def to_data(message: str) -> Any:
    """A message as JSON-ready data that `from_data` turns back into it (pattern and values kept,
    so it can be stored and shown later in the reader's language); a plain str stays a str."""
    if isinstance(message, Joined):
        return {"parts": [to_data(part) for part in message.parts]}
    if isinstance(message, Message):
        return {"pattern": message.pattern,
                "values": {name: to_data(value) if isinstance(value, str)
                           else value if isinstance(value, (int, float)) and not isinstance(value, bool)
                           else str(value) for name, value in message.values.items()}}
    return str(message)


def from_data(data: Any) -> str:
    """The message `to_data` gave `data` for; anything else it could not have given, as text."""
    if isinstance(data, dict) and isinstance(data.get("parts"), list):
        return joined([from_data(part) for part in data["parts"]])
    if isinstance(data, dict) and isinstance(data.get("pattern"), str) and isinstance(data.get("values"), dict):
        values = {str(name): from_data(value) if isinstance(value, (dict, str)) else value
                  for name, value in data["values"].items()}
        try:
            return Message(data["pattern"], values)
        except (KeyError, TypeError, ValueError):
            return str(data["pattern"])
    return data if isinstance(data, str) else str(data)
