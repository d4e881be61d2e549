"""Headless Chromium for the page tests and benchmark: Debian's chromium and chromedriver.

The flags keep a closed network quiet (no sync, updates, or background fetches) and each
session gets a fresh profile, so nothing from an earlier run is reused. When Chromium or its
driver is missing the session fails with a message saying how to install them: ``make setup``
installs both, so a missing browser is a broken set-up, not a reason to skip.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 800) -> Iterator[webdriver.Chrome]:
    """A headless Chromium session with a ``width`` x ``height`` window and logs kept."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if shutil.which(path) is None:
            raise RuntimeError(f"{path} is missing: run `make setup` (apt packages chromium "
                               "and chromium-driver)")
    profile = tempfile.mkdtemp(prefix="bp-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        set_viewport(driver, width, height)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def set_viewport(driver: webdriver.Chrome, width: int, height: int, mobile: bool = False) -> None:
    """Make the page's viewport exactly ``width`` x ``height`` CSS pixels."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def open_page(driver: webdriver.Chrome, page: Path) -> None:
    """Load ``page`` from disk and wait until its script has set up ``window.bpPage``."""
    driver.get(page.resolve().as_uri())
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "(function wait() { window.bpPage ? done(true) : setTimeout(wait, 10); })();")


def requested_urls(driver: webdriver.Chrome) -> list[str]:
    """Every URL the browser asked for since the last call (from the performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls
