"""The web page in a real headless Chromium: look up LDN, follow a timestamp link, search;
and GraphiQL at /graphql, served with no request outside the server."""

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.conftest import ACROSS, BIN, SEED, free_port, serving, user_environment

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def browser_or_reason() -> str | None:
    if CHROMIUM and CHROMEDRIVER:
        return None
    reason = (
        "no Chromium and ChromeDriver installed (Debian: apt-get install chromium chromium-driver)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI installs them in .ci/run")
    return reason


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = browser_or_reason()
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("site")
    port = free_port()
    # The episode's video lives on this server, so following a timestamp link stays local.
    document = folder / "seed.md"
    document.write_text(
        SEED.read_text().replace(
            "https://www.youtube.com/watch?v=d0S7_H0UdjY", f"http://127.0.0.1:{port}/video"
        )
    )
    env = user_environment()
    # Two more episodes on naltrexone, which disagree and hold a sponsor read.
    ingested = [document, *ACROSS]
    subprocess.run([BIN / "claimdex", "ingest", *ingested], cwd=folder, env=env, check=True)
    with serving(folder, port) as base:
        yield base


@pytest.fixture(scope="module")
def driver(site: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):  # fmt: skip
        options.add_argument(flag)
    # Every request the browser sends, and what its console reports.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield browser
    browser.quit()


def test_dosing_advice_and_a_timestamp_link(site: str, driver) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as shown
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(site + "/")
    field = driver.find_element(By.ID, "medication")
    assert driver.find_element(By.CSS_SELECTOR, "label[for=medication]").text
    field.send_keys("LDN", Keys.ENTER)  # the keyboard alone
    WebDriverWait(driver, 20).until(
        shown.text_to_be_present_in_element((By.ID, "advice"), "4.5 mg")
    )
    advice = driver.find_element(By.ID, "advice")
    assert "naltrexone" in advice.text and "13.5 mg" in advice.text
    link = advice.find_element(By.CSS_SELECTOR, 'a[aria-label^="Watch at 00:01:46"]')
    assert link.get_attribute("href").endswith("#t=106")
    driver.get(link.get_attribute("href"))
    assert driver.current_url.endswith("/video#t=106")


def test_doses_by_indication_with_badges_sponsor_reads_hidden_and_the_view_across(  # type: ignore[no-untyped-def]
    site: str, driver
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as shown
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(site + "/")
    driver.find_element(By.ID, "medication").send_keys("naltrexone", Keys.ENTER)
    WebDriverWait(driver, 20).until(shown.presence_of_element_located((By.ID, "across-episodes")))
    across = {
        row.find_element(By.TAG_NAME, "td").text: [
            cell.text for cell in row.find_elements(By.TAG_NAME, "td")
        ]
        for row in driver.find_elements(By.CSS_SELECTOR, "#across-episodes tbody tr")
    }
    # Condition, typical dose, range, doses, episodes, speakers.
    assert across["multiple sclerosis (G35)"] == [
        "multiple sclerosis (G35)", "4.5 mg", "3-12 mg", "3", "3", "2",
    ]  # fmt: skip
    groups = driver.find_elements(By.CSS_SELECTOR, ".dose-group")
    headings = [group.find_element(By.TAG_NAME, "caption").text for group in groups]
    assert headings[0] == "multiple sclerosis (G35)" and headings[-1] == "No condition said"
    rows = groups[0].find_elements(By.CSS_SELECTOR, "tbody tr")
    practice = next(row for row in rows if "Ann Lee" in row.text)
    badges = [badge.text for badge in practice.find_elements(By.CSS_SELECTOR, ".badge")]
    assert badges == ["Practice", "Ann Lee"] and "4.5 mg" in practice.text
    # The sponsor read's dose is there, hidden until asked for.
    advert = next(row for row in rows if "Sponsor read" in row.get_attribute("textContent"))
    assert not advert.is_displayed()
    toggle = driver.find_element(By.ID, "show-sponsored")
    toggle.click()
    assert advert.is_displayed() and "50 mg" in advert.text and "Bob King" in advert.text
    toggle.click()
    assert not advert.is_displayed()
    disagreements = driver.find_element(By.ID, "disagreements").text
    assert "multiple sclerosis: Doses more than twice apart" in disagreements
    assert "4.5 mg" in disagreements and "12 mg" in disagreements
    assert "fibromyalgia: One says it is used for this, the other denies it" in disagreements


def test_search_transcripts(site: str, driver) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shown
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(site + "/")
    driver.find_element(By.ID, "query").send_keys("microglia")
    driver.find_element(By.CSS_SELECTOR, "#search button").click()
    WebDriverWait(driver, 20).until(
        shown.text_to_be_present_in_element((By.ID, "hits"), "matching moments")
    )
    first = driver.find_element(By.CSS_SELECTOR, "#hits tbody tr")
    assert first.find_elements(By.TAG_NAME, "mark")
    assert "00:01:22" in first.text


NETWORK = {"http", "https", "ws", "wss"}


def editor_text(driver, area: str) -> str:  # type: ignore[no-untyped-def]
    """The whole text of a GraphiQL editor: CodeMirror draws only the lines in view."""
    text: str = driver.execute_script(
        "const editor = document.querySelector(arguments[0] + ' .CodeMirror');"
        "return editor ? editor.CodeMirror.getValue() : '';",
        area,
    )
    return text


def test_graphiql_offline_with_the_dosing_advice(site: str, driver) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("performance")  # what earlier tests' pages requested
    driver.get_log("browser")
    driver.get(site + "/graphql")
    WebDriverWait(driver, 20).until(
        lambda _: "query DosingAdvice" in editor_text(driver, ".graphiql-query-editor")
    )
    assert driver.find_elements(By.CSS_SELECTOR, ".graphiql-container")
    assert '"LDN"' in editor_text(driver, ".graphiql-editor-tool")
    driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    WebDriverWait(driver, 20).until(lambda _: editor_text(driver, ".graphiql-response"))
    answer = json.loads(editor_text(driver, ".graphiql-response"))
    assert answer["data"]["medication"]["name"] == "naltrexone"
    assert 4.5 in {dosage["value"] for dosage in answer["data"]["medication"]["dosages"]}
    messages = [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]
    requested = [
        message["params"]["request"]["url"]
        for message in messages
        if message["method"] == "Network.requestWillBeSent"
    ]
    assert any(url.endswith("/static/graphiql/graphiql.min.js") for url in requested)
    # data: (GraphiQL's fonts) and chrome: (the browser's own pages) never leave the browser.
    network = [urlsplit(url) for url in requested if urlsplit(url).scheme in NETWORK]
    outside = [url.geturl() for url in network if url.netloc != urlsplit(site).netloc]
    assert not outside, outside
    problems = [
        entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
    ]
    assert not problems, problems
