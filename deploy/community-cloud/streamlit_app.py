"""Streamlit Community Cloud entrypoint: runs the repository's app.py unchanged.

It lives here only so that Community Cloud picks up the requirements.txt beside it (the
CPU-only torch wheel) instead of the root one: Cloud looks for a dependency file in the
entrypoint's folder first, then at the repository root. Cloud starts
`streamlit run deploy/community-cloud/streamlit_app.py` from the repository root, so the
root .streamlit/config.toml still applies.

Community Cloud gives an app about 1 GB of memory, so here the training runs in the
server process by default (GDL_WORKERS=0): a training worker process costs ~300 MB more
(deploy/README.md). To use one anyway, add the root-level secret GDL_WORKERS = "1" in the
app's settings; Cloud hands root-level secrets to the app as environment variables.
"""
import os
import runpy
import sys
from pathlib import Path

os.environ.setdefault("GDL_WORKERS", "0")

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # so app.py and pages can import dlcore/ and ui/

runpy.run_path(str(ROOT / "app.py"), run_name="__main__")
