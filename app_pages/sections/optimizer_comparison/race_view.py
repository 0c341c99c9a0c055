"""The race view: the step slider, the Play button and the two charts (paths on the loss
surface, loss against step). A fragment: moving the slider or playing reruns only this part,
and the step still reaches the link."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

import dlcore
from ui import safety
from ui.charts import optimizers as oc
from ui.charts.render import chart, show, spec
from ui.compute import optimizer_comparison as compute
from ui.sections import fragment
from ui.text.optimizer_comparison import step_caption

from .controls import start_clicked
from .settings import PAGE


LOSS_CAPTION = ("Each optimizer has its own colour and line pattern (see the legend) · ■ \"converged\": it stays "
                "within the tolerance from that step · ✚ \"diverged\": the run stopped there.")


def _frames(race, setup, map_ph, loss_ph, y_title: str, log: bool, steps: int) -> None:
    """Animation frames (Play), drawn once each: not worth a spec-cache entry."""
    grid = compute.grid(setup.problem, race.window, 50) if setup.two_d else None
    base = oc.contour_layer(grid, race.window, setup.log_color, *setup.axes) if setup.two_d else None
    for step in sorted(set(np.linspace(0, steps, 21).round().astype(int).tolist())):
        if map_ph is not None:
            show(spec(oc.race_surface_chart(
                grid, race.window, setup.log_color, race.history, step, race.labels, setup.start,
                minima=race.minima, x_title=setup.axes[0], y_title=setup.axes[1], px=setup.axes[0],
                py=setup.axes[1], base=base)), where=map_ph, table=False)
        show(spec(oc.race_loss_chart(race.history, race.labels, log, upto=step, y_title=y_title,
                                     converged=converged_steps(race))), where=loss_ph, table=False)
        time.sleep(0.05)


def _resting(state, race, setup, map_ph, loss_ph, y_title: str, log: bool, step: int) -> None:
    """The resting view, from the spec cache; the map is clickable (a click starts every run there)."""
    if map_ph is not None:
        def on_pick():
            start_clicked(state)
        chart(oc.race_surface_chart, compute.grid(setup.problem, race.window, 50), race.window, setup.log_color,
              race.history, step, race.labels, tuple(setup.start), minima=tuple(race.minima),
              x_title=setup.axes[0], y_title=setup.axes[1], px=setup.axes[0], py=setup.axes[1], pick=True,
              where=map_ph, key=f"{PAGE}.map", on_select=safety.callback(on_pick), selection_mode="pick")
    chart(oc.race_loss_chart, race.history, race.labels, log, upto=step, y_title=y_title, where=loss_ph,
          converged=converged_steps(race))


def converged_steps(race) -> dict:
    """{optimizer: the step from which it stays converged} for the loss chart's markers."""
    return {lab: int(k) for lab, k in zip(race.labels, race.table["converged_at"]) if not pd.isna(k)}


def race_view(state, race, setup, steps: int, log_setting: bool) -> None:
    log = log_setting and not race.negative
    y_title = "f(x, y)" if isinstance(setup.problem, dlcore.SurfaceProblem) else "training loss (MSE)"

    @fragment(state, "step")
    def view() -> None:
        if st.session_state.pop("_opt_start_clicked", False):
            st.rerun()          # a new start point means new runs: rerun the whole page, not just this part
        sl, pl = st.columns([6, 1], vertical_alignment="bottom")
        with sl:
            v = state.follow_slider("step", "Show the race up to step", 0, steps, end=-1,
                                    help="Drag to watch the optimizers move; the dots are where each one is at "
                                         "this step.")
        with pl:
            play = st.button("Play", icon=":material/play_arrow:", width="stretch", key=f"{PAGE}.play",
                             help="Animate the race from step 0 (the slider is a setting; this button only plays).")
        if setup.two_d:
            left, right = st.columns([1.25, 1], gap="medium")
            map_ph, loss_ph = left.empty(), right.empty()
            left.caption("▲ start (the same for all) · ◆ known minimum · ✚ diverged here · dots: every step, so "
                         "their spacing is the step length. **Click the map** (or switch on **Choose the start** "
                         "and type x and y) **to start every optimizer there.**")
            right.caption(LOSS_CAPTION)
        else:
            map_ph, loss_ph = None, st.empty()
            st.caption(LOSS_CAPTION)
        if play:
            _frames(race, setup, map_ph, loss_ph, y_title, log, steps)
            state.set_pending("step", -1)        # the slider jumps to the end on the rerun
            try:
                st.rerun(scope="fragment")
            except StreamlitAPIException:       # not inside a fragment rerun (e.g. the page's first run)
                st.rerun()
        k = steps if v < 0 else v
        _resting(state, race, setup, map_ph, loss_ph, y_title, log, k)
        st.caption(step_caption(race.history, k, race.negative and log_setting))

    view()
