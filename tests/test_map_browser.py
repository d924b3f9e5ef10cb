"""map.html in a real browser: headless Chromium from the system packages.

The page must run without console errors with the network closed (the basemap tiles
fail to load, and only those failures are excused), every layer must draw, and a
compound named ``<img src=x onerror=alert(1)>`` must show up as text in its tooltip,
popup and the legend without any ``<img>`` element being created.

Chromium comes from Debian's ``chromium`` and ``chromium-driver`` packages: the
fixture installs them with apt-get when they are missing and the tests run as root
(as in CI), and skips otherwise. The Python driver is selenium 4 (the ``test`` extra).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely

from jinfeng_grid import io, render
from jinfeng_grid.plan import read_plan

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
HOSTILE = "<img src=x onerror=alert(1)>"
#: the only requests allowed to fail: basemap tiles (the network is closed)
TILE_PREFIXES = ("https://tile.openstreetmap.org/",)

pytestmark = pytest.mark.slow


def _install_chromium() -> None:
    """Install Chromium and its driver from the system packages, or skip."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip(
            "headless-browser test needs /usr/bin/chromium and /usr/bin/chromedriver: "
            "install the packages chromium and chromium-driver (apt-get, as root)"
        )
    command = ["apt-get", "install", "-y", "chromium", "chromium-driver"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)
    if done.returncode != 0:
        # a fresh container has no package lists yet
        subprocess.run(["apt-get", "update"], capture_output=True, timeout=600, env=env)
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)
    if done.returncode != 0 or not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail(f"apt-get could not install chromium and chromium-driver:\n{done.stderr}")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A headless Chromium driven by selenium, logging the browser console."""
    _install_chromium()
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium (the test extra) is not installed"
    )
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _hostile_plan(tmp_path: Path) -> Path:
    """A plan directory of two compounds, one with a hostile name, one community."""
    x0, y0 = 607_000.0, 4_261_000.0
    boxes = [shapely.box(x0, y0, x0 + 100, y0 + 100), shapely.box(x0 + 120, y0, x0 + 220, y0 + 100)]
    crs = "EPSG:4544"
    compounds = gpd.GeoDataFrame(
        {
            "compound_id": ["C1", "C2"],
            "name": [HOSTILE, "枫林湾"],
            "households": [300, 250],
            "population": [900, 700],
            "subdistrict": ["北京中路"] * 2,
            "community": ["康平", HOSTILE],
            "community_id": ["640106001001"] * 2,
            "subdistrict_id": ["640106001"] * 2,
            "community_name": [HOSTILE] * 2,
        },
        geometry=boxes,
        crs=crs,
    )
    communities = gpd.GeoDataFrame(
        {
            "community_id": ["640106001001"],
            "name": [HOSTILE],
            "subdistrict": ["北京中路"],
            "households": [550],
            "population": [1600],
            "compounds": [2],
            "oversize": [False],
            "within_bounds": [True],
            "grids": [2],
        },
        geometry=[shapely.union_all(boxes)],
        crs=crs,
    )
    grids = gpd.GeoDataFrame(
        {
            "grid_id": ["640106001001001", "640106001001002"],
            "name": [HOSTILE, "第2网格"],
            "community_id": ["640106001001"] * 2,
            "community_name": [HOSTILE] * 2,
            "households": [300, 250],
            "population": [900, 700],
            "within_bounds": [True, False],
            "oversize": [False, False],
        },
        geometry=boxes,
        crs=crs,
    )
    facilities = gpd.GeoDataFrame(
        {"id": ["PR01", "X1"], "kind": ["police_room", HOSTILE], "name": [HOSTILE, "其他"]},
        geometry=[shapely.Point(x0 + 50, y0 + 50), shapely.Point(x0 + 170, y0 + 50)],
        crs=crs,
    )
    out = tmp_path / "plan"
    io.write_plan_outputs(
        out,
        layers={
            "compounds": compounds,
            "communities": communities,
            "grids": grids,
            "facilities": facilities,
        },
        tables={},
        summary={"provenance": {"scenario": {"report": {"district_name": HOSTILE}}}},
    )
    return out


# Turn every overlay on, then open every tooltip and popup one by one and collect
# their text; count the <img> elements that are not tiles.
_EXERCISE = """
const done = arguments[arguments.length - 1];
const map = Object.values(window).find((v) => v instanceof L.Map);
document.querySelectorAll('.leaflet-control-layers-overlays input[type=checkbox]')
  .forEach((box) => { if (!box.checked) { box.click(); } });
