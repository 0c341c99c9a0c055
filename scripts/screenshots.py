"""Regenerate the README's page screenshots: docs/screenshots/<url path or "home">.png.

Usage, from the repository root:  python scripts/screenshots.py [OUT_DIR]
Starts `streamlit run app.py` (GDL_APP_DIR picks another app folder), opens every page in
tests/browser/helpers.PAGES at 1400x1800 in Debian's Chromium (tall enough to show each
page's controls and first charts), waits for the script run to finish, and saves a PNG. Exits non-zero if a page does not settle or shows an exception.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser import helpers, server  # noqa: E402


def main(out_dir: Path) -> int:
    failures = []
    with server.serve() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=helpers.CHROMIUM, args=helpers.CHROMIUM_ARGS)
        context = browser.new_context(**{**helpers.DESKTOP, "viewport": {"width": 1400, "height": 1800}})
        for title, path in helpers.PAGES:
            page = context.new_page()
            try:
                helpers.goto(page, url, path)
                helpers.assert_charts_drawn(page, min_count=0)  # let any charts finish drawing
                shot = helpers.screenshot(page, helpers.page_name(path), out_dir)
                errors = helpers.exceptions(page)
                print(f"{title:24} {shot}" + (f"  EXCEPTION: {errors}" if errors else ""))
                if errors:
                    failures.append(title)
            except Exception as exc:  # report every page, then fail
                print(f"{title:24} FAILED: {exc}")
                failures.append(title)
            finally:
                page.close()
        browser.close()
    if failures:
        print(f"problems on: {', '.join(failures)}; server log: {server.LOG}")
    return 1 if failures else 0


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else root / "docs" / "screenshots"))
