"""ui/text/lr_sweep.py on real sweeps: the headline numbers, the charts' legend (against
the chart spec it describes), theory's sentences, the loss-curve and schedule tables and
the range-test verification say what the runs measured (closed forms and plain readings
of the losses written out here)."""
import math
import re

import numpy as np
import pandas as pd
import pytest

from dlcore import PRESETS
from dlcore.lr_study import CHECK_TOLS, fastest_headline, pick_curve_rates
from dlcore.sweep_study import Resolution
from ui.charts import sweep as charts
import ui.compute.lr_sweep as sweep
from ui.text import lr_sweep as text

# How Vega-Lite draws a shape, and what a learner calls a colour (written out independently).
GLYPH = {"cross": "✚", "circle": "dot", "triangle-up": "triangle", "diamond": "diamond"}
COLOUR = {"#D55E00": "red-orange", "#6b7280": "grey", "#E69F00": "orange", "#0072B2": "blue", "#009E73": "green"}


def line_eigs():
    phi = np.stack([np.arange(1.0, 5.0), np.ones(4)], axis=1)
    return np.linalg.eigvalsh(2 / 4 * phi.T @ phi)


def study(**kw):
    req = dict(problem_key="line", optimizer_name="SGD", lo=1e-3, hi=1.0, n_rates=12, steps=1000, tol=1e-3,
               mode="gap", seed=0, batch=0, dtype="float64")
    req.update(kw)
    return sweep.study(sweep.plan_sweep(sweep.SweepRequest(**req)))


@pytest.fixture(scope="module")
def line():
    return study()


def test_headlines_on_the_line_fit(line):
    lmin, lmax = line_eigs()
    h = text.limit_headline(line.prediction, "SGD", line.edges)
    assert (h.label, h.value) == ("Diverges above (theory)", f"{2 / lmax:.4g}")
    div = line.view[line.view["status"] == "diverged"]["lr"]
    ok = line.view[line.view["status"] != "diverged"]["lr"]
    assert h.caption == f"2/λmax · measured: stable at {ok.max():.4g}, diverged at {div.min():.4g}."
    conv = line.view[line.view["status"] == "converged"]
    fast = text.fastest_headline(*fastest_headline(line.edges, 1000), line.prediction)
    best = conv.loc[conv["steps_to_converge"].astype(int).idxmin()]
    assert fast.value == f"{best['lr']:.4g}"
    assert fast.caption == (f"{int(best['steps_to_converge']):,} steps · theory's best fixed rate "
                            f"2/(λmax+λmin) = {2 / (lmax + lmin):.4g}.")
    c = text.counts_headline(line.edges, len(line.view), 1000)
    assert c.label == "Rates that converged (of 12)" and c.value == str(len(conv))
    assert c.caption.startswith(f"{len(div)} diverged · ")
    a = text.article_headline(line.verdict)
    assert a.value == f"{line.verdict['agree']} / 5" and a.caption.endswith("✗ not here.")


def test_limit_headline_without_theory_is_measured():
    s = study(optimizer_name="Adam", lo=0.01, hi=100.0, n_rates=6, steps=100)
    h = text.limit_headline(s.prediction, "Adam", s.edges)
    first = s.view[s.view["status"] == "diverged"]["lr"]
    assert h.label == "First rate that diverged"
    assert h.value == ("none" if first.empty else text.fmt(first.min(), 4))
    assert h.caption.startswith("measured: ")


