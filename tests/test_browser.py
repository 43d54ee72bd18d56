"""The web page in a real headless Chromium: look up LDN, follow a timestamp link, search."""

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from tests.conftest import BIN, SEED, free_port, serving, user_environment

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
    subprocess.run([BIN / "claimdex", "ingest", document], cwd=folder, env=env, check=True)
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
