"""Streamlit Community Cloud entrypoint: runs the repository's app.py unchanged.

It lives here only so that Community Cloud picks up the requirements.txt beside it (the
CPU-only torch wheel) instead of the root one: Cloud looks for a dependency file in the
entrypoint's folder first, then at the repository root. Cloud starts
`streamlit run deploy/community-cloud/streamlit_app.py` from the repository root, so the
root .streamlit/config.toml still applies.
"""
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # so app.py and pages can import dlcore/ and ui/

runpy.run_path(str(ROOT / "app.py"), run_name="__main__")
