"""Loss explorer (article 000, second half): how wrong is a line? The article's study
hours → exam scores, its line y = 9x + 350 and its MSE — then the learner's own data and
line, four losses side by side, the loss landscape with the best line, and gradient
descent finding that line (or not: unscaled hours need a tiny learning rate)."""
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

import dlcore
from dlcore.budget import fit_budget
from dlcore.line_explorer import (MAX_POINTS, X_LIMIT, Y_LIMIT, loss_script, loss_shares, parse_points,
                                  path_to_original, slider_ranges, to_model)
from dlcore.lines import line_report
from dlcore.theory import quadratic_theory
from ui import compute
from ui.charts.core import loss_chart
from ui.charts.loss_explorer import landscape_chart, rate_chart, residual_chart, shares_chart, zoom_window
from ui.charts.render import chart, draw
from ui.layout import code, fmt, note_box, share_hint, table
from ui.params import PageState, Param, log_options

ARTICLE_X = (10.0, 20.0, 30.0, 40.0)
ARTICLE_Y = (480.0, 520.0, 710.0, 680.0)
ARTICLE_LINE = (9.0, 350.0)
DELTAS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0)
# One set of rates for both scalings: 1-2-5 per decade plus points around each divergence threshold.
GD_RATES = tuple(sorted(set(log_options(1e-5, 2.0)) | {0.0012, 0.0013, 0.0014, 0.0015, 0.9, 1.1, 1.5}))
GD_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
DTYPE = "float64"
REACHED = 0.01        # "found it": MSE within 0.01 of the best line's

state = PageState("loss", [
    Param("hours", ARTICLE_X, kind="floats", lo=-X_LIMIT, hi=X_LIMIT, min_items=2, max_items=MAX_POINTS,
          label="hours"),
    Param("scores", ARTICLE_Y, kind="floats", lo=-Y_LIMIT, hi=Y_LIMIT, min_items=2, max_items=MAX_POINTS,
          label="scores"),
    Param("m", ARTICLE_LINE[0], lo=-1e5, hi=1e5, label="slope m"),
    Param("c", ARTICLE_LINE[1], lo=-1e7, hi=1e7, label="intercept c"),
    Param("squares", False, kind="bool", label="show squares"),
    Param("delta", 1.0, lo=0.5, hi=500.0, options=DELTAS, label="Huber δ"),
    Param("std", False, kind="bool", label="standardise hours"),
    Param("lr", 0.001, lo=1e-5, hi=2.0, options=GD_RATES, label="learning rate"),
    Param("steps", 200, kind="int", lo=1, hi=5000, options=GD_STEPS, label="steps"),
    Param("zoom", True, kind="bool", label="zoom"),
])
ss = st.session_state
K_SRC, K_VER, K_BASE, K_EDITED, K_VALID = (f"loss.{k}" for k in ("src", "ver", "base", "edited", "valid"))


def frame(x, y) -> pd.DataFrame:
    """The editor's table; a link with more hours than scores (or the reverse) shows empty cells."""
    n = max(len(x), len(y))
    pad = lambda v: [float(a) for a in v] + [None] * (n - len(v))  # noqa: E731
    return pd.DataFrame({"hours": pad(x), "score": pad(y)}, dtype="float64")


st.title("Loss explorer: how wrong is a line?")
st.markdown(
    "Four students studied **10, 20, 30 and 40 hours** and scored **480, 520, 710 and 680**. The article guesses "
    "the line **score = 9 · hours + 350** and measures how wrong it is with the **mean squared error**. "
    "Edit the data, move the line, compare four ways of measuring the errors — then let gradient descent find "
    "the best line, and see why it struggles unless the hours are rescaled.")