const tooltips = [], popups = [];
let features = 0;
map.eachLayer((layer) => {
  if (!layer.feature) { return; }
  features += 1;
  // tooltips and popups are bound to each GeoJSON group: hover and click the
  // feature as a user would, through the events it passes to its group
  const group = Object.values(layer._eventParents || {})[0];
  const at = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
  if (group && group.getTooltip()) {
    layer.fire('mouseover', {latlng: at}, true);
    tooltips.push(group.getTooltip().getElement().textContent);
    group.closeTooltip();
  }
  if (group && group.getPopup()) {
    layer.fire('click', {latlng: at}, true);
    popups.push(group.getPopup().getElement().textContent);
    map.closePopup();
  }
});
setTimeout(() => done({
  features: features,
  tooltips: tooltips,
  popups: popups,
  legend: document.querySelector('.jg-legend').textContent,
  title: document.querySelector('.jg-titlebox').textContent,
  images: Array.from(document.querySelectorAll('img'))
    .filter((img) => !img.classList.contains('leaflet-tile')).length,
  paths: document.querySelectorAll('.leaflet-overlay-pane path').length,
}), 500);
"""


def _severe_errors(driver: Any) -> list[dict[str, Any]]:
    """SEVERE console entries other than failed tile requests."""
    errors = []
    for entry in driver.get_log("browser"):
        if entry["level"] != "SEVERE":
            continue
        message = entry["message"]
        if entry.get("source") == "network" and message.startswith(TILE_PREFIXES):
            continue
        errors.append(entry)
    return errors


def test_map_html_runs_without_console_errors_and_shows_hostile_names_as_text(
    browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    path = render.write_map(_hostile_plan(tmp_path), tmp_path / "map.html")
    browser.get_log("browser")  # drop anything logged before this page
    browser.get(path.resolve().as_uri())
    WebDriverWait(browser, 60).until(
        lambda d: d.execute_script(
            "return !!window.L && document.querySelectorAll('.leaflet-overlay-pane path')"
            ".length > 0"
        )
    )
    result = browser.execute_async_script(_EXERCISE)
    # compounds (2), communities (1), current communities (2), grids (2), facilities (2)
    # and their coverage circles (2)
    assert result["features"] == 11
    assert result["paths"] >= 9
    # every feature but the (non-interactive) coverage circles has both
    assert len(result["tooltips"]) == len(result["popups"]) == 9
    hostile_tips = [text for text in result["tooltips"] if HOSTILE in text]
    # the compound, the community, a current community, a grid, a facility
    assert len(hostile_tips) >= 5
    assert any(HOSTILE in text and "小区 Compound" in text for text in result["popups"])
    assert HOSTILE in result["legend"] and HOSTILE in result["title"]
    assert result["images"] == 0, "a name was parsed as HTML: an <img> element was created"
    assert _severe_errors(browser) == []


def test_the_sample_sized_page_draws_every_layer_without_errors(
    browser: Any, tmp_path: Path
) -> None:
    """A district-sized page (a 20 x 20 lattice of compounds) loads and draws."""
    from selenium.webdriver.support.ui import WebDriverWait

    plan_dir = _hostile_plan(tmp_path)
    plan = read_plan(plan_dir)
    x0, y0 = 607_000.0, 4_261_000.0
    boxes = [
        shapely.box(x0 + 120 * c, y0 + 120 * r, x0 + 120 * c + 100, y0 + 120 * r + 100)
        for r in range(20)
        for c in range(20)
    ]
    compounds = gpd.GeoDataFrame(
        {
            "compound_id": [f"C{i:03d}" for i in range(400)],
            "name": [f"小区{i}" for i in range(400)],
            "households": [300] * 400,
            "population": [800] * 400,
            "community": [f"社区{i // 10}" for i in range(400)],
        },
        geometry=boxes,
        crs=plan.compounds.crs,
    )
    big = dataclasses.replace(plan, compounds=compounds)
    m = render.explore_plan(big)
    path = tmp_path / "big.html"
    path.write_text(m.get_root().render(), encoding="utf-8")
    browser.get_log("browser")
    browser.get(path.resolve().as_uri())
    WebDriverWait(browser, 60).until(
        lambda d: d.execute_script("return !!window.L && document.querySelector('.jg-legend')")
    )
    result = browser.execute_async_script(_EXERCISE)
    assert result["features"] == 400 + 1 + 40 + 2 + 2 + 2
    assert len(result["tooltips"]) == result["features"] - 2
    assert result["images"] == 0
    assert _severe_errors(browser) == []


def test_legend_and_layer_control_fold_while_a_popup_is_open(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    path = render.write_map(_hostile_plan(tmp_path), tmp_path / "map.html")
    browser.get_log("browser")
    browser.get(path.resolve().as_uri())
    WebDriverWait(browser, 60).until(
        lambda d: d.execute_script("return !!window.L && document.querySelector('.jg-legend')")
    )
    states = browser.execute_script(
        """
        const map = Object.values(window).find((v) => v instanceof L.Map);
        const layers = document.querySelector('.leaflet-control-layers');
        const state = () => [
          document.querySelector('.jg-legend').open,
          layers.classList.contains('leaflet-control-layers-expanded'),
        ];
        const shown = [state()];
        let feature = null;
        map.eachLayer((l) => { if (!feature && l.feature && l.getBounds) { feature = l; } });
        feature.fire('click', {latlng: feature.getBounds().getCenter()}, true);
        shown.push(state());
        map.closePopup();
        shown.push(state());
        return shown;
        """
    )
    assert states == [[True, True], [False, False], [True, True]]
    assert _severe_errors(browser) == []
