"""The password rules every account path shares (web, API, CLI): length, not the username, not a common one.

Following NIST SP 800-63B §5.1.1.2: at least ``MIN_LENGTH`` characters, no composition rules,
refused when it is (close to) the user name or on a list of passwords known to be common.

``COMMON`` is a small hand-made list, committed here so the check works offline: the passwords of
8 characters or more that head the widely published frequency lists of leaked passwords (the
UK NCSC / Have I Been Pwned "top 100k", the yearly SplashData/NordPass "most used" lists) and
their Vietnamese counterparts (mật khẩu, anh yêu em, tên của đất nước and its cities, keyboard
and digit runs). Shorter ones are refused by the length rule anyway. A password is compared after
folding case and dropping separators, Vietnamese accents and trailing digits or symbols, so
"Mật-khẩu@2024" counts as "matkhau".
"""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

MIN_LENGTH = 8
MAX_LENGTH = 256  # a hash of anything longer costs the server without making it safer
SIMILARITY = 0.7  # Django's UserAttributeSimilarityValidator uses the same threshold

COMMON = frozenset("""
123456789 12345678 1234567890 0123456789 987654321 9876543210 11111111 111111111 00000000 88888888
66666666 12341234 12121212 11223344 123123123 1234512345 147258369 123456789a 123456789abc
abcd1234 abc12345 abc123456 abcdefgh 1q2w3e4r 1q2w3e4r5t 1qaz2wsx zaq12wsx qwertyui qwerty123
qwertyuiop asdfghjk asdfghjkl zxcvbnm123 password passw0rd password1 password123 p@ssw0rd
iloveyou iloveyou1 sunshine princess football baseball superman batman welcome welcome1 trustno1
letmein1 monkey123 dragon123 master123 starwars whatever computer internet freedom michael
jennifer jordan23 charlie1 shadow12 mustang1 killer12 qazwsxedc 1234qwer q1w2e3r4 q1w2e3r4t5
admin123 administrator adminadmin root1234 changeme default123 secret123 test1234 testtest
user1234 guest123 login123 passport
matkhau matkhau1 matkhaucuatoi doimatkhau anhyeuem emyeuanh yeuemnhieu anhyeuemnhieu
iloveyouforever vietnam vietnam1 vietnamvodich tinhyeu tinhyeumaimai hanoi123 hanoivietnam
saigon123 hochiminh thanhpho conyeume yeumenhieu giadinh hanhphuc maimaibennhau matroi
thienthan baby1234 hoangtu congchua 123456aa 123456abc 123456qwe aaaaaaaa asd12345 qwe12345
zxcvbnmm trungnguyen nguyenvan nguyenthi tranvan levan phamvan hoangvan
ubndtinh ubndxa uybannhandan caicachhanhchinh cchc2024 cchc2025 sonoivu baocao
""".split())


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without Vietnamese accents (đ → d) and without anything but letters and digits."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def _stem(text: str) -> str:
    """Return the folded password without its trailing digits ("matkhau2024" → "matkhau")."""
    folded = fold(text)
    return re.sub(r"\d+$", "", folded) or folded


def problems(password: str, username: str = "", full_name: str = "") -> list[str]:
    """Return the Vietnamese reasons ``password`` is refused (empty when it is acceptable)."""
    if len(password) < MIN_LENGTH:
        return [f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự."]
    if len(password) > MAX_LENGTH:
        return [f"Mật khẩu dài quá {MAX_LENGTH} ký tự."]
    if "\x00" in password:
        return ["Mật khẩu không được chứa ký tự NUL."]
    reasons = []
    folded = fold(password)
    names = {fold(username)} | {fold(part) for part in re.split(r"[\s._-]+", f"{username} {full_name}")}
    names = {name for name in names if len(name) >= 3}
    if any(folded == name or folded == name[::-1] or SequenceMatcher(None, folded, name).ratio() >= SIMILARITY
           for name in names):
        reasons.append("Mật khẩu quá giống tên đăng nhập hoặc họ tên; hãy chọn mật khẩu khác.")
    if folded in COMMON or _stem(password) in COMMON or len(set(folded)) <= 2:
        reasons.append("Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác (ví dụ một câu ngắn dễ nhớ).")
    return reasons
