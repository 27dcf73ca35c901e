"""A two-tier demo province with N communes (``reportsvc demo --communes N``), for benchmarks and trying
the service at scale.

The province, "tỉnh Minh Sơn" (code 99), is shaped as after the reform of 1 July 2025: tỉnh → xã and
phường, no district tier. Its communes (codes 90001, 90002 …) get names built from two syllables of
Vietnamese place names, drawn by a seeded generator, so every load gives the same communes in the same
order. Each commune has its four departments, its own 2025 plan (two or three tasks per reform area, each
with its lead department and deadline), quarter-by-quarter status updates with the văn bản of finished
tasks, and year-to-date indicator values for 2025 and 2024. The province has its 2025 plan with targets,
its departments, status updates and own values, and one administrator account.

The communes' rows are written in bulk, a few statements per table whatever N: core INSERTs of many rows
(``RETURNING`` the new ids in the order of the rows, to link plans to units, tasks to areas …), then the
status updates, values and audit entries as executemany. The province's one plan goes through the importer.

Running it again adds only what is missing: communes already there are left as they are (a larger N adds
the communes after them; a smaller one removes nothing), and the province's plan, values and account are
created once. A code of the demo that another unit already uses is refused.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from reportsvc.areas.matching import match_area
from reportsvc.db.models import (Agency, AuditEntry, IndicatorValue, Plan, PlanArea, StatusUpdate, Task, TaskAgency,
                                 Unit, User)
from reportsvc.demo.load import YEAR as SERIES_YEAR
from reportsvc.demo.load import commune_values, ensure_unit
from reportsvc.errors import UserError
from reportsvc.hooks.registry import PluginRegistry
from reportsvc.importing.agencies import canonical_name
from reportsvc.importing.deadlines import Deadline, parse_deadline
from reportsvc.importing.model import ParsedArea, ParsedItem, ParsedPlan, ParsedTarget, PlanIdentity
from reportsvc.importing.store import import_plan
from reportsvc.periods import Period
from reportsvc.vn.text import fold, nfc

YEAR = 2025
MAX_COMMUNES = 9999
CODE_BASE = 90000  # commune i is 90000 + i: five digits, past the statistics office's codes
PROVINCE = {"code": "99", "name": "tỉnh Minh Sơn", "kind": "tinh", "place": "Minh Sơn", "settings": {
    "sign_authority": "KT. CHỦ TỊCH", "signer_position": "PHÓ CHỦ TỊCH", "signer_name": "Lê Quang Minh",
    "recipients": ["Bộ Nội vụ (b/c);", "TTr Tỉnh ủy, TTr HĐND tỉnh;", "Chủ tịch, các PCT UBND tỉnh;",
                   "Các sở, ban, ngành cấp tỉnh;", "UBND các xã, phường;", "Lưu: VT, NC."],
}}
ADMIN = ("minhson-admin", "minhson-demo-2025", "admin", "Sở Nội vụ", "Đỗ Thị Thu Hà")
UPDATED_BY = "demo"

# Syllables of Vietnamese place names; a commune is named by two of them ("An Lạc", "Minh Hưng"), with a
# quarter word ("Đông", "Tây" …) once the pairs run out.
FIRST = ("An", "Bình", "Cẩm", "Châu", "Đại", "Đông", "Đức", "Gia", "Hà", "Hải", "Hòa", "Hồng", "Hưng", "Hương",
         "Khánh", "Kim", "Lạc", "Lam", "Liên", "Long", "Mai", "Minh", "Mỹ", "Nam", "Nghĩa", "Ngọc", "Nhân", "Phú",
         "Phúc", "Phước", "Quảng", "Quang", "Quế", "Sơn", "Tân", "Thạch", "Thái", "Thanh", "Thành", "Thiện",
         "Thịnh", "Thuận", "Thượng", "Tiên", "Trung", "Trường", "Tường", "Vân", "Việt", "Vĩnh", "Xuân", "Yên")
SECOND = ("An", "Bắc", "Bình", "Châu", "Cường", "Điền", "Định", "Đồng", "Giang", "Hà", "Hải", "Hiệp", "Hòa",
          "Hội", "Hưng", "Khê", "Lạc", "Lâm", "Lập", "Lộc", "Lợi", "Long", "Lương", "Mỹ", "Nghĩa", "Ninh", "Phong",
          "Phú", "Phúc", "Quang", "Sơn", "Tân", "Thạnh", "Thành", "Thịnh", "Thọ", "Thủy", "Tiến", "Trạch",
          "Trung", "Tú", "Vinh", "Xuân", "Yên")
QUARTER_WORDS = ("", "Đông", "Tây", "Nam", "Bắc", "Thượng", "Hạ")
WARD_SHARE = 0.2  # about one commune in five is a phường

# A commune's departments since 1 July 2025, by role (a phường's economic office also has infrastructure).
OFFICE, ECONOMY, CULTURE, CENTRE = "office", "economy", "culture", "centre"
DEPARTMENTS = {OFFICE: "Văn phòng HĐND và UBND", ECONOMY: "Phòng Kinh tế", CULTURE: "Phòng Văn hóa - Xã hội",
               CENTRE: "Trung tâm Phục vụ hành chính công"}
WARD_ECONOMY = "Phòng Kinh tế, Hạ tầng và Đô thị"

# A commune plan's areas: (numeral, heading as written, lead role, [(task, product, deadline, coordinating role)]).
# Each commune takes two or three of each area's tasks. {unit} is the commune's name ("xã An Lạc").
COMMUNE_AREAS = [
    ("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH", OFFICE, [
        ("Ban hành Kế hoạch cải cách hành chính năm 2025 của UBND {unit}", "Kế hoạch", "Tháng 01/2025", ""),
        ("Ban hành Kế hoạch tuyên truyền cải cách hành chính năm 2025", "Kế hoạch", "Quý I/2025", CULTURE),
        ("Tự kiểm tra công tác cải cách hành chính tại các phòng chuyên môn thuộc UBND {unit}",
         "Báo cáo kết quả tự kiểm tra", "Quý III/2025", ""),
        ("Tổng kết công tác cải cách hành chính năm 2025 của {unit}", "Báo cáo tổng kết", "Tháng 12/2025", ""),
    ]),
    ("II", "CẢI CÁCH THỂ CHẾ", OFFICE, [
        ("Rà soát văn bản quy phạm pháp luật do HĐND, UBND {unit} ban hành sau sắp xếp đơn vị hành chính",
         "Báo cáo kết quả rà soát", "Quý III/2025", ""),
        ("Tuyên truyền, phổ biến, giáo dục pháp luật cho cán bộ và Nhân dân", "Hội nghị, tài liệu tuyên truyền",
         "Thường xuyên", CULTURE),
        ("Ban hành Kế hoạch theo dõi tình hình thi hành pháp luật năm 2025", "Kế hoạch", "Quý I/2025", ""),
    ]),
    ("III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", CENTRE, [
        ("Niêm yết, công khai đầy đủ thủ tục hành chính tại Trung tâm Phục vụ hành chính công {unit}",
         "Thủ tục hành chính được niêm yết", "Tháng 7/2025", OFFICE),
        ("Hướng dẫn người dân nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia", "Hồ sơ trực tuyến",
         "Thường xuyên", ""),
        ("Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", "Kết quả số hóa", "Thường xuyên", ""),
        ("Khảo sát mức độ hài lòng của người dân, doanh nghiệp về giải quyết thủ tục hành chính",
         "Báo cáo kết quả khảo sát", "Quý IV/2025", OFFICE),
    ]),
    ("IV", "CẢI CÁCH TỔ CHỨC BỘ MÁY", OFFICE, [
        ("Ban hành Quy chế làm việc của UBND {unit} nhiệm kỳ 2021-2026", "Quyết định", "Tháng 7/2025", ""),
        ("Quy định chức năng, nhiệm vụ của các phòng chuyên môn thuộc UBND {unit}", "Quyết định",
         "Quý III/2025", ""),
        ("Rà soát, sắp xếp các đơn vị sự nghiệp công lập trên địa bàn {unit}", "Báo cáo, Đề án", "Quý IV/2025",
         CULTURE),
    ]),
    ("V", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ", OFFICE, [
        ("Xây dựng Đề án vị trí việc làm của UBND {unit}", "Đề án", "Quý IV/2025", ""),
        ("Đánh giá, xếp loại chất lượng cán bộ, công chức năm 2025", "Quyết định", "Tháng 12/2025", ""),
        ("Cử cán bộ, công chức tham gia bồi dưỡng kiến thức, kỹ năng chuyên môn", "Công văn cử cán bộ",
         "Năm 2025", ""),
    ]),
    ("VI", "CẢI CÁCH TÀI CHÍNH CÔNG", ECONOMY, [
        ("Công khai dự toán ngân sách năm 2025 của {unit}", "Quyết định công bố công khai", "Quý I/2025", OFFICE),
        ("Ban hành Quy chế chi tiêu nội bộ, sử dụng tiết kiệm kinh phí chi thường xuyên", "Quy chế chi tiêu nội bộ",
         "Quý III/2025", OFFICE),
        ("Rà soát, đề xuất phương án xử lý trụ sở, nhà, đất dôi dư sau sắp xếp", "Phương án sắp xếp",
         "Quý IV/2025", ""),
    ]),
    ("VII", "XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ", CULTURE, [
        ("Sử dụng hệ thống quản lý văn bản và điều hành, chữ ký số trong xử lý công việc", "Văn bản điện tử",
         "Thường xuyên", OFFICE),
        ("Vận hành điểm cầu hội nghị trực tuyến tại UBND {unit}", "Điểm cầu trực tuyến", "Quý III/2025", OFFICE),
        ("Cập nhật thông tin trên Trang thông tin điện tử của {unit}", "Tin, bài", "Thường xuyên", ""),
        ("Thành lập và duy trì hoạt động Tổ công nghệ số cộng đồng", "Quyết định thành lập", "Quý II/2025", ""),
    ]),
]

# The province's 2025 plan: (numeral, heading, [(number, task, activity, product, lead, coordinating, deadline)]).
PROVINCE_AREAS = [
    ("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH", [
        ("1", "Ban hành Kế hoạch cải cách hành chính năm 2025 của tỉnh", "Xây dựng dự thảo, lấy ý kiến, trình UBND tỉnh",
         "Kế hoạch", "Sở Nội vụ", "Các sở, ban, ngành; UBND các xã, phường", "Tháng 01/2025"),
        ("2", "Kiểm tra công tác cải cách hành chính tại các sở, ngành và UBND cấp xã", "Ban hành kế hoạch và tiến hành kiểm tra",
         "Kế hoạch kiểm tra, Báo cáo kết quả kiểm tra", "Sở Nội vụ", "Các cơ quan, đơn vị", "Quý II, III/2025"),
        ("3", "Xác định Chỉ số cải cách hành chính của các sở, ngành và UBND cấp xã năm 2025", "Thẩm định, công bố chỉ số",
         "Quyết định công bố", "Sở Nội vụ", "Các sở, ban, ngành", "Quý IV/2025"),
    ]),
    ("II", "CẢI CÁCH THỂ CHẾ", [
        ("1", "Rà soát văn bản quy phạm pháp luật của HĐND, UBND tỉnh sau sắp xếp đơn vị hành chính", "Rà soát, đề xuất xử lý",
         "Báo cáo kết quả rà soát", "Sở Tư pháp", "Các sở, ban, ngành", "Quý III/2025"),
        ("2", "Ban hành văn bản quy định chi tiết các nội dung được giao", "Xây dựng các dự thảo văn bản",
         "Các văn bản QPPL", "Sở Tư pháp", "Sở, ban, ngành có liên quan", "Thường xuyên"),
    ]),
    ("III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", [
        ("1", "Công bố danh mục thủ tục hành chính thuộc thẩm quyền giải quyết của UBND cấp xã", "Rà soát, trình công bố",
         "Quyết định công bố", "Văn phòng UBND tỉnh", "Các sở, ban, ngành", "Tháng 7/2025"),
        ("2", "Vận hành Trung tâm Phục vụ hành chính công tỉnh và cấp xã", "Bố trí nhân sự, trang thiết bị",
         "Trung tâm đi vào hoạt động", "Văn phòng UBND tỉnh", "UBND các xã, phường", "Quý III/2025"),
        ("3", "Đẩy mạnh thanh toán trực tuyến trong giải quyết thủ tục hành chính", "Triển khai giải pháp kỹ thuật",
         "Giải pháp kỹ thuật đáp ứng yêu cầu", "Sở Khoa học và Công nghệ", "Văn phòng UBND tỉnh", "Quý IV/2025"),
    ]),
    ("IV", "CẢI CÁCH TỔ CHỨC BỘ MÁY", [
        ("1", "Sắp xếp, kiện toàn tổ chức các sở, ban, ngành theo mô hình chính quyền địa phương hai cấp",
         "Trình ban hành quyết định", "Quyết định", "Sở Nội vụ", "Các sở, ban, ngành", "Tháng 6/2025"),
        ("2", "Hướng dẫn chức năng, nhiệm vụ của các phòng chuyên môn thuộc UBND cấp xã", "Ban hành văn bản hướng dẫn",
         "Công văn hướng dẫn", "Sở Nội vụ", "UBND các xã, phường", "Quý III/2025"),
    ]),
    ("V", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ", [
        ("1", "Bố trí, sắp xếp cán bộ, công chức cấp xã sau sắp xếp đơn vị hành chính", "Hướng dẫn, thẩm định phương án",
         "Quyết định", "Sở Nội vụ", "UBND các xã, phường", "Quý III/2025"),
        ("2", "Bồi dưỡng kiến thức, kỹ năng cho cán bộ, công chức cấp xã", "Mở các lớp bồi dưỡng",
         "Lớp bồi dưỡng", "Sở Nội vụ", "UBND các xã, phường", "Quý IV/2025"),
    ]),
    ("VI", "CẢI CÁCH TÀI CHÍNH CÔNG", [
        ("1", "Giao quyền tự chủ tài chính cho các đơn vị sự nghiệp công lập", "Thẩm định phương án tự chủ",
         "Quyết định giao tự chủ", "Sở Tài chính", "Các đơn vị sự nghiệp công lập", "Quý II/2025"),
        ("2", "Sắp xếp lại, xử lý trụ sở, nhà, đất dôi dư sau sắp xếp đơn vị hành chính", "Đôn đốc, hướng dẫn",
         "Phương án sắp xếp", "Sở Tài chính", "UBND các xã, phường", "Năm 2025"),
    ]),
    ("VII", "XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ", [
        ("1", "Kết nối hệ thống hội nghị truyền hình đến 100% UBND cấp xã", "Đầu tư, lắp đặt điểm cầu",
         "Hệ thống hội nghị trực tuyến", "Sở Khoa học và Công nghệ", "Văn phòng UBND tỉnh", "Quý III/2025"),
        ("2", "Nâng cấp Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh", "Nâng cấp, kết nối hệ thống",
         "Hệ thống được nâng cấp", "Sở Khoa học và Công nghệ", "Văn phòng UBND tỉnh", "Tháng 6/2025"),
    ]),
]
TARGETS = {
    "CD_KIEM_TRA": (30, "Tối thiểu 30% cơ quan, đơn vị được kiểm tra cải cách hành chính trong năm 2025"),
    "TTHC_TY_LE_TRUC_TUYEN": (80, "Tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến đạt 80%"),
    "TTHC_TY_LE_TOAN_TRINH": (90, "Tỷ lệ nộp hồ sơ trực tuyến toàn trình đạt 90%"),
    "TTHC_HAI_LONG": (95, "Mức độ hài lòng của người dân, doanh nghiệp về giải quyết thủ tục hành chính đạt từ 95%"),
    "TTHC_SO_HOA": (90, "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính đạt 90%"),
    "CV_CBCC_XA_DAI_HOC": (90, "90% cán bộ, công chức cấp xã có trình độ đại học trở lên"),
    "CQS_HNTT_XA": (100, "100% UBND cấp xã có điểm cầu hội nghị truyền hình"),
    "CQS_HO_SO_DIEN_TU": (100, "100% hồ sơ công việc tại cấp tỉnh được xử lý trên môi trường mạng"),
}
# The province's own year-to-date values at the end of each quarter: 2025, and 2024 for comparisons.
PROVINCE_VALUES = {
    "CD_KIEM_TRA": [6, 15, 24, 33], "CD_SANG_KIEN": [0, 1, 2, 2], "TC_VBQPPL_BAN_HANH": [12, 27, 43, 58],
    "TC_VBQPPL_RA_SOAT": [45, 68, 86, 97], "TC_QUY_DINH_CHI_TIET": [81, 86, 90, 94],
    "BM_GIAM_BIEN_CHE_CC": [12, 40, 131, 162], "BM_GIAM_BIEN_CHE_VC": [95, 240, 512, 640],
    "BM_DVSN_SAP_XEP": [20, 55, 90, 100], "CV_NGOAI_NGU": [41, 44, 47, 51],
    "TCC_DVSN_TU_CHU": [240, 251, 266, 270], "TCC_TY_LE_TU_CHU": [100, 100, 100, 100],
    "TCC_GIAM_CHI_NSNN": [0.8, 1.5, 2.2, 2.9], "TCC_NHA_DAT": [35, 52, 74, 88],
    "CQS_CSDL_LIEN_THONG": [60, 66, 71, 78], "CQS_HO_SO_DIEN_TU": [96.5, 97.8, 98.9, 99.6],
}
PROVINCE_VALUES_LAST_YEAR = {"CD_KIEM_TRA": [5, 13, 22, 30], "TC_VBQPPL_BAN_HANH": [9, 21, 33, 47],
                             "BM_GIAM_BIEN_CHE_CC": [4, 10, 18, 25], "CQS_HO_SO_DIEN_TU": [92, 94.5, 96, 97.5]}
SYMBOLS = (("Kế hoạch", "KH-UBND"), ("Quyết định", "QĐ-UBND"), ("Báo cáo", "BC-UBND"), ("Đề án", "ĐA-UBND"),
           ("Quy chế", "QĐ-UBND"), ("Công văn", "UBND-VP"))


@dataclass
class ScaleSummary:
    """What ``demo --communes`` added, and the province as it now is, for the CLI to print."""

    province_code: str
    province_name: str
    communes: int  # the province's communes now (added or already there)
    units: int = 0
    plans: int = 0
    updates: int = 0
    values: int = 0
    users: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _TaskInfo:
    """What the status history of one task is drawn from."""

    id: int
    seed: str
    title: str
    product: str
    start: date | None
    end: date | None
    lead_id: int | None


def commune_names(count: int) -> list[tuple[str, str]]:
    """Return (kind, name) of the first ``count`` demo communes, e.g. ("xa", "xã An Lạc"), the same on every call."""
    if not 0 <= count <= MAX_COMMUNES:
        raise UserError(f"Số xã, phường của tỉnh mẫu phải từ 1 đến {MAX_COMMUNES}.")
    pairs = [f"{first} {second}" for first in FIRST for second in SECOND if first != second]
    random.Random("reportsvc-scale-demo").shuffle(pairs)
    proper = [f"{pair} {word}".strip() for word in QUARTER_WORDS for pair in pairs][:count]
    names = []
    for index, text in enumerate(proper, 1):
        kind = "phuong" if random.Random(f"kind:{CODE_BASE + index}").random() < WARD_SHARE else "xa"
        names.append((kind, nfc(f"{'phường' if kind == 'phuong' else 'xã'} {text}")))
    return names


def commune_code(index: int) -> str:
    """Return the code of the ``index``-th demo commune (1-based): "90001" …"""
    return str(CODE_BASE + index)


def load_scale_demo(session: Session, registry: PluginRegistry, communes: int) -> ScaleSummary:
    """Load the two-tier demo province with ``communes`` communes into ``session`` (the caller commits)."""
    if not 1 <= communes <= MAX_COMMUNES:
        raise UserError(f"Số xã, phường của tỉnh mẫu phải từ 1 đến {MAX_COMMUNES}.")
    province, created = _province(session)
    summary = ScaleSummary(province.code, province.name, 0, units=int(created))
    now = datetime.now(timezone.utc)
    updates: list[dict[str, Any]] = []
    values: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []
    if session.scalar(select(Plan.id).where(Plan.unit_id == province.id, Plan.year == YEAR)) is None:
        plan = import_plan(session, _province_plan(registry), province.code, YEAR, filename="demo-minh-son-2025.docx",
                           sha256="", user=UPDATED_BY, create_agencies=True)
        summary.plans += 1
        infos = [_TaskInfo(task.id, f"{province.code}:{task.number}:{task.title}", task.title, task.product,
                           task.deadline_start, task.deadline_end,
                           next((link.agency_id for link in task.agencies if link.role == "lead"), None))
                 for task in plan.tasks]
        updates += _update_rows(infos, None, now)
        values += _value_rows(province.id, YEAR, PROVINCE_VALUES, now)
        values += _value_rows(province.id, YEAR - 1, PROVINCE_VALUES_LAST_YEAR, now)
    added = _add_communes(session, registry, province, communes, now, updates, values, audit)
    summary.units += len(added)
    summary.plans += len(added)
    for table, rows in ((StatusUpdate.__table__, updates), (IndicatorValue.__table__, values),
                        (AuditEntry.__table__, audit)):
        if rows:
            session.execute(insert(table), rows)
    summary.updates, summary.values = len(updates), len(values)
    summary.users = [_ensure_admin(session, province)]
    summary.communes = session.scalar(select(func.count(Unit.id)).where(Unit.parent_id == province.id)) or 0
    return summary


def _province(session: Session) -> tuple[Unit, bool]:
    """Return the demo province, creating it; refuse a unit of another kind or name that holds its code."""
    existing = session.scalar(select(Unit).where(Unit.code == PROVINCE["code"]))
    if existing is not None and (existing.kind, existing.name) != (PROVINCE["kind"], PROVINCE["name"]):
        raise UserError(f"Mã {PROVINCE['code']} của tỉnh mẫu đã dùng cho {existing.name}; không nạp được tỉnh mẫu.")
    return ensure_unit(session, PROVINCE, None)


def _province_plan(registry: PluginRegistry) -> ParsedPlan:
    """Return the province's 2025 plan as an import of its published file would read it."""
    issued = date(YEAR, 1, 8)
    plan = ParsedPlan(filename="demo-minh-son-2025.docx", sha256="", kind="docx",
                      title=f"Kế hoạch cải cách hành chính {PROVINCE['name']} năm {YEAR}", years=(YEAR, YEAR),
                      identity=PlanIdentity(number="12", symbol="KH-UBND", date=issued,
                                            date_text=f"ngày {issued.day:02d} tháng {issued.month:02d} năm {YEAR}",
                                            place=PROVINCE["place"], issuing_body=f"Ủy ban nhân dân {PROVINCE['name']}"))
    row = 0
    for numeral, heading, items in PROVINCE_AREAS:
        spec = match_area(heading, registry.areas)
        area = ParsedArea(numeral=numeral, title=heading, area_code=spec.code if spec else None)
        for number, title, activity, product, lead, coord, deadline in items:
            row += 1
            area.items.append(ParsedItem(number=number, row=row, title=title, activity=activity, product=product,
                                         lead=lead, coord=coord, deadline=deadline))
        plan.areas.append(area)
    for code, (value, text) in TARGETS.items():
        spec = registry.indicators.get(code)
        if spec is not None:
            plan.targets.append(ParsedTarget(code=code, name=spec.name, text=text, value=value, unit=spec.unit,
                                             area_code=spec.area, matched=True))
    return plan


