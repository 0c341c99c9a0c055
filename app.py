"""Gradient Descent Lab — entry point: `streamlit run app.py`.

Navigation lists the pages in teaching order, and only those whose file exists.
Page paths are built from this file's folder so the app also runs from another
entrypoint (deploy/community-cloud/streamlit_app.py).
"""
from pathlib import Path

import streamlit as st
import torch

HERE = Path(__file__).resolve().parent

# (file, title, url path, icon) in the order the lab teaches.
PAGES = [
    ("home.py", "Home", "", ":material/home:"),
    ("gradient_descent.py", "Gradient descent", "gradient-descent", ":material/trending_down:"),
    ("loss_explorer.py", "Loss explorer", "loss-explorer", ":material/straighten:"),
    ("neural_network.py", "Neural network", "neural-network", ":material/hub:"),
    ("optimizer_comparison.py", "Optimizer comparison", "optimizer-comparison", ":material/sports_score:"),
    ("lr_sweep.py", "Learning-rate sweep", "lr-sweep", ":material/tune:"),
    ("glossary.py", "Glossary", "glossary", ":material/menu_book:"),
    ("teachers.py", "For teachers", "teachers", ":material/co_present:"),
]

from ui.compute import freeze_long_lived_objects, start_workers  # noqa: E402
from ui import classroom  # noqa: E402
from ui.layout import keyboard_scrolling  # noqa: E402
from ui.safety import run_page  # noqa: E402
from ui.style import app_style  # noqa: E402

torch.set_num_threads(1)   # many small concurrent jobs: one thread per session's work
freeze_long_lived_objects()  # once per process: makes Streamlit's per-rerun gc.collect cheap
start_workers()  # once per process, in the background: training on every core (ui/workers.py)

st.set_page_config(page_title="Gradient Descent Lab", page_icon="⛰️", layout="wide",
                   initial_sidebar_state="auto")

pages = [st.Page(HERE / "app_pages" / f, title=t, url_path=u or None, icon=i, default=(u == ""))
         for f, t, u, i in PAGES if (HERE / "app_pages" / f).exists()]
nav = st.navigation(pages)
# Each page its own document title (screen readers and browser tabs name the page).
st.set_page_config(page_title=f"{nav.title} · Gradient Descent Lab")
keyboard_scrolling()    # wide formulas and code blocks: a tab stop and a name, on every page
app_style()             # reduced motion, app-wide CSS (issue 19)
with st.sidebar:
    st.caption("Gradient Descent Lab · every number is computed live by PyTorch "
               f"{torch.__version__.split('+')[0]} from the seed shown.")
if nav.url_path != "teachers":
    classroom.before_page()     # a class link (?class=CODE): offer to join; send answers that waited
run_page(nav)  # a failing page shows a plain message and an error id, never a traceback
