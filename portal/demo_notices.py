"""Notices and plans of the demo village 莲坂村（演示数据）, entered through the services.

The land-consolidation plan went out for comment in 2023, was revised after the comments (rent
raised from 400 to 450 元/亩/年), answered comment by comment ("事事有回音、件件有着落"), voted
on by the 村民代表会议 and adopted; the call for bids and financial statements followed. This
year's income-distribution plan is still open for comment, one comment not yet answered.
All people are fictional.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from portal.demo_entrustments import TRANSFER_RENT
from portal.kernel.transaction import Actor, Backend
from portal.notices.models import Notice
from portal.notices.services import (
    NoticeInput,
    correct_notice,
    create_notice,
    notice_input_from,
    withdraw_notice,
)
from portal.plans.models import Plan
from portal.plans.services import (
    CommentInput,
    PlanInput,
    VoteInput,
    add_comment,
    adopt_plan,
    correct_plan,
    create_plan,
    plan_input_from,
    record_vote,
    reply_to_comment,
)
from portal.publishing.formatting import cn_date

CODE = "lianban"
COMMITTEE = Actor("demo-committee", "committee", village=CODE)
VILLAGER = Actor("villager", "villager")
CONSOLIDATION = "FA-2023-001"
LOT_PARCELS = 52
RESERVE = 450

CONSOLIDATION_V1 = """一、目的
为盘活村集体零散地块、发展规模农业、增加村集体和村民收入，村两委拟将第一至第六村民小组约1000亩耕地、园地集中流转。现将方案公示，征求全体村民意见。

二、范围
东洋、西洋、南洋、北洋片区共{parcels}块地块（以零散地块图为准），面积{area}亩，由承包农户委托村集体统一流转（“大托管”），分五个片区招租；仍在承包期内的8块零散地块不纳入。原承包合同于2023年12月31日到期后不再续签。

三、方式
在本平台发布招租公告，公开竞价，价高者得，竞价过程全程公开。

四、租金
流转底价为每亩每年400元，租期15年（2024年1月1日至2038年12月31日）。租金先交后用，每年1月31日前一次付清。

五、收益分配
村集体每年按每亩{transfer}元向委托农户支付流转租金；其余流转收益纳入村集体收入，按村集体收益分配方案分配，分红名单逐户公开。

六、监督
村务监督委员会全程监督；合同、收款凭证和欠租情况在本平台公开。"""

CONSOLIDATION_V2 = (CONSOLIDATION_V1
                    .replace("在本平台发布招租公告，公开竞价，价高者得，竞价过程全程公开。",
                             "在本平台发布招租公告，公开竞价，价高者得，竞价过程全程公开。\n签约仪式在本平台直播，签约录像和合同扫描件一并公开。")
                    .replace("流转底价为每亩每年400元，",
                             "流转底价为每亩每年450元，成交租金每5年递增5%，")
                    .replace("村务监督委员会全程监督；合同、收款凭证和欠租情况在本平台公开。",
                             "村务监督委员会全程监督；合同、收款凭证和欠租情况在本平台公开。\n承租方逾期未交租金的，列入欠租清单公开，并依合同追缴。\n\n七、就业\n同等条件下，承租企业优先聘用本村村民。"))

# (name, 小组, submitted, comment, reply, replied) — the first four before the revision
CONSOLIDATION_COMMENTS = [
    ("陈阿水", "第一村民小组", date(2023, 8, 3), "底价400元太低了。周边村土地流转已经到每亩500元左右，建议提高底价。",
     "感谢您的意见。村两委将咨询镇农经站，在修改稿中提高底价，修改稿会再次公示。", date(2023, 8, 10)),
    ("林秀兰", "第三村民小组", date(2023, 8, 7), "我家的地在水渠边。集中流转以后，灌溉水渠由谁来维护？",
     "主干渠由村集体负责维护，田间支渠由承租企业负责，写入租赁合同。", date(2023, 8, 12)),
    ("黄金土", "第二村民小组", date(2023, 8, 15), "年纪大了种不动地，流转以后能不能到基地里做工？",
     "已与意向企业沟通，修改稿将写明：同等条件下优先聘用本村村民。", date(2023, 8, 20)),
    ("张美华", "第五村民小组", date(2023, 8, 24), "外出打工的人看不到签合同。建议签约过程在网上直播。",
     "采纳。修改稿将写明：签约仪式在本平台直播，录像和合同扫描件一并公开。", date(2023, 8, 30)),
    ("王建设", "第四村民小组", date(2023, 9, 8), "租金要每年年初交清，不能拖欠。拖欠了怎么办？",
     "修改稿第四条规定租金先交后用、每年1月31日前交清；第六条规定逾期的列入欠租清单公开，并依合同追缴。", date(2023, 9, 12)),
    ("吴春燕", "第六村民小组", date(2023, 9, 14), "流转的钱怎么分？希望每年把分红名单公开出来。",
     "流转租金纳入村集体收入，分红方案另行公示征求意见，分红名单逐户公开（姓名脱敏）。", date(2023, 9, 18)),
    ("蔡德旺", "第一村民小组", date(2023, 9, 19), "同意修改稿，希望尽快落实。",
     "谢谢支持。方案将提交村民代表会议表决，结果在本页公开。", date(2023, 9, 21)),
]

DISTRIBUTION_BODY = """一、分配依据
依据《莲坂村股份经济合作社章程》和{year}年度集体收入决算（收入明细见“收益凭证”和财务公开公告）。