# ---- data and line --------------------------------------------------------------------------------
controls, picture = st.columns([1, 1.75], gap="large")
with controls:
    with st.container(border=True):
        st.markdown("**Your data** — edit cells, add rows at the bottom, select rows to delete them")
        if st.button("Article's data", icon=":material/restart_alt:",
                     help="Back to 10, 20, 30, 40 → 480, 520, 710, 680."):
            state.set("hours", list(ARTICLE_X))
            state.set("scores", list(ARTICLE_Y))
        src = (tuple(state["hours"]), tuple(state["scores"]))
        if ss.get(K_SRC) != src:                       # first visit, a shared link with other data, or a reset
            ss[K_SRC], ss[K_VER], ss[K_BASE], ss[K_EDITED] = src, ss.get(K_VER, 0) + 1, frame(*src), None
        editor_key = f"loss.table.{ss[K_VER]}"
        if editor_key not in ss and ss.get(K_EDITED) is not None:
            ss[K_BASE] = ss[K_EDITED]                  # back on this page: carry on from the table as it was left
        edited = st.data_editor(
            ss[K_BASE], key=editor_key, num_rows="dynamic", hide_index=True, width="stretch",
            height=min(36 * (len(ss[K_BASE]) + 2), 300),
            column_config={
                "hours": st.column_config.NumberColumn("study hours", min_value=-X_LIMIT, max_value=X_LIMIT,
                                                       format="%g"),
                "score": st.column_config.NumberColumn("exam score", min_value=-Y_LIMIT, max_value=Y_LIMIT,
                                                       format="%g")})
        ss[K_EDITED] = edited
        try:
            xs, ys, data_notes = parse_points(edited.get("hours", []), edited.get("score", []))
        except ValueError as e:
            xs, ys = ss.get(K_VALID) or (ARTICLE_X, ARTICLE_Y)
            st.error(f"{e} Until then the page keeps using the last valid data ({len(xs)} points).",
                     icon=":material/block:")
            data_notes = []
        else:
            ss[K_VALID] = (xs, ys)
            if (xs, ys) != src:                         # a valid edit: it becomes the page's data (and the link's)
                state.set("hours", list(xs))
                state.set("scores", list(ys))
                ss[K_SRC] = (xs, ys)
        for n in data_notes:
            st.caption(n)

    data = dlcore.LinearProblem(x=xs, y=ys, names=("m", "c"), title="Study hours → exam score")
    m_star, c_star, mse_star = data.least_squares()
    with st.container(border=True):
        st.markdown("**Your line** — score = m · hours + c")
        if st.button("Article's line: 9 · hours + 350", icon=":material/restart_alt:"):
            state.set("m", ARTICLE_LINE[0])
            state.set("c", ARTICLE_LINE[1])
        # The line as the sliders hold it now (a slider just moved is ahead of the saved settings).
        m_now = state.by_key["m"].clean(ss.get(state.wkey("m"), state["m"]))[0]
        c_now = state.by_key["c"].clean(ss.get(state.wkey("c"), state["c"]))[0]
        rng = slider_ranges(xs, ys, lines=[ARTICLE_LINE, (m_now, c_now)])
        m0, c0 = rng.clamp(m_now, c_now)
        # New data → new slider ranges → Streamlit makes new slider widgets, which would start at their
        # minimum: hand them the current line explicitly.
        if (m0, c0) != (m_now, c_now) or ss.get("loss.ranges") != rng:
            state.set("m", m0)
            state.set("c", c0)
            ss["loss.ranges"] = rng
        m = state.slider("m", "Slope m (points per hour)", min_value=rng.m_lo, max_value=rng.m_hi, step=rng.m_step)
        c = state.slider("c", "Intercept c (points at 0 hours)", min_value=rng.c_lo, max_value=rng.c_hi,
                         step=rng.c_step)
        squares = state.toggle("squares", "Draw each squared error as a square",
                               help="A square on each residual: its area is that point's squared error, so the "
                                    "MSE is the average area.")

res_table, losses = line_report(xs, ys, m, c, state["delta"])
with picture:
    fit_slot = st.empty()               # drawn at the end, with the line gradient descent finds below
    metrics_box = st.container()        # filled once the Huber δ below has been read
    st.caption(f"Line: score = {fmt(m, 6)} · hours + {fmt(c, 6)}. Predictions: "
               + ", ".join(fmt(v, 6) for v in res_table["prediction"][:8])
               + (" …" if len(res_table) > 8 else "") + ".")

