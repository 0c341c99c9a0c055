"""Gradient descent (article 000, first half): fit y = w·x + b to x = 1..4, y = 2x with
the article's own loop — learning rate 0.01, 100 epochs, w = b = 0 — and open it up:
the loss curve, the ball rolling down the bowl, one epoch at a time with autograd
checked against finite differences, every epoch in a table, and what the article's
printed result really is."""
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

import dlcore
from dlcore.budget import fit_budget
from dlcore.inspect_step import article_fact_check, epoch_table, first_within, line_step
from dlcore.theory import quadratic_theory
from ui import compute
from ui.charts.core import fit_chart
from ui.charts.gradient_descent import bowl_chart, epoch_loss_chart, window_around
from ui.charts.render import chart, draw
from ui.layout import code, fmt, note_box, share_hint, table
from ui.params import PageState, Param, log_options

BASE = dlcore.LINE_FIT                      # x = 1..4, y = 2x, MSE
THEORY = quadratic_theory(BASE)             # Hessian [[15, 5], [5, 2]]
LR_LIMIT = THEORY.lr_diverge                # 2/λmax ≈ 0.1198
LR_OPTIONS = tuple(sorted(set(log_options(1e-4, 0.5)) | {0.03, 0.05, 0.07, 0.11, 0.115, 0.12, 0.125, 0.13, 0.15}))
DTYPE = "float32"                           # the article's tensors are float32
TOL = 1e-3                                  # "w = 2 within 1e-3"
W_STAR, B_STAR, _ = BASE.least_squares()    # (2, 0)
ss = st.session_state

state = PageState("gd", [
    Param("lr", 0.01, lo=1e-4, hi=0.5, options=LR_OPTIONS, label="learning rate"),
    Param("epochs", 100, kind="int", lo=1, hi=5000, label="epochs"),
    Param("w0", 0.0, lo=-5.0, hi=5.0, label="start w"),
    Param("b0", 0.0, lo=-5.0, hi=5.0, label="start b"),
    Param("log", False, kind="bool", label="log-scale loss"),
    Param("epoch", 0, kind="int", lo=0, hi=4999, label="inspected epoch"),
])


@st.cache_data(max_entries=1, ttl=24 * 3600, show_spinner=False)
def fact_check():
    """The article's loop, 2000 epochs: a fixed question, so one cached answer for everyone."""
    return compute.offload(article_fact_check, BASE, lr=0.01, epochs=100, tol=TOL, horizon=2000, dtype=DTYPE,
                           text="Running the article's loop…")


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def epochs_of(problem, params: np.ndarray) -> pd.DataFrame:
    return epoch_table(problem, params, DTYPE)


def f32(v: float) -> str:
    """A float32 value as its shortest round-trip decimal (what the float32 tensor holds)."""
    return str(np.float32(v)) if np.isfinite(v) else fmt(v)


def tex(v: float) -> str:
    """A float32 value for st.latex: shortest round-trip digits, powers of ten written out."""
    if not np.isfinite(v):
        return r"\text{diverged}"
    t = f32(v)
    if "e" in t:
        mant, exp = t.split("e")
        return rf"{mant}\times 10^{{{int(exp)}}}"
    return t


st.title("Gradient descent: fitting y = w·x + b")
st.markdown(
    "The article's experiment, live: four points **x = 1, 2, 3, 4** with **y = 2x**, the model "
    "**ŷ = w·x + b** starting at **w = b = 0**, and the loss **L = mean((ŷ − y)²)**. Every epoch, "
    "autograd computes the slope of the loss and gradient descent steps against it: "
    "**w ← w − η·∂L/∂w**, **b ← b − η·∂L/∂b**. Change the step size η and watch the ball roll down the bowl — "
    "or fly out of it.")

# ---- settings ---------------------------------------------------------------------------------------
with st.container(border=True):
    c_lr, c_ep, c_w, c_b = st.columns([2.2, 1, 1.2, 1.2], gap="medium")
    with c_lr:
        lr = state.select_slider("lr", "Learning rate η", format_func=lambda v: f"{v:g}",
                                 help=f"Log-spaced. Past 2/λmax ≈ {LR_LIMIT:.4f} plain gradient descent diverges "
                                      "on this data.")
    with c_ep:
        epochs_asked = state.number_input("epochs", "Epochs", step=50,
                                          help="Full passes over the four points (one update each).")
    with c_w:
        w0 = state.slider("w0", "Start w", step=0.1)
    with c_b:
        b0 = state.slider("b0", "Start b", step=0.1)

