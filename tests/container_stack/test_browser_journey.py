"""The person's whole visit in Chromium, against the containers."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.container_stack.conftest import RunningStack
from tests.support.journey import walk_the_whole_visit


def test_sign_in_see_profile_people_and_app_then_sign_out(
    page: Page, dev_stack: RunningStack
) -> None:
    walk_the_whole_visit(page, dev_stack.public_url, dev_stack.registration)
