"""Where a line may break on a 375 px phone: anywhere a reader would, but never inside a date
(2033年1月1日), an amount with its unit (450元), or a record number (SK-2016-0017).

Chinese text may break between any two characters, so a narrow column once split "2033年1月1日"
into "2033/年1月1/日" and a hyphen split "SK-/2016-0017". Such tokens in village-written text
(notice bodies, titles, reasons) are wrapped in <span class="nw"> (white-space: nowrap); the
template filters do the same for every date, amount and area they format. A space (2159 天)
stays a place where a line may break."""
from __future__ import annotations

import re

from markupsafe import Markup, escape

UNITS = "亩|元|万元|米|公里|天|块|条|期|年|个月|月|日|㎡|平方米|户|人|股|次|版|张|份|%"
TOKEN = re.compile(
    r"\d{4}年\d{1,2}月(?:\d{1,2}日)?"                       # 2033年1月1日, 2033年1月
    r"|\d{4}-\d{2}-\d{2}"                                   # 2033-01-01
    r"|[A-Z]{2,}(?:-[A-Z0-9]+)+"                            # LB-HT-2016-003, SK-2016-0017
    rf"|¥?\d[\d,]*(?:\.\d+)?(?:{UNITS})"                    # 450元, 30,000.00元, 15年
)
_TAG = re.compile(r"(<[^>]*>)")


def _wrap(found: re.Match[str]) -> str:
    return f'<span class="nw">{found.group(0)}</span>'


def keep_tokens_html(html: str) -> Markup:
    """Safe HTML with every token of its text (not of its tags) made unbreakable."""
    parts = _TAG.split(str(html))
    return Markup("".join(part if index % 2 else TOKEN.sub(_wrap, part) for index, part in enumerate(parts)))


def keep_tokens(text: object) -> Markup:
    """Plain text (escaped) with its tokens made unbreakable."""
    return keep_tokens_html(escape("" if text is None else text))

