"""Suite-wide settings.

One torch thread: the tests run many tiny tensor ops, where extra threads only contend
(measured on a loaded 2-core machine: a test went from 8.7 s to 0.7 s). The app sets the
same for its sessions (ui/compute.py).

GDL_WORKERS=0: pages under AppTest train in the test's own process, where tests can
patch and inspect them; the worker processes are tested in tests/test_workers.py and by
the browser tests, whose real server starts them (tests/browser/server.py)."""
import os

os.environ["GDL_WORKERS"] = "0"

import torch  # noqa: E402

torch.set_num_threads(1)

# Small Streamlit apps that tests serve or open with AppTest: scripts, not test modules
# (importing one would run its page outside Streamlit).
collect_ignore_glob = ["apps/*", "browser/apps/*"]

# The class store's embedded SQLite goes to a temporary folder, never the repository's data/.
import tempfile  # noqa: E402

os.environ.setdefault("GDL_DATA_DIR", tempfile.mkdtemp(prefix="gdl-test-data-"))
