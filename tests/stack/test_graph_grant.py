"""The app's backend calls Graph as the signed-in user through graph-service's grant port, with
the short-lived grant nginx hands the app: never a token, allowlisted paths only, that user
only, for a minute only."""

from __future__ import annotations

from collections.abc import Iterator

import jwt
import pytest
import requests

from native_stack.edge import LIFTED_SIGN_IN_LIMITS
from native_stack.stack import NativeStack, StackOptions
from signin_core.identity.assertions import GRANT_AUDIENCE, IdentityAssertions, SignedInUser
from tests.support.browser import Browser
from tests.support.sign_in import signed_in_as
from tests.support.stack_records import home_account_id_of, stack_token_caches, token_secrets

JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def grant_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    running = NativeStack(
        StackOptions(
            run_dir=tmp_path_factory.mktemp("grant-stack"),
            demo_app=True,
            graph_workers=1,
            nginx_env=dict(LIFTED_SIGN_IN_LIMITS),
        )
    )
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def signed_in(grant_stack: NativeStack) -> Iterator[Browser]:
    assert grant_stack.registration is not None
    with signed_in_as(grant_stack.public_url, grant_stack.registration.usernames[0]) as browser:
        yield browser


def grant_port_url(stack: NativeStack) -> str:
    return f"http://127.0.0.1:{stack.grant_ports['graph-service']}"


def grant_of(stack: NativeStack, browser: Browser) -> str:
    """The grant nginx handed the app with one request of browser's user."""
    seen = browser.get(stack.public_url + "/app/whoami", headers=JSON).json()
    headers = {name.lower(): value for name, value in seen["headers"].items()}
    return str(headers["x-graph-grant"])


def direct(url: str, headers: dict[str, str]) -> requests.Response:
    with requests.Session() as http:
        http.trust_env = False
        return http.get(url, headers={**JSON, **headers}, timeout=15)


def test_the_apps_backend_reads_the_users_profile(
    grant_stack: NativeStack, signed_in: Browser
) -> None:
    assert grant_stack.registration is not None
    answer = signed_in.get(grant_stack.public_url + "/app/profile", headers=JSON)
    assert answer.status_code == 200, answer.text
    profile = answer.json()["profile"]
    assert profile["userPrincipalName"].lower() == grant_stack.registration.usernames[0].lower()
    page = signed_in.get(grant_stack.public_url + "/app/profile")
    assert grant_stack.registration.display_names[0] in page.text


def test_no_graph_token_ever_reaches_the_app(grant_stack: NativeStack, signed_in: Browser) -> None:
    seen = signed_in.get(grant_stack.public_url + "/app/whoami", headers=JSON).json()
    cache = stack_token_caches(grant_stack).load(home_account_id_of(grant_stack, signed_in)).cache
    tokens = token_secrets(cache)
    assert tokens
    received = " ".join(str(value) for value in seen["headers"].values())
    assert not [token for token in tokens if token in received]
    grant = grant_of(grant_stack, signed_in)
    claims = jwt.decode(grant, options={"verify_signature": False})
    assert claims["aud"] == GRANT_AUDIENCE and claims["exp"] - claims["iat"] <= 60


def test_the_grant_works_on_the_grant_port_only_and_for_allowlisted_paths(
    grant_stack: NativeStack, signed_in: Browser
) -> None:
    grant = grant_of(grant_stack, signed_in)
    base = grant_port_url(grant_stack)
    assert direct(base + "/graph/me", {"X-Graph-Grant": grant}).status_code == 200
    outside = direct(base + "/graph/v1.0/me/messages", {"X-Graph-Grant": grant})
    assert outside.status_code == 403, outside.text
    # Not on graph-service's own port (nginx's), and not through nginx from a client.
    main_port = f"http://127.0.0.1:{grant_stack.graph_ports[0]}"
    assert direct(main_port + "/graph/me", {"X-Graph-Grant": grant}).status_code == 401
    with Browser() as stranger:
        through_nginx = stranger.get(
            grant_stack.public_url + "/graph/me", headers={**JSON, "X-Graph-Grant": grant}
        )
    assert through_nginx.status_code == 401
    # nginx's assertion is no grant either.
    assertion = IdentityAssertions(grant_stack.identity_assertion_key).issue(
        SignedInUser("someone", "", "", "", "")
    )
    assert direct(base + "/graph/me", {"X-User-Assertion": assertion}).status_code == 401


def test_an_expired_or_altered_grant_is_refused(
    grant_stack: NativeStack, signed_in: Browser
) -> None:
    base = grant_port_url(grant_stack)
    grant = grant_of(grant_stack, signed_in)
    header, payload, signature = grant.split(".")
    claims = jwt.decode(grant, options={"verify_signature": False})
    other_user = jwt.encode({**claims, "sub": "another.user"}, "not-the-key-" * 4).split(".")[1]
    for altered in (f"{header}.{other_user}.{signature}", grant[:-3] + "abc", "", "x.y.z"):
        assert direct(base + "/graph/me", {"X-Graph-Grant": altered}).status_code == 401
    user = SignedInUser(claims["sub"], claims["oid"], claims["tid"], "", "")
    expired = IdentityAssertions(grant_stack.identity_assertion_key, lifetime_seconds=-5)
    assert (
        direct(base + "/graph/me", {"X-Graph-Grant": expired.issue_grant(user)}).status_code == 401
    )
