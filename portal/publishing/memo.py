"""What a list read from a village's records, remembered per process for one state of its log.

Every change to a village's records appends to its log in the same transaction, so what was read
at one log head (size and root) is what a later read at that head finds: the rule the ETags and
the page cache already follow (publishing/caching.py). A page rendered on every request (page
cache off, a logged-in reader, a filter) then reads the head instead of every record.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine

T = TypeVar("T")


class HeadMemo(Generic[T]):
    """Values by (database, key); the key holds the log head they were read at. Per database,
    so two apps in one process (tests) never share; the least recently used go first."""

    def __init__(self, capacity: int = 32) -> None:
        self.capacity = capacity
        self._values: WeakKeyDictionary[Engine, OrderedDict[Hashable, T]] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, engine: Engine, key: Hashable) -> T | None:
        with self._lock:
            values = self._values.get(engine)
            if values is None or key not in values:
                return None
            values.move_to_end(key)
            return values[key]

    def put(self, engine: Engine, key: Hashable, value: T) -> None:
        with self._lock:
            values = self._values.setdefault(engine, OrderedDict())
            values[key] = value
            while len(values) > self.capacity:
                values.popitem(last=False)
