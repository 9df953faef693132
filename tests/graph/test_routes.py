"""graph-service's routes through nginx: /me, /users, /me/photo, errors in Graph's envelope."""

from __future__ import annotations

import pytest

from native_stack.stack import NativeStack
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through


def test_me_passes_on_graph_json_and_request_id(
    gateway_stack: NativeStack, signed_in: Browser
) -> None:
    answer = signed_in.get(gateway_stack.public_url + "/graph/me")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.headers.get("request-id")
    assert answer.json()["userPrincipalName"] == "avery.chen@contoso.example"


def test_me_with_select(gateway_stack: NativeStack, signed_in: Browser) -> None:
    answer = signed_in.get(gateway_stack.public_url + "/graph/me?$select=displayName,id")
    assert answer.status_code == 200
    assert set(answer.json()) - {"@odata.context"} == {"displayName", "id"}


def test_users_is_the_quickstart_call(gateway_stack: NativeStack, signed_in: Browser) -> None:
    answer = signed_in.get(gateway_stack.public_url + "/graph/users")
    assert answer.status_code == 200
    assert len(answer.json()["value"]) >= 5


def test_photo_is_image_bytes(gateway_stack: NativeStack, signed_in: Browser) -> None:
    answer = signed_in.get(gateway_stack.public_url + "/graph/me/photo")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "image/png"
    assert answer.content.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "path", ["/graph/me/photo?all=true", "/graph/v1.0/me/photo/$value?all=true"]
)
def test_all_pages_of_a_photo_is_the_photo(
    gateway_stack: NativeStack, signed_in: Browser, path: str
) -> None:
    answer = signed_in.get(gateway_stack.public_url + path)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.content.startswith(b"\x89PNG")


def test_all_pages_of_one_object_is_the_object(
    gateway_stack: NativeStack, signed_in: Browser
) -> None:
    answer = signed_in.get(gateway_stack.public_url + "/graph/me?all=true")
    assert answer.status_code == 200
    assert answer.json()["userPrincipalName"] == "avery.chen@contoso.example"


def test_no_photo_is_404_json(gateway_stack: NativeStack) -> None:
    assert gateway_stack.registration is not None
    without_photo = gateway_stack.registration.usernames[1]
    with Browser() as browser:
        sign_in_through(browser, gateway_stack.public_url, without_photo)
        answer = browser.get(gateway_stack.public_url + "/graph/me/photo")
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "ImageNotFound"


def test_graph_errors_pass_through_in_graph_envelope(
    gateway_stack: NativeStack, signed_in: Browser
) -> None:
    answer = signed_in.get(gateway_stack.public_url + "/graph/users?$top=1000")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] and error["message"]


def test_nginx_request_id_reaches_graph_as_client_request_id(
    gateway_stack: NativeStack, signed_in: Browser
) -> None:
    answer = signed_in.get(gateway_stack.public_url + "/graph/me")
    echoed = answer.headers["client-request-id"]
    assert len(echoed) == 36 and echoed.count("-") == 4
    again = signed_in.get(gateway_stack.public_url + "/graph/me")
    assert again.headers["client-request-id"] != echoed