def _add_communes(session: Session, registry: PluginRegistry, province: Unit, count: int, now: datetime,
                  updates: list[dict[str, Any]], values: list[dict[str, Any]],
                  audit: list[dict[str, Any]]) -> list[str]:
    """Add the communes 1..count that are missing, each with departments, plan, updates and values; return their codes."""
    names = commune_names(count)
    codes = [commune_code(index) for index in range(1, count + 1)]
    taken = {code: parent for code, parent in session.execute(
        select(Unit.code, Unit.parent_id).where(Unit.code.in_(codes)))}
    foreign = sorted(code for code, parent in taken.items() if parent != province.id)
    if foreign:
        raise UserError(f"Mã đơn vị {', '.join(foreign[:5])} của tỉnh mẫu đã dùng cho đơn vị khác; "
                        f"không nạp được tỉnh mẫu.")
    new = [_Commune(index, code, kind, name) for index, (code, (kind, name)) in enumerate(zip(codes, names), 1)
           if code not in taken]
    if not new:
        return []
    unit_ids = _insert(session, Unit, [{"code": c.code, "name": c.name, "kind": c.kind, "place": c.place,
                                        "settings": {}, "parent_id": province.id, "valid_from": None,
                                        "valid_to": None, "successor_id": None} for c in new])
    roles = list(DEPARTMENTS)
    agency_rows = []
    for commune, unit_id in zip(new, unit_ids):
        commune.unit_id = unit_id
        for role in roles:
            name = canonical_name(WARD_ECONOMY if role == ECONOMY and commune.kind == "phuong" else DEPARTMENTS[role])
            agency_rows.append({"name": name, "key": fold(name), "short_name": "", "unit_id": unit_id,
                                "successor_id": None, "settings": {}})
    agency_ids = iter(_insert(session, Agency, agency_rows))
    for commune in new:
        commune.departments = {role: next(agency_ids) for role in roles}
    plan_ids = _insert(session, Plan, [_plan_row(commune, now) for commune in new])
    areas = [(numeral, heading, lead, tasks, _area_code(heading, registry))
             for numeral, heading, lead, tasks in COMMUNE_AREAS]
    area_rows, task_drafts = [], []
    for commune, plan_id in zip(new, plan_ids):
        commune.plan_id = plan_id
        drafted = _commune_tasks(commune, areas)
        area_rows += [{"plan_id": plan_id, "numeral": numeral, "title": heading, "area_code": area_code,
                       "position": position}
                      for position, (numeral, heading, _lead, _tasks, area_code) in enumerate(areas)]
        task_drafts.append(drafted)
    area_ids = iter(_insert(session, PlanArea, area_rows))
    deadlines: dict[str, Deadline] = {}
    task_rows = []
    for commune, drafted in zip(new, task_drafts):
        commune_area_ids = [next(area_ids) for _ in areas]
        for task in drafted:
            deadline = deadlines.get(task.raw_deadline) or deadlines.setdefault(
                task.raw_deadline, parse_deadline(task.raw_deadline, YEAR))
            task_rows.append({"plan_id": commune.plan_id, "area_id": commune_area_ids[task.area_position],
                              "position": task.position, "number": str(task.position), "objective": "",
                              "title": task.title, "activity": "", "product": task.product,
                              "lead_text": task.lead_name, "coord_text": task.coord_name,
                              "deadline_raw": deadline.raw, "deadline_kind": deadline.kind,
                              "deadline_start": deadline.start, "deadline_end": deadline.end,
                              "deadline_recurrence": deadline.recurrence, "budget": "", "lead_group": ""})
            task.deadline = deadline
    task_ids = iter(_insert(session, Task, task_rows))
    links = []
    for commune, drafted in zip(new, task_drafts):
        infos = []
        for task in drafted:
            task.id = next(task_ids)
            lead_id = commune.departments[task.lead_role]
            links.append({"task_id": task.id, "agency_id": lead_id, "role": "lead"})
            if task.coord_role:
                links.append({"task_id": task.id, "agency_id": commune.departments[task.coord_role], "role": "coord"})
            infos.append(_TaskInfo(task.id, f"{commune.code}:{task.position}:{task.title}", task.title, task.product,
                                   task.deadline.start, task.deadline.end, lead_id))
        skipped = 3 if random.Random(f"skip:{commune.code}").random() < 0.05 else None  # a few late reporters
        updates += _update_rows(infos, skipped, now)
        # commune_values draws a "current" year and the one before it; they are stored as 2025 and 2024.
        series_of = Unit(code=commune.code)
        values += _value_rows(commune.unit_id, YEAR, commune_values(series_of, SERIES_YEAR), now)
        values += _value_rows(commune.unit_id, YEAR - 1, commune_values(series_of, SERIES_YEAR - 1), now)
        audit.append({"at": now, "actor": UPDATED_BY, "action": "plan.import", "entity": "plan",
                      "entity_id": str(commune.plan_id), "old": None, "unit_id": commune.unit_id,
                      "new": {"unit": commune.code, "year": YEAR, "file": f"demo-{commune.code}-{YEAR}.docx",
                              "sha256": "", "areas": len(areas), "tasks": len(drafted), "targets": 0}})
    session.execute(insert(TaskAgency.__table__), links)
    return [commune.code for commune in new]


