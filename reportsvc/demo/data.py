"""The demo locality: Hà Tĩnh's CCHC plan for 2024 (tasks and targets as the plan publishes them).

Task texts, lead agencies, deadlines and targets are taken from "Kế hoạch cải cách hành chính
tỉnh Hà Tĩnh năm 2024" (shared/seeds/001), abridged to a few tasks per area.
"""
from __future__ import annotations

PROVINCE = {"code": "HT", "name": "tỉnh Hà Tĩnh", "kind": "tinh", "place": "Hà Tĩnh", "settings": {
    "sign_authority": "KT. CHỦ TỊCH", "signer_position": "PHÓ CHỦ TỊCH", "signer_name": "Nguyễn Hồng Lĩnh",
    "recipients": ["Bộ Nội vụ (b/c);", "TTr Tỉnh ủy, TTr HĐND tỉnh;", "Chủ tịch, các PCT UBND tỉnh;",
                   "Các sở, ban, ngành cấp tỉnh;", "UBND các huyện, thành phố, thị xã;",
                   "Lưu: VT, NC."],
}}

# Districts existed until 1 July 2025; the 2024 plan names them, so the demo tree keeps them.
CHILDREN = [
    {"code": "HT-TH", "name": "huyện Thạch Hà", "kind": "huyen", "place": "Thạch Hà", "children": [
        {"code": "HT-TH-TD", "name": "xã Thạch Đài", "kind": "xa", "place": "Thạch Đài"},
        {"code": "HT-TH-TL", "name": "xã Thạch Long", "kind": "xa", "place": "Thạch Long"},
    ]},
    {"code": "HT-CX", "name": "huyện Cẩm Xuyên", "kind": "huyen", "place": "Cẩm Xuyên", "children": [
        {"code": "HT-CX-CB", "name": "xã Cẩm Bình", "kind": "xa", "place": "Cẩm Bình"},
        {"code": "HT-CX-CV", "name": "xã Cẩm Vịnh", "kind": "xa", "place": "Cẩm Vịnh"},
    ]},
]