二、可分配收益
{year}年度集体经营性收入，先提取20%公积公益金（用于村道、路灯、水利等公益事业），再扣除管理费用，余额为可分配收益。

三、分配对象
截至{year}年12月31日登记在册的集体经济组织成员，每人1股，按户汇总。

四、分配方式
按股分配，精确到分，各户合计等于分配总额。分红名单逐户公开（姓名脱敏），每户另发私人核对码，可在本平台自行核对。

五、时间安排
征求意见结束后，根据意见修改，提交村民代表会议表决，通过后于次年1月发放。"""


def build_notices(backend: Backend, staff: Actor, today: date, lot_area: Decimal) -> None:
    """Notices, the adopted consolidation plan and this year's open plan, through the services;
    `lot_area` the 亩 of the five lots, as the plan, the notice and the contracts all say."""
    _consolidation_plan(backend, staff, lot_area)
    _notices(backend, staff, today, lot_area)
    _distribution_plan(backend, staff, today)


def _body(text: str, lot_area: Decimal) -> str:
    return text.format(parcels=LOT_PARCELS, area=f"{lot_area:,.2f}", transfer=TRANSFER_RENT)


def _consolidation_plan(backend: Backend, staff: Actor, lot_area: Decimal) -> None:
    create_plan(backend, staff, CODE, PlanInput(
        number=CONSOLIDATION, title="莲坂村土地集中流转方案（征求意见稿）", body=_body(CONSOLIDATION_V1, lot_area),
        comment_from=date(2023, 8, 1), comment_until=date(2023, 8, 31)))
    for i, (name, group, day, text, reply, replied) in enumerate(CONSOLIDATION_COMMENTS, start=1):
        if i == 5:
            revised = plan_input_from(_current_plan(backend))
            revised.body, revised.comment_until = _body(CONSOLIDATION_V2, lot_area), date(2023, 9, 20)
            correct_plan(backend, staff, CODE, CONSOLIDATION, revised,
                         "根据村民意见修改：底价由每亩每年400元提高到450元、成交租金每5年递增5%，增加签约直播、"
                         "欠租公开和优先聘用本村村民的条款；征求意见期延长至9月20日，再次公示")
        add_comment(backend, VILLAGER, CODE, CONSOLIDATION, CommentInput(
            commenter_name=name, group_name=group, body=text, submitted_on=day))
        reply_to_comment(backend, COMMITTEE, CODE, CONSOLIDATION, i, reply, replied_on=replied)
    record_vote(backend, staff, CODE, CONSOLIDATION, VoteInput(
        meeting="村民代表会议", question="是否同意《莲坂村土地集中流转方案》（修改稿）", held_on=date(2023, 9, 28),
        eligible=45, yes=41, no=2, abstain=2, result="通过（同意票超过应到人数的三分之二）"))
    adopt_plan(backend, staff, CODE, CONSOLIDATION, date(2023, 9, 28),
               "经2023年9月28日村民代表会议表决通过（应到45人，同意41票，反对2票，弃权2票）")


def _current_plan(backend: Backend) -> Plan:
    from portal.plans.reads import plan_detail

    return plan_detail(backend, CODE, CONSOLIDATION, date(2023, 9, 1)).plan


def _notices(backend: Backend, staff: Actor, today: date, lot_area: Decimal) -> None:
    create_notice(backend, staff, CODE, NoticeInput(
        number="GG-2023-004", category="affairs", published_on=date(2023, 9, 21),
        title="关于召开村民代表会议表决土地集中流转方案的通知",
        body="各位村民代表：\n定于2023年9月28日上午9时在村部二楼会议室召开村民代表会议，表决《莲坂村土地集中流转方案》"
             "（修改稿）。方案全文、村民意见及答复见本平台“方案公示”栏目。\n请准时参加。\n莲坂村村民委员会"))
    create_notice(backend, staff, CODE, NoticeInput(
        number="GG-2023-005", category="tender", published_on=date(2023, 10, 9),
        title="莲坂村土地集中流转招租公告",
        body=f"根据2023年9月28日村民代表会议（会议纪要 HY-2023-001）通过的《莲坂村土地集中流转方案》，"
             f"现将农户委托的{LOT_PARCELS}块、共{lot_area:,.2f}亩土地分五个片区公开招租（招租编号 ZZ-2023-001 至 ZZ-2023-005）。\n"
             f"一、底价：每亩每年{RESERVE}元，成交租金每5年递增5%。\n二、租期：2024年1月1日至2038年12月31日。\n"
             "三、保证金：每片区5万元，未成交的全额退还。\n四、报名：2023年10月10日至11月10日，到村部报名。\n"
             "五、竞价：2023年11月20日公开竞价，过程在本平台公开。\n联系电话：0592-7100000"))
    create_notice(backend, staff, CODE, NoticeInput(
        number="GG-2024-002", category="finance", published_on=date(2024, 4, 10),
        title="2024年第一季度村级财务收支公开",
        body=f"一、收入\n1. 土地流转租金：{lot_area * 500:,.2f}元\n2. 店面租金：4,617.00元\n3. 上级补助：30,000.00元\n"
             f"二、支出\n1. 土地流转租金（付委托农户）：{lot_area * TRANSFER_RENT:,.2f}元\n2. 村道修缮：18,600.00元\n"
             "3. 办公费用：3,245.80元\n"
             "明细凭证可到村部查阅，或在本平台“收益凭证”栏目查看。"))
    finance = notice_input_from(_notice(backend, "GG-2024-002"))
    finance.body = finance.body.replace("3. 上级补助：30,000.00元", "3. 上级补助：35,000.00元")
    correct_notice(backend, staff, CODE, "GG-2024-002", finance, "上级补助金额录入错误，按记账凭证更正")
    create_notice(backend, staff, CODE, NoticeInput(
        number="GG-2025-002", category="finance", published_on=date(2025, 7, 8),
        title="2025年第二季度村级财务收支公开",
        body="一、收入\n1. 店面租金：4,617.00元\n2. 利息收入：212.36元\n二、支出\n1. 路灯维修：2,380.00元\n"
             "明细凭证可到村部查阅。"))
    create_notice(backend, staff, CODE, NoticeInput(
        number="GG-2025-003", category="finance", published_on=date(2025, 7, 8),
        title="2025年第二季度村级财务收支公开", body="（与 GG-2025-002 内容相同）"))
    withdraw_notice(backend, staff, CODE, "GG-2025-003", "与 GG-2025-002 重复发布，撤回此条")
    create_notice(backend, staff, CODE, NoticeInput(
        number=f"GG-{today.year}-009", category="affairs", published_on=today - timedelta(days=6),
        title=f"关于《{today.year}年度集体收益分配方案（征求意见稿）》征求意见的公告",
        body=f"《{today.year}年度集体收益分配方案（征求意见稿）》已在本平台“方案公示”栏目公示，"
             f"征求意见期为{cn_date(today - timedelta(days=6))}至{cn_date(today + timedelta(days=14))}。\n"
             "欢迎村民到村委会或向村务监督委员会提出意见，每条意见都会答复并公开。"))


def _distribution_plan(backend: Backend, staff: Actor, today: date) -> None:
    number = f"FA-{today.year}-001"
    create_plan(backend, staff, CODE, PlanInput(
        number=number, title=f"{today.year}年度集体收益分配方案（征求意见稿）",
        body=DISTRIBUTION_BODY.format(year=today.year),
        comment_from=today - timedelta(days=6), comment_until=today + timedelta(days=14)))
    add_comment(backend, VILLAGER, CODE, number, CommentInput(
        commenter_name="郑宝玉", group_name="第二村民小组", submitted_on=today - timedelta(days=4),
        body="我女儿嫁到外村，户口还在本村，能不能参加分红？"))
    reply_to_comment(backend, COMMITTEE, CODE, number, 1, replied_on=today - timedelta(days=2),
                     reply="按章程，户口在本村、且未在其他集体经济组织取得成员资格的，可以登记为成员参加分配。"
                           "请在征求意见期内到村委会核对登记情况。")
    add_comment(backend, VILLAGER, CODE, number, CommentInput(
        commenter_name="许明亮", group_name="第四村民小组", submitted_on=today - timedelta(days=1),
        body="建议多留一些钱修村道和路灯，不要全部分掉。"))


def _notice(backend: Backend, number: str) -> Notice:
    from portal.notices.reads import notice_detail

    return notice_detail(backend, CODE, number).notice