# ---- the article's number ---------------------------------------------------------------------------
art_table, art_losses = line_report(ARTICLE_X, ARTICLE_Y, *ARTICLE_LINE)
with st.container(border=True):
    st.markdown("#### Fact check: MSE = 2675.00, not 2550")
    r = art_table["residual"].tolist()
    sq = art_table["squared_error"].tolist()
    st.markdown(
        "The article's code comment says `Output: Loss: 2550.00`, the output printed under it says "
        f"`Loss: {art_losses['MSE']:.2f}`. **{art_losses['MSE']:.2f} is right** — it is what "
        "`torch.mean((Y_true - Y_pred) ** 2)` returns for the predictions "
        + ", ".join(f"{v:g}" for v in art_table["prediction"]) + ":")
    sq_terms = " + ".join(f"{v:g}^2" if v >= 0 else f"({v:g})^2" for v in r)
    st.latex(r"\begin{aligned}\text{MSE} &= \tfrac14\,[\," + sq_terms + r"\,] \\"
             + r"&= \tfrac14\,[\," + " + ".join(f"{v:g}" for v in sq) + r"\,] \\"
             + r"&= " + f"{sum(sq):g}" + r" / 4 = " + f"{art_losses['MSE']:.2f}" + r"\end{aligned}")
    st.markdown(f"A mean of 2550 would need the squared errors to add up to 2550 × 4 = 10200; they add up to "
                f"{sum(sq):g}. The comment is wrong; the printed output is right. "
                + ("*This is the article's data and line — the chart above shows exactly these four errors.*"
                   if (xs, ys) == (ARTICLE_X, ARTICLE_Y) and (m, c) == ARTICLE_LINE else
                   f"*(Your data or line differ from the article's: your MSE is {losses['MSE']:.2f}.)*"))

# ---- residual table ---------------------------------------------------------------------------------
st.subheader("Every error, point by point")
shown = res_table.rename(columns={"x": "hours", "y": "score", "prediction": "prediction ŷ",
                                  "residual": "residual y − ŷ", "squared_error": "squared error",
                                  "abs_error": "absolute error"})
table(shown, "study_hours_residuals.csv", label="Download the table (CSV)",
      height=min(36 * (len(shown) + 1) + 4, 320),
      column_config={c_: st.column_config.NumberColumn(format="%.6g") for c_ in shown.columns})
n = len(res_table)
f1, f2 = st.columns(2, gap="large")
f1.latex(r"\text{MSE} = \frac{1}{n}\sum_i (y_i - \hat y_i)^2 = \frac{" + f"{res_table['squared_error'].sum():.6g}"
         + r"}{" + str(n) + r"} = " + f"{losses['MSE']:.6g}")
f2.latex(r"\text{MAE} = \frac{1}{n}\sum_i |y_i - \hat y_i| = \frac{" + f"{res_table['abs_error'].sum():.6g}"
         + r"}{" + str(n) + r"} = " + f"{losses['MAE']:.6g}")

# ---- four losses --------------------------------------------------------------------------------------
st.subheader("Four losses for the same errors")
cards = st.columns(4, gap="small")
l1, l2 = st.columns([1, 1.25], gap="large")
with l1:
    delta = state.select_slider("delta", "Huber δ — where squared turns into absolute",
                                format_func=lambda v: f"{v:g}")
    res_table, losses = line_report(xs, ys, m, c, delta)
    worst = int(res_table["squared_error"].idxmax())
    sh = loss_shares(xs, ys, m, c, delta)
    mse_share = float(sh[(sh["loss"] == "MSE") & (sh["point"] == worst + 1)]["share"].iloc[0])
    mae_share = float(sh[(sh["loss"] == "MAE") & (sh["point"] == worst + 1)]["share"].iloc[0])
    if losses["MSE"] > 0:
        st.markdown(
            f"The biggest error (at {fmt(xs[worst], 6)} hours, residual {fmt(res_table['residual'][worst], 6)}) "
            f"makes up **{mse_share:.0%} of the MSE** but only **{mae_share:.0%} of the MAE**: squared losses chase "
            "outliers, absolute ones shrug them off.")
        st.markdown(
            f"Huber sits between. With δ = {delta:g}, residuals smaller than δ count squared and larger ones "
            "absolute: raise δ past the largest residual and Huber becomes half the MSE; lower it and it follows "
            "the MAE (minus δ/2).")
with l2:
    chart(shares_chart, sh.assign(point=[f"{v:g} h" for v in sh["x"]]), "point (study hours)",
                                 height=320)
