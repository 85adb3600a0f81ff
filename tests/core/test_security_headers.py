"""Every response carries the SPEC §9 protection headers, pages and API answers alike."""

import pytest


@pytest.mark.parametrize("path", ["/login", "/healthz", "/api/v1/me", "/no-such-page", "/static/css/cardops.css"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";")}
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["script-src"] == "script-src 'self'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["object-src"] == "object-src 'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin-when-cross-origin"}


def test_pages_are_not_cached(client, auth, clerk):
    auth.login("clerk-a")
    assert client.get("/home").headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_scripts(client, auth, admin):
    """The CSP forbids inline scripts, so a page that had one would silently break."""
    auth.login("admin")
    for path in ["/login", "/home", "/admin/users", "/admin/users/new", "/admin/outlets", "/admin/tokens", "/audit/"]:
        html = client.get(path).get_data(as_text=True)
        for chunk in html.split("<script")[1:]:
            assert chunk.lstrip().startswith("src="), f"inline script on {path}"
        assert " onclick=" not in html and " onsubmit=" not in html and ' style="' not in html, path
