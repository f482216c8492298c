"""LibreOffice and poppler for the tests that open our files as staff would (marker
`libreoffice`; CI runs them once, not on both databases)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def require(*commands: str) -> None:
    """Skip (or, in CI, fail) when a command is missing."""
    missing = [name for name in commands if shutil.which(name) is None]
    if missing:
        message = f"{', '.join(missing)} not installed (apt-get install libreoffice-calc-nogui "
        "libreoffice-impress-nogui poppler-utils fonts-noto-cjk)"
        if os.environ.get("PORTAL_REQUIRE_SERVICES") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def to_pdf(path: Path, workdir: Path) -> Path:
    """Convert an office file to PDF with LibreOffice headless, in a profile of its own (two
    runs at once must not share one), and return the PDF's path."""
    return convert(path, workdir, "pdf")


def convert(path: Path, workdir: Path, fmt: str, options: str = "") -> Path:
    """Convert an office file with LibreOffice headless (to "pdf", "csv"...), with the export
    filter's `options` when given ("csv", "Text - txt - csv (StarCalc):44,34,76" is UTF-8
    CSV): the new file."""
    require("soffice")
    profile = workdir / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            f"{fmt}:{options}" if options else fmt,
            "--outdir",
            str(workdir),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    made = workdir / f"{path.stem}.{fmt}"
    assert made.exists(), f"LibreOffice made no {fmt} of {path.name}"
    return made


def pages_text(pdf: Path) -> list[str]:
    """The text of each page (pdftotext)."""
    require("pdftotext", "pdfinfo")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    count = int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def to_images(pdf: Path, prefix: Path, resolution: int = 60) -> list[Path]:
    """The pages as PNG images (pdftoppm), for a person to look at."""
    require("pdftoppm")
    subprocess.run(
        ["pdftoppm", "-r", str(resolution), "-png", str(pdf), str(prefix)],
        check=True,
        capture_output=True,
    )
    return sorted(prefix.parent.glob(prefix.name + "*.png"))
