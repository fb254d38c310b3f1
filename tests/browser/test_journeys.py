"""Journeys through the app in a real browser, as the people in DESIGN.md §1 make them."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BROWSER_DB, sign_in

pytestmark = [pytest.mark.browser, BROWSER_DB]


def test_sign_in_reaches_home_with_styles_and_scripts_loaded(page, alice, password):
    sign_in(page, "alice", password)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # Bootstrap's CSS is applied (the navbar is a flex box) and its JavaScript ran.
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).display") == "flex"
    assert page.evaluate("typeof bootstrap") == "object"
    assert page.evaluate("typeof TomSelect") == "function"
