def test_login_and_home(client, auth, clerk):
    response = auth.login("clerk-a")
    assert response.status_code == 302
    home = client.get("/home")
    assert home.status_code == 200
    assert "受理员甲" in home.get_data(as_text=True)


def test_rollback_isolates_tests(app):
    from cardops.auth.services import find_user

    assert find_user("clerk-a") is None