_, epochs, budget_notes = fit_budget(1, epochs_asked, n_params=2, n_examples=4)
problem = replace(BASE, start=(w0, b0))
run = dlcore.RunSpec(dlcore.OptimizerSpec.make("sgd", lr=lr), label=f"η = {lr:g}")
config = dlcore.TrainConfig(steps=epochs, dtype=DTYPE, record_params=True)
res = compute.train(problem, (run,), config)

params = res.params[:, 0, :].astype(np.float64)          # θ_0 … θ_T
div = int(res.diverged_at[0])
last = int(res.last_step()[0])                           # last recorded step (T, or where it diverged)
w_end, b_end = params[last]
loss_end = float(res.loss[last, 0])
reach, stay = first_within(params[: last + 1, 0], W_STAR, TOL)
past_limit = lr > LR_LIMIT
note_box(budget_notes)

# ---- what happened ----------------------------------------------------------------------------------
m1, m2, m3, m4 = st.columns(4)
m1.metric(f"w after {last} epochs", fmt(w_end, 8) if div < 0 else "diverged", help="The article's target is w = 2.")
m2.metric(f"b after {last} epochs", fmt(b_end, 8) if div < 0 else "diverged", help="The article's target is b = 0.")
m3.metric("loss (MSE)", fmt(loss_end, 6) if div < 0 else "diverged")
m4.metric("epochs until |w − 2| < 0.001", str(reach) if reach >= 0 else "never" if div >= 0 else f"> {last}",
          help="The fewest epochs after which w is within 0.001 of 2 (in this run).")

factor_steep = 1 - lr * THEORY.lambda_max
if div >= 0 or past_limit:
    lead = (f"**η = {lr:g} is past the stability limit 2/λmax = {LR_LIMIT:.4f}.** Along the bowl's steepest "
            f"direction every step multiplies the error by 1 − η·λmax = {factor_steep:.3f}; its size is above 1, so "
            "each step overshoots further than the last.")
    if div >= 0:
        first_bad = float(res.loss[div, 0])
        st.error(lead + f" The loss blew up at **epoch {div}** (loss {fmt(first_bad, 4)} from "
                 f"{fmt(float(res.loss[0, 0]), 4)} at the start); training stopped there and the charts end in a ✕.",
                 icon=":material/error:")
    else:
        growth = abs(factor_steep) ** 2
        st.error(lead + f" The loss grows about ×{growth:.3f} per epoch: it is {fmt(loss_end, 4)} after {last} epochs "
                 "and keeps growing without bound — train longer to see it explode.", icon=":material/error:")
elif factor_steep < 0:
    st.warning(f"**η = {lr:g} zig-zags:** it is above 1/λmax = {1 / THEORY.lambda_max:.4f}, so along the steep "
               f"direction each step jumps across the valley (factor {factor_steep:.3f}) — but by less each time, "
               "so it still settles.", icon=":material/swap_horiz:")
else:
    slow = 1 - lr * THEORY.lambda_min
    st.info(f"**η = {lr:g} rolls smoothly downhill.** Across the valley the error shrinks ×{factor_steep:.3f} per "
            f"epoch, but along the valley floor only ×{slow:.5f} — that slow direction is why reaching w = 2 takes "
            "so long.", icon=":material/trending_down:")

# ---- charts -----------------------------------------------------------------------------------------
last_epoch = max(last - 1, 0)            # the last epoch whose start is recorded and finite
epoch_now = state.by_key["epoch"].clean(ss.get(state.wkey("epoch"), state["epoch"]))[0]
# A new slider range makes Streamlit build a new slider, which would start at 0: hand it the epoch.
if epoch_now > last_epoch or ss.get("gd.epoch_max") != last_epoch:
    state.set("epoch", min(epoch_now, last_epoch))
    ss["gd.epoch_max"] = last_epoch

left, right = st.columns(2, gap="large")
with left:
    st.subheader("Loss over epochs")
    log = state.toggle("log", "Log scale", help="A log scale shows the slow final approach (and a blow-up) clearly.")
with right:
    st.subheader("The ball in the bowl")
    st.caption("The loss over every (w, b): darker is lower. The path is gradient descent's (w, b) after each epoch; "
               "◆ marks the start and the best fit (2, 0).")

