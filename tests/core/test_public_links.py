"""Links the application prints or mails use the configured PUBLIC_BASE_URL, never the request's Host header, and
a production deployment answers only to its trusted host names (SPEC §9, issue #13)."""

from __future__ import annotations

from cardops.core.urls import public_url
from cardops.reissue import pickup
from tests.reissue.workflow_support import request_in


def test_the_receipt_links_come_from_the_configured_base_url(app, client, auth, clerk, clerk2, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://cardops.example.gov.cn/")
    request = request_in("submitted", clerk, clerk2)
    auth.login("clerk-a")
    html = client.get(f"/requests/{request.number}/receipt").get_data(as_text=True)  # asked of Host: localhost
    assert "http://localhost" not in html
    assert "https://cardops.example.gov.cn/status" in html
    assert pickup.verification_url(request).startswith("https://cardops.example.gov.cn/verify/")


def test_public_url_needs_no_request(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://cardops.example.gov.cn/cardops")
    assert public_url("reissue.status") == "https://cardops.example.gov.cn/cardops/status"
    assert public_url("reissue.verify", token="a.b") == "https://cardops.example.gov.cn/cardops/verify/a.b"


def test_untrusted_host_names_are_refused(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["cardops.example.gov.cn", "localhost"])
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/login", headers={"Host": "cardops.example.gov.cn"}).status_code == 200
