"""Long printed lists as ruled text (portal/publishing/text_table.py): every line as wide as the
header, columns as wide as their values need, values clipped only when the page is too narrow."""
from __future__ import annotations

from portal.publishing.text_table import A4_TEXT_WIDTH_PT, ROWS_PER_CELL, Column, clip, text_table, text_width, widths

COLUMNS = (Column("序号", 10, right=True), Column("户主", 18), Column("金额", 20, right=True))


def test_wide_characters_count_twice_and_ascii_once():
    assert text_width("H0001") == 5 and text_width("张*华") == 5 and text_width("分红金额（元）") == 14
    assert clip("张三华", 3) == "张" and clip("H0001", 9) == "H0001"


def test_every_line_is_as_wide_as_the_header_and_right_columns_end_together():
    rows = [("1", "张*华", "428.57"), ("12", "欧阳*明", "1,000.00"), ("300", "李", "0.01")]
    table = text_table(COLUMNS, rows, width_pt=300)
    lines = [table.head] + "\n".join(table.cells).split("\n")
    assert len({text_width(line) for line in lines}) == 1
    ends = {text_width(line[:line.index(value) + len(value)]) for line, (_, _, value) in zip(lines[1:], rows)}
    assert len(ends) == 1  # the amounts are right-aligned on one edge
    assert table.width_pt <= 300 and table.width_pt == text_width(table.head) * 5


def test_rows_share_cells_of_a_few_lines():
    rows = [(str(i), "张*华", "1.00") for i in range(1, 13)]
    cells = text_table(COLUMNS, rows, width_pt=300).cells
    assert [c.count("\n") + 1 for c in cells] == [ROWS_PER_CELL] * (12 // ROWS_PER_CELL) + [12 % ROWS_PER_CELL] * bool(12 % ROWS_PER_CELL)


def test_columns_take_what_their_values_need_and_clip_only_when_the_page_is_too_narrow():
    rows = [("1", "张*华", "428.57")]
    assert widths(COLUMNS, rows, 48) == [10, 18, 20]  # each its share: the values need less
    assert widths(COLUMNS, rows, 50) == [10, 19, 21]  # the shares rounded down: the largest take the rest
    roomy = widths(COLUMNS, [("1", "很长很长的户主名字啊", "1.00")], 48)
    assert roomy[1] == 22 and sum(roomy) <= 48  # the name's column grew, the others gave way
    narrow = widths(COLUMNS, [("1", "很长很长的户主名字啊很长很长的户主名字啊", "1.00")], 30)
    assert sum(narrow) == 30
    table = text_table(COLUMNS, [("1", "很长很长的户主名字啊很长很长的户主名字啊", "1.00")], width_pt=150)
    assert "很长" in table.cells[0] and text_width(table.cells[0]) == text_width(table.head)


def test_a_table_on_a4_reaches_the_margin_as_the_other_tables_do():
    table = text_table(COLUMNS, [("1", "张*华", "428.57")])
    assert A4_TEXT_WIDTH_PT - 5 < table.width_pt <= A4_TEXT_WIDTH_PT  # within one half-em unit
