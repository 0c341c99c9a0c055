"""A small page with a lesson, for the lesson panel's tests: gradient descent on
L(w) = (w - 2)², from w = 0, whose result has a closed form, w_n = 2·(1 − (1 − 2η)^n)."""
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from ui import classroom  # noqa: E402
from ui.lesson_panel import LESSON_PARAMS, LessonPanel  # noqa: E402
from ui.lessons import load_folder  # noqa: E402
from ui.params import PageState, Param  # noqa: E402

FIELDS = {"lr": "number", "epochs": "number", "w_final": "number", "diverged": "bool"}
state = PageState("lessontest", [Param("lr", 0.1, lo=0.01, hi=1.5, label="learning rate"),
                                 Param("epochs", 10, "int", lo=1, hi=100, label="epochs"), *LESSON_PARAMS])
classroom.before_page()      # as app.py does on every page: join a class link, send what waited
panel = LessonPanel(state, "lesson-test", report=load_folder(Path(__file__).parent / "lessons",
                                                             {"lesson-test": FIELDS}))
panel.draw()
lr = state.slider("lr", "Learning rate")
epochs = state.slider("epochs", "Epochs")
w = 2 * (1 - (1 - 2 * lr) ** epochs)
if not panel.hides("w_final"):
    st.metric("w after training", f"{w:.6f}")
panel.conclude({"lr": lr, "epochs": epochs, "w_final": w, "diverged": not math.isfinite(w) or abs(w) > 1e6})
state.finish()