# ---- step-through -----------------------------------------------------------------------------------
st.subheader("Step through one epoch")
if last_epoch >= 1:
    def nudge(delta: int) -> None:
        key = state.wkey("epoch")
        ss[key] = int(min(max(ss.get(key, state["epoch"]) + delta, 0), last_epoch))

    sl, prev_b, next_b = st.columns([10, 1, 1], vertical_alignment="bottom")
    with sl:
        epoch = state.slider("epoch", "Epoch to inspect (as in `for epoch in range(epochs)`)", min_value=0,
                             max_value=last_epoch, step=1)
    prev_b.button("", icon=":material/chevron_left:", help="Previous epoch", on_click=nudge, args=(-1,),
                  width="stretch", disabled=epoch <= 0)
    next_b.button("", icon=":material/chevron_right:", help="Next epoch", on_click=nudge, args=(1,),
                  width="stretch", disabled=epoch >= last_epoch)
else:
    epoch = 0
    state.set("epoch", 0)
    st.caption("Only epoch 0 was trained: it is shown below.")
s = line_step(problem, float(params[epoch, 0]), float(params[epoch, 1]), lr, DTYPE)
w_next, b_next = params[epoch + 1]

full = res.history()
hist = pd.concat([res.history(max_points=300), full[full["step"] == epoch]]).drop_duplicates("step").sort_values("step")
window = window_around(hist, "w", "b", [(W_STAR, B_STAR), (w0, b0)],
                       cap=3 * max(float(np.hypot(w0 - W_STAR, b0 - B_STAR)), 1.0))
grid = compute.grid(problem, window, 60)
markers = pd.DataFrame({"w": [w0, W_STAR], "b": [b0, B_STAR],
                        "label": [f"start ({w0:g}, {b0:g})", "best fit (2, 0)"]})
with left:
    chart(epoch_loss_chart, hist, log=log, epoch=epoch, height=330)
with right:
    chart(bowl_chart, grid, window, hist, markers, height=330,
                               step={"epoch": epoch, "w": s.w, "b": s.b, "w_next": float(w_next),
                                     "b_next": float(b_next)})
    x0, x1, y0, y1 = window
    if not (x0 <= s.w <= x1 and y0 <= s.b <= y1):
        st.caption(f"At epoch {epoch} the ball is at (w, b) = ({fmt(s.w, 4)}, {fmt(s.b, 4)}) — off this picture: "
                   "it has been thrown out of the bowl.")

fit_col, num_col = st.columns([1, 1.15], gap="large")
with fit_col:
    pts = pd.DataFrame({"x": BASE.x, "y": BASE.y})
    ends = np.array([0.76, 4.24])                       # fit_chart's x range: the data ± 8 %
    after = pd.DataFrame({"x": ends, "y": w_next * ends + b_next,
                          "label": "after this epoch's update"}) if np.isfinite([w_next, b_next]).all() else None
    if after is not None and not np.isfinite(after["y"]).all():
        after = None
    if np.isfinite([s.w, s.b]).all() and abs(s.w) < 1e6 and abs(s.b) < 1e6:
        chart(fit_chart, pts, s.w, s.b, x_title="x", y_title="y", height=350, extra_lines=after,
              props={"title": f"Epoch {epoch}: ŷ = {fmt(s.w, 4)}·x + {fmt(s.b, 4)}"}, legend={"orient": "bottom"})
    else:
        st.info("At this epoch the line is far off the chart — the run has diverged.")
