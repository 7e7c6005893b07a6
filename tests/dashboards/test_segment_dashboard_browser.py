"""A segment added to a copy of the dbt project (one SQL file, one YAML) and built shows
in the dashboard's segment list in a real Chromium, with its members, with no change to
the dashboard. The warehouse is built by the real `dbt build` from Shopify orders."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import test_dashboard_browser as served
from test_dashboard_browser import CHROMIUM, CHROMIUM_ARGS, RENDER_MS

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from pipelines.ingest.sources import ingest_all  # noqa: E402
from pipelines.landing import write_jsonl  # noqa: E402
from pipelines.settings import paths  # noqa: E402
from pipelines.transform.build import dbt  # noqa: E402
from pipelines.warehouse import connect, publish_serving_copy  # noqa: E402
from tests.segment_project import SHOPPERS_SQL, SHOPPERS_YAML, add_segment, copy_project  # noqa: E402
from tests.test_data_layer_cases import shop_customer, shopify_order  # noqa: E402

pytestmark = [pytest.mark.browser]

# the browser tests' fixtures: Chromium must be installed; the dashboard served on a free
# port over this module's serving_db
chromium_is_installed = served.chromium_is_installed
dashboard_url = served.dashboard_url

ORDERS = [
    shopify_order(7300000000, "2026-03-20T09:00:00+01:00", shop_customer(7400000000001, "Paolo", "Conti")),
    shopify_order(7300000001, "2026-03-20T10:00:00+01:00", shop_customer(7400000000002, "Elena", "Russo")),
]
BUILD = [
    "build",
    "--select", "+test_shoppers", "segment_catalog", "segment_sizes_daily", "segment_overlap",
    "--indirect-selection", "cautious",
]  # fmt: skip


@pytest.fixture
def serving_db(threadline_home: Path, tmp_path: Path) -> Path:
    """The serving snapshot of a warehouse built from a project with one more segment."""
    project = copy_project(tmp_path / "models")
    add_segment(project, "test_shoppers", SHOPPERS_SQL, SHOPPERS_YAML)
    home = paths(threadline_home).ensure()
    write_jsonl(home.landing / "shopify" / "orders" / "2026-03-21" / "orders.jsonl", ORDERS)
    with connect(home.warehouse) as con:
        ingest_all(con, home)
    dbt(BUILD, home.home, project_dir=project)
    return publish_serving_copy(home.warehouse, home.serving_warehouse)


def test_a_new_segment_shows_in_the_segment_list(dashboard_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 3000})
            page.goto(dashboard_url, wait_until="domcontentloaded")
            listing = page.get_by_test_id("stTable").first
            expect(listing).to_contain_text("test_shoppers", timeout=RENDER_MS)
            row = listing.locator("tr", has_text="test_shoppers")
            expect(row).to_contain_text("Contacts with at least one order that is not cancelled.")
            expect(row).to_contain_text("service")
            expect(row).to_contain_text("qa")
            expect(listing.locator("tr", has_text="repurchase_due")).to_be_visible()

            # pick it: its members and the overlap with the other segment
            # (the dropdown lists only the first options it has room for: type to filter)
            page.get_by_test_id("stSelectbox").filter(has_text="Segment").first.click()
            page.keyboard.type("test_shoppers")
            page.get_by_role("option", name="test_shoppers").click()
            expect(page.get_by_test_id("stMetric").filter(has_text="In test_shoppers")).to_contain_text("2")
            page.screenshot(path=str(tmp_path / "segments.png"), full_page=True)
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()