with metrics_box:
    k1, k2, k3, k4 = st.columns(4)
    k1.metric("MSE", f"{losses['MSE']:.2f}", help="mean of the squared residuals — what the article computes")
    k2.metric("RMSE", f"{losses['RMSE']:.2f}", help="√MSE: back in exam points")
    k3.metric("MAE", f"{losses['MAE']:.2f}", help="mean of the absolute residuals")
    k4.metric(f"Huber (δ = {delta:g})", f"{losses['Huber']:.2f}",
              help="½r² for small residuals (|r| ≤ δ), δ(|r| − ½δ) beyond: squared near the line, absolute far off")
CARDS = [
    ("MSE", r"\tfrac{1}{n}\sum r_i^2", f"{losses['MSE']:.2f}", "points² — the article's loss; big errors dominate"),
    ("RMSE", r"\sqrt{\text{MSE}}", f"{losses['RMSE']:.2f}", "exam points — a typical error's size"),
    ("MAE", r"\tfrac{1}{n}\sum |r_i|", f"{losses['MAE']:.2f}", "exam points — every error counts by its size"),
    (f"Huber, δ = {delta:g}", r"\tfrac{1}{n}\sum h_\delta(r_i)", f"{losses['Huber']:.2f}",
     "squared near the line, absolute far from it"),
]
for col, (name, formula, value, note) in zip(cards, CARDS):
    with col, st.container(border=True, height="stretch"):
        st.markdown(f"**{name}**")
        st.latex(formula)
        st.markdown(f"### {value}")
        st.caption(note)

# ---- loss landscape (drawn after the gradient-descent settings below are read) -------------------------
st.subheader("The loss landscape")
st.caption("The MSE of every line (slope, intercept): darker is lower, each band one step of log(MSE) like the "
           "contour lines of a map. ● is your line, ◆ the best line (least squares); the dark path is gradient "
           "descent's, from the section below. The valley is long and thin: many lines through the middle of the "
           "data are almost equally good.")
land_chart, land_info = st.columns([1.75, 1], gap="large")

# ---- gradient descent ---------------------------------------------------------------------------------
st.subheader("Let gradient descent find it")
raw_problem = replace(data, start=(m, c))
std_base = replace(data, standardize=True, names=("w", "b"), title="Study hours (standardised) → exam score")
std_problem = replace(std_base, start=to_model(std_base, m, c))
th_raw, th_std = quadratic_theory(raw_problem), quadratic_theory(std_problem)
gd_controls, gd_result = st.columns([1, 1.5], gap="large")
with gd_controls, st.container(border=True):
    st.markdown(f"**Gradient descent from your line** (score = {fmt(m, 6)} · hours + {fmt(c, 6)}), "
                "plain SGD on the MSE")
    std = state.toggle("std", "Standardise the hours first",
                       help="Feed (hours − mean)/std to the model instead of raw hours; the line found is mapped "
                            "back to score = m · hours + c.")
    lr = state.select_slider("lr", "Learning rate η", format_func=lambda v: f"{v:g}")
    steps_asked = state.select_slider("steps", "Steps", format_func=lambda v: f"{v:g}")
# Both scalings train every rate: budget them as one request.
_, steps, budget_notes = fit_budget(2 * len(GD_RATES), steps_asked, n_params=2, n_examples=len(xs))
note_box(budget_notes)

config = dlcore.TrainConfig(steps=steps, dtype=DTYPE, record_params=True)
runs = tuple(dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=r), label=f"η = {r:g}") for r in GD_RATES)
res_raw = compute.train(raw_problem, runs, config)
res_std = compute.train(std_problem, runs, config)


def outcome(res, scale):
    """Per rate: the loss above the best line after training, and a status."""
    rows = []
    for i, r in enumerate(GD_RATES):
        div = int(res.diverged_at[i])
        final = float(res.loss[res.steps, i]) if div < 0 else np.nan
        gap = final - mse_star if div < 0 else np.nan
        start_gap = float(res.loss[0, i]) - mse_star
        status = ("diverged" if div >= 0 else f"within {REACHED:g}" if gap < REACHED
                  else "growing" if gap > start_gap * 1.0001 else "still descending")
        rows.append({"lr": r, "scale": scale, "gap": gap, "status": status, "diverged_at": div})
    return pd.DataFrame(rows)


