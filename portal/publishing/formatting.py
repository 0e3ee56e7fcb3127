"""Numbers, dates and money as Chinese readers expect them (¥1,234.50 · 2026年11月23日);
the template filters show dates and area units in English (23 Nov 2026 · mu) to English readers."""
from __future__ import annotations

import base64

import re
import unicodedata
from datetime import date, datetime, timezone
from decimal import Decimal

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from portal.kernel.area import area_grouped
from portal.kernel.clock import SHANGHAI
from portal.kernel.money import amount_in_words, format_money
from portal.publishing.sanitizer import body_text, clean_html, is_html_body
from portal.publishing.tokens import keep_tokens, keep_tokens_html
from portal.kernel.types import trimmed
from portal.translations import in_english
from portal.translations.compiled import source_name

AREA_UNITS = {"mu": "亩", "m2": "㎡"}
EN_AREA_UNITS = {"mu": "mu", "m2": "m²"}
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_GROUPED = re.compile(r"[0-9]{1,3}(?:[,\s][0-9]{3})+")  # 12,345 · 1 234 567 (no other grouping)


def _day(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def cn_date(value: date | str | None) -> str:
    if not value:
        return ""
    day = _day(value)
    return f"{day.year}年{day.month}月{day.day}日"


def cn_datetime(value: datetime | None) -> str:
    """UTC in storage, Asia/Shanghai on screen."""
    if value is None:
        return ""
    local = value.astimezone(SHANGHAI)
    return f"{cn_date(local.date())} {local:%H:%M}"


def html_datetime(value: datetime | str) -> str:
    """A <time datetime> value: UTC to the millisecond (2026-11-23T01:02:03.123Z). The log's
    timestamps carry microseconds, which HTML refuses (at most three digits of a second)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    moment = moment.astimezone(timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def area_number(value: Decimal | str) -> str:
    """1234.5 → 1,234.50; 12.3456 → 12.3456 (亩 have up to four places, shown when there)."""
    return f"{trimmed(Decimal(value), 2):,f}"


def thousands(value: int | str) -> str:
    """12345 → 12,345: a count or a position in the log with thousands separators (千分撇), as
    money and areas are printed; the paper check takes a count typed so (`parse_count`)."""
    return f"{int(value):,d}"


def parse_count(text: str) -> int | None:
    """The count a reader typed from a notice: 12,345 or 12345, full-width digits and commas or
    spaces between groups allowed; None for anything else."""
    digits = unicodedata.normalize("NFKC", text).strip()
    if _GROUPED.fullmatch(digits):
        digits = re.sub(r"[,\s]", "", digits)
    return int(digits) if digits.isascii() and digits.isdigit() else None


def area(value: Decimal | str, unit: str = "mu") -> str:
    return f"{area_number(value)} {AREA_UNITS.get(unit, unit)}"


def action_word(verb: str) -> str:
    """contract.correct → 更正 (the verb after the dot, or the verb itself)."""
    from portal.kernel.history import ACTIONS

    verb = verb.rsplit(".", 1)[-1]
    return ACTIONS.get(verb, verb)


def en_date(value: date | str | None) -> str:
    """1 Jan 2026, for pages read in English."""
    if not value:
        return ""
    day = _day(value)
    return f"{day.day} {EN_MONTHS[day.month - 1]} {day.year}"


def en_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(SHANGHAI)
    return f"{en_date(local.date())} {local:%H:%M}"


def _in_english(context: Context) -> bool:
    """Web pages follow the reader's language (session, see extensions.select_locale); printed
    notices (templates print/…) stay Chinese whatever the reader chose, as they are cached and
    posted on the board. The Python functions above are always Chinese (exports, PDFs, data)."""
    return not source_name(context.name).startswith("print/") and in_english()


def _token(context: Context, text: str) -> Markup | str:
    """A date, an amount or an area on a web page as one unbreakable token: a narrow phone
    wraps between "2033年1月" and "1日" or "¥6,747." and "00" otherwise. Only the public pages:
    printed sheets, the feed and the staff's desktop workspaces get the plain text."""
    if not text or not source_name(context.name).startswith("public/"):
        return text
    return Markup('<span class="nw">%s</span>') % text


@pass_context
def date_filter(context: Context, value: date | str | None) -> Markup | str:
    return _token(context, en_date(value) if _in_english(context) else cn_date(value))


@pass_context
def datetime_filter(context: Context, value: datetime | None) -> Markup | str:
    return _token(context, en_datetime(value) if _in_english(context) else cn_datetime(value))


@pass_context
def area_filter(context: Context, value: Decimal | str, unit: str = "mu") -> Markup | str:
    if _in_english(context):
        return _token(context, f"{area_number(value)} {EN_AREA_UNITS.get(unit, unit)}")
    return _token(context, area(value, unit))


@pass_context
def money_filter(context: Context, value: Decimal | str) -> Markup | str:
    return _token(context, format_money(Decimal(value)))


@pass_context
def rate_filter(context: Context, value: Decimal | str) -> Markup | str:
    """A rent rate without the ¥, as its unit follows (500.00 元/亩/年, not ¥500.00 元/亩/年)."""
    return _token(context, f"{Decimal(value).quantize(Decimal('0.01')):,f}")


_HAN = re.compile(r"[\u3400-\u9fff]")


@pass_context
def zh_filter(context: Context, text: object) -> object:
    """Village-written Chinese (a name, a title) on an English page, marked as Chinese, so a
    screen reader reads it with a Chinese voice and a reader knows it was not left untranslated."""
    if text is None or not _in_english(context) or not _HAN.search(str(text)):
        return text
    return Markup('<span lang="zh-CN">%s</span>') % text


@pass_context
def bracketed(context: Context, text: object) -> Markup:
    """`text` in brackets after what it qualifies: （3） on a Chinese page, " (3)" on an English one."""
    return Markup(" ({})" if _in_english(context) else "（{}）").format(text)


# A tag (left as it is) or a run of 20 or more characters without a space outside tags.
_TAG_OR_LONG_TOKEN = re.compile(r"(<[^>]*>)|([^\s<>]{20,})")


def breakable(text: object) -> Markup:
    """`text` escaped, each run of 20 or more characters without a space (a SHA-256, a list of
    points, a JSON value) marked as a token that may break anywhere: a table cell can then keep
    its words whole (`overflow-wrap: break-word`) without such a run pushing it past a phone's
    screen."""
    escaped = str(escape(text))  # Markup (a translated word, JSON) stays as it is
    return Markup(_TAG_OR_LONG_TOKEN.sub(
        lambda run: run.group(1) or f'<span class="token">{run.group(2)}</span>', escaped))


def body_html(body: str) -> Markup:
    """A stored body for a page or a printed sheet, always through the sanitizer: an HTML body
    cleaned again (so a row edited in the database cannot slip a script in), a plain-text body
    escaped (its < and & shown as typed; the element keeps its line breaks by CSS)."""
    return keep_tokens_html(clean_html(body)) if is_html_body(body) else keep_tokens(body)


def hash_b64(value: str | bytes) -> str:
    """A hash (hex text or raw bytes) as the signed checkpoint writes a root: base64. Every page
    and sheet shows hashes this one way, so one value never looks like two."""
    raw = bytes.fromhex(value) if isinstance(value, str) else value
    return base64.b64encode(raw).decode("ascii")


def hash_short(value: str | bytes) -> str:
    """The first 8 characters of `hash_b64`: enough to tell two hashes apart by eye."""
    return hash_b64(value)[:8] if value else ""


FILTERS = {
    "hash_b64": hash_b64,
    "hash_short": hash_short,
    "body_html": body_html,
    "body_text": body_text,
    "tokens": keep_tokens,
    "zh": zh_filter,
    "bracketed": bracketed,
    "breakable": breakable,
    "is_html_body": is_html_body,
    "action_word": action_word,
    "money": money_filter,
    "rate": rate_filter,
    "thousands": thousands,
    "money_words": lambda v: amount_in_words(Decimal(v)),
    "cn_date": date_filter,
    "cn_datetime": datetime_filter,
    "html_datetime": html_datetime,
    "area": area_filter,
    "area_number": area_number,
}
