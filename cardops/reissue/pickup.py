"""Pickup tokens: signed (itsdangerous, keyed by SECRET_KEY), unguessable (a random nonce stored with the
request) and bound to the request (its number is inside the signed payload); the receipt prints the token's
verification URL as a QR code."""

from __future__ import annotations

import functools
import hmac
import re
import secrets

import qrcode
import qrcode.image.svg
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup

from cardops.core.urls import public_url

SALT = "cardops-pickup-v1"
_TOKEN_IN_URL = re.compile(r"/verify/([A-Za-z0-9_\-.]+)")


def _serializer() -> URLSafeSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"])


@functools.lru_cache(maxsize=4)  # one per secret key (an API list signs a token for each of its rows)
def _serializer_for(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def new_nonce() -> str:
    return secrets.token_hex(16)


def make_token(number: str, nonce: str) -> str:
    return _serializer().dumps([number, nonce])


def read_token(token: str) -> tuple[str, str] | None:
    """(number, nonce) from a genuine token, None for anything forged, truncated or malformed."""
    if not token or len(token) > 500:
        return None
    try:
        payload = _serializer().loads(token.strip())
    except BadSignature:
        return None
    if not (isinstance(payload, list) and len(payload) == 2 and all(isinstance(p, str) for p in payload)):
        return None
    return payload[0], payload[1]


def token_matches(request, token: str) -> bool:
    payload = read_token(extract_token(token))
    if payload is None or request.pickup_nonce is None:
        return False
    number, nonce = payload
    return number == request.number and hmac.compare_digest(nonce, request.pickup_nonce)


def extract_token(scanned: str | None) -> str:
    """Accept the token itself or the verification URL a QR scanner types in."""
    if not scanned:
        return ""
    scanned = scanned.strip()
    match = _TOKEN_IN_URL.search(scanned)
    return match.group(1) if match else scanned


def request_token(request) -> str | None:
    return make_token(request.number, request.pickup_nonce) if request.pickup_nonce else None


def verification_url(request) -> str | None:
    token = request_token(request)
    return public_url("reissue.verify", token=token) if token else None


def qr_svg(data: str, label: str = "") -> Markup:
    """An inline SVG QR code (vector, prints sharply; no style attributes, so the CSP allows it)."""
    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M,
                       image_factory=qrcode.image.svg.SvgPathImage)
    qr.add_data(data)
    qr.make(fit=True)
    svg = qr.make_image().to_string(encoding="unicode")
    # Size comes from the stylesheet, not from the factory's millimetres.
    head, _, rest = svg.partition(" version=")
    attributes = f'<svg class="qr" role="img" aria-label="{Markup.escape(label)}" version='
    return Markup(attributes + rest) if head.startswith("<svg") else Markup(svg)


# --- the short pickup code (取卡码) ----------------------------------------------------------------------------
# Printed beside the QR for a clerk to type. 8 symbols from 30 without look-alikes (no 0/O, 1/I/L, U/V): about
# 6.6 × 10^11 codes, always asked for together with the request's number, and every wrong one is audited
# (``reissue.collect_refused``). The code is derived from the request's number and its receipt nonce under a key
# of its own (derived from SECRET_KEY): nothing more is stored, and a reprinted receipt — a new nonce — voids the
# old code together with the old token.

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
_CODE_SALT = b"cardops-pickup-code-v1"
_CODE_SEPARATORS = re.compile(r"[\s\-_.·]+")


@functools.lru_cache(maxsize=4)
def _code_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), _CODE_SALT, "sha256").digest()


def make_code(number: str, nonce: str) -> str:
    key = _code_key(current_app.config["SECRET_KEY"])
    value = int.from_bytes(hmac.digest(key, f"{number}|{nonce}".encode(), "sha256")[:10], "big")
    symbols = []
    for _ in range(CODE_LENGTH):
        value, index = divmod(value, len(CODE_ALPHABET))
        symbols.append(CODE_ALPHABET[index])
    return "".join(symbols)


def request_code(request) -> str | None:
    return make_code(request.number, request.pickup_nonce) if request.pickup_nonce else None


def normalise_code(typed: str | None) -> str | None:
    """The code as typed (any case, with spaces or dashes between groups), or None when it cannot be one."""
    if not isinstance(typed, str) or len(typed) > 40:
        return None
    value = _CODE_SEPARATORS.sub("", typed).upper()
    if len(value) != CODE_LENGTH or any(symbol not in CODE_ALPHABET for symbol in value):
        return None
    return value


def looks_like_code(typed: str | None) -> bool:
    return normalise_code(typed) is not None


def code_matches(request, typed: str) -> bool:
    code = normalise_code(typed)
    expected = request_code(request)
    return code is not None and expected is not None and hmac.compare_digest(code, expected)


def receipt_matches(request, *, token=None, code=None) -> bool:
    """The receipt shown at pickup is this request's current one: by its token (QR) or its code; whatever is
    given must match, and something must be given."""
    given = [(token, token_matches), (code, code_matches)]
    given = [(value, check) for value, check in given if value not in (None, "")]
    if not given:
        return False
    return all(isinstance(value, str) and check(request, value) for value, check in given)


def grouped_code(code: str | None) -> str:
    """``ABCD EFGH``: how the code is printed, in two groups that are easy to read out."""
    return f"{code[:4]} {code[4:]}" if code else ""
