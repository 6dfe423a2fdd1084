"""Copy the browser test's screenshots into the docs, trimming the empty bottom of each page.

Usage: ``python copy_screenshots.py SOURCE_DIR TARGET_DIR``. The browser test saves full-window
screenshots (``test-artifacts/*.png``); most of the app's pages end well before the window does,
so rows of plain background at the bottom are cut, keeping a small margin. Nothing is copied, and
the target is left as it is, when the source holds no PNG.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageChops

#: Rows of background kept below the last row that has content.
MARGIN = 24
#: Largest difference of a colour channel that still counts as background.
TOLERANCE = 8


def trim_bottom(image: Image.Image, margin: int = MARGIN) -> Image.Image:
    """``image`` without the rows at its bottom that repeat its last row (empty background).

    Each column is compared with its own bottom pixel, so a sidebar whose colour differs from the
    page's still counts as background where it is empty.
    """
    rgb = image.convert("RGB")
    last_row = rgb.crop((0, rgb.height - 1, rgb.width, rgb.height)).resize(rgb.size)
    # A tolerance ignores the one-level dithering of borders and shadows.
    changed = ImageChops.difference(rgb, last_row).point(lambda v: 255 if v > TOLERANCE else 0)
    content = changed.getbbox()
    if content is None:
        return image
    bottom = min(rgb.height, content[3] + margin)
    return image.crop((0, 0, image.width, bottom))


def main(source: str, target: str) -> int:
    """Copy every PNG of ``source`` into ``target``, trimmed; returns the exit status."""
    shots = sorted(Path(source).glob("*.png"))
    if not shots:
        print(f"screenshots: none in {source} (the browser test makes them: make test-all)")
        return 0
    out = Path(target)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    for shot in shots:
        with Image.open(shot) as image:
            trim_bottom(image).save(out / shot.name, optimize=True)
    print(f"screenshots: {len(shots)} copied from {source} into {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
