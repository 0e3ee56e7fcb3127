"""The columns of a village ledger (村集体台账) the importer reads, per kind of record: the header
the template writes, the other headers real ledgers use for it, what to write, and the words it
accepts for choices (个人/单位, 年付/季付 …). Every column of a file is either read or refused:
nothing is silently dropped but a 序号 column."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

IGNORED = ("序号", "行号")  # numbering columns ledgers start with; the template marks its example row there
EXAMPLE = "示例"


@dataclass(frozen=True)
class Column:
    """One column: its header in the template, the field it fills, and what to write in it.

    `field` is an input field of the record (AssetInput, ContractInput, ReceiptInput), or one
    read on the way there (a contract's `areas`, `annual_rent` and `escalation`)."""

    header: str
    field: str
    note: str
    example: str = ""
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # the words offered in the template's drop-down list
    text: bool = False             # an identifier Excel must keep as text (ID numbers lose digits)


@dataclass(frozen=True)
class Kind:
    """A kind of record the importer reads: its name in URLs, its record type, the Chinese
    name, the sheet's name in templates and whole-ledger workbooks, and its columns."""

    name: str
    entity: str
    label: str
    sheet: str
    columns: tuple[Column, ...]
    # where a service's message about a field is reported: the first of these columns the file
    # has (a contract's escalation may come as one 递增 column or as two)
    reports: Mapping[str, tuple[str, ...]]

    @property
    def action(self) -> str:
        return f"{self.entity}.create"

    def column(self, field: str) -> Column | None:
        return next((c for c in self.columns if c.field == field), None)

    def report_column(self, field: str, headers: Mapping[str, str]) -> str:
        """The header under which a problem with `field` is shown: as the file wrote it when the
        file has such a column, else as the template writes it."""
        candidates = self.reports.get(field, (field,))
        for candidate in candidates:
            if candidate in headers:
                return headers[candidate]
        column = self.column(candidates[0])
        return column.header if column else ""


def normalised(header: str) -> str:
    """A header compared loosely: full-width forms, spaces, line breaks and * (a "required"
    mark) do not count; （亩） and (亩) are the same."""
    return re.sub(r"[\s*]+", "", unicodedata.normalize("NFKC", header)).lower()


def _without_unit(header: str) -> str:
    return re.sub(r"\([^()]*\)$", "", header)


def match(kind: Kind, header: str) -> Column | None:
    """The column `header` names, by its own header or a synonym, with or without a unit in
    brackets (金额（元） is 金额); None when it names none of the kind's columns."""
    wanted = normalised(header)
    for key in (wanted, _without_unit(wanted)):
        for column in kind.columns:
            names = (column.header, *column.synonyms)
            if any(key in (normalised(n), _without_unit(normalised(n))) for n in names):
                return column
    return None


def is_ignored(header: str) -> bool:
    return normalised(header) in IGNORED


def choice(words: Mapping[str, str], text: str) -> str | None:
    """The code `text` stands for among `words` (compared loosely), or None."""
    key = normalised(text)
    return next((code for word, code in words.items() if normalised(word) == key), None)


ASSET_KINDS = {"土地": "land", "地块": "land", "资源": "land", "房屋": "building", "房产": "building",
               "厂房": "building", "仓库": "building", "店面": "shop", "门面": "shop", "商铺": "shop",
               "店铺": "shop", "设施": "facility", "设备": "facility",
               "land": "land", "building": "building", "shop": "shop", "facility": "facility"}
PERSON, COMPANY = "person", "company"
LESSEE_KINDS = {"个人": PERSON, "自然人": PERSON, "农户": PERSON, "村民": PERSON, "家庭": PERSON,
                "单位": COMPANY, "企业": COMPANY, "公司": COMPANY, "合作社": COMPANY, "法人": COMPANY,
                "组织": COMPANY, "集体": COMPANY, "个体工商户": COMPANY,
                "person": PERSON, "company": COMPANY}
RENT_UNITS = {"元/亩/年": "mu_year", "元/亩·年": "mu_year", "元/亩": "mu_year",
              "元/㎡/月": "m2_month", "元/平方米/月": "m2_month", "元/平米/月": "m2_month",
              "mu_year": "mu_year", "m2_month": "m2_month"}
INTERVALS = {"12": "12", "年付": "12", "每年": "12", "按年": "12", "一年一付": "12", "一年一交": "12", "年缴": "12",
             "6": "6", "半年付": "6", "每半年": "6", "按半年": "6", "半年": "6",
             "3": "3", "季付": "3", "每季": "3", "按季": "3", "季度": "3", "每季度": "3",
             "1": "1", "月付": "1", "每月": "1", "按月": "1"}

_PERSON_OR_UNIT = "个人 或 单位（企业、合作社等）"

PARCELS = Kind("parcels", "asset", "地块/资产", "地块资产", (
    Column("地块编号", "number", "本村唯一的编号，如 LB-001", "DK-001", True,
           ("资产编号", "编号", "地块号", "地块代码", "资产代码"), text=True),
    Column("名称", "name", "地块或资产的名称（土名）", "东洋片1号地", True, ("地块名称", "资产名称", "土名", "地名")),
    Column("类别", "kind", "土地、房屋、店面 或 设施；空着即为土地", "土地", False,
           ("资产类别", "类型", "资产类型"), ("土地", "房屋", "店面", "设施")),
    Column("面积（亩）", "area", "土地以亩计，最多 4 位小数；房屋、店面、设施以平方米计，最多 2 位小数",
           "12.3456", True, ("面积", "面积（平方米）", "面积（㎡）", "建筑面积", "土地面积", "地块面积", "承包面积")),
    Column("地类", "land_type", "耕地、园地、林地等，可空", "耕地", False, ("土地类型", "土地用途", "用途")),
    Column("位置", "location", "所在村民小组或坐落，可空", "第一村民小组", False, ("坐落", "座落", "地址", "所在位置")),
), {})

CONTRACTS = Kind("contracts", "contract", "合同", "合同", (
    Column("合同编号", "number", "本村唯一的合同编号", "HT-2016-001", True, ("合同号", "编号", "合同代码"), text=True),
    Column("合同名称", "title", "可空，空着则为“地块 编号 租赁合同”", "东洋片1号地租赁合同", False,
           ("名称", "项目名称", "标的名称")),
    Column("承租方", "lessee_name", "个人写姓名，单位写全称（个人姓名在网上只显示为 张*华）", "张三", True,
           ("承租方名称", "承租人", "承包方", "承包人", "乙方", "承租单位")),
    Column("承租方类型", "lessee_kind", f"{_PERSON_OR_UNIT}；空着则按证件号码判断", "个人", False,
           ("承租方性质", "承租人类型", "类型"), ("个人", "单位")),
    Column("证件号码", "lessee_id_number", "个人必填 18 位身份证号；单位填统一社会信用代码。请把这一列设为“文本”格式",
           "110101199003071233", False, ("身份证号", "身份证号码", "统一社会信用代码", "证件号", "信用代码"), text=True),
    Column("联系电话", "lessee_phone", "手机号或带区号的固定电话，可空", "13800001234", False,
           ("电话", "手机", "手机号", "手机号码", "联系方式"), text=True),
    Column("地块编号", "assets", "租出的地块或资产的编号（须已在本村登记，或在同一工作簿的“地块资产”表中）；"
           "多块用顿号分开，如 DK-001、DK-002", "DK-001", True, ("资产编号", "地块", "地块号", "标的编号", "租赁标的"),
           text=True),
    Column("面积（亩）", "areas", "租出的面积，可空（空着即整块租出）；多块时按地块编号的顺序用顿号分开",
           "12.3456", False, ("面积", "出租面积", "承包面积", "租赁面积", "面积（平方米）", "面积（㎡）")),
    Column("起始日期", "start_date", "如 2016-01-01、2016/1/1 或 2016年1月1日", "2016-01-01", True,
           ("开始日期", "起租日期", "起始时间", "合同起始日期", "承包起始日期", "租赁起始日期", "起始日")),
    Column("终止日期", "end_date", "合同到期的日期", "2025-12-31", True,
           ("结束日期", "到期日期", "截止日期", "终止时间", "合同终止日期", "到期日", "租赁终止日期")),
    Column("租金单价", "rent_rate", "土地按 元/亩/年，房屋店面按 元/㎡/月，如 500 或 ¥1,234.50；"
           "空着则按“年租金”除以面积算出", "500", False,
           ("单价", "租金标准", "年租金单价", "承包费单价", "承包金单价", "租金（元/亩/年）")),
    Column("租金单位", "rent_unit", "元/亩/年 或 元/㎡/月；空着则按地块类别（土地按亩）", "元/亩/年", False,
           ("单价单位", "计租单位"), ("元/亩/年", "元/㎡/月")),
    Column("年租金", "annual_rent", "第一年的租金总额（元），可空；填了会与 单价×面积 核对", "6172.80", False,
           ("年租金总额", "年承包金", "年承包费", "年租金（元）")),
    Column("递增", "escalation", "如“每5年递增5%”；不递增请空着", "每5年递增5%", False,
           ("租金递增", "递增办法", "递增方式")),
    Column("递增比例（%）", "escalation_percent", "也可把递增分两列写：递增比例", "", False, ("递增比例", "递增率")),
    Column("递增间隔（年）", "escalation_every_years", "与“递增比例”一起用：每几年递增一次", "", False,
           ("递增间隔", "每几年递增", "递增周期")),
    Column("缴款周期", "payment_interval_months", "年付、半年付、季付 或 月付（也可写 12、6、3、1 个月）；空着即年付",
           "年付", False, ("缴款方式", "付款方式", "支付方式", "缴费方式", "缴款周期（月）"), ("年付", "半年付", "季付", "月付")),
    Column("签订日期", "signed_on", "可空", "2015-12-20", False, ("签约日期", "签订时间")),
    Column("备注", "note", "可空，最多 500 字", "", False, ("说明",)),
), {"escalation_percent": ("escalation_percent", "escalation"),
    "escalation_every_years": ("escalation_every_years", "escalation"),
    "rent_rate": ("rent_rate", "annual_rent")})

RECEIPTS = Kind("receipts", "receipt", "收款", "收款", (
    Column("收据号", "number", "本村唯一的收据（票据）编号", "SK-2016-001", True,
           ("收据编号", "票据号", "票据编号", "凭证号", "收据号码", "单据号"), text=True),
    Column("金额", "amount", "元，如 1234.5、1,234.50 或 ¥1234.50", "6172.80", True,
           ("金额（元）", "收款金额", "实收金额", "收入金额")),
    Column("收款日期", "received_on", "如 2016-01-05", "2016-01-05", True, ("日期", "收款时间", "交款日期", "缴款日期")),
    Column("交款人", "payer_name", "个人写姓名（网上只显示为 张*华），单位写全称", "张三", True,
           ("付款人", "缴款人", "交款单位", "付款单位")),
    Column("交款人类型", "payer_is_person", f"{_PERSON_OR_UNIT}；空着按个人处理（网上隐去姓名）", "个人", False,
           ("付款人类型", "缴款人类型"), ("个人", "单位")),
    Column("合同编号", "contract_number", "所缴租金的合同编号，可空（须已在本村登记，或在同一工作簿的“合同”表中）",
           "HT-2016-001", False, ("合同号", "对应合同"), text=True),
    Column("备注", "note", "可空，最多 500 字", "2016 年租金", False, ("摘要", "事由", "说明", "收款事由")),
), {})

KINDS = {kind.name: kind for kind in (PARCELS, CONTRACTS, RECEIPTS)}  # in the order a batch writes them
ALL = "all"  # a whole ledger: one workbook with a sheet of each kind
LABELS = {**{kind.name: kind.label for kind in KINDS.values()}, ALL: "整套台账"}


def kinds_of(name: str) -> tuple[Kind, ...]:
    """The kinds a file of `name` holds (all three for a whole ledger); KeyError for no such kind."""
    return tuple(KINDS.values()) if name == ALL else (KINDS[name],)