sweep = pd.concat([outcome(res_raw, "raw hours"), outcome(res_std, "standardised hours")],
                  ignore_index=True)
res_me, prob_me, th_me = (res_std, std_problem, th_std) if std else (res_raw, raw_problem, th_raw)
i_me = GD_RATES.index(lr)
scale_me = "standardised hours" if std else "raw hours"
mine = sweep[(sweep["scale"] == scale_me) & (sweep["lr"] == lr)].iloc[0]
hist = res_me.history(runs=[i_me], max_points=300)
names = list(prob_me.names)
orig = path_to_original(prob_me, hist[names].to_numpy())
path = hist.assign(m=orig[:, 0], c=orig[:, 1], gap=hist["loss"] - mse_star, label=f"gradient descent, η = {lr:g}")
last = int(res_me.last_step()[i_me])
end_m, end_c = path_to_original(prob_me, res_me.params[last, i_me].astype(np.float64))
div_me = int(res_me.diverged_at[i_me])

lim = th_me.lr_diverge
with gd_result:
    if div_me >= 0:
        st.error(f"**η = {lr:g} diverges** on {scale_me}: it is above 2/λmax = {lim:.4g}. The loss blew up at step "
                 f"{div_me}; the ✕ marks where.", icon=":material/error:")
    elif mine["status"] == "growing":
        st.error(f"**η = {lr:g} is above 2/λmax = {lim:.4g}:** the loss grows every step and would blow up if "
                 "training went on.", icon=":material/error:")
    elif mine["status"].startswith("within"):
        st.success(f"**Found it.** After {steps} steps at η = {lr:g}: score = {end_m:.4f} · hours + {end_c:.3f}, "
                   f"MSE {mse_star + mine['gap']:.4f} (best {mse_star:.4f}).", icon=":material/my_location:")
    else:
        st.warning(f"**Not there yet.** After {steps} steps at η = {lr:g}: score = {end_m:.4f} · hours + "
                   f"{end_c:.3f}, MSE {mse_star + mine['gap']:.2f} — still {mine['gap']:.4g} above the best "
                   f"{mse_star:.2f}.", icon=":material/hourglass_top:")
    q1, q2, q3 = st.columns(3)
    q1.metric("limit 2/λmax", f"{lim:.4g}", help="Plain gradient descent on this MSE diverges for "
              "any learning rate above 2 divided by the largest curvature (Hessian eigenvalue).")
    q2.metric("condition λmax/λmin", f"{th_me.condition:,.0f}",
              help="How much steeper the steepest direction of the bowl is than the flattest.")
    q3.metric("η ÷ limit", f"{lr / lim:.3g}",
              help="Below 1 gradient descent converges (eventually); above 1 it diverges.")

c_a, c_b = st.columns(2, gap="large")
with c_a:
    st.markdown(f"**How close each learning rate gets in {steps} steps**")
    chart(rate_chart, sweep, {"raw hours": th_raw.lr_diverge, "standardised hours": th_std.lr_diverge},
                               chosen={"lr": lr, "scale": scale_me, "gap": float(mine["gap"])}, height=330)
    st.caption(f"Each dot is a full training run of {steps} steps from your line; ✕ = diverged; the ring is your "
               f"choice. Dashed lines: the divergence limits 2/λmax = {th_raw.lr_diverge:.3g} (raw hours) and "
               f"{th_std.lr_diverge:.3g} (standardised). The floor at 10⁻¹² means “exactly the best line” up to "
               "rounding.")
with c_b:
    st.markdown(f"**Your run: loss above the best line, step by step** ({scale_me}, η = {lr:g})")
    chart(loss_chart, path.assign(gap=path["gap"].clip(lower=1e-12)), y="gap", log=True,
          x_title="step", y_title="MSE − best MSE (log)", legend_title="run", height=330, legend={"disable": True})

