"""End to end in headless Chromium: the real app served on 127.0.0.1 over the fixture store.

Debian's chromium driven by Playwright (never `playwright install`: its browser download
is not reachable here). Without /usr/bin/chromium the tests are skipped, except in CI
(CI=true), where a missing browser is a failure. A screenshot of each page goes to
$BILAT_SCREENSHOTS, or else to a temporary folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bilat.graph import Store
from bilat.webapp import create_app

from conftest import DATA
from servers import serve_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VENDOR = Path(__file__).resolve().parents[1] / "webapp" / "static" / "vendor"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); required in CI")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The real app on a free port of 127.0.0.1, in a thread."""
    if not (VENDOR / "yasqe.min.js").is_file():
        pytest.fail(f"{VENDOR} lacks the browser libraries: run `make vendor`")
    store = Store()
    store.load_vocabulary()
    store.import_file(DATA / "fixture.trig")
    with serve_app(create_app({"STORE": store})) as url:
        yield url


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("BILAT_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh page that records script errors and every URL it asks for."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.requested = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("request", lambda request: page.requested.append(request.url))
    yield page
    context.close()


def check_local(page: Page, base_url: str) -> None:
    """No script failed and nothing was asked of any other host: the pages work offline."""
    assert page.errors == []
    assert [url for url in page.requested if not url.startswith(base_url)] == []


def test_home_page_lists_the_questions(page: Page, base_url: str, screenshots: Path):
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("Questions")
    assert page.locator("ul.questions li").count() >= 5
    expect(page.locator("header nav")).to_contain_text("Network")
    page.screenshot(path=screenshots / "home.png", full_page=True)
    check_local(page, base_url)


def test_a_question_with_a_chosen_parameter_then_an_entity(
    page: Page, base_url: str, screenshots: Path
):
    page.goto("/questions/who-met-whom")
    page.select_option("select[name=kind]", "Call")
    page.get_by_role("button", name="Ask").click()
    page.wait_for_url(re.compile(r"kind=Call"))
    rows = page.locator("table.answer tr.row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Donald Trump")
    page.screenshot(path=screenshots / "question.png", full_page=True)

    rows.first.get_by_role("link", name=re.compile("donald-trump")).first.click()
    page.wait_for_url(re.compile(r"/id/actor/donald-trump$"))
    expect(page.locator("main")).to_contain_text("Donald Trump")
    page.screenshot(path=screenshots / "entity.png", full_page=True)
    check_local(page, base_url)


def test_the_editor_runs_a_query_and_shows_the_table(page: Page, base_url: str, screenshots: Path):
    page.goto("/sparql/editor")
    editor = page.locator("#yasqe .CodeMirror")
    expect(editor).to_be_visible()
    expect(editor).to_contain_text("PREFIX bilat:")
    expect(page.locator("#plain")).to_be_hidden()

    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("PREFIX bilat: <https://w3id.org/bilat/ontology#>\n")
    page.keyboard.type("SELECT ?who WHERE { ?who bilat:said ?claim }")
    page.keyboard.press("Escape")  # close the completion list, if one opened
    page.locator("#yasqe .yasqe_queryButton").click()
    table = page.locator("#yasr table.dataTable tbody tr")
    expect(table).to_have_count(3)
    expect(page.locator("#yasr")).to_contain_text("marco-rubio")
    page.screenshot(path=screenshots / "editor.png", full_page=True)
    check_local(page, base_url)


def test_the_editor_opens_a_saved_question_as_an_example(page: Page, base_url: str):
    page.goto("/sparql/editor")
    page.select_option("#examples select", "who-met-whom")
    expect(page.locator("#yasqe .CodeMirror")).to_contain_text("?otherLabel ?times")
    page.locator("#yasqe .yasqe_queryButton").click()
    expect(page.locator("#yasr")).to_contain_text("Marco Rubio")
    check_local(page, base_url)


def test_the_timeline_is_drawn(page: Page, base_url: str, screenshots: Path):
    page.goto("/timeline")
    page.select_option("select[name=country_a]", "mex")
    page.select_option("select[name=country_b]", "usa")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"country_a=mex"))
    # vis-timeline draws one .vis-item per event: the call and the meeting
    boxes = page.locator("#timeline .vis-item.vis-box")
    expect(boxes).to_have_count(2)
    expect(boxes.filter(has_text="Meeting, 2026-01-20")).to_be_visible()
    expect(boxes.filter(has_text="Call, 2026-01-12")).to_be_visible()
    page.wait_for_timeout(300)  # vis-timeline redraws once more after its first frame
    page.screenshot(path=screenshots / "timeline.png", full_page=True)
    check_local(page, base_url)


def test_the_network_is_drawn(page: Page, base_url: str, screenshots: Path):
    page.goto("/network")
    # Cytoscape.js draws on canvases it adds to the container
    expect(page.locator("#network canvas").first).to_be_attached()
    drawn = page.evaluate("document.querySelectorAll('#network canvas').length")
    assert drawn >= 1
    expect(page.locator("table.answer tr.row")).to_have_count(4)
    page.wait_for_timeout(300)  # the layout settles before the picture
    page.screenshot(path=screenshots / "network.png", full_page=True)
    check_local(page, base_url)


def test_the_editor_completes_bilat_classes_offline(page: Page, base_url: str):
    page.goto("/sparql/editor")
    editor = page.locator("#yasqe .CodeMirror")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("PREFIX bilat: <https://w3id.org/bilat/ontology#>\n")
    page.keyboard.type("SELECT * WHERE { ?c a bilat:Comm")
    page.keyboard.press("Control+Space")
    hints = page.locator(".CodeMirror-hints .CodeMirror-hint")
    expect(hints.first).to_contain_text("bilat:Commitment")
    check_local(page, base_url)
