"""Draw the pages of the 2023 seed report PDF, in English and Russian, into docs/screenshots/.

Run it by hand after changing the report's templates or print stylesheet:
`.venv/bin/python scripts/report_pages.py`. It builds a fresh SQLite register in a temporary
folder from the shared seed register (../shared/data/seed-2023.csv), renders the report of
outgoing requests in 2023 as a PDF in each language, exactly as `rogatory report --format pdf`
and the report page's download make it (the statement included), and writes each page as
docs/screenshots/report-pdf-<language>-<page>.png with `pdftoppm -r 70`, to be looked at.
"""

import argparse
import io
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "data" / "seed-2023.csv"
LANGUAGES = ("en", "ru")
RESOLUTION = "70"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "docs" / "screenshots",
        help="Folder for the PNG files (default: docs/screenshots).",
    )
    parser.add_argument("--seed", type=Path, default=SEED, help="The register file to import.")
    arguments = parser.parse_args()
    if not arguments.seed.is_file():
        sys.exit(f"No register file at {arguments.seed}")
    arguments.output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rogatory-report-pages-") as folder:
        pdfs = _pdfs_render(Path(folder), arguments.seed)
        for language, pdf in pdfs.items():
            _pages_draw(pdf, arguments.output, language)


def _pdfs_render(folder: Path, seed: Path) -> dict[str, Path]:
    os.environ["ROGATORY_DATABASE_URL"] = f"sqlite:///{folder / 'report.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rogatory.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from rogatory.intake.services import register_import
    from rogatory.publication.documents import report_document

    call_command("init", stdout=io.StringIO())
    register_import(actor=None, path=seed)
    pdfs = {}
    for language in LANGUAGES:
        document = report_document(
            format="pdf",
            period_from=date(2023, 1, 1),
            period_to=date(2023, 12, 31),
            direction="outgoing",
            language=language,
        )
        path = folder / f"report-{language}.pdf"
        path.write_bytes(document.content)
        pdfs[language] = path
    return pdfs


def _pages_draw(pdf: Path, output: Path, language: str) -> None:
    for old in output.glob(f"report-pdf-{language}-*.png"):
        old.unlink()
    prefix = output / f"report-pdf-{language}"
    subprocess.run(["pdftoppm", "-r", RESOLUTION, "-png", str(pdf), str(prefix)], check=True)
    # pdftoppm pads page numbers to the width of the last one; keep them plain.
    for page in sorted(output.glob(f"report-pdf-{language}-*.png")):
        number = int(page.stem.rsplit("-", 1)[1])
        target = output / f"report-pdf-{language}-{number}.png"
        if page != target:
            page.rename(target)
        print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)


if __name__ == "__main__":
    main()
