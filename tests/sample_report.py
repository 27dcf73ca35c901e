"""A realistic Report built by hand (Hà Tĩnh, năm 2024) for the renderer tests and benchmarks.

The lead's builder produces the same shapes from the database; this module needs neither.
"""
from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from reportsvc.vn import format as formatting
from reportsvc.report.model import (AnnexTable, AreaSection, Chart, ChartSeries, DocumentRef, Header,
                                   IndicatorRow, NarrativeSection, PeriodInfo, Report, Signature,
                                   TaskItem)
from reportsvc.status import CLASSES

HOSTILE = "<b>&{{7*7}}{% if %}"
"""Text that would break the XML or run as a template if it were not escaped."""

# Fields that hold keys, not text a person wrote: left alone in the hostile variant.
_KEY_FIELDS = {"status", "kind"}

ISSUED = date(2024, 12, 5)

# (area code, title, [(task title, lead, deadline, status, documents)])
_AREAS: list[tuple[str, str, list[tuple[str, str, str, str, list[DocumentRef]]]]] = [
    ("I", "Công tác chỉ đạo, điều hành cải cách hành chính", [
        ("Ban hành Kế hoạch CCHC năm 2024 của UBND tỉnh", "Sở Nội vụ", "Quý IV/2023", "on_time",
         [DocumentRef("4178/QĐ-UBND", date(2023, 12, 27), "Ban hành Kế hoạch CCHC tỉnh Hà Tĩnh năm 2024")]),
        ("Kiểm tra công tác CCHC tại 35% cơ quan, đơn vị", "Sở Nội vụ", "Quý II-III/2024", "on_time",
         [DocumentRef("512/KH-SNV", date(2024, 3, 4), "Kế hoạch kiểm tra CCHC năm 2024")]),
        ("Tuyên truyền CCHC trên Báo Hà Tĩnh, Đài PT-TH tỉnh", "Sở Thông tin và Truyền thông", "Cả năm",
         "in_progress", []),
        ("Triển khai xác định Chỉ số CCHC năm 2024 của các sở, ngành, địa phương", "Sở Nội vụ",
         "Tháng 12/2024", "in_progress", []),
    ]),
    ("II", "Cải cách thể chế", [
        ("Xây dựng, ban hành văn bản QPPL thuộc thẩm quyền của HĐND, UBND tỉnh", "Sở Tư pháp", "Cả năm",
         "on_time",
         [DocumentRef("12/2024/QĐ-UBND", date(2024, 3, 15),
                      "Quy định phân cấp quản lý nhà nước về giao thông")]),
        ("Rà soát, hệ thống hóa văn bản QPPL năm 2024", "Sở Tư pháp", "Quý IV/2024", "late", []),
        ("Kiểm tra, xử lý văn bản QPPL sau ban hành", "Sở Tư pháp", "Trước ngày 25/01/2024", "overdue", []),
    ]),
    ("III", "Cải cách thủ tục hành chính và thực hiện cơ chế một cửa, một cửa liên thông", [
        ("Công bố danh mục TTHC thuộc thẩm quyền giải quyết của các cấp", "Văn phòng UBND tỉnh",
         "Thường xuyên", "on_time",
         [DocumentRef("1021/QĐ-UBND", date(2024, 4, 22), "Công bố danh mục TTHC mới ban hành")]),
        ("Số hóa hồ sơ, kết quả giải quyết TTHC", "Văn phòng UBND tỉnh", "Cả năm 2024", "in_progress", []),
        ("Tổ chức đối thoại của lãnh đạo UBND tỉnh với người dân, doanh nghiệp", "Sở Kế hoạch và Đầu tư",
         "Quý I và Quý III/2024", "late", []),
        ("Rà soát, đơn giản hóa TTHC nội bộ", "Văn phòng UBND tỉnh", "Quý II/2024", "not_started", []),
    ]),
    ("IV", "Cải cách tổ chức bộ máy hành chính nhà nước", [
        ("Sắp xếp, kiện toàn đơn vị sự nghiệp công lập theo Đề án", "Sở Nội vụ", "Năm 2024", "on_time",
         [DocumentRef("25/NQ-HĐND", date(2024, 7, 12),
                      "Thông qua phương án sắp xếp đơn vị sự nghiệp")]),
        ("Giao và quản lý biên chế công chức năm 2024", "Sở Nội vụ", "Quý I/2024", "on_time", []),
    ]),
    ("V", "Cải cách chế độ công vụ", [
        ("Tuyển dụng công chức, viên chức theo vị trí việc làm", "Sở Nội vụ", "Năm 2024", "in_progress", []),
        ("Bồi dưỡng ngoại ngữ cho cán bộ, công chức dưới 40 tuổi", "Sở Giáo dục và Đào tạo", "Quý IV/2024",
         "not_started", []),
    ]),
    ("VI", "Cải cách tài chính công", [
        ("Giao quyền tự chủ tài chính cho đơn vị sự nghiệp công lập", "Sở Tài chính", "Quý II/2024",
         "on_time", []),
    ]),
    ("VII", "Xây dựng và phát triển chính quyền điện tử, chính quyền số", [
        ("Nâng cấp Hệ thống thông tin giải quyết TTHC tỉnh", "Sở Thông tin và Truyền thông", "Quý III/2024",
         "on_time", []),
        ("Triển khai thanh toán trực tuyến nghĩa vụ tài chính trong giải quyết TTHC",
         "Sở Thông tin và Truyền thông", "Tháng 12/2024", "in_progress", []),
        ("Áp dụng ISO 9001:2015 tại UBND cấp xã", "Sở Khoa học và Công nghệ", "Quý IV/2024", "overdue", []),
    ]),
]