def test_chart_legend_names_the_marks_the_chart_draws(line):
    """Issue 14 #10: the caption said "Red ✕ along the top" where the chart draws ✚."""
    spec_steps, _ = sweep.sweep_specs(line)
    drawn = {}
    for layer in spec_steps["layer"]:
        enc = layer.get("encoding", {})
        if "shape" in enc and "scale" in enc["shape"]:
            shapes = dict(zip(enc["shape"]["scale"]["domain"], enc["shape"]["scale"]["range"]))
            colours = dict(zip(enc["color"]["scale"]["domain"], enc["color"]["scale"]["range"]))
            drawn.update({k: (GLYPH[shapes[k]], COLOUR[colours[k]]) for k in shapes if shapes[k] in GLYPH})
    legend = text.chart_legend(line.prediction, 0.0, False, charts.mark_names()).lower()
    glyph, colour = drawn["diverged"]
    assert f"{colour} {glyph} along the top" in legend and "✕" not in legend
    glyph, colour = drawn["not converged"]
    assert f"{colour} {glyph}" in legend
    glyph, colour = drawn["Gradient Descent in PyTorch"]
    assert f"{colour} {glyph}" in legend
    assert "green dashed curve" in legend                      # the worst-case curve is drawn (plain SGD)


def test_edge_sentence_follows_the_divergence_limit():
    # Standardised study hours: H = 2·I, so 2/λmax is exactly 1.0 (the mirror point).
    s = study(problem_key="study_std", lo=0.01, hi=0.5, n_rates=3, steps=100)
    assert s.prediction.limit[0] == pytest.approx(1.0, rel=1e-12)
    assert "exactly 1.0" in text.edge_sentence(s.prediction.limit[0])
    lmin, lmax = line_eigs()
    assert text.edge_sentence(2 / lmax) == f"And here every rate above {2 / lmax:.4g} diverges, so 1.0 cannot take 50 steps."
    assert "even 10 does not diverge" in text.edge_sentence(20.0)
    assert "1.0 is stable and 10 diverges" in text.edge_sentence(5.0)


def test_theory_details_state_the_eigenvalues_and_the_plateau():
    s = study(optimizer_name="Momentum", lo=0.002, hi=0.2, n_rates=4, steps=300)
    lmin, lmax = line_eigs()
    parts = text.theory_details(s.prediction, PRESETS["Momentum"])
    assert f"λmax = **{lmax:.5g}**" in parts[0] and f"λmin = **{lmin:.5g}**" in parts[0]
    assert f"{2 * 1.9 / lmax:.5g}" in parts[1]                 # 2(1+μ)/λmax
    r = math.sqrt(0.9)
    assert f"**{(1 - r) ** 2 / lmin:.4g}**" in parts[2] and f"**{(1 + r) ** 2 / lmax:.4g}**" in parts[2]
    legend = text.chart_legend(s.prediction, 0.9, False, charts.mark_names())
    assert f"≈ ln(gap₀/tol)/(−ln μ) = {s.prediction.plateau_steps:.0f} steps" in legend


def test_resolution_note_and_runs_caption():
    note = text.resolution_note(Resolution(2017.5, 2.0 ** -13, True), 1e-3)
    assert "float32](" in note and "stores a loss near 2017.5 only in steps of 0.00012" in note and "1e-3" not in note
    assert "a tolerance of 0.001 " in note
    cap = text.runs_caption(12, 1e-3, "optimum", 0.0, 0.0)
    assert "within 0.001 of the known optimum 0." in cap and cap.startswith("The 12 rates")


def test_curve_rows_and_bullets_read_the_sweep(line):
    chosen = pick_curve_rates(line.view)
    c = sweep.curves(line, [])
    assert [r for r, _ in c.chosen] == ["too small", "good", "too large"] == [r for r, _ in chosen]
    rows = text.curve_rows(c.chosen, c.rows, line.table)
    for (role, lr), (_, row) in zip(c.chosen, rows.iterrows()):
        t = line.table.iloc[int(np.argmin(np.abs(line.table["lr"] - lr)))]
        assert row["run"] == f"{role} · η = {lr:.3g}" and row["status"] == t["status"]
        n = t["steps_to_converge"]
        assert row["steps to converge"] == ("—" if pd.isna(n) else f"{int(n):,}")
        d = t["diverged_at"]
        assert row["diverged at step"] == ("—" if pd.isna(d) else str(int(d)))
    assert {type(v) for v in rows["diverged at step"]} == {str}          # one type: Arrow needs it
    bullets = text.role_bullets(c.chosen, c.rows, line.table, line.edges["fastest"], 1000, "SGD")
    assert "the fastest rate of the sweep" in bullets and "blows up (✚)" in bullets
    # the curves' chart marks a diverged run with the same ✚ the bullets and caption name
    spec = charts.role_curves_chart(c.history, c.y, c.y_title, c.roles).to_dict()
    assert [l["mark"]["shape"] for l in spec["layer"] if isinstance(l["mark"], dict) and "shape" in l["mark"]] == ["cross"]
    assert "✚" in text.CURVES_CAPTION


