"""Personal data: resident ID validation (GB 11643), encryption at rest, keyed hash for matching, masking.

ID numbers are stored twice: a Fernet ciphertext (to show a masked form or print, never to compare) and an
HMAC-SHA256 "blind index" under a key derived from ``CARDOPS_DATA_KEY``, which is what queries match on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from cardops.core.i18n import N_

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")  # ASCII only: \d would also take １２３, a second spelling of a phone
_WHITESPACE_RE = re.compile(r"\s+")
OLDEST_BIRTH_YEAR = 1880


class InvalidIdNumber(ValueError):
    """The message is a plain Chinese sentence fit for a form field."""


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalise_id_number(raw: str | None, *, today: date | None = None) -> str:
    """Return the canonical 18-character ID number or raise InvalidIdNumber.

    Spaces are trimmed and ``x`` becomes ``X``. The region code is not checked against a list: abolished codes
    (e.g. 310108) are still printed on valid cards.
    """
    if not isinstance(raw, str):
        raise InvalidIdNumber(N_("请填写身份证号码"))
    value = _WHITESPACE_RE.sub("", raw).upper()
    if not value:
        raise InvalidIdNumber(N_("请填写身份证号码"))
    if len(value) != 18:
        raise InvalidIdNumber(N_("身份证号码应为18位"))
    if not value[:17].isdigit() or not value[:17].isascii() or not (value[17].isdigit() or value[17] == "X"):
        raise InvalidIdNumber(N_("身份证号码格式不正确（前17位为数字，末位为数字或X）"))
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber(N_("身份证号码中的出生日期不存在")) from None
    if birth > (today or date.today()) or birth.year < OLDEST_BIRTH_YEAR:
        raise InvalidIdNumber(N_("身份证号码中的出生日期不合理"))
    if id_check_char(value[:17]) != value[17]:
        raise InvalidIdNumber(N_("身份证号码校验位不正确，请核对"))
    return value


def is_valid_id_number(raw: str | None) -> bool:
    try:
        normalise_id_number(raw)
    except InvalidIdNumber:
        return False
    return True


def normalise_phone(raw: str | None) -> str:
    if not isinstance(raw, str):
        raise ValueError(N_("请填写手机号码"))
    value = _WHITESPACE_RE.sub("", raw).replace("-", "")
    if value.startswith("+86"):
        value = value[3:]
    if not _PHONE_RE.match(value):
        raise ValueError(N_("手机号码应为11位大陆手机号"))
    return value


def mask_id_number(value: str | None) -> str:
    """``310107199001011234`` → ``310107********1234``."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(name: str | None) -> str:
    """``张三`` → ``张*``, ``欧阳娜娜`` → ``欧**娜``: enough to recognise one's own receipt, not to identify."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


# Free text that leaves the system (case narratives printed in booklets …) must not carry an ID number or a mobile
# number. Digits are compared after NFKC, so full-width ３１０１… counts too; a number inside a longer run of digits
# (an account, a timestamp) is not one of these. A date such as 20261202, an amount or a request number
# (PT03-20261126-0007) has neither shape.
_ID_IN_TEXT_RE = re.compile(r"(?<![0-9])[0-9]{6}(?P<sep>[ -]?)[0-9]{8}(?P=sep)[0-9]{3}[0-9Xx](?![0-9])")
_PHONE_IN_TEXT_RE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9])")


@dataclass(frozen=True)
class PersonalDataFinding:
    kind: str  # "id_number" or "phone"
    start: int
    end: int


def find_personal_data(text: str | None) -> list[PersonalDataFinding]:
    """Resident ID numbers (17 digits and a digit or X, also spaced 6-8-4) and 11-digit mainland mobile numbers
    (1[3-9]…, also written 138-1234-5678 or 138 1234 5678, with or without +86) in ``text``, in order.

    Positions refer to the NFKC form of the text, which keeps the length of plain Chinese text and ASCII."""
    if not text:
        return []
    normalised = unicodedata.normalize("NFKC", text)
    found = [PersonalDataFinding("id_number", m.start(), m.end()) for m in _ID_IN_TEXT_RE.finditer(normalised)]
    taken = [(f.start, f.end) for f in found]
    for match in _PHONE_IN_TEXT_RE.finditer(normalised):
        if not any(start < match.end() and match.start() < end for start, end in taken):
            found.append(PersonalDataFinding("phone", match.start(), match.end()))
    return sorted(found, key=lambda f: f.start)


class PersonalDataCipher:
    """Encryption and keyed hashing with two keys derived from one configured secret."""

    def __init__(self, secret: str):
        if not secret:
            raise RuntimeError("CARDOPS_DATA_KEY is not configured")
        material = secret.encode()
        self._fernet = Fernet(base64.urlsafe_b64encode(self._derive(material, b"cardops-encrypt-v1")))
        self._hash_key = self._derive(material, b"cardops-blind-index-v1")

    @staticmethod
    def _derive(material: bytes, info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"cardops", info=info).derive(material)

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken as exc:  # wrong key or tampered row: never leak the ciphertext
            raise RuntimeError("personal data could not be decrypted with the configured key") from exc

    def blind_index(self, value: str) -> str:
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()


def init_app(app) -> None:
    app.extensions["cardops_pii"] = PersonalDataCipher(app.config["CARDOPS_DATA_KEY"])


def cipher() -> PersonalDataCipher:
    return current_app.extensions["cardops_pii"]


def encrypt(value: str) -> str:
    return cipher().encrypt(value)


def decrypt(token: str) -> str:
    return cipher().decrypt(token)


def blind_index(value: str) -> str:
    return cipher().blind_index(value)