# (numeral, heading as written, [(number, task, activity, product, lead, coordinating, deadline)])
AREAS = [
    ("I", "CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH CCHC", [
        ("1", "Ban hành Kế hoạch CCHC năm 2024 của tỉnh", "Xây dựng dự thảo văn bản đề xuất mục tiêu, nhiệm vụ; tổng hợp và xin ý kiến, hoàn thiện trình UBND tỉnh ban hành",
         "Kế hoạch CCHC năm 2024", "Sở Nội vụ", "Các sở, ban, ngành cấp tỉnh; UBND cấp huyện", "Trước 25/12/2023"),
        ("2", "Xây dựng, ban hành kế hoạch tuyên truyền CCHC và các chỉ số liên quan năm 2024", "Xây dựng dự thảo, trình ban hành kế hoạch",
         "Kế hoạch", "Sở TTTT", "Các sở, ban ngành cấp tỉnh; UBND các huyện, thành phố, thị xã", "Tháng 01/2024"),
        ("3", "Triển khai xác định chỉ số PARINDEX của tỉnh năm 2023 theo Kế hoạch của Bộ Nội vụ", "Văn bản chỉ đạo triển khai xác định chỉ số PARINDEX của tỉnh năm 2023",
         "Công văn, Báo cáo", "Sở Nội vụ", "Các cơ quan chủ trì", "Quý I/2024"),
        ("4", "Tổ chức kiểm tra CCHC (gắn với kiểm tra thực hiện Nghị quyết số 12-NQ/TU)", "Ban hành Kế hoạch kiểm tra CCHC; thông báo lịch kiểm tra và tiến hành kiểm tra tại các đơn vị, địa phương",
         "Kế hoạch, Công văn, Báo cáo kết quả kiểm tra", "Sở Nội vụ", "Thành viên Đoàn kiểm tra CCHC tỉnh", "Quý II, III/2024"),
        ("5", "Tổ chức tập huấn, bồi dưỡng về kiến thức, kỹ năng về CCHC cho cán bộ, công chức", "Các lớp tập huấn, bồi dưỡng",
         "Công văn (kế hoạch), Giấy mời, giáo án, bài giảng", "Sở Nội vụ", "Các cơ quan, đơn vị, địa phương", "Năm 2024"),
    ]),
    ("II", "CẢI CÁCH THỂ CHẾ", [
        ("1", "Ban hành các văn bản quy phạm pháp luật để quy định chi tiết các nội dung được giao tại văn bản pháp luật của Trung ương", "Xây dựng các dự thảo văn bản",
         "Các văn bản QPPL", "Sở Tư pháp", "Sở, ban, ngành có liên quan", "Thường xuyên"),
        ("2", "Nâng cao chất lượng công tác xây dựng pháp luật", "Hướng dẫn nghiệp vụ chuyên sâu nâng cao kỹ năng xây dựng văn bản quy phạm pháp luật",
         "Hội nghị tập huấn hoặc Công văn hướng dẫn", "Sở Tư pháp", "Sở, ban, ngành cấp tỉnh, UBND cấp huyện", "Quý II/2024"),
        ("3", "Kiểm tra công tác theo dõi thi hành pháp luật và tình hình thi hành pháp luật trên địa bàn tỉnh", "Thành lập Đoàn kiểm tra liên ngành",
         "Quyết định thành lập đoàn kiểm tra; Báo cáo", "Sở Tư pháp", "Các sở, ngành liên quan", "Quý IV/2024"),
        ("4", "Đề án hoàn thiện hệ thống văn bản quy phạm pháp luật của địa phương", "Xây dựng dự thảo",
         "Đề án", "Sở Tư pháp", "Sở, ban, ngành cấp tỉnh, UBND cấp huyện", "Quý IV/2024"),
    ]),
    ("III", "CẢI CÁCH TTHC VÀ THỰC HIỆN CƠ CHẾ MỘT CỬA, MỘT CỬA LIÊN THÔNG", [
        ("1", "Ban hành Kế hoạch hoạt động kiểm soát TTHC và thực hiện cơ chế một cửa, một cửa liên thông", "Lấy ý kiến các cơ quan, đơn vị, địa phương liên quan; trình UBND tỉnh ban hành",
         "Kế hoạch", "VP UBND tỉnh", "Các sở, ban, ngành; UBND cấp huyện", "Quý I/2024"),
        ("2", "Rà soát cắt giảm, đơn giản hóa TTHC nội bộ trong hệ thống cơ quan hành chính Nhà nước", "Tiến hành rà soát, đề xuất phương án đơn giản hóa",
         "Biểu mẫu rà soát, báo cáo đơn giản hóa", "VP UBND tỉnh", "Các sở, ban, ngành", "Quý I-II/2024"),
        ("3", "Nâng cao tỷ lệ số hóa kết quả giải quyết thủ tục hành chính đang còn hiệu lực", "Tổ chức triển khai quy trình số hóa hồ sơ, giấy tờ, kết quả giải quyết TTHC tại Bộ phận Một cửa các cấp",
         "Tỷ lệ số hóa theo quy định", "VP UBND tỉnh", "Sở TTTT; UBND cấp huyện", "Thường xuyên"),
        ("4", "Đẩy mạnh giao dịch thanh toán trực tuyến đối với các TTHC có yêu cầu nghĩa vụ tài chính", "Triển khai giải pháp kỹ thuật thanh toán trực tuyến",
         "Giải pháp kỹ thuật đáp ứng yêu cầu", "Sở TTTT", "VP UBND tỉnh; Kho bạc Nhà nước tỉnh", "Tháng 9/2024"),
        ("5", "Tổ chức các hội nghị đối thoại, diễn đàn của lãnh đạo UBND tỉnh với người dân, doanh nghiệp", "Xây dựng kế hoạch, phân công các cơ quan chủ trì thực hiện đối thoại",
         "Kế hoạch, giấy mời, thông báo kết luận", "VP UBND tỉnh", "Trung tâm hỗ trợ phát triển doanh nghiệp và Xúc tiến đầu tư", "Năm 2024"),
    ]),
    ("IV", "CẢI CÁCH TỔ CHỨC BỘ MÁY", [
        ("1", "Thực hiện sắp xếp, kiện toàn cơ cấu tổ chức các ĐVSN theo Đề án đã được phê duyệt", "Ban hành Quyết định kiện toàn cơ cấu tổ chức các cơ quan, đơn vị",
         "Quyết định", "Sở Nội vụ", "Các sở, cơ quan, đơn vị thuộc UBND tỉnh", "Quý III/2024"),
        ("2", "Rà soát quy định về chức năng, nhiệm vụ, quyền hạn của các cơ quan, đơn vị cấp tỉnh", "Ban hành quy định chức năng, nhiệm vụ của các cơ quan, đơn vị",
         "Quyết định", "Sở Nội vụ", "Các sở, cơ quan, đơn vị thuộc UBND tỉnh", "Quý II/2024"),
        ("3", "Quản lý, sử dụng hiệu quả số biên chế công chức, viên chức được giao", "Tăng cường quản lý, kiểm tra việc sử dụng biên chế",
         "Cuộc kiểm tra, Văn bản đôn đốc", "Sở Nội vụ", "Các cơ quan, đơn vị", "Tháng 12/2024"),
    ]),
    ("V", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ", [
        ("1", "Tuyên truyền, khuyến khích, hỗ trợ theo chính sách đào tạo, bồi dưỡng của tỉnh; tập trung vào bồi dưỡng ngoại ngữ, kiến thức hội nhập quốc tế", "Xây dựng kế hoạch bồi dưỡng ngoại ngữ",
         "Quyết định", "Sở Nội vụ", "Các Sở, ban, ngành, UBND cấp huyện", "Quý I/2024"),
        ("2", "Rà soát, hoàn chỉnh đề án vị trí việc làm một số cơ quan đơn vị đảm bảo quy định", "Rà soát, thẩm định, cho ý kiến về các đề án vị trí việc làm theo thẩm quyền",
         "Công văn, Quyết định", "Sở Nội vụ", "Các Sở, ban, ngành", "Thường xuyên"),
        ("3", "Xây dựng kế hoạch, triển khai thực hiện kế hoạch tinh giản biên chế giai đoạn 2022-2026", "Xây dựng dự thảo, xin ý kiến các cơ quan đơn vị liên quan",
         "Công văn, Kế hoạch", "Sở Nội vụ", "Các cơ quan, đơn vị, địa phương", "Quý II/2024"),
    ]),
    ("VI", "CẢI CÁCH TÀI CHÍNH CÔNG", [
        ("1", "Tập huấn cho các đơn vị sự nghiệp công lập; cho ý kiến về giao quyền tự chủ tài chính", "Tổ chức lớp tập huấn",
         "Giấy mời, Văn bản", "Sở Tài chính", "Các sở, ngành, đơn vị", "Quý II/2024"),
        ("2", "Đôn đốc, hướng dẫn các đơn vị thực hiện phương án sắp xếp lại, xử lý nhà, đất đã được phê duyệt", "Đôn đốc, hướng dẫn",
         "Công văn", "Sở Tài chính", "Các sở, ngành, đơn vị, UBND các huyện, thị xã, thành phố", "Năm 2024"),
        ("3", "Thẩm định dự toán thu, chi thường xuyên của các đơn vị để trình lại mức độ tự chủ tài chính", "Thẩm định dự toán",
         "Công văn", "Sở Tài chính", "Các đơn vị sự nghiệp công lập", "Quý III/2024"),
    ]),
    ("VII", "XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ", [
        ("1", "Triển khai hệ thống hội nghị trực tuyến đồng bộ từ cấp tỉnh đến cấp xã và kết nối với hệ thống hội nghị trực tuyến quốc gia", "Đầu tư, lắp đặt điểm cầu tại UBND cấp xã",
         "Hệ thống hội nghị trực tuyến", "VP UBND tỉnh", "Sở TTTT; UBND cấp huyện", "Quý III/2024"),
        ("2", "Vận hành có hiệu quả hệ thống tích hợp, chia sẻ dữ liệu của tỉnh (LGSP)", "Vận hành hệ thống; tích hợp, kết nối với các hệ thống thông tin",
         "Vận hành hệ thống", "Sở TTTT", "Các sở, ban, ngành", "Năm 2024"),
        ("3", "Triển khai Kho dữ liệu dùng chung và Cổng dữ liệu mở của tỉnh", "Xây dựng kho dữ liệu dùng chung",
         "Kho dữ liệu dùng chung và Cổng dữ liệu mở", "Sở TTTT", "Các sở, ban, ngành", "Quý IV/2024"),
        ("4", "Nâng cấp toàn diện Cổng Thông tin điện tử tỉnh", "Nâng cấp cổng thông tin",
         "Cổng thông tin điện tử đáp ứng yêu cầu", "Sở TTTT", "VP UBND tỉnh", "Tháng 6/2024"),
    ]),
    ("VII.B", "ÁP DỤNG ISO 9001:2015", [
        ("1", "Duy trì và cải tiến hệ thống tại các cơ quan, đơn vị đáp ứng yêu cầu tiêu chuẩn TCVN ISO 9001:2015", "Duy trì, cải tiến hệ thống quản lý chất lượng",
         "490 cơ quan, đơn vị có liên quan duy trì hệ thống", "Sở KH&CN", "Các cơ quan, đơn vị áp dụng", "Quý I-IV/2024"),
        ("2", "Thực hiện việc kiểm tra, đánh giá việc xây dựng và áp dụng Hệ thống quản lý chất lượng tại các cơ quan, đơn vị", "Kiểm tra tại các cơ quan, đơn vị",
         "Kiểm tra tại 125 cơ quan, đơn vị", "Sở KH&CN", "Các cơ quan, đơn vị", "Quý II-IV/2024"),
    ]),
]

