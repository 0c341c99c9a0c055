"""Chart builders for classification: the purchase data, ROC curves, the confusion matrix,
weights (exact zeros marked) and what regularisation strength does."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .core import finite

YES, NO = "#D55E00", "#0072B2"
SPLITS = alt.Scale(domain=["train", "test"], range=["#0072B2", "#D55E00"])


def purchase_scatter(df: pd.DataFrame, height: int = 340) -> alt.Chart:
    """Age vs income of every record, coloured by purchased (the learnable pattern: richer
    and middle-aged people buy more)."""
    d = df.assign(bought=np.where(df["purchased"] == 1, "bought", "did not buy"))
    return alt.Chart(d).mark_circle(size=26, opacity=0.65).encode(
        x=alt.X("age:Q", title="age (years)", scale=alt.Scale(domain=[16, 72], nice=False)),
        y=alt.Y("income:Q", title="income (k$ / year, log scale)", scale=alt.Scale(type="log")),
        color=alt.Color("bought:N", title=None, scale=alt.Scale(domain=["bought", "did not buy"], range=[YES, NO]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("age:Q"), alt.Tooltip("income:Q", format=".1f"), alt.Tooltip("education_level:N", title="education"),
                 alt.Tooltip("bought:N", title="")],
    ).properties(height=height)


def rate_bars(df: pd.DataFrame, by: str, title: str, height: int = 150) -> alt.Chart:
    """Share of buyers per group (bars), with the group size in the tooltip."""
    g = df.groupby(by, observed=True, sort=True)["purchased"].agg(["mean", "size"]).reset_index()
    g[by] = g[by].astype(str)
    return alt.Chart(g).mark_bar(color=YES, opacity=0.85).encode(
        x=alt.X(f"{by}:N", title=title, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("mean:Q", title="bought", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip(f"{by}:N", title=title), alt.Tooltip("mean:Q", title="bought", format=".1%"),
                 alt.Tooltip("size:Q", title="records")],
    ).properties(height=height)


def split_loss_chart(df: pd.DataFrame, log: bool = False, height: int = 320) -> alt.Chart:
    """Train and test loss over epochs. df: step, split, loss."""
    d = finite(df, ["step", "loss"], positive=log)
    return alt.Chart(d).mark_line(strokeWidth=2.4).encode(
        x=alt.X("step:Q", title="epoch"),
        y=alt.Y("loss:Q", title="binary cross-entropy", scale=alt.Scale(type="log") if log else alt.Scale(zero=False)),
        color=alt.Color("split:N", title=None, scale=SPLITS, legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("split:N"), alt.Tooltip("step:Q", title="epoch"), alt.Tooltip("loss:Q", format=".4f")],
    ).properties(height=height)


def roc_chart(df: pd.DataFrame, height: int = 320) -> alt.LayerChart:
    """ROC curves (fpr, tpr) per split, with the chance diagonal. df: fpr, tpr, threshold, split, auc."""
    d = finite(df, ["fpr", "tpr"])
    d = d.assign(name=[f"{s} (AUC {a:.3f})" if np.isfinite(a) else f"{s} (AUC undefined: one class)"
                       for s, a in zip(d["split"], d["auc"])])
    names = list(dict.fromkeys(d["name"]))
    diag = alt.Chart(pd.DataFrame({"fpr": [0, 1], "tpr": [0, 1]})).mark_line(
        color="#9ca3af", strokeDash=[5, 4]).encode(x=alt.X("fpr:Q"), y=alt.Y("tpr:Q"))
    curve = alt.Chart(d).mark_line(strokeWidth=2.4, interpolate="step-after").encode(
        x=alt.X("fpr:Q", title="false positive rate", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("tpr:Q", title="true positive rate (recall)", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("name:N", title=None, sort=names,
                        scale=alt.Scale(domain=names, range=["#0072B2", "#D55E00"][:len(names)]),
                        legend=alt.Legend(orient="bottom-right")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("split:N"), alt.Tooltip("threshold:Q", format=".3f"),
                 alt.Tooltip("fpr:Q", format=".3f"), alt.Tooltip("tpr:Q", format=".3f")])
    return alt.layer(diag, curve).properties(height=height)


def confusion_chart(cm: pd.DataFrame, height: int = 240) -> alt.LayerChart:
    """The 2×2 confusion matrix as shaded cells with their counts and names (rows: actual,
    columns: predicted, the negative class first, as dlcore.metrics.confusion)."""
    names = (("true negatives", "false positives"), ("false negatives", "true positives"))
    rows = [{"actual": a, "predicted": p, "count": int(cm.loc[a, p]), "name": names[i][j]}
            for i, a in enumerate(cm.index) for j, p in enumerate(cm.columns)]
    d = pd.DataFrame(rows)
    d["correct"] = np.where(d["name"].str.startswith("true"), "correct", "wrong")
    base = alt.Chart(d).encode(
        x=alt.X("predicted:N", title=None, sort=list(cm.columns),
                axis=alt.Axis(orient="top", labelAngle=0, labelFontSize=13)),
        y=alt.Y("actual:N", title=None, sort=list(cm.index), axis=alt.Axis(labelFontSize=13)))
    cells = base.mark_rect(stroke="white", strokeWidth=3).encode(
        color=alt.Color("correct:N", scale=alt.Scale(domain=["correct", "wrong"], range=["#cfe3f5", "#f8d5c2"]),
                        legend=None),
        tooltip=[alt.Tooltip("name:N"), alt.Tooltip("count:Q")])
    count = base.mark_text(fontSize=28, fontWeight="bold", dy=-8).encode(text=alt.Text("count:Q"))
    label = base.mark_text(fontSize=12, dy=18, color="#374151").encode(text=alt.Text("name:N"))
    return alt.layer(cells, count, label).properties(height=height)


def weights_chart(df: pd.DataFrame, height: int | None = None) -> alt.LayerChart:
    """Logistic-regression weights per feature as lollipops (a bar from 0 to w, a dot at w);
    weights exactly 0 drawn as a hollow diamond labelled "= 0 exactly". df: feature, weight, is_zero."""
    d = df.assign(zero=0.0, tag=np.where(df["is_zero"], "= 0 exactly", ""),
                  kind=np.where(df["is_zero"], "exactly 0", np.where(df["weight"] > 0, "positive", "negative")))
    feats = list(d["feature"])
    y = alt.Y("feature:N", title=None, sort=feats, scale=alt.Scale(domain=feats), axis=alt.Axis(labelFontSize=13))
    colour = alt.Color("kind:N", title=None, legend=alt.Legend(orient="top"),
                       scale=alt.Scale(domain=["positive", "negative", "exactly 0"],
                                       range=["#1f5fa8", "#c0392b", "#111827"]))
    tip = ["feature:N", alt.Tooltip("weight:Q", format=".6g")]
    nz = d[~d["is_zero"]]
    layers = [alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#6b7280").encode(x=alt.X("x:Q")),
              alt.Chart(nz).mark_rule(strokeWidth=7, opacity=0.85).encode(
                  x=alt.X("zero:Q", title="weight (on standardised features)"), x2=alt.X2("weight:Q"), y=y, color=colour,
                  tooltip=tip),
              alt.Chart(nz).mark_circle(size=120, opacity=1).encode(x=alt.X("weight:Q"), y=y, color=colour, tooltip=tip)]
    zeros = d[d["is_zero"]]
    if len(zeros):
        layers += [alt.Chart(zeros).mark_point(shape="diamond", size=170, filled=False, strokeWidth=2.2).encode(
                       x=alt.X("weight:Q"), y=y, color=colour, tooltip=tip),
                   alt.Chart(zeros).mark_text(align="left", dx=12, fontSize=12, color="#111827").encode(
                       x=alt.X("weight:Q"), y=y, text=alt.Text("tag:N"))]
    return alt.layer(*layers).properties(height=height or alt.Step(32))


def weight_matrix_chart(df: pd.DataFrame, height: int | None = None) -> alt.LayerChart:
    """First-layer weights of an MLP (feature × hidden unit) as a red–blue heatmap; exact zeros
    shown as white cells with a dot. df: feature, unit, weight, is_zero."""
    feats = list(dict.fromkeys(df["feature"]))
    m = float(np.nanmax(np.abs(df["weight"]))) if len(df) else 1.0
    m = m if np.isfinite(m) and m > 0 else 1.0
    base = alt.Chart(df).encode(
        x=alt.X("unit:O", title="hidden unit", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("feature:N", title=None, sort=feats, axis=alt.Axis(labelFontSize=13)))
    cells = base.mark_rect(stroke="white", strokeWidth=0.5).encode(
        color=alt.Color("weight:Q", scale=alt.Scale(scheme="redblue", domain=[-m, m]), title="weight",
                        legend=alt.Legend(orient="top", gradientLength=200)),
        tooltip=[alt.Tooltip("feature:N"), alt.Tooltip("unit:O"), alt.Tooltip("weight:Q", format=".6g")])
    layers = [cells]
    if df["is_zero"].any():
        zeros = df[df["is_zero"]]
        layers.append(alt.Chart(zeros).mark_rect(color="white", stroke="#e5e7eb").encode(
            x=alt.X("unit:O"), y=alt.Y("feature:N", sort=feats)))
        layers.append(alt.Chart(zeros).mark_point(shape="circle", size=14, filled=True, color="#111827").encode(
            x=alt.X("unit:O"), y=alt.Y("feature:N", sort=feats), tooltip=[alt.Tooltip("feature:N"), alt.Tooltip("unit:O"), alt.Tooltip("weight:Q")]))
    return alt.layer(*layers).properties(height=height or alt.Step(26))


def sweep_chart(df: pd.DataFrame, y_title: str, height: int = 280, mark_x: str | None = None,
                integer: bool = False, x_title: str = "regularisation strength λ") -> alt.LayerChart:
    """Metrics against regularisation strength λ (λ = 0 drawn at the left, labelled "0").
    df: lam_label (ordered), value, series, [lam]."""
    order = list(dict.fromkeys(df["lam_label"]))
    d = finite(df, ["value"])
    base = alt.Chart(d).encode(
        x=alt.X("lam_label:O", title=x_title, sort=order, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=integer),
                axis=alt.Axis(format="d", tickMinStep=1) if integer else alt.Axis()),
        color=alt.Color("series:N", title=None, sort=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(range=["#0072B2", "#D55E00", "#009E73", "#6b7280"])),
        tooltip=[alt.Tooltip("series:N", title=""), alt.Tooltip("lam_label:O", title="λ"),
                 alt.Tooltip("value:Q", format=".4g")])
    layers = [base.mark_line(strokeWidth=2.4), base.mark_point(size=70, filled=True)]
    if mark_x is not None:
        label = [lab for lab in order if lab == mark_x]
        if label:
            layers.append(alt.Chart(pd.DataFrame({"lam_label": label})).mark_rule(
                color="#111827", strokeDash=[5, 3], strokeWidth=1.5).encode(x=alt.X("lam_label:O", sort=order)))
    return alt.layer(*layers).properties(height=height)


def path_chart(df: pd.DataFrame, height: int = 300, y_title: str = "weight") -> alt.LayerChart:
    """Regularisation path: each weight against λ (λ = 0 at the left), a line per feature;
    weights exactly 0 marked with a black diamond; with a column ``feature_kind``
    ("real"/"noise"), noise features are dashed. df: lam_label, feature, weight, is_zero[, feature_kind]."""
    order = list(dict.fromkeys(df["lam_label"]))
    feats = list(dict.fromkeys(df["feature"]))
    x = alt.X("lam_label:O", title="L1 strength λ₁", sort=order, axis=alt.Axis(labelAngle=0))
    tip = ["feature:N", alt.Tooltip("lam_label:O", title="λ₁"), alt.Tooltip("weight:Q", format=".6g")]
    enc = dict(x=x, y=alt.Y("weight:Q", title=y_title),
               color=alt.Color("feature:N", title=None, sort=feats, scale=alt.Scale(domain=feats),
                               legend=alt.Legend(orient="right")),
               tooltip=tip)
    if "feature_kind" in df.columns:
        enc["strokeDash"] = alt.StrokeDash("feature_kind:N", title=None, sort=["real", "noise"],
                                           scale=alt.Scale(domain=["real", "noise"], range=[[1, 0], [4, 3]]),
                                           legend=alt.Legend(orient="top"))
    base = alt.Chart(df).encode(**enc)
    layers = [base.mark_line(strokeWidth=2), base.mark_point(size=45, filled=True, opacity=1)]
    zeros = df[df["is_zero"]].assign(mark="◆ = 0 exactly")
    if len(zeros):
        layers.append(alt.Chart(zeros).mark_point(shape="diamond", size=110, filled=True, color="#111827",
                                                  opacity=1).encode(x=x, y=alt.Y("weight:Q"), tooltip=tip + ["mark:N"]))
    return alt.layer(*layers).properties(height=height)
