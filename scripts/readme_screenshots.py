"""Refresh the README's desk screenshots from the last browser run.

`make test-browser` saves a full-page screenshot of each page it visits in
build/screenshots/; this copies the README's few into docs/screenshots/, cut to the
first screen (1366×900) and reduced to 128 colours (a tenth of the size; text stays
sharp). Usage: .venv/bin/python scripts/readme_screenshots.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "build" / "screenshots"
TARGET = ROOT / "docs" / "screenshots"
PAGES = (
    "00-login",
    "10-dashboard",
    "20-issues-register",
    "30-offline-payments",
    "43-disclosure",
    "51-roster-report",
    "61-proposal-result",
)
HEIGHT = 900


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in PAGES:
        with Image.open(SOURCE / f"{name}.png") as image:
            top = image.crop((0, 0, image.width, min(image.height, HEIGHT))).convert("RGB")
            top.quantize(colors=128, dither=Image.Dither.NONE).save(
                TARGET / f"{name}.png", optimize=True
            )
        print(f"docs/screenshots/{name}.png")


if __name__ == "__main__":
    main()