# (code, name, unit, target, actual, last year)
_INDICATORS: list[tuple[str, str, str, float | None, float | None, float | None]] = [
    ("3.2a", "Tỷ lệ hồ sơ TTHC nộp trực tuyến", "%", 70, 65.4, 48.2),
    ("3.1", "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC cấp tỉnh", "%", 90, 92.3, 71.5),
    ("3.6", "Mức độ hài lòng của người dân, doanh nghiệp về giải quyết TTHC", "%", 94, 96.8, 95.1),
    ("1.3", "Tỷ lệ cơ quan, đơn vị được kiểm tra CCHC", "%", 35, 38.6, 33.0),
    ("1.2", "Số sáng kiến CCHC được áp dụng", "sáng kiến", 3, 4, 2),
    ("3.0", "Số hồ sơ TTHC tiếp nhận", "hồ sơ", None, 1234567, 1102345.5),
    ("4.2", "Số biên chế công chức giảm so với năm trước", "biên chế", 28, 28, 31),
]

# (agency, tasks assigned, reports received)
_COMPLETENESS = [
    ("Sở Nội vụ", 7, 7), ("Sở Tư pháp", 3, 3), ("Văn phòng UBND tỉnh", 3, 2),
    ("Sở Thông tin và Truyền thông", 3, 3), ("Sở Kế hoạch và Đầu tư", 1, 0),
    ("Sở Tài chính", 1, 1), ("Sở Giáo dục và Đào tạo", 1, 1), ("Sở Khoa học và Công nghệ", 1, 1),
]


def sample_report(hostile: bool = False, tasks: int | None = None) -> Report:
    """Return the Hà Tĩnh 2024 annual report; ``hostile`` appends HOSTILE to every text field.

    ``tasks`` repeats the task list up to that many tasks (for the benchmark).
    """
    areas = _areas(tasks)
    indicators = _indicators()
    areas[-1].indicators = indicators
    report = Report(
        unit_code="HTI",
        unit_name="Tỉnh Hà Tĩnh",
        period=PeriodInfo("2024-Y", "năm 2024", date(2023, 12, 15), date(2024, 12, 14)),
        header=Header(
            parent_body="",
            issuing_body="ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH",
            number=formatting.doc_number(5, "BC-UBND"),
            place_date=f"Hà Tĩnh, {formatting.admin_date(ISSUED)}",
        ),
        doc_kind="BÁO CÁO",
        subject="Kết quả thực hiện công tác cải cách hành chính năm 2024",
        sections=_sections(areas),
        areas=areas,
        signature=Signature(authority="KT. CHỦ TỊCH", position="PHÓ CHỦ TỊCH", name="Nguyễn Hồng Lĩnh"),
        recipients=[
            "Bộ Nội vụ;", "Ban Chỉ đạo CCHC của Chính phủ;", "TTr Tỉnh ủy, TTr HĐND tỉnh;",
            "Chủ tịch, các PCT UBND tỉnh;", "Các sở, ban, ngành cấp tỉnh;", "UBND các huyện, thành phố, thị xã;",
            "Lưu: VT, NC.",
        ],
        annexes=[_task_annex(areas), _indicator_annex(indicators), _completeness_annex()],
        charts=_charts(areas, indicators),
    )
    return _make_hostile(report) if hostile else report


