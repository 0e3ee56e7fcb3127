"""The templates' `url_for`, remembered: a page makes ~11 links, and Werkzeug builds each anew
(a tenth of an uncached list page's time).

A relative address depends only on the endpoint, its values, the mount point of the app
(SCRIPT_NAME) and, for ".name", the current blueprint: the portal sets no URL defaults and no
server name. Anything else (`_external`, `_anchor`, a list of values) is built as before.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from flask import request, url_for

CAPACITY = 4096


class RememberedLinks:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._links: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, endpoint: str, **values: Any) -> str:
        if values and any(name[0] == "_" for name in values):
            return url_for(endpoint, **values)
        current = request._get_current_object()  # type: ignore[attr-defined]  # one context lookup, not two
        key = (current.script_root, current.blueprint if endpoint[0] == "." else None, endpoint,
               *sorted(values.items()))
        try:
            found = self._links.get(key)
        except TypeError:  # a list of values for one name
            return url_for(endpoint, **values)
        if found is None:
            found = url_for(endpoint, **values)
            with self._lock:
                self._links[key] = found
                while len(self._links) > self.capacity:
                    self._links.popitem(last=False)
        return found
