"""ui.text.loss_explorer on real numbers: the losses from numpy / torch.nn.functional,
the Hessian from numpy, gradient descent from plain torch.optim.SGD — never from dlcore."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlcore.lines import line_report
from dlcore.theory import quadratic_theory
from dlcore import LinearProblem
from ui.text import loss_explorer as text

HOURS, SCORES = np.array([10.0, 20.0, 30.0, 40.0]), np.array([480.0, 520.0, 710.0, 680.0])


def refs(m, c, delta=1.0):
    r = SCORES - (m * HOURS + c)
    mse = float(np.mean(r ** 2))
    return {"MSE": mse, "RMSE": mse ** 0.5, "MAE": float(np.mean(np.abs(r))),
            "Huber": F.huber_loss(torch.tensor(m * HOURS + c), torch.tensor(SCORES), delta=delta).item()}


def test_metrics_and_cards_show_the_four_losses():
    table, losses = line_report(HOURS, SCORES, 9, 350, 2.0)
    ref = refs(9, 350, 2.0)
    m = {x.label: x.value for x in text.loss_metrics(losses, 2.0)}
    assert m["MSE"] == f"{ref['MSE']:.0f}" == "2675" and m["Huber (δ = 2)"] == f"{ref['Huber']:.5g}"
    cards = text.loss_cards(losses, 2.0)
    assert [c.value for c in cards] == [f"{ref[k]:.5g}" for k in ("MSE", "RMSE", "MAE", "Huber")]


@pytest.mark.parametrize("value,shown", [(2675.0, "2675"), (2017.5, "2017.5"), (51.7204, "51.72"),
                                         (128475.0, "128475"), (250360000000.0, "2.5e11"), (0.0, "0")])
def test_loss_value_keeps_the_whole_number(value, shown):
    assert text.loss_value(value) == shown and len(shown) <= 7


def test_article_check_shows_the_sum():
    table, losses = line_report(HOURS, SCORES, 9, 350)
    lead, latex, end = text.article_check(table, losses, True, losses["MSE"])
    sq = (SCORES - (9 * HOURS + 350)) ** 2
    assert "**2675.00 is right**" in lead and "440, 530, 620, 710" in lead
    assert f"{sq.sum():g} / 4 = 2675.00" in latex
    assert "add up to 10700" in end and "exactly these four errors" in end
    assert "your MSE is 12.35" in text.article_check(table, losses, False, 12.345)[2]


def sgd_end(lr, steps, m0=9.0, c0=350.0):
    xt, yt = torch.tensor(HOURS), torch.tensor(SCORES)
    w = torch.tensor([m0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([c0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        torch.mean((w * xt + b - yt) ** 2).backward()
        opt.step()
    with torch.no_grad():
        return w.item(), b.item(), float(torch.mean((w * xt + b - yt) ** 2))


def test_descent_verdicts():
    slope, icpt = np.polyfit(HOURS, SCORES, 1)
    best = float(np.mean((SCORES - slope * HOURS - icpt) ** 2))
    m, c, loss = sgd_end(0.001, 200)
    v = text.descent_verdict(0.001, "raw hours", "still descending", -1, 0.00133, 200, (m, c), loss - best, best)
    assert v.kind == "warning" and f"score = {m:.4f} · hours + {c:.3f}" in v.text
    v = text.descent_verdict(0.5, "standardised hours", "within 0.01", -1, 1.0, 1, (slope, icpt), 0.0, best)
    assert v.kind == "success" and "Found it" in v.text
    assert text.descent_verdict(0.002, "raw hours", "diverged", 17, 0.00133, 200, (np.nan, np.nan), np.nan,
                                best).kind == "error"
    assert "grows every step" in text.descent_verdict(0.0014, "raw hours", "growing", -1, 0.00133, 200, (m, c),
                                                      1e5, best).text


def test_theory_sentences_use_the_hessian():
    phi = np.stack([HOURS, np.ones(4)], axis=1)
    hess = 2 / 4 * phi.T @ phi
    lam = np.linalg.eigvalsh(hess)
    th = quadratic_theory(LinearProblem(x=tuple(HOURS), y=tuple(SCORES)))
    m = {x.label: x.value for x in text.theory_metrics(th, 0.001)}
    assert m["limit 2/λmax"] == f"{2 / lam[-1]:.4g}" and m["condition λmax/λmin"] == f"{lam[-1] / lam[0]:,.0f}"
    raw = text.why_raw(th)
    assert f"[[{hess[0][0]:.4g}, {hess[0][1]:.4g}]" in raw and f"**{2 / lam[-1]:.3g}**" in raw
    std = text.why_std(quadratic_theory(LinearProblem(x=tuple(HOURS), y=tuple(SCORES), standardize=True)),
                       HOURS.mean(), HOURS.std())
    assert "condition 1)" in std and "2/λmax = **1**" in std and "[[2, 0], [0, 2]]" in std


def test_predictions_caption_shortens_long_data():
    assert text.predictions_caption(9, 350, [440.0, 530.0]) == "Line: score = 9 · hours + 350. Predictions: 440, 530."
    assert text.predictions_caption(1, 0, range(10)).endswith("6, 7 ….")


# ---- own data (issue 17) ------------------------------------------------------------------------------------
def test_what_standardising_changes_with_this_datas_numbers():
    x = np.array([14.2, 16.4, 11.9, 15.2, 18.5, 22.1, 19.4, 25.1])
    y = np.array([215.0, 325.0, 185.0, 332.0, 406.0, 522.0, 412.0, 614.0])
    phi = np.stack([x, np.ones_like(x)], axis=1)
    lam = np.linalg.eigvalsh(2 / len(x) * phi.T @ phi)
    kappa = lam[-1] / lam[0]
    gap = float(np.mean((y - 400.0) ** 2) - np.mean((y - np.polyval(np.polyfit(x, y, 1), x)) ** 2))
    rho = (kappa - 1) / (kappa + 1)                 # contraction at η* = 2/(λmax + λmin)
    steps = int(np.ceil(np.log(0.01 / gap) / (2 * np.log(rho))))
    raw = quadratic_theory(LinearProblem(x=tuple(x), y=tuple(y)))
    std = quadratic_theory(LinearProblem(x=tuple(x), y=tuple(y), standardize=True))
    names = text.Names.of_columns("temperature", "sales")
    s = text.standardise_effect(raw, std, gap, gap, names)
    assert f"from **{2 / lam[-1]:.3g}** to **1**" in s and f"from **{kappa:,.0f}** to **1**" in s
    assert f"about **{steps:,} steps** on raw temperature and **1** standardised" in s
    assert "about **0 steps**" in text.standardise_effect(raw, std, 0.0, 0.0, names)     # already there


def test_names_of_columns_are_one_inert_line():
    n = text.Names.of_columns("a*b\n<script>" + "x" * 60, "y_[1]")
    assert "\n" not in n.x and "\\*" in n.x and len(n.x_title) == 40 and n.x_title.endswith("…")
    assert n.y == "y\\_\\[1\\]" and n.y_title == "y_[1]"
    assert "sales = " in text.predictions_caption(1.0, 2.0, [3.0], text.Names.of_columns("t", "sales"))


def test_overflowing_losses_and_sampled_charts_are_said_plainly():
    assert text.loss_value(float("inf")) == "overflow" and text.loss_value(float("nan")) == "overflow"
    assert text.drawn_caption(40, 40) == ""
    assert "draws 2,000 of the 10,000 points" in text.drawn_caption(10_000, 2000)
    assert "Overflow" in text.overflow_text("The largest value is 1e+200.")


def test_shares_of_one_point_among_thousands_are_not_rounded_to_zero():
    assert text.share_text(0.26) == "26%" and text.share_text(0.00031) == "0.031%" and text.share_text(0.0) == "0%"
    s = text.outliers_text(99.8, 186.9, 0.00031, 0.00023, text.Names.of_columns("area", "price"), 10_000)
    assert "0.031% of the MSE" in s and "0.023% of the MAE" in s and "one point of 10,000" in s


def test_condition_numbers_and_verdicts_of_any_scale_stay_short():
    assert text.condition_text(4510.2) == "4,510" and text.condition_text(4.5e31) == "4.5e+31"
    names = text.Names.of_columns("x", "y")
    v = text.descent_verdict(5e-32, "raw x", "still descending", -1, 1.3e-31, 200, (1.1e-15, 2.75), 1.26, 0.675,
                             names)
    assert "y = 1.1e-15 · x + 2.75" in v.text and "0.0000" not in v.text


def test_intro_names_the_learners_table_or_the_articles_students():
    from ui.text.loss_explorer import Names, intro
    article = "*Gradient descent from scratch*"
    built_in = intro(article)
    assert built_in.startswith("Four students studied **10, 20, 30 and 40 hours**") and article in built_in
    own = intro(article, 12_345, Names.of_columns("temp [°C]", "ice_cream*sales"))
    assert own.startswith("**Your own data:** 12,345 points of *ice\\_cream\\*sales* against *temp \\[°C\\]*.")
    assert "Four students studied" not in own and article in own     # the built-in example is still named
