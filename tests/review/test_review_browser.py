"""The demo plan's HTML page, opened in a real browser, is a picture and not a blank page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from PIL import Image

from tests.support import REPO
from tests.support.cli import invoke
from trakt_plan.view.timeline import KEPT_COLOUR, REMOVED_COLOUR

WINDOW = (1000, 1400)
# Debian's package; .ci/run installs it when missing.
CHROMIUM = "chromium"


def _demo_page(tmp_path: Path) -> Path:
    """The HTML page of the demo account's aos-cleanup.yaml, as `plan --format html` prints it."""
    spec = str(REPO / "plans" / "aos-cleanup.yaml")
    run = invoke("--sandbox", "plan", spec, "--format", "html")
    assert run.exit_code == 0, run.stderr
    page = tmp_path / "aos.html"
    page.write_text(run.stdout, encoding="utf-8")
    return page


def screenshot(page: Path, out: Path, profile: Path) -> subprocess.CompletedProcess[str]:
    """Headless Chromium's screenshot of ``page``: no network, no profile of the user's."""
    browser = shutil.which(CHROMIUM)
    assert browser is not None, "install Debian's chromium (apt-get install chromium)"
    return subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            f"--screenshot={out}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _near(pixel: tuple[int, int, int], target: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 40 for a, b in zip(pixel, target, strict=True))


def _colours(image: Image.Image) -> dict[tuple[int, int, int], int]:
    counts = image.getcolors(maxcolors=image.width * image.height)
    assert counts is not None
    return {colour: count for count, colour in counts}


def test_the_demo_plan_page_renders_in_headless_chromium(tmp_path):
    """Chromium draws the page: text, tables and the timeline's crosses and dots are on screen."""
    shot = tmp_path / "page.png"
    run = screenshot(_demo_page(tmp_path), shot, tmp_path / "profile")
    assert run.returncode == 0, run.stderr[-2000:]
    with Image.open(shot) as image:
        assert image.size == WINDOW
        rgb = image.convert("RGB")
        colours = _colours(rgb)
        # Right of the tables' red "-" column: what is red or blue there is the timeline.
        picture = _colours(rgb.crop((100, 0, *WINDOW)))
    total = WINDOW[0] * WINDOW[1]
    ink = total - colours.get((255, 255, 255), 0)
    removed = sum(n for colour, n in picture.items() if _near(colour, _rgb(REMOVED_COLOUR)))
    kept = sum(n for colour, n in picture.items() if _near(colour, _rgb(KEPT_COLOUR)))
    assert len(colours) > 50, "a blank or one-colour page"
    assert 0.02 < ink / total < 0.9
    assert removed > 60, "no removed plays drawn on the timeline"
    assert kept > 300, "no kept plays drawn on the timeline"
