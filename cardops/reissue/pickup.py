"""Pickup tokens: signed (itsdangerous, keyed by SECRET_KEY), unguessable (a random nonce stored with the
request) and bound to the request (its number is inside the signed payload); the receipt prints the token's
verification URL as a QR code."""

from __future__ import annotations

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
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


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