def _areas(limit: int | None) -> list[AreaSection]:
    areas = [AreaSection(code=code, title=title, order=order, plugin=f"area_{code.lower()}")
             for order, (code, title, _tasks) in enumerate(_AREAS)]
    source = [(index, task) for index, (_c, _t, tasks) in enumerate(_AREAS) for task in tasks]
    count = limit if limit is not None else len(source)
    for n in range(count):
        index, (title, lead, deadline, status, documents) = source[n % len(source)]
        area = areas[index]
        suffix = f" (đợt {n // len(source) + 1})" if n >= len(source) else ""
        task = TaskItem(
            number=f"{len(area.tasks) + 1}", title=title + suffix, lead=lead, deadline=deadline,
            status=status, documents=list(documents),
            result="Đã ban hành văn bản" if documents else "",
        )
        area.tasks.append(task)
        area.documents.extend(documents)
        if status == "overdue":
            area.overdue.append(task)
    return areas


def _indicators() -> list[IndicatorRow]:
    rows = []
    for code, name, unit, target, actual, last_year in _INDICATORS:
        achieved = round(actual / target * 100, 1) if target and actual is not None else None
        rows.append(IndicatorRow(code=code, name=name, unit=unit, target=target, actual=actual,
                                 achieved_percent=achieved, last_year=last_year,
                                 target_text=formatting.measure(target, unit)))
    return rows


def _sections(areas: list[AreaSection]) -> list[NarrativeSection]:
    total = sum(len(a.tasks) for a in areas)
    done = sum(a.count("on_time") + a.count("late") for a in areas)
    rate = formatting.percent(done / total * 100) if total else "0%"
    area_subsections = []
    for number, area in enumerate(areas[1:], start=1):
        paragraphs = [
            f"Trong kỳ, triển khai {len(area.tasks)} nhiệm vụ; hoàn thành "
            f"{area.count('on_time') + area.count('late')} nhiệm vụ, trong đó "
            f"{area.count('late')} nhiệm vụ hoàn thành quá hạn; {len(area.overdue)} nhiệm vụ quá hạn chưa hoàn thành."
        ]
        for doc in area.documents:
            about = doc.title[:1].lower() + doc.title[1:]
            paragraphs.append(f"Ban hành {doc.number} ngày {formatting.short_date(doc.date)} về {about}.")
        area_subsections.append(NarrativeSection(key=f"II.{area.code}", heading=f"{number}. {area.title}",
                                                 paragraphs=paragraphs))
    return [
        NarrativeSection("I", "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH", subsections=[
            NarrativeSection("I.1", "1. Về ban hành kế hoạch và văn bản chỉ đạo", paragraphs=[
                "UBND tỉnh ban hành Quyết định số 4178/QĐ-UBND ngày 27/12/2023 về Kế hoạch CCHC tỉnh Hà Tĩnh "
                "năm 2024 với 98 nhiệm vụ cụ thể, giao rõ cơ quan chủ trì, thời gian hoàn thành và sản phẩm.",
                "Các sở, ban, ngành, UBND cấp huyện đã ban hành kế hoạch CCHC năm 2024 của cơ quan, đơn vị, đạt 100%.",
            ]),
            NarrativeSection("I.2", "2. Về công tác kiểm tra cải cách hành chính", paragraphs=[
                "Đã kiểm tra 27/70 cơ quan, đơn vị (đạt 38,6%), vượt chỉ tiêu kế hoạch đề ra (35%).",
            ]),
            NarrativeSection("I.3", "3. Về công tác tuyên truyền", paragraphs=[
                "Đăng tải 1.234 tin, bài về CCHC trên Cổng thông tin điện tử tỉnh và các phương tiện thông tin "
                "đại chúng.",
            ]),
        ]),
        NarrativeSection("II", "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH", paragraphs=[
            f"Tổng số nhiệm vụ trong kỳ: {total}; đã hoàn thành {done} nhiệm vụ, đạt {rate}.",
        ], subsections=area_subsections),
        NarrativeSection("III", "III. ĐÁNH GIÁ CHUNG", subsections=[
            NarrativeSection("III.1", "1. Ưu điểm", paragraphs=[
                "Công tác CCHC tiếp tục được quan tâm chỉ đạo quyết liệt; tỷ lệ hài lòng của người dân, "
                "doanh nghiệp đạt 96,8%, cao hơn cùng kỳ năm trước.",
            ]),
            NarrativeSection("III.2", "2. Tồn tại, hạn chế", paragraphs=[
                "Tỷ lệ hồ sơ TTHC nộp trực tuyến đạt 65,4%, chưa đạt chỉ tiêu kế hoạch (70%); "
                "một số nhiệm vụ còn chậm tiến độ.",
            ]),
            NarrativeSection("III.3", "3. Nguyên nhân", paragraphs=[
                "Hạ tầng công nghệ thông tin ở cấp xã còn hạn chế; kỹ năng sử dụng dịch vụ công trực tuyến "
                "của một bộ phận người dân chưa đáp ứng yêu cầu.",
            ]),
        ]),
        NarrativeSection("IV", "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", paragraphs=[
            "Tập trung hoàn thành các nhiệm vụ còn chậm tiến độ; đẩy mạnh cung cấp dịch vụ công trực tuyến toàn trình.",
            "Tiếp tục kiểm tra, đôn đốc việc thực hiện kế hoạch CCHC tại các cơ quan, đơn vị.",
        ]),
        NarrativeSection("V", "V. KIẾN NGHỊ, ĐỀ XUẤT", paragraphs=[
            "Đề nghị Bộ Nội vụ tiếp tục tổ chức tập huấn nghiệp vụ CCHC cho đội ngũ công chức làm công tác CCHC.",
        ]),
    ]


