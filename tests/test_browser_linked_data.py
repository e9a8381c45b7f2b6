"""The pages in a real browser: headless Debian Chromium driven by Playwright against a live server.

Every test runs in a browser context whose every request goes through a guard: requests to the
server's own loopback origin pass, anything else (a CDN, web fonts, prefix.cc, the LOV API that
YASGUI's autocompleters call by default) is aborted, recorded, and fails the test. Screenshots land
in test-artifacts/ for CI to keep.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bricskg.paths import project_root

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = project_root() / "test-artifacts"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
TIMEOUT_MS = 60_000


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and (parts.hostname or "") in LOOPBACK_HOSTS


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (scripts/install-system-deps installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class GuardedPage:
    """A page whose requests are watched; ``outside`` lists every attempt to leave loopback."""

    def __init__(self, browser, server) -> None:
        self.server = server
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
        self.outside: list[str] = []
        self.requested: list[str] = []
        self.context.route("**/*", self._guard)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("request", lambda request: self.requested.append(request.url))

    def _guard(self, route) -> None:
        url = route.request.url
        if is_loopback(url):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def goto(self, path: str):
        return self.page.goto(self.server.at(path), wait_until="load")

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=False)

    def assert_stayed_on_loopback(self) -> None:
        assert self.requested, "the page made no request at all"
        assert not self.outside, f"requests tried to leave loopback: {self.outside}"
        assert all(is_loopback(url) for url in self.requested)


@pytest.fixture
def guarded(browser, live_server):
    guarded = GuardedPage(browser, live_server)
    try:
        yield guarded
    finally:
        guarded.context.close()


def test_loopback_guard_recognises_outside_urls():
    assert is_loopback("http://127.0.0.1:8000/static/x.js")
    assert not is_loopback("https://lov.linkeddata.es/dataset/lov/api/v2/autocomplete/terms?q=a")
    assert not is_loopback("https://fonts.example.net/css")


def test_landing_page_renders_counts_and_example_questions(guarded):
    guarded.goto("/")
    assert guarded.page.locator("h1").first.inner_text() == "bricskg"
    assert guarded.page.locator("table.counts tbody tr").count() > 5
    assert guarded.page.locator("ol.examples li a").count() > 0
    guarded.screenshot("landing.png")
    guarded.assert_stayed_on_loopback()


def test_example_query_runs_in_yasgui_and_shows_result_rows(guarded, live_server):
    from bricskg.competency import load_questions

    question = next(q for q in load_questions() if q.sparql.lstrip().upper().find("SELECT") >= 0)
    expected = live_server.query(question.sparql).json()["results"]["bindings"]
    assert expected
    guarded.goto("/")
    guarded.page.locator(f'a[href="/query?example={question.id}"]').click()
    rows = guarded.page.locator(".yasr table.dataTable tbody tr")
    rows.first.wait_for()
    table_text = guarded.page.locator(".yasr table.dataTable").inner_text()
    first_variable = next(iter(expected[0]))
    value = expected[0][first_variable]["value"]
    shown = value if expected[0][first_variable]["type"] == "literal" else value.rsplit("/", 1)[-1]
    assert shown in table_text
    assert rows.count() >= min(len(expected), 10)
    # Autocompletion must come from our own endpoint, never from the LOV API (the guard would catch it).
    guarded.page.locator(".CodeMirror").first.click()
    guarded.page.keyboard.press("Control+A")
    guarded.page.keyboard.type(
        "PREFIX bkg: <https://w3id.org/bricskg/ontology/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
        "SELECT * WHERE { ?thing a bkg:Sta"
    )
    guarded.page.keyboard.press("Control+Space")  # class completion (YASGUI's default asks LOV)
    guarded.page.locator(".CodeMirror-hints li").first.wait_for()
    assert "bkg:State" in guarded.page.locator(".CodeMirror-hints li").all_inner_texts()
    guarded.page.keyboard.press("Escape")
    guarded.page.keyboard.type(" . ?thing foaf:na")
    guarded.page.keyboard.press("Control+Space")  # property completion of a vocabulary we do not hold
    guarded.page.wait_for_timeout(1500)
    guarded.screenshot("query.png")
    guarded.assert_stayed_on_loopback()


def _competency_questions():
    from bricskg.competency import load_questions

    return load_questions()


YASR_PAGE_SIZE = 50


@pytest.mark.parametrize("question", _competency_questions(), ids=lambda question: question.id)
def test_every_competency_question_clicked_on_the_start_page_shows_its_answer(guarded, question):
    """The start page's one-click questions: each must show ITS answer in the visible result pane
    (the page once ran question 1 in a hidden tab, leaving every other pane empty)."""
    guarded.goto("/")
    link = guarded.page.locator(f'ol.examples a[href="/query?example={question.id}"]')
    assert link.count() == 1
    link.click()
    guarded.page.wait_for_url(f"**/query?example={question.id}")
    assert guarded.page.locator("#example-picker").input_value() == question.id
    editor_text = guarded.page.evaluate("window.bricskgYasgui.getTab().getYasqe().getValue()")
    assert editor_text.strip() == question.sparql.strip()
    expected = question.expected
    if expected.is_boolean:
        guarded.page.locator(".yasr .booleanResult:visible").wait_for()
        shown = guarded.page.locator(".yasr .booleanResult:visible").inner_text().strip().lower()
        assert shown == str(expected.boolean).lower()
    else:
        status = guarded.page.locator(".yasr .yasr_response_chip:visible, .yasr .yasr_response_header:visible")
        status.first.wait_for()
        rows = guarded.page.locator(".yasr table.dataTable tbody tr:visible")
        if expected.rows:
            rows.first.wait_for()
            assert rows.count() == min(len(expected.rows), YASR_PAGE_SIZE)
            table = guarded.page.locator(".yasr table.dataTable:visible").inner_text()
            cell = next(value for value in expected.rows[0] if value)
            assert (cell if not cell.startswith("http") else cell.rsplit("/", 1)[-1].rsplit("#", 1)[-1]) in table
        else:
            assert "0 results" in guarded.page.locator(".yasr:visible").inner_text()
    guarded.assert_stayed_on_loopback()


def test_example_picker_follows_the_selected_tab(guarded):
    guarded.goto("/query?example=02-founding-members")
    guarded.page.locator(".yasr table.dataTable tbody tr:visible").first.wait_for()
    guarded.page.locator(".yasgui .addTab").click()
    assert guarded.page.locator("#example-picker").input_value() == ""
    guarded.page.locator(".yasgui .tabsList a", has_text="02-founding-members").click()
    assert guarded.page.locator("#example-picker").input_value() == "02-founding-members"


def test_entity_page_renders_and_its_links_lead_to_other_entities(guarded):
    response = guarded.goto("/id/russia")
    assert response.ok and guarded.page.url.endswith("/page/id/russia")  # 303 followed to the page
    assert guarded.page.locator("h1").inner_text() == "Russia"
    assert guarded.page.locator("blockquote.quote").count() > 0
    guarded.screenshot("entity-russia.png")
    guarded.page.locator('table.statements a.local[href="/id/brics"]').first.click()
    guarded.page.wait_for_url("**/page/id/brics")
    assert guarded.page.locator("h1").inner_text() == "BRICS"
    guarded.assert_stayed_on_loopback()


def test_network_view_draws_every_node_on_a_canvas(guarded, live_server):
    data = live_server.get("/network.json").json()
    guarded.goto("/network")
    guarded.page.wait_for_selector("#network[data-drawn='true']")
    assert guarded.page.locator("#network canvas").count() == 1
    drawn = guarded.page.evaluate("window.bricskgNetwork.body.data.nodes.length")
    assert drawn == len(data["nodes"]) > 10
    painted = guarded.page.evaluate(
        """() => { const c = document.querySelector('#network canvas');
                   const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let ink = 0; for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0) ink++;
                   return ink; }"""
    )
    assert painted > 1000  # the canvas is not blank
    guarded.screenshot("network.png")
    guarded.assert_stayed_on_loopback()


def test_ontology_page_shows_the_class_diagram_and_term_anchors(guarded):
    guarded.goto("/ontology")
    assert guarded.page.url.endswith("/page/ontology")
    assert guarded.page.locator("svg.class-diagram g.cls").count() > 20
    guarded.page.locator("svg.class-diagram a[href='#State']").first.click()
    assert guarded.page.url.endswith("#State")
    guarded.screenshot("ontology.png")
    guarded.assert_stayed_on_loopback()


PAGE_KINDS = {
    "start": "/",
    "query": "/query",
    "search": "/search?q=russia",
    "entity": "/page/id/brics",
    "claim": "/page/claim/brics-expansion-members",
    "class": "/page/ontology/State",
    "source": "/page/source/article",
    "sentence": "/page/source/article/s08",
    "ontology": "/page/ontology",
    "network": "/network",
}


@pytest.mark.parametrize("width", [1400, 400])
@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_every_page_kind_fits_the_screen_logs_no_error_and_links_by_label(browser, live_server, kind, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(live_server.at(PAGE_KINDS[kind]), wait_until="load")
        if kind == "network":
            page.wait_for_selector("#network[data-drawn='true']", timeout=TIMEOUT_MS)
        page.wait_for_timeout(300)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "horizontal overflow"
        assert not errors, errors
        raw = page.evaluate(
            """() => Array.from(document.querySelectorAll('main a.local')).filter(a => !a.closest('.iri'))
                     .map(a => a.innerText.trim())
                     .filter(t => /^https?:\\/\\//.test(t))"""
        )
        assert not raw, f"links that print a raw IRI: {raw[:5]}"  # (a term's own IRI line is meant as one)
    finally:
        context.close()


def test_network_layout_is_the_same_on_every_load(browser, live_server):
    positions = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.goto(live_server.at("/network"), wait_until="load")
            page.wait_for_function("window.bricskgNetwork && !window.bricskgNetwork.physics.physicsEnabled", timeout=TIMEOUT_MS)
            positions.append(page.evaluate("JSON.stringify(window.bricskgNetwork.getPositions())"))
        finally:
            context.close()
    assert positions[0] == positions[1]