with num_col:
    rows = pd.DataFrame({"x": s.x, "y": s.y, "ŷ = w·x + b": s.pred, "ŷ − y": s.residual,
                         "(ŷ − y)²": np.square(s.residual)})
    st.markdown(f"**Forward pass** at w = `{f32(s.w)}`, b = `{f32(s.b)}`:")
    st.dataframe(rows, hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.6g") for c in rows.columns})
    st.markdown(f"**Loss** L = mean of the last column = **{f32(s.loss)}**")
    grads = pd.DataFrame({
        "gradient": ["∂L/∂w", "∂L/∂b"],
        "autograd": [s.grad_w, s.grad_b], "finite diff.": [s.fd_w, s.fd_b],
        "difference": [s.grad_w - s.fd_w, s.grad_b - s.fd_b]})
    st.markdown("**Backward pass** — what `loss.backward()` puts in `w.grad` and `b.grad`, beside a central "
                "finite difference of the loss:")
    st.dataframe(grads, hide_index=True, width="stretch",
                 column_config={"gradient": st.column_config.TextColumn(width="small"),
                                "autograd": st.column_config.NumberColumn(format="%.8g"),
                                "finite diff.": st.column_config.NumberColumn(format="%.8g"),
                                "difference": st.column_config.NumberColumn(format="%.1e")})
    st.caption("By hand: ∂L/∂w = (2/n)·Σ(ŷ − y)·x and ∂L/∂b = (2/n)·Σ(ŷ − y). "
               f"Autograd works in float32 like the article's tensors; the finite difference "
               f"[L(w + h) − L(w − h)] / 2h uses float64 and h = {s.fd_step:g} (exact for this quadratic loss up to "
               "rounding), so the difference is float32's rounding.")

st.markdown("**Update** — the step against the gradient, with this epoch's numbers:")
st.latex(r"\begin{aligned}"
         rf"w &\leftarrow w - \eta\,\tfrac{{\partial L}}{{\partial w}} = {tex(s.w)} - {lr:g}\times({tex(s.grad_w)})"
         rf" \\ &= {tex(s.new_w)} \\[8pt]"
         rf"b &\leftarrow b - \eta\,\tfrac{{\partial L}}{{\partial b}} = {tex(s.b)} - {lr:g}\times({tex(s.grad_b)})"
         rf" \\ &= {tex(s.new_b)}"
         r"\end{aligned}")
same = (np.float32(s.new_w) == np.float32(w_next)) and (np.float32(s.new_b) == np.float32(b_next))
if same:
    st.success(f"**The training run agrees bit for bit:** after epoch {epoch} it holds w = {f32(w_next)}, "
               f"b = {f32(b_next)} — exactly this update, computed in float32 like the article's tensors.",
               icon=":material/check_circle:")
elif not s.finite or not np.isfinite([w_next, b_next]).all():
    st.error(f"This update leaves the numbers float32 can hold: the run diverged at epoch {div}.",
             icon=":material/error:")
else:
    st.warning(f"The training run holds w = {float(w_next):.8g}, b = {float(b_next):.8g} after this epoch "
               f"(differences {float(w_next) - s.new_w:.2g}, {float(b_next) - s.new_b:.2g}).")

# ---- fact check -------------------------------------------------------------------------------------
st.subheader("Fact check: what does the article's code really print?")
fact_box = st.container(border=True)

# ---- every epoch ------------------------------------------------------------------------------------
st.subheader("Every epoch")
st.caption("Epoch numbers follow the article's loop (`for epoch in range(epochs)`): w and b at the start of the "
           "epoch, the loss there (the article's `losses[epoch]`), the gradients autograd computed, and w, b after "
           "the update. Non-finite values read “diverged”.")
ep = epochs_of(problem, params[: last + 1])
table(ep, f"gradient_descent_lr{lr:g}_{epochs}epochs.csv", label="Download every epoch (CSV)", height=280,
      column_config={c: st.column_config.NumberColumn(format="%.8g") for c in ep.columns if c != "epoch"})

code(compute.script(problem, run, config), "gradient_descent.py")
share_hint(state)

# The fact check trains 2000 epochs once per server (cached for everyone); it is filled in
# last so the rest of the page never waits for it.
with fact_box:
    with st.spinner("Training the article's loop for 2000 epochs to check its printed result…"):
        fc = fact_check()
    a, b = st.columns(2, gap="large")
    with a:
        st.markdown("**The article prints** (lr 0.01, 100 epochs):")
        st.code("Optimized w: 2.0\nOptimized b: -2.220446049250313e-16", language="text")
    with b:
        st.markdown(f"**PyTorch {__import__('torch').__version__.split('+')[0]} prints** for the same code:")
        st.code(f"Optimized w: {fc.w!r}\nOptimized b: {fc.b!r}", language="text")
    st.markdown(
        f"After 100 epochs the line is still **w = {fc.w:.4f}, b = {fc.b:.4f}** (loss {fc.loss:.4f}), not (2, 0). "
        f"w first gets within {fc.tol:g} of 2 after **{fc.reach} epochs**"
        + (" and stays there from then on." if fc.stay == fc.reach else f", and stays within from epoch {fc.stay}.")
        + f" The printed b, −2.22 × 10⁻¹⁶, is exactly −2⁻⁵² — the size of a float64 rounding error — which a float32 "
        "loop stopped after 100 epochs does not produce.")
    st.markdown(
        f"**Why so slow?** The loss is a bowl with curvatures λmax = {fc.lambda_max:.2f} and "
        f"λmin = {fc.lambda_min:.4f} (the Hessian's eigenvalues). Across the valley η = 0.01 removes the error "
        f"fast, but along the flat valley floor the error only shrinks ×(1 − η·λmin) = ×{fc.slow_factor:.5f} per "
        f"epoch. From |w − 2| = {abs(fc.w - 2):.4f} at epoch 100 that needs about "
        f"{fc.predicted_reach() - fc.epochs:.0f} more epochs: theory says ≈ {fc.predicted_reach():.0f}, "
        f"the run measures {fc.reach}.")
state.finish()