def test_article_texts_on_the_line_fit(line):
    summary = text.shape_summary(line.verdict)
    assert summary.startswith(f"**{line.verdict['agree']} of 5 rows agree.**") and "does **not** hold" in summary
    theory = text.article_theory(line.prediction, "SGD", "Line fit y = 2x")
    assert "no quadratic problem, start or tolerance produces that" in theory
    assert theory.endswith(text.edge_sentence(line.prediction.limit[0]))


def test_article_check_texts_on_a_real_check():
    s = study(steps=200, n_rates=3)
    check = sweep.article_check_runs(s)
    m = check.matrix
    holds, sentence = text.check_outcome(m, check.steps, len(check.labels), CHECK_TOLS)
    assert holds == bool(m["shape holds"].any())
    tol_shown, rows = text.check_table(m, 2e-3, CHECK_TOLS)
    assert tol_shown == 1e-3 and len(rows) == len(PRESETS)
    assert set(rows["shape holds"]) <= {"✓", "✗"}
    assert all(v == "—" or re.fullmatch(r"\d+\.\d\d×", v) for v in rows["factor off"])


def test_schedule_table_and_facts_on_a_real_run(line):
    sc = sweep.schedules(line, 0.05)
    kinds = ("constant", "step", "exponential", "cosine", "onecycle")
    tab = text.schedule_table(kinds, sc.outcome)
    assert tab["schedule"].tolist() == list(kinds)
    loss = sc.history.pivot_table(index="step", columns="label", values="loss")
    for k, c in zip(kinds, sc.outcome.converged_at):
        assert tab.set_index("schedule").loc[k, "steps to converge"] == (f"{c:,}" if c >= 0 else "—")
    facts = text.schedule_facts(kinds, sc.outcome, "SGD", 0.05)
    low = kinds[int(np.argmin(sc.outcome.final_loss))]
    assert f"**Lowest final loss: {low}**" in facts and "peak rate η = 0.05." in facts
    assert loss.shape[1] == 5


def test_verification_texts_on_a_real_range_test():
    req = sweep.RangeRequest("sum3", "SGD", 1e-5, 10.0, 40, 0, 40, 0, "float64")
    rt = sweep.range_test(req)
    lr = next(iter(rt.result.suggestions.values()))
    v = sweep.verify(rt, lr)
    finals = v.summary["final_loss"].to_numpy(dtype=float)
    table = text.verification_table(v.summary)
    assert table["final training loss"].tolist() == pytest.approx(finals.tolist(), nan_ok=True)
    best = int(np.nanargmin(np.where(np.isfinite(finals), finals, np.nan)))
    sentence = text.verification_sentence(best, finals[best], v.steps)
    want = ["10× **smaller** than suggested", "the suggested rate itself", "10× **larger** than suggested"][best]
    assert want in sentence and f"After {v.steps:,} steps" in sentence
    cap = text.range_caption(rt.result, "SGD", "Sum of three: 3→4→1 ReLU network", None)
    assert cap.startswith("SGD on Sum of three: 3→4→1 ReLU network · full batch · the test ")


def test_settings_caption_counts_the_swept_rates_like_the_headline():
    """Issue 14 #10: "of 100" beside "104 runs" — the caption says which runs are the grid."""
    from ui.text.lr_sweep import settings_caption
    caption = settings_caption("T", "A.", "SGD", 104, 1000, "float32", 0, None, n_grid=100)
    assert "100 swept rates + 4 of the article's, 104 runs" in caption
    assert "100 runs trained together" in settings_caption("T", "A.", "SGD", 100, 1000, "float32", 0, None, n_grid=100)