@dataclass
class _Commune:
    """A demo commune being added: its number, code, kind and name, then the ids it got."""

    index: int
    code: str
    kind: str
    name: str
    unit_id: int = 0
    plan_id: int = 0
    departments: dict[str, int] = field(default_factory=dict)

    @property
    def place(self) -> str:
        """Return the name without its kind word ("An Lạc"), as "An Lạc, ngày …" writes it."""
        return self.name.split(" ", 1)[1]


@dataclass
class _DraftTask:
    """A task of a commune's plan before it is stored."""

    area_position: int
    position: int
    title: str
    product: str
    raw_deadline: str
    lead_role: str
    lead_name: str
    coord_role: str
    coord_name: str
    id: int = 0
    deadline: Deadline | None = None


def _insert(session: Session, model: type, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` into the model's table in batches and return their new ids in the order of ``rows``."""
    table = model.__table__  # type: ignore[attr-defined]
    if not rows:
        return []
    result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return list(result.scalars())


def _plan_row(commune: _Commune, now: datetime) -> dict[str, Any]:
    """Return the row of a commune's 2025 plan, with the number and date it was issued with."""
    issued = date(YEAR, 1, 6 + commune.index % 20)
    return {"unit_id": commune.unit_id, "year": YEAR, "year_end": YEAR,
            "title": f"Kế hoạch cải cách hành chính {commune.name} năm {YEAR}",
            "source_filename": f"demo-{commune.code}-{YEAR}.docx", "source_sha256": "", "imported_at": now,
            "imported_by": UPDATED_BY, "doc_number": str(3 + commune.index % 40), "doc_symbol": "KH-UBND",
            "doc_date": issued, "doc_date_text": f"ngày {issued.day:02d} tháng {issued.month:02d} năm {YEAR}",
            "doc_place": commune.place, "issuing_body": f"Ủy ban nhân dân {commune.name}"}


def _area_code(heading: str, registry: PluginRegistry) -> str | None:
    """Return the code of the area plugin a heading matches (None: a custom area)."""
    spec = match_area(heading, registry.areas)
    return spec.code if spec else None


def _commune_tasks(commune: _Commune, areas: Sequence[tuple[str, str, str, list, str | None]]) -> list[_DraftTask]:
    """Return the tasks of a commune's plan: two or three of each area's, drawn by a generator seeded with its code."""
    rng = random.Random(f"plan:{commune.code}")
    names = {role: canonical_name(WARD_ECONOMY if role == ECONOMY and commune.kind == "phuong" else text)
             for role, text in DEPARTMENTS.items()}
    tasks: list[_DraftTask] = []
    for area_position, (_numeral, _heading, lead_role, templates, _code) in enumerate(areas):
        for choice in sorted(rng.sample(range(len(templates)), rng.choice((2, 3)))):
            text, product, raw, coord_role = templates[choice]
            tasks.append(_DraftTask(area_position, len(tasks) + 1, text.format(unit=commune.name), product, raw,
                                    lead_role, names[lead_role], coord_role, names.get(coord_role, "")))
    return tasks


def _update_rows(tasks: Sequence[_TaskInfo], skipped_quarter: int | None, now: datetime) -> list[dict[str, Any]]:
    """Return a plausible quarter-by-quarter status history of ``tasks`` as rows to insert.

    Most tasks finish around their deadline (some late), about one in eight is still running at the
    end of the year; a finished task cites the văn bản it produced. ``skipped_quarter``: the unit
    did not report that quarter.
    """
    rows: list[dict[str, Any]] = []
    counters: dict[str, int] = {}
    quarters = [Period(YEAR, "Q", quarter) for quarter in range(1, 5)]
    for task in tasks:
        rng = random.Random(task.seed)
        deadline = task.end or date(YEAR, 12, 31)
        fate = rng.random()
        if fate < 0.12:
            finished = None
        else:
            slip = rng.randint(5, 40) if fate < 0.27 else -rng.randint(3, 50)
            finished = min(deadline + timedelta(days=slip), date(YEAR, 12, 10))
        started = (task.start or date(YEAR, 1, 1)) - timedelta(days=rng.randint(0, 30))
        for quarter in quarters:
            end = quarter.window()[1]
            done = finished is not None and finished <= end
            if started <= end and quarter.quarter != skipped_quarter:
                rows.append(_update_row(task, quarter, finished if done else None, rng, counters, now))
            if done:
                break
    return rows


def _update_row(task: _TaskInfo, quarter: Period, finished: date | None, rng: random.Random,
                counters: dict[str, int], now: datetime) -> dict[str, Any]:
    """Return the status update the lead department files for the quarter."""
    row: dict[str, Any] = {"task_id": task.id, "period_key": quarter.record_key, "agency_id": task.lead_id,
                           "completed_on": None, "evidence_number": "", "evidence_date": None, "evidence_title": "",
                           "updated_by": UPDATED_BY, "updated_at": now, "version": 1}
    if finished is not None:
        symbol = next((symbol for word, symbol in SYMBOLS if task.product.startswith(word)), "UBND-VP")
        counters[symbol] = counters.get(symbol, rng.randint(12, 60)) + rng.randint(3, 25)
        row.update(status="done", completed_on=finished, evidence_number=f"{counters[symbol]}/{symbol}",
                   evidence_date=finished, evidence_title=task.title,
                   result=f"Đã hoàn thành: {task.product}" if task.product else "Đã hoàn thành")
    else:
        status = "in_progress" if rng.random() < 0.85 else "not_started"
        row.update(status=status, result="Đang triển khai thực hiện theo kế hoạch" if status == "in_progress" else "")
    return row


def _value_rows(unit_id: int, year: int, series: dict[str, list[float]], now: datetime) -> list[dict[str, Any]]:
    """Return a unit's year-to-date values at the end of each quarter of ``year`` as rows to insert."""
    return [{"code": code, "unit_id": unit_id, "period_key": Period(year, "Q", quarter).record_key,
             "value": float(value), "note": "", "agency_id": None, "updated_by": UPDATED_BY, "updated_at": now,
             "version": 1}
            for code, values in series.items() for quarter, value in zip(range(1, 5), values)]


def _ensure_admin(session: Session, province: Unit) -> tuple[str, str, str]:
    """Create the province's demo administrator if missing; return (username, password, role)."""
    username, password, role, agency_name, full_name = ADMIN
    if session.scalar(select(User.id).where(User.username == username)) is None:
        agency = session.scalar(select(Agency).where(Agency.unit_id == province.id, Agency.key == fold(agency_name)))
        session.add(User(username=username, full_name=full_name, role=role, agency=agency, unit=province,
                         password_hash=generate_password_hash(password), email=f"{username}@example.org"))
        session.flush()
    return username, password, role
