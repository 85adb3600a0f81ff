"""Chinese by default, English on request (SPEC §9)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po


def test_chinese_is_the_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "用户名" in html and "密码" in html
    assert 'href="/lang/en"' in html


def test_english_is_a_click_away_and_stays_after_login(client, auth, clerk):
    response = client.get("/lang/en", headers={"Referer": "http://localhost/login"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Username" in html and "Password" in html and "Sign in" in html
    assert "用户名" not in html
    auth.login("clerk-a")
    home = client.get("/home").get_data(as_text=True)
    assert "Sign out" in home and "退出" not in home
    assert 'href="/lang/zh_CN"' in home


def test_english_error_messages_on_the_login_form(client, auth, clerk):
    client.get("/lang/en")
    html = auth.login("clerk-a", "wrong-password-x").get_data(as_text=True)
    assert "Wrong username or password" in html


def test_back_to_chinese(client):
    client.get("/lang/en")
    client.get("/lang/zh_CN")
    assert "用户名" in client.get("/login").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.get("/lang/fr")
    assert "用户名" in client.get("/login").get_data(as_text=True)


def test_language_switch_does_not_redirect_off_site(client):
    response = client.get("/lang/en", headers={"Referer": "https://evil.example/phish"})
    assert "evil.example" not in response.headers["Location"]


ROOT = Path(__file__).resolve().parents[2]


def english_catalogue():
    with (ROOT / "cardops" / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def test_english_catalogue_has_no_gaps():
    """Every msgid of the English catalogue is translated and none is a fuzzy guess."""
    catalog = english_catalogue()
    untranslated = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"translate these in the en catalogue: {untranslated[:10]}"
    assert not fuzzy, f"check these fuzzy entries in the en catalogue: {fuzzy[:10]}"


def test_every_source_string_is_in_the_english_catalogue():
    """A Chinese string marked for translation in code or templates but not in the catalogue: run `make i18n`."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "N_": None}
    in_source = {message for _file, _line, message, _comments, _context in
                 extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords)}
    in_source = {m if isinstance(m, str) else m[0] for m in in_source}
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in english_catalogue() if m.id}
    missing = sorted(in_source - known)
    assert not missing, f"not in the en catalogue (run `make i18n` and translate): {missing[:10]}"
