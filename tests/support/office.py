"""LibreOffice, headless: proves the exported files open in the office suite people use.

`convert_to_pdf` runs `soffice --convert-to pdf` on the files with a throwaway profile, so it
neither needs nor touches a user's LibreOffice settings, and returns the PDFs' text.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

REQUIRE_OFFICE = os.environ.get("THIDUA_REQUIRE_OFFICE") == "1"


def soffice() -> str:
    """The LibreOffice binary; CI installs it and sets THIDUA_REQUIRE_OFFICE, so it never skips."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if REQUIRE_OFFICE:
            pytest.fail("THIDUA_REQUIRE_OFFICE=1 but LibreOffice (soffice) is not installed")
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    return found


def convert_to_pdf(files: list[Path], out_dir: Path) -> dict[Path, str]:
    """Each file's PDF text, keyed by the source file, after one LibreOffice run for all."""
    profile = out_dir / "lo-profile"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    texts: dict[Path, str] = {}
    for source in files:
        pdf = out_dir / f"{source.stem}.pdf"
        assert pdf.exists(), f"LibreOffice wrote no PDF for {source.name}"
        texts[source] = "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    return texts