slow_raw = 1 - th_raw.lr_diverge * 0.99 * th_raw.lambda_min
st.markdown(
    f"**Why raw hours need a tiny step.** The MSE is a bowl whose curvatures are the Hessian's eigenvalues. With raw "
    f"hours the Hessian is [[{th_raw.hessian[0][0]:.4g}, {th_raw.hessian[0][1]:.4g}], [{th_raw.hessian[1][0]:.4g}, "
    f"{th_raw.hessian[1][1]:.4g}]]: λmax = {th_raw.lambda_max:.4g} along the slope, λmin = {th_raw.lambda_min:.4g} "
    f"along the intercept. Any η above 2/λmax = **{th_raw.lr_diverge:.3g}** makes the slope overshoot further every "
    f"step, so η must be tiny — and then the intercept moves almost not at all: even just below the limit its error "
    f"shrinks only ×{slow_raw:.5f} per step. That is the long thin valley above, and the condition number "
    f"{th_raw.condition:,.0f}.")
st.markdown(
    f"**Standardising fixes it.** With x′ = (hours − {std_base.x_scale()[0]:.4g}) / {std_base.x_scale()[1]:.4g} the "
    f"Hessian becomes [[{th_std.hessian[0][0]:.3g}, {th_std.hessian[0][1]:.3g}], [{th_std.hessian[1][0]:.3g}, "
    f"{th_std.hessian[1][1]:.3g}]]: every direction is equally curved (condition {th_std.condition:.3g}), "
    f"every rate below 2/λmax = **{th_std.lr_diverge:.3g}** converges, and η = 1/λ = {1 / th_std.lambda_max:.3g} "
    "lands on the best line in a single step. The fitted w′, b′ are mapped back: m = w′/σ, c = b′ − w′·μ/σ.")

# ---- now the landscape, with the gradient-descent path ---------------------------------------------------
with land_info:
    zoom = state.toggle("zoom", "Zoom in", help="On: just around your line, the best line and gradient descent's "
                                                "path, where the valley and the path along it are visible. Off: the "
                                                "whole range of the sliders.")
window = rng.window
if zoom:
    window = zoom_window(pd.concat([path[["m", "c"]], pd.DataFrame({"m": [m, m_star], "c": [c, c_star]})]),
                         "m", "c", rng.window)
grid = compute.grid(data, window, 60)
with land_chart:
    chart(landscape_chart, grid, window, path.assign(run=0), (m, c), (m_star, c_star), height=400)
with land_info:
    st.metric("best line (least squares)", f"{m_star:.4g} · hours + {c_star:.4g}")
    st.metric("its MSE — the lowest possible", f"{mse_star:.2f}",
              delta=f"{mse_star - losses['MSE']:.2f} vs your line" if abs(mse_star - losses["MSE"]) > 1e-9 else None,
              delta_color="inverse")
    st.button("Use the best line", icon=":material/my_location:", on_click=lambda: ss.update(
        {state.wkey("m"): float(m_star), state.wkey("c"): float(c_star)}))
    if np.isfinite([end_m, end_c]).all() and div_me < 0:
        st.button("Use the line gradient descent found", icon=":material/trending_down:", on_click=lambda: ss.update(
            {state.wkey("m"): float(np.clip(end_m, rng.m_lo, rng.m_hi)),
             state.wkey("c"): float(np.clip(end_c, rng.c_lo, rng.c_hi))}))
    x0, x1, y0, y1 = window
    st.caption(f"Shown: slope {x0:g} to {x1:g}, intercept {y0:g} to {y1:g}"
               + (" (zoomed)." if zoom else " — the sliders' ranges, chosen around the best line."))

# ---- the data chart, with gradient descent's line ------------------------------------------------------
gd_line = None
if div_me < 0 and np.isfinite([end_m, end_c]).all():
    pad = (max(xs) - min(xs)) * 0.08                   # residual_chart's own x padding
    ends = np.array([min(xs) - pad, max(xs) + pad], dtype=float)
    gd_line = pd.DataFrame({"x": ends, "y": end_m * ends + end_c,
                            "label": f"gradient descent ({steps} steps)"})
with fit_slot:
    chart(residual_chart, pd.DataFrame({"x": xs, "y": ys}), m, c, "study hours", "exam score",
                        squares=squares, height=430, extra_lines=gd_line)

# ---- code ---------------------------------------------------------------------------------------------
code(loss_script(xs, ys, m, c, delta), "study_hours_loss.py", label="Show the code: the four losses")
code(compute.script(prob_me, runs[i_me], config), "study_hours_gradient_descent.py",
     label="Show the code: gradient descent")
share_hint(state)
state.finish()