def _task_annex(areas: list[AreaSection]) -> AnnexTable:
    rows, groups = [], []
    for area in areas:
        groups.append(len(rows))
        rows.append([area.code, area.title.upper(), "", "", ""])
        for task in area.tasks:
            rows.append([task.number, task.title, task.lead, task.deadline, task.status_label])
    return AnnexTable(title="KẾT QUẢ THỰC HIỆN NHIỆM VỤ THEO KẾ HOẠCH CCHC NĂM 2024",
                      columns=["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành", "Tình trạng"],
                      rows=rows, key="tasks", widths=[0.6, 4.0, 1.9, 1.5, 1.5], group_rows=groups)


def _indicator_annex(indicators: list[IndicatorRow]) -> AnnexTable:
    def value(number: float | None, unit: str) -> str:
        return formatting.percent(number) if unit == "%" else formatting.number(number)

    rows = [[str(n), row.name, row.unit, value(row.target, row.unit), value(row.actual, row.unit),
             formatting.percent(row.achieved_percent), value(row.last_year, row.unit)]
            for n, row in enumerate(indicators, start=1)]
    return AnnexTable(title="KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CHỦ YẾU",
                      columns=["TT", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch", "Thực hiện",
                               "Tỷ lệ đạt so với kế hoạch", "Cùng kỳ năm trước"],
                      rows=rows, key="indicators", widths=[0.5, 3.2, 1.1, 1.1, 1.3, 1.1, 1.3])


def _completeness_annex() -> AnnexTable:
    rows = [[str(n), agency, formatting.number(assigned), formatting.number(received),
             formatting.percent(received / assigned * 100 if assigned else None)]
            for n, (agency, assigned, received) in enumerate(_COMPLETENESS, start=1)]
    return AnnexTable(title="TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ",
                      columns=["TT", "Cơ quan, đơn vị", "Số nhiệm vụ được giao", "Số nhiệm vụ đã báo cáo",
                               "Tỷ lệ báo cáo"],
                      rows=rows, key="completeness", widths=[0.5, 3.0, 1.4, 1.4, 1.2])


def _charts(areas: list[AreaSection], indicators: list[IndicatorRow]) -> list[Chart]:
    statuses = list(CLASSES)
    by_area = Chart(key="task_status", title="Biểu đồ 1. Tình hình thực hiện nhiệm vụ theo lĩnh vực",
                    kind="stacked_bar", categories=[f"{a.code}. {a.title}" for a in areas],
                    series=[ChartSeries(CLASSES[s], [float(a.count(s)) for a in areas]) for s in statuses],
                    unit="nhiệm vụ")
    percent_rows = [row for row in indicators if row.unit == "%"]
    vs_target = Chart(key="indicators", title="Biểu đồ 2. Kết quả thực hiện chỉ tiêu so với kế hoạch",
                      kind="bar", categories=[row.name for row in percent_rows],
                      series=[ChartSeries("Kế hoạch", [row.target or 0.0 for row in percent_rows]),
                              ChartSeries("Thực hiện", [row.actual or 0.0 for row in percent_rows])],
                      unit="%")
    return [by_area, vs_target]


def _make_hostile(value: Any) -> Any:
    """Return a copy with HOSTILE appended to every text field (keys such as status kept)."""
    if isinstance(value, str):
        return f"{value} {HOSTILE}"
    if isinstance(value, list):
        return [_make_hostile(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _make_hostile(getattr(value, f.name))
                   for f in dataclasses.fields(value) if f.name not in _KEY_FIELDS}
        return dataclasses.replace(value, **changes)
    return value
