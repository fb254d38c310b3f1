"""Real-browser fixtures: Debian's Chromium driven by Python Playwright against ``live_server``.

The browser is launched once per session; each test gets a fresh context (cookies, storage)
and page. Without Chromium or Playwright the browser tests skip with a message saying how to
install them, unless ``EXECCOORD_REQUIRE_BROWSER=1`` (CI), where a missing browser fails.

pytest-django's ``live_server`` serves the app from another thread with
``django.contrib.staticfiles``' handler, so CSS and JavaScript load as in development.
Tests that use it need ``django_db(transaction=True)``; ``serialized_rollback`` brings back
the role groups the data migration created, which the transaction flush would otherwise drop.
"""

import os
import re
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("EXECCOORD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PHONE_320 = {"width": 320, "height": 640}  # the narrowest reflow width (WCAG 1.4.10)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
HOW_TO_INSTALL = (
    "install Debian's Chromium (`make browsers` or `apt-get install chromium`) and the test "
    "extras (`pip install -e '.[test]'`); never `playwright install`"
)

# Every browser test runs against the live server in its own transaction-less database.
BROWSER_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _unavailable(reason):
    message = f"browser tests need {reason}: {HOW_TO_INSTALL}"
    if os.environ.get("EXECCOORD_REQUIRE_BROWSER") == "1":
        pytest.fail(f"EXECCOORD_REQUIRE_BROWSER=1 but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    try:
        from playwright.sync_api import Error, expect, sync_playwright
    except ImportError:
        _unavailable("the Python package playwright")
    # A busy CI machine (two cores shared by the test workers, the server and the browser)
    # answers slowly; a wrong page still fails, twenty seconds later.
    expect.set_options(timeout=20_000)
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium at {CHROMIUM}")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Error as exc:
        playwright.stop()
        _unavailable(f"a Chromium that starts ({exc})")
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def context(browser, live_server):
    """A fresh browser context (no cookies) whose relative URLs go to the live server."""
    ctx = browser.new_context(base_url=live_server.url, viewport=DESKTOP, accept_downloads=True)
    ctx.set_default_timeout(15_000)
    ctx.set_default_navigation_timeout(30_000)
    ctx.live_url = live_server.url
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    """A page that records console errors and failed requests: both fail the test.

    A CSP violation (an inline script or style) or a missing static file shows up here.
    """
    pg = context.new_page()
    problems = []
    pg.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            # a failed load is reported below with its URL
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on(
        "response",
        lambda resp: (
            problems.append(f"HTTP {resp.status} {resp.url}")
            if resp.status >= 500 or (resp.status == 404 and "/static/" in resp.url)
            else None
        ),
    )
    pg.problems = problems
    yield pg
    expected = getattr(pg, "expected_problems", ())
    unexpected = [p for p in problems if not any(re.search(e, p) for e in expected)]
    assert not unexpected, "the browser reported:\n" + "\n".join(unexpected)


def sign_in(page, username, password):
    """Sign in through the form, as a person would, and wait for the home page."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def pick(page, field_id, typed, option_text=None):
    """Choose ``option_text`` in a Tom Select picker by typing ``typed`` and waiting for it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import expect

    control = page.locator(f"#{field_id} + .ts-wrapper .ts-control")
    dropdown = page.locator(f"#{field_id}-ts-dropdown")
    option = dropdown.locator(".option", has_text=option_text or typed).first
    # Under load the answer can arrive after the dropdown closed again; a person would click
    # the picker once more and find the option there, so the test does the same.
    for attempt in range(3):
        control.click()
        if attempt == 0:
            page.keyboard.type(typed)
        try:
            option.wait_for(timeout=10_000)
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    option.click()
    # the chosen value is in the form before anything else happens
    expect(page.locator(f"#{field_id}")).not_to_have_value("")
    # Leave the picker as a person would; its closing dropdown must not eat the next click.
    page.keyboard.press("Tab")


class HeldAnswers:
    """Holds the pickers' autocomplete requests; the test lets each answer through in its order.

    The server answers at once once a request is let through; holding the others decides the
    order the answers reach the page in, so a race between them is played out the same way
    on every run. Create it after the page with the picker has loaded.

    Args:
        page: the page (a Playwright ``Page``).
        field_id: the ``id`` of the picker's ``<select>``; its answers are counted.
    """

    def __init__(self, page, field_id):
        self.page = page
        self.held = []  # routes, in the order the page asked
        self.passing = False  # after ``release_all``: requests go through as they come
        page.route("**/autocomplete/**", self._hold)
        # Tom Select fires "load" once for every load it started, whatever became of it.
        page.evaluate(
            """id => {
                window.ecLoads = 0;
                document.getElementById(id).tomselect.on("load", () => { window.ecLoads += 1; });
            }""",
            field_id,
        )

    @staticmethod
    def text(route):
        """The text a held request asks about."""
        from urllib.parse import parse_qs, urlsplit

        return parse_qs(urlsplit(route.request.url).query).get("q", [""])[0]

    def _hold(self, route):
        if self.passing:
            route.continue_()
        else:
            self.held.append(route)

    def asked(self):
        """The texts asked about and not answered yet, in the order they were asked."""
        return [self.text(r) for r in self.held]

    def wait_for(self, text, timeout=15):
        """Wait until the page has asked about ``text``."""
        deadline = time.monotonic() + timeout
        while text not in self.asked():
            assert time.monotonic() < deadline, f"no request for {text!r}: {self.asked()}"
            self.page.wait_for_timeout(20)  # route handlers run while Playwright waits

    def release(self, text):
        """Let the first held answer to ``text`` through; return once the picker has it."""
        route = next(r for r in self.held if self.text(r) == text)
        self.held.remove(route)
        seen = self.page.evaluate("window.ecLoads")
        route.continue_()
        self.page.wait_for_function("seen => window.ecLoads > seen", arg=seen)

    def fail(self, text):
        """Let the first held request about ``text`` fail as a lost connection does."""
        route = next(r for r in self.held if self.text(r) == text)
        self.held.remove(route)
        seen = self.page.evaluate("window.ecLoads")
        route.abort("connectionreset")
        self.page.wait_for_function("seen => window.ecLoads > seen", arg=seen)

    def release_all(self, last=None):
        """Let every held answer through in the order asked, those to ``last`` at the end.

        Requests the page makes from now on are answered at once.
        """
        while self.held:
            texts = self.asked()
            self.release(next((t for t in texts if t != last), texts[0]))
        self.passing = True


def open_filters(page, more=False):
    """Unfold a list page's filters (folded below the sidebar layout) and wait until the
    animation has ended: a click while the panel still grows can land on what moves past.
    With ``more``, open "More filters" too. Returns the filters' region."""
    import re

    from playwright.sync_api import expect

    filters = page.get_by_role("complementary", name="Filters")
    toggle = filters.get_by_role("button", name=re.compile("^Filters"))
    if toggle.is_visible():
        toggle.click()
        expect(filters.locator("#list-filters")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    if more:
        details = filters.locator("details", has=page.locator("summary", has_text="More filters"))
        details.locator("summary").click()
        expect(details).to_have_attribute("open", "")
    return filters


def log_in_as(context, user):
    """Put a signed-in session cookie for ``user`` into ``context`` (no sign-in form)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": context.live_url}])


@pytest.fixture
def admin(superuser, context):
    """The superuser, signed in in ``context``."""
    log_in_as(context, superuser)
    return superuser
