"""Form fields the record editors share."""
from __future__ import annotations

from typing import Any

from wtforms import BooleanField

FALSE_TEXTS = ("", "false", "0", "off", "no", "none")


class Checkbox(BooleanField):
    """A checkbox whose saved value is text: a draft keeps "True"/"False", and bool("False") is True."""

    def process_data(self, value: Any) -> None:
        self.data = value.strip().lower() not in FALSE_TEXTS if isinstance(value, str) else bool(value)
