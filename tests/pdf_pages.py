"""Reading PDFs back in tests: their text through pypdf, a page as a PNG through pdftoppm."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


def pdf_text(data: bytes) -> str:
    """All pages' text, whitespace collapsed (line breaks fall anywhere in a paragraph)."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def page_png(data: bytes, name: str, tmp_path: Path) -> Path:
    """The first page as var/screenshots/NAME.png for a person to look at."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        pytest.skip("pdftoppm (Debian package poppler-utils) is not installed")
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(data)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [tool, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(source),
         str(SCREENSHOTS / name)],
        check=True,
        timeout=60,
    )  # fmt: skip
    png = SCREENSHOTS / f"{name}.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return png
