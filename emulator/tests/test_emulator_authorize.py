"""The /authorize endpoint: pages, errors, prompts, consent, response modes, logout."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from emulator_support import (
    AVERY,
    CLIENT_ID,
    JORDAN,
    REDIRECT_URI,
    TENANT_ID,
    authorize_url,
    code_for,
    parse_page,
    query_of,
    redeem,
)


def test_sign_in_page_lists_every_user_as_a_button_with_relative_form(emulator, browser):
    status, _, body = browser.fetch("GET", authorize_url(emulator))
    assert status == 200
    page = parse_page(body)
    form = page.forms[0]
    assert form["method"] == "post" and form["action"] == "authorize"
    names = {b["value"]: b["text"] for b in form["buttons"] if b["name"] == "username"}
    assert names[AVERY] == "Avery Chen" and len(names) >= 4
    assert form["hidden"]["client_id"] == CLIENT_ID and form["hidden"]["state"] == "state-123"
    assert "<script" not in body and "src=" not in body
    # Nothing to fetch: the one link is an empty icon, so browsers do not ask for /favicon.ico.
    assert body.count("href=") == 1 and '<link rel="icon" href="data:,">' in body


def test_query_response_carries_code_and_state_and_loopback_port_is_ignored(emulator, browser):
    redirect = "http://127.0.0.1:61234/getAToken"
    url = authorize_url(emulator, redirect_uri=redirect)
    response = browser.run(url, [("username", AVERY)], redirect)
    assert response["code"] and response["state"] == "state-123"


def test_form_post_renders_continue_button_and_relative_script(emulator, browser):
    url = authorize_url(emulator, response_mode="form_post")
    browser.run(url, [("username", AVERY)], REDIRECT_URI)
    status, _, body = browser.fetch("GET", url)  # signed in now: straight to the response form
    page = parse_page(body)
    assert status == 200 and page.forms[0]["action"] == REDIRECT_URI
    assert page.forms[0]["hidden"]["state"] == "state-123" and page.forms[0]["hidden"]["code"]
    assert page.scripts == ["autosubmit.js"]
    script_url = url.split("?")[0].rsplit("/", 1)[0] + "/autosubmit.js"
    status, _, script = browser.fetch("GET", script_url)
    assert status == 200 and "submit()" in script


def test_unknown_client_shows_error_page_without_redirecting(emulator, browser):
    status, location, body = browser.fetch(
        "GET", authorize_url(emulator, client_id="00000000-0000-0000-0000-000000000001")
    )
    assert location == "" and status == 400 and "AADSTS700016" in body


def test_unregistered_redirect_uri_shows_error_page(emulator, browser):
    status, location, body = browser.fetch(
        "GET", authorize_url(emulator, redirect_uri="https://evil.example/cb")
    )
    assert location == "" and "AADSTS50011" in body


def test_loopback_path_must_still_match(emulator, browser):
    _, location, body = browser.fetch(
        "GET", authorize_url(emulator, redirect_uri="http://localhost:5000/other")
    )
    assert location == "" and "AADSTS50011" in body


def test_unknown_tenant_shows_error_page(emulator, browser):
    _, _, body = browser.fetch("GET", authorize_url(emulator, tenant="nope.example"))
    assert "AADSTS90002" in body


def test_bad_response_type_is_redirected_as_error(emulator, browser):
    _, location, _ = browser.fetch("GET", authorize_url(emulator, response_type="token"))
    params = query_of(location)
    assert params["error"] == "unsupported_response_type" and params["state"] == "state-123"


def test_prompt_none_without_session_is_login_required(emulator, browser):
    _, location, _ = browser.fetch("GET", authorize_url(emulator, prompt="none"))
    params = query_of(location)
    assert params["error"] == "login_required"
    assert params["error_description"].startswith("AADSTS50058")


def test_session_cookie_gives_sso_and_prompt_login_asks_again(emulator, browser):
    browser.run(authorize_url(emulator), [("username", AVERY)], REDIRECT_URI)
    _, location, _ = browser.fetch("GET", authorize_url(emulator, prompt="none"))
    assert "code" in query_of(location)
    _, location, _ = browser.fetch("GET", authorize_url(emulator))
    assert "code" in query_of(location)
    status, _, body = browser.fetch("GET", authorize_url(emulator, prompt="login"))
    assert status == 200 and "Pick an account" in body
    status, _, body = browser.fetch("GET", authorize_url(emulator, prompt="select_account"))
    assert status == 200 and "Signed in" in body


def test_two_accounts_need_picker_or_login_hint(emulator, browser):
    browser.run(authorize_url(emulator), [("username", AVERY)], REDIRECT_URI)
    browser.run(authorize_url(emulator, prompt="login"), [("username", JORDAN)], REDIRECT_URI)
    _, location, _ = browser.fetch("GET", authorize_url(emulator, prompt="none"))
    assert query_of(location)["error"] == "interaction_required"
    _, location, _ = browser.fetch("GET", authorize_url(emulator, prompt="none", login_hint=JORDAN))
    assert "code" in query_of(location)


def test_missing_consent_shows_consent_page_and_accept_issues_code(emulator, browser):
    url = authorize_url(emulator, scope="openid User.Read Mail.Read")
    response = browser.run(url, [("username", AVERY), ("consent", "accept")], REDIRECT_URI)
    assert "Read your mail" in browser.last_page
    assert response["code"]
    _, location, _ = browser.fetch("GET", url)  # consent remembered
    assert "code" in query_of(location)


def test_cancelled_consent_is_access_denied(emulator, browser):
    url = authorize_url(emulator, scope="openid Calendars.Read")
    response = browser.run(url, [("username", AVERY), ("consent", "cancel")], REDIRECT_URI)
    assert response["error"] == "access_denied"
    assert response["error_description"].startswith("AADSTS65004")
    assert response["state"] == "state-123"


def test_prompt_none_with_missing_consent_is_consent_required(emulator, browser):
    browser.run(authorize_url(emulator), [("username", AVERY)], REDIRECT_URI)
    _, location, _ = browser.fetch(
        "GET", authorize_url(emulator, prompt="none", scope="openid Files.Read")
    )
    assert query_of(location)["error"] == "consent_required"


def test_prompt_consent_always_asks(emulator, browser):
    url = authorize_url(emulator, prompt="consent")
    response = browser.run(url, [("username", AVERY), ("consent", "accept")], REDIRECT_URI)
    assert "Permissions requested" in browser.last_page and response["code"]


def test_user_without_tenant_wide_consent_gets_consent_page(emulator, browser):
    emulator.control(
        "POST",
        "users",
        json={"userPrincipalName": "new.hire@contoso.example", "displayName": "New Hire"},
    )
    emulator.control("POST", "consents", json={"client_id": CLIENT_ID, "revoke": True})
    status, _, body = browser.fetch("GET", authorize_url(emulator))
    assert "New Hire" in body
    response = browser.run(
        authorize_url(emulator),
        [("username", "new.hire@contoso.example"), ("consent", "accept")],
        REDIRECT_URI,
    )
    assert response["code"]


def test_logout_redirects_only_to_registered_uri_and_clears_session(emulator, browser):
    browser.run(authorize_url(emulator), [("username", AVERY)], REDIRECT_URI)
    logout = f"{emulator.url}/{TENANT_ID}/oauth2/v2.0/logout"
    status, location, _ = browser.fetch(
        "GET", f"{logout}?client_id={CLIENT_ID}&post_logout_redirect_uri=http://localhost:8123/"
    )
    assert status == 302 and location == "http://localhost:8123/"
    _, location, _ = browser.fetch("GET", authorize_url(emulator, prompt="none"))
    assert query_of(location)["error"] == "login_required"
    status, location, body = browser.fetch(
        "GET", f"{logout}?client_id={CLIENT_ID}&post_logout_redirect_uri=https://evil.example/"
    )
    assert status == 200 and location == "" and "signed out" in body


def test_logout_finds_the_app_from_id_token_hint(emulator, browser):
    code, verifier = code_for(emulator, browser, AVERY)
    id_token = redeem(emulator, code, verifier)[1]["id_token"]
    logout = f"{emulator.url}/{TENANT_ID}/oauth2/v2.0/logout"
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": "bye",
            "post_logout_redirect_uri": "http://127.0.0.1:9999/",
        }
    )
    status, location, _ = browser.fetch("GET", f"{logout}?{query}")
    assert status == 302 and location == "http://127.0.0.1:9999/?state=bye"


def test_fragment_response_mode(emulator, browser):
    browser.run(authorize_url(emulator), [("username", AVERY)], REDIRECT_URI)
    _, location, _ = browser.fetch("GET", authorize_url(emulator, response_mode="fragment"))
    fragment = dict(parse_qsl(urlsplit(location).fragment))
    assert location.startswith(REDIRECT_URI + "#") and fragment["code"]
    assert fragment["state"] == "state-123"


def test_large_directories_list_fifty_accounts_and_offer_a_upn_box(emulator, browser):
    for index in range(60):
        emulator.control("POST", "users", json={"userPrincipalName": f"bulk{index:02}"})
    status, _, body = browser.fetch(
        "GET", authorize_url(emulator, login_hint="bulk59@contoso.example")
    )
    first, other = parse_page(body).forms
    listed = [b["value"] for b in first["buttons"] if b["name"] == "username"]
    assert len(listed) == 50 and listed[0] == "bulk59@contoso.example"
    assert "16 more account(s)" in body and other["hidden"]["client_id"] == CLIENT_ID
    url = f"{emulator.url}/{TENANT_ID}/oauth2/v2.0/authorize"
    status, location, _ = browser.fetch(
        "POST", url, {**other["hidden"], "username": "bulk00@contoso.example"}
    )
    assert status == 302 and query_of(location)["code"]
