"""Long printed lists as ruled text: each row one line of a monospaced font, the grid drawn by a
background tile, so a 500-line 分红名单 costs WeasyPrint 500 lines of text instead of 3,000 cells.

WeasyPrint lays out, styles and paints every table cell as its own block with its own line box;
a 500-line, 6-column list took 3.8 s of CPU, almost all of it in cells (the same rows as one
line each: 0.8 s). So the rows are padded to fixed columns in WenQuanYi Zen Hei Mono, whose
ASCII glyphs are exactly half and whose CJK glyphs exactly one em wide, and a few rows share
one table cell (`ROWS_PER_CELL`) whose background is an SVG tile of one row: the column rules
and the row's bottom rule. The header is drawn the same way and repeats on every page.

A cell never breaks across pages (WeasyPrint stretches a broken cell to the page's foot, which
would show a half row of grid), so a page ends at most ROWS_PER_CELL - 1 rows early.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup

FONT = "WenQuanYi Zen Hei Mono"
# The A4 page's width inside the print margins of templates/print/base.html (15 mm each side).
A4_TEXT_WIDTH_PT = (210 - 30) / 25.4 * 72
# Rows per cell: 1 costs 1.5 s of CPU for 500 rows, 5 costs 0.85 s, 10 costs 0.7 s but may
# leave nine rows of a page empty.
ROWS_PER_CELL = 5
RULE_PT = 0.5


def text_width(text: str) -> int:
    """Width of `text` in half-em units of the monospaced font: wide (CJK) characters count 2,
    ambiguous ones outside ASCII too (the font draws …, Ⅱ, ① an em wide), others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" and not ch.isascii() else 1 for ch in text)


def clip(text: str, width: int) -> str:
    """`text` cut to at most `width` half-em units (what overflow: hidden showed of a cell)."""
    out, used = [], 0
    for ch in text:
        used += text_width(ch)
        if used > width:
            break
        out.append(ch)
    return "".join(out)


def _pad(text: str, width: int, right: bool) -> str:
    text = clip(text, width)
    fill = " " * (width - text_width(text))
    return fill + text if right else text + fill


@dataclass(frozen=True)
class Column:
    """One column: its header, its share of the width when there is room, right-aligned or not."""
    label: str
    share: int
    right: bool = False


@dataclass(frozen=True)
class TextTable:
    """What the template prints: the header line, the rows in cells of ROWS_PER_CELL lines, and
    the CSS sizes of the grid (see templates/print/_text_table.html)."""
    head: str
    cells: list[str]
    width_pt: float
    pitch_pt: float
    font_pt: float
    tile: Markup

    @property
    def font(self) -> str:
        return FONT


def widths(columns: Sequence[Column], rows: Sequence[Sequence[str]], units: int) -> list[int]:
    """Each column's width in half-em units, padding included: at least what its header and
    values need plus one unit either side, then up to its share; over `units` in all, the
    column with the most room to spare gives way first, then the widest (its values clipped);
    under `units`, the largest shares take what is left, so the table is exactly `units` wide."""
    needed = [max([text_width(c.label)] + [text_width(r[i]) for r in rows]) + 2 for i, c in enumerate(columns)]
    total_share = sum(c.share for c in columns) or 1
    chosen = [max(n, units * c.share // total_share) for n, c in zip(needed, columns)]
    while sum(chosen) > units:
        spare = [w - n for w, n in zip(chosen, needed)]
        if max(spare) > 0:
            i = spare.index(max(spare))
        else:
            i = chosen.index(max(chosen))
            if chosen[i] <= 3:  # nothing left to give
                break
        chosen[i] -= 1
    # shares rounded down leave the table a few units short of the width (5 mm on A4, where the
    # other tables reach the margin): the largest shares take one more each
    by_share = sorted(range(len(columns)), key=lambda i: -columns[i].share)
    for k in range(max(0, units - sum(chosen)) if columns else 0):
        chosen[by_share[k % len(by_share)]] += 1
    return chosen


def _tile(column_widths: Sequence[int], unit_pt: float, pitch_pt: float) -> Markup:
    """An SVG data URL of one row's grid: the rules between columns and the rule below."""
    width = sum(column_widths) * unit_pt
    lines, x = [], 0.0
    for w in column_widths[:-1]:
        x += w * unit_pt
        lines.append(f'<line x1="{x:g}" y1="0" x2="{x:g}" y2="{pitch_pt:g}"/>')
    y = pitch_pt - RULE_PT / 2
    lines.append(f'<line x1="0" y1="{y:g}" x2="{width:g}" y2="{y:g}"/>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}pt" height="{pitch_pt:g}pt" '
           f'viewBox="0 0 {width:g} {pitch_pt:g}"><g stroke="#000" stroke-width="{RULE_PT:g}">'
           + "".join(lines) + "</g></svg>")
    return Markup("data:image/svg+xml," + quote(svg))


def text_table(columns: Sequence[Column], rows: Sequence[Sequence[str]], *, width_pt: float = A4_TEXT_WIDTH_PT,
               font_pt: float = 10, pitch_pt: float = 16) -> TextTable:
    """`rows` (strings, one per column) laid out as ruled text at most `width_pt` wide."""
    unit_pt = font_pt / 2
    column_widths = widths(columns, rows, int(width_pt // unit_pt))

    def line(values: Sequence[str]) -> str:
        return "".join(" " + _pad(v, w - 2, c.right) + " " for v, w, c in zip(values, column_widths, columns))

    lines = [line(r) for r in rows]
    cells = ["\n".join(lines[i:i + ROWS_PER_CELL]) for i in range(0, len(lines), ROWS_PER_CELL)]
    return TextTable(head=line([c.label for c in columns]), cells=cells, width_pt=sum(column_widths) * unit_pt,
                     pitch_pt=pitch_pt, font_pt=font_pt, tile=_tile(column_widths, unit_pt, pitch_pt))