# A commune's own tasks for the year (the same for each demo commune, with its name filled in).
COMMUNE_TASKS = [
    ("I", "CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH", [
        ("1", "Ban hành Kế hoạch CCHC năm 2024 của UBND {name}", "", "Kế hoạch", "UBND {name}", "", "Tháng 01/2024"),
        ("2", "Tự kiểm tra công tác CCHC tại UBND {name}", "", "Báo cáo kết quả tự kiểm tra", "UBND {name}", "", "Quý III/2024"),
    ]),
    ("III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", [
        ("3", "Niêm yết, công khai đầy đủ TTHC tại Bộ phận Một cửa của UBND {name}", "", "TTHC được niêm yết", "UBND {name}", "", "Quý I/2024"),
        ("4", "Hướng dẫn người dân nộp hồ sơ trực tuyến trên Cổng dịch vụ công", "", "Hồ sơ trực tuyến", "UBND {name}", "", "Thường xuyên"),
    ]),
    ("VII", "CHÍNH QUYỀN SỐ", [
        ("5", "Lắp đặt điểm cầu hội nghị trực tuyến tại UBND {name}", "", "Điểm cầu trực tuyến", "UBND {name}", "VP UBND tỉnh", "Quý III/2024"),
    ]),
]

# The plan's "chỉ tiêu chủ yếu" as numeric targets: indicator code -> (target, text as written).
TARGETS = {
    "CD_KIEM_TRA": (35, "Tối thiểu 35% cơ quan, đơn vị được kiểm tra CCHC trong năm 2024"),
    "CD_SANG_KIEN": (3, "Phấn đấu ít nhất có 03 sáng kiến (hoặc giải pháp mới) về CCHC áp dụng có hiệu quả"),
    "TC_VBQPPL_RA_SOAT": (95, "Phấn đấu từ 95% văn bản QPPL của HĐND, UBND tỉnh được sửa đổi, bổ sung hoặc thay thế theo kết quả rà soát"),
    "TTHC_TY_LE_TRUC_TUYEN": (70, "Tỷ lệ nộp hồ sơ trực tuyến đạt 70%"),
    "TTHC_TY_LE_TOAN_TRINH": (90, "Tỷ lệ nộp hồ sơ trực tuyến toàn trình đạt 90%"),
    "TTHC_HAI_LONG": (94, "Mức độ hài lòng của người dân, doanh nghiệp về giải quyết TTHC đạt từ 94% trở lên"),
    "TTHC_SO_HOA": (90, "Số hóa kết quả giải quyết TTHC: cấp tỉnh 90%, cấp huyện 80%, cấp xã 75%"),
    "BM_GIAM_BIEN_CHE_CC": (28, "Giảm 28 biên chế công chức so với năm 2023"),
    "BM_GIAM_BIEN_CHE_VC": (531, "Giảm 531 biên chế viên chức so với năm 2023"),
    "CV_CBCC_XA_DAI_HOC": (85, "85% cán bộ, công chức cấp xã có trình độ đại học trở lên"),
    "CV_NGOAI_NGU": (50, "Phấn đấu 50% cán bộ, công chức dưới 40 tuổi giao tiếp được bằng ngoại ngữ"),
    "TCC_GIAM_CHI_NSNN": (2.5, "Giảm tối thiểu 2,5% chi hỗ trợ trực tiếp từ ngân sách nhà nước của ĐVSN nhóm 3"),
    "TCC_NHA_DAT": (85, "Tỷ lệ sắp xếp lại, xử lý nhà, đất thuộc thẩm quyền quản lý đạt trên 85%"),
    "CQS_HNTT_XA": (100, "Triển khai hệ thống hội nghị trực tuyến đồng bộ từ cấp tỉnh đến 100% cấp xã"),
    "CQS_CSDL_LIEN_THONG": (70, "Tỷ lệ cơ sở dữ liệu của các sở, ngành được kết nối liên thông đạt 70%"),
    "CQS_HO_SO_DIEN_TU": (100, "100% hồ sơ công việc tại cấp tỉnh được xác lập trên môi trường mạng"),
}

# Demo users: (username, password, role, agency or None, full name)
USERS = [
    ("admin", "admin-demo-2024", "admin", "Sở Nội vụ", "Trần Thị Hoa"),
    ("stp", "stp-demo-2024", "editor", "Sở Tư pháp", "Lê Văn Nam"),
    ("vpubnd", "vp-demo-2024", "editor", "Văn phòng UBND tỉnh", "Nguyễn Thị Lan"),
    ("xem", "xem-demo-2024", "viewer", None, "Phạm Minh Đức"),
]
