"""A learner's own CSV as a classification problem (issue 17, the shoppers tab): the engine.

References are independent: the CSV read by pandas (its own parser, decimal commas, one-hot
by get_dummies), standardising in numpy, a plain nn.Sequential + torch.optim loop, and
scikit-learn's metrics and ROC curve."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn as nn
from sklearn import metrics as skm

from dlcore import OptimizerSpec, RunSpec, TrainConfig, train
from dlcore.metrics import confusion, evaluate_classifier, roc
from dlcore.problems.base import problem_size
from dlcore.problems.own_classification import (MIN_ROWS, OwnClassification, label_columns, label_values,
                                                prepare)
from dlcore.tabular import DataError, read_table

torch.set_num_threads(1)

PLANS = ("basic", "plus", "pro")


def churn_csv(n: int = 240, seed: int = 3, missing: int = 7) -> bytes:
    """An uploaded-style file: semicolons, decimal commas, a text column with three values,
    a yes/no label, and a few empty cells."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, n)
    fee = np.round(rng.uniform(15, 120, n), 2)
    plan = rng.choice(PLANS, n, p=[0.5, 0.3, 0.2])
    calls = rng.poisson(2.0, n)
    z = -0.08 * tenure + 0.05 * fee + 0.8 * calls - 1.5 * (plan == "pro") - 1.5
    churn = np.where(rng.random(n) < 1 / (1 + np.exp(-z)), "yes", "no")
    lines = ["tenure;monthly fee;plan;support calls;churned"]
    for i in range(n):
        cells = [str(tenure[i]), f"{fee[i]:.2f}".replace(".", ","), plan[i], str(calls[i]), churn[i]]
        lines.append(";".join(cells))
    for k in range(missing):                       # blank one cell in `missing` rows
        i = 1 + (k * 31) % n
        cells = lines[i].split(";")
        cells[k % 4] = ""
        lines[i] = ";".join(cells)
    return ("\n".join(lines) + "\n").encode()


def pandas_reference(raw: bytes, label: str, positive: str):
    """The same data prepared without dlcore: pandas' CSV parser, dropna, one-hot with the
    alphabetically first level as the baseline."""
    df = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",").dropna()
    cols = []
    for c in df.columns:
        if c == label:
            continue
        if not pd.api.types.is_numeric_dtype(df[c]):
            levels = sorted(df[c].unique())
            cols += [(f"{c} = {lv}", (df[c] == lv).astype(float)) for lv in levels[1:]]
        else:
            cols.append((c, df[c].astype(float)))
    X = np.column_stack([v.to_numpy() for _, v in cols])
    y = (df[label] == positive).to_numpy(dtype=np.float64)
    return X, y, [n for n, _ in cols], len(df)


@pytest.fixture(scope="module")
def churn():
    raw = churn_csv()
    return raw, prepare(read_table(raw), "churned", positive="yes")


def torch_loop(X_train, y_train, sizes, opt, lr, epochs, seed, l1=0.0, l2=0.0):
    torch.manual_seed(seed)
    layers = []
    for k, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(i, o))
        if k < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers).double()
    optimizer = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[opt](model.parameters(), lr=lr)
    crit = nn.BCEWithLogitsLoss()
    X, y = torch.tensor(X_train), torch.tensor(y_train).unsqueeze(1)
    for _ in range(epochs):
        loss = crit(model(X), y)
        weights = [p for n, p in model.named_parameters() if n.endswith("weight")]
        if l1:
            loss = loss + l1 * sum(p.abs().sum() for p in weights)
        if l2:
            loss = loss + l2 * sum((p ** 2).sum() for p in weights)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model


def test_the_file_is_read_as_pandas_reads_it_one_hot_and_missing_rows_counted(churn):
    raw, data = churn
    X, y, names, n = pandas_reference(raw, "churned", "yes")
    assert data.feature_names == tuple(names) == ("tenure", "monthly fee", "plan = plus", "plan = pro",
                                                   "support calls")
    assert data.n == n == 240 - 7
    np.testing.assert_array_equal(data.X, X)
    np.testing.assert_array_equal(data.y, y)
    assert (data.positive, data.negative, data.label) == ("yes", "no", "churned")
    notes = " ".join(data.notes)
    assert "7 row(s) with a missing value" in notes and f"({n} kept)" in notes
    assert "'plan' is text with 3 values: one-hot encoded (2 column(s), 'basic' as the baseline)" in notes
    assert "decimal comma" in notes


def test_the_positive_class_is_the_learners_choice(churn):
    raw, _ = churn
    flipped = prepare(read_table(raw), "churned", positive="no")
    X, y, _, _ = pandas_reference(raw, "churned", "no")
    np.testing.assert_array_equal(flipped.y, y)
    assert (flipped.positive, flipped.negative) == ("no", "yes")


def test_label_candidates_are_the_two_valued_columns():
    t = read_table(b"a,b,c,d\n1,x,0,5\n2,y,1,5\n3,x,1,6\n4,z,0,7\n")
    assert label_columns(t) == ("c",)
    assert label_values(t, "c") == ("0", "1") and label_values(t, "b") == ("x", "y", "z")


def test_features_can_be_chosen(churn):
    raw, _ = churn
    d = prepare(read_table(raw), "churned", ["support calls", "tenure"], positive="yes")
    assert d.feature_names == ("support calls", "tenure")


def test_split_is_seeded_stratified_disjoint_and_complete(churn):
    _, data = churn
    p = OwnClassification(data, split_seed=5)
    tr, te = p.split()
    assert len(set(tr) & set(te)) == 0 and sorted(np.concatenate([tr, te])) == list(range(data.n))
    for c in (0, 1):
        n_c = int((data.y == c).sum())
        assert (data.y[te] == c).sum() == round(0.2 * n_c)
    again = OwnClassification(data, split_seed=5).split()
    np.testing.assert_array_equal(again[1], te)
    assert not np.array_equal(OwnClassification(data, split_seed=6).split()[1], te)
    # The split comes from torch.Generator().manual_seed(seed): a permutation per class.
    g = torch.Generator().manual_seed(5)
    expect = []
    for c in (0.0, 1.0):
        rows = np.flatnonzero(data.y == c)
        perm = rows[torch.randperm(len(rows), generator=g).numpy()]
        expect += list(perm[:round(0.2 * len(rows))])
    assert sorted(expect) == list(te)


def test_standardised_with_the_training_rows_only(churn):
    _, data = churn
    p = OwnClassification(data, split_seed=1)
    Xtr, ytr, Xte, yte, mean, std = p.arrays()
    tr, te = p.split()
    X = data.X
    m, s = X[tr].mean(axis=0), X[tr].std(axis=0)
    np.testing.assert_allclose(Xtr, (X[tr] - m) / s, rtol=1e-12)
    np.testing.assert_allclose(Xte, (X[te] - m) / s, rtol=1e-12)
    assert not np.allclose(X[te].mean(axis=0), m)      # the test rows did not shape the scaling
    np.testing.assert_array_equal(ytr, data.y[tr])
    np.testing.assert_array_equal(yte, data.y[te])


@pytest.mark.parametrize("model,opt,lr,l1,l2", [("logistic", "adam", 0.05, 0.0, 0.0),
                                                 ("logistic", "sgd", 0.5, 0.003, 0.01),
                                                 ("mlp", "adam", 0.01, 0.001, 0.003)])
def test_metrics_and_roc_equal_sklearn_on_a_plain_torch_loop(churn, model, opt, lr, l1, l2):
    raw, data = churn
    p = OwnClassification(data, model=model, hidden=(8,), split_seed=2)
    run = RunSpec(OptimizerSpec.make(opt, lr=lr), seed=4, l1=l1, l2=l2)
    res = train(p, [run], TrainConfig(steps=120, dtype="float64"))
    table, probs = evaluate_classifier(p, np.array(res.final_params[0]), dtype="float64")
    # Reference: pandas' data, the engine's split rows, standardised here, torch.optim, sklearn.
    X, y, _, _ = pandas_reference(raw, "churned", "yes")
    tr, te = p.split()
    m, s = X[tr].mean(axis=0), X[tr].std(axis=0)
    Z = (X - m) / s
    net = torch_loop(Z[tr], y[tr], p.sizes, opt, lr, 120, 4, l1, l2)
    with torch.no_grad():
        ref = {split: (y[rows], torch.sigmoid(net(torch.tensor(Z[rows]))).squeeze(1).numpy())
               for split, rows in (("train", tr), ("test", te))}
    for split, (yy, pp) in ref.items():
        np.testing.assert_array_equal(probs[split][0], yy)
        np.testing.assert_allclose(probs[split][1], pp, rtol=1e-9, atol=1e-12)
        pred = (pp >= 0.5).astype(int)
        row = table.loc[split]
        assert row["accuracy"] == pytest.approx(skm.accuracy_score(yy, pred))
        assert row["precision"] == pytest.approx(skm.precision_score(yy, pred, zero_division=0))
        assert row["recall"] == pytest.approx(skm.recall_score(yy, pred, zero_division=0))
        assert row["f1"] == pytest.approx(skm.f1_score(yy, pred, zero_division=0))
        assert row["roc_auc"] == pytest.approx(skm.roc_auc_score(yy, pp))
        curve = roc(*probs[split])
        fpr, tpr, _ = skm.roc_curve(yy.astype(int), pp)
        np.testing.assert_allclose(curve["fpr"], fpr)
        np.testing.assert_allclose(curve["tpr"], tpr)
    cm = confusion(*probs["test"], names=(data.negative, data.positive))
    ref_cm = skm.confusion_matrix(ref["test"][0].astype(int), (ref["test"][1] >= 0.5).astype(int), labels=[0, 1])
    assert cm.to_numpy().tolist() == ref_cm.tolist()
    assert list(cm.index) == ["actual: no", "actual: yes"] and list(cm.columns) == ["predicted: no", "predicted: yes"]
    if model == "logistic" and l1 == 0:
        # it learned: better than always answering the test rows' majority class, and it ranks well
        yt = ref["test"][0]
        assert table.loc["test", "accuracy"] > max(yt.mean(), 1 - yt.mean())
        assert table.loc["test", "roc_auc"] > 0.8


def test_the_problem_is_hashable_and_sized_like_its_network(churn):
    _, data = churn
    a, b = OwnClassification(data, model="mlp", hidden=(8,)), OwnClassification(data, model="mlp", hidden=(8,))
    assert a == b and hash(a) == hash(b)
    assert problem_size(a).n_params == sum(t.numel() for t in nn.Sequential(nn.Linear(5, 8), nn.Linear(8, 1))
                                          .parameters())
    assert problem_size(a).n_train == len(a.split()[0]) and problem_size(a).n_examples == data.n


# ---- bad data: each a clear message --------------------------------------------------------
def rows(header: str, body: list[str]) -> bytes:
    return ("\n".join([header, *body]) + "\n").encode()


def message(raw: bytes, label: str, features=None, positive=None) -> str:
    with pytest.raises(DataError) as e:
        prepare(read_table(raw), label, features, positive)
    return str(e.value)


def test_a_label_with_one_value_says_so():
    raw = rows("x,y", [f"{i},yes" for i in range(20)])
    assert message(raw, "y") == ("The label 'y' has only one value ('yes') in every row: there is nothing to tell "
                                 "apart. A label needs exactly two values, e.g. yes/no or 0/1.")


def test_a_label_with_three_values_says_so():
    raw = rows("x,y", [f"{i},{'abc'[i % 3]}" for i in range(30)])
    assert message(raw, "y") == "The label 'y' must have exactly two values; it has 3 ('a', 'b', 'c')."


def test_a_constant_feature_is_left_out_with_a_note_and_alone_is_an_error():
    raw = rows("x,c,y", [f"{i},7,{'ny'[i % 2]}" for i in range(20)])
    d = prepare(read_table(raw), "y")
    assert d.feature_names == ("x",)
    assert "Column 'c' has the same value in every row; left out." in d.notes
    assert message(raw, "y", ["c"]).startswith("No usable feature columns")


def test_too_few_rows_say_how_many_are_needed():
    raw = rows("x,y", [f"{i},{'ny'[i % 2]}" for i in range(MIN_ROWS - 1)])
    assert message(raw, "y") == (f"Only {MIN_ROWS - 1} complete row(s) to learn from; a train/test split needs at "
                                 f"least {MIN_ROWS}.")


def test_missing_values_leave_too_few_rows():
    body = [f"{i},{'ny'[i % 2]}" if i < 6 else f",{'ny'[i % 2]}" for i in range(20)]
    assert "Only 6 complete row(s)" in message(rows("x,y", body), "y")


def test_a_class_with_one_row_cannot_be_split():
    raw = rows("x,y", [f"{i},{'y' if i == 3 else 'n'}" for i in range(20)])
    assert message(raw, "y") == ("Only 1 row(s) have 'y' = 'y'; each of the two values needs at least two rows "
                                 "(one to learn from, one to test on).")


def test_no_feature_besides_the_label():
    raw = rows("y", [f"{'ny'[i % 2]}" for i in range(20)])
    assert "only the label column 'y'" in message(raw, "y")


def test_unknown_columns_are_named():
    raw = rows("x,y", [f"{i},{'ny'[i % 2]}" for i in range(20)])
    assert message(raw, "z") == "There is no column 'z' to use as the label."
    assert message(raw, "y", ["q"]) == "There is no column 'q' in this table."


def test_a_numeric_label_counts_its_larger_value_as_positive_by_default():
    raw = rows("x,bought", [f"{i},{i % 2}" for i in range(20)])
    d = prepare(read_table(raw), "bought")
    assert (d.negative, d.positive) == ("0", "1")
    np.testing.assert_array_equal(d.y, [i % 2 for i in range(20)])


# ---- "Show the code": the script reproduces the engine's run --------------------------------
@pytest.mark.parametrize("n_rows,embedded", [(60, True), (900, False)])
def test_the_exported_script_reproduces_the_run(tmp_path, monkeypatch, n_rows, embedded):
    import runpy

    from dlcore.codegen import export_script
    from dlcore.problems.own_classification import DATA_FILE
    data = prepare(read_table(churn_csv(n_rows)), "churned", positive="yes")
    p = OwnClassification(data, model="mlp", hidden=(6,), split_seed=7)
    run = RunSpec(OptimizerSpec.make("adam", lr=0.02), seed=7, l2=0.003)
    cfg = TrainConfig(steps=40, dtype="float64")
    src = export_script(p, run, cfg)
    assert ("CSV_LINES = [" in src) == embedded and (DATA_FILE in src) == (not embedded)
    monkeypatch.chdir(tmp_path)
    if not embedded:     # the page's download of the rows as trained on, with its split column
        tr, te = p.split()
        split = np.full(data.n, "train", dtype=object)
        split[te] = "test"
        data.frame().assign(split=split).to_csv(tmp_path / DATA_FILE, index=False)
    (tmp_path / "script.py").write_text(src)
    g = runpy.run_path(str(tmp_path / "script.py"), run_name="__main__")
    np.testing.assert_array_equal(g["train_rows"], p.split()[0])
    np.testing.assert_array_equal(g["X_train"].numpy(), p.arrays()[0])
    res = train(p, [run], cfg)
    np.testing.assert_allclose(g["losses"], res.loss[:40, 0], rtol=1e-10)


def test_too_many_encoded_features_say_how_many_are_allowed():
    from dlcore.problems.own_classification import MAX_FEATURES
    # 12 text columns of 10 values each: 12 · 9 = 108 one-hot columns
    header = ",".join(f"t{j}" for j in range(12)) + ",y"
    rng = np.random.default_rng(0)
    cells = rng.integers(0, 10, (80, 12))
    cells[:10] = np.arange(10)[:, None]        # every value present in every column
    body = [",".join(f"v{c}" for c in row) + f",{'ny'[i % 2]}" for i, row in enumerate(cells)]
    assert message(rows(header, body), "y") == (
        f"With text columns one-hot encoded there are 108 feature columns; at most {MAX_FEATURES} are allowed. "
        "Leave some columns out (text columns with many values count once per value).")


def test_the_notebook_runs_in_a_kernel_and_prints_the_engines_numbers(tmp_path):
    """'Download as a Jupyter notebook' of the own-data script: a real kernel (nbclient) runs it
    and it prints the engine's final train loss, test loss and test accuracy."""
    import nbformat
    from nbclient import NotebookClient

    from dlcore.codegen import export_script
    from dlcore.metrics import evaluate_classifier
    from dlcore.notebook import notebook_bytes
    data = prepare(read_table(churn_csv(60)), "churned", positive="yes")
    p = OwnClassification(data, model="logistic", split_seed=1)
    run = RunSpec(OptimizerSpec.make("sgd", lr=0.3), seed=1)
    cfg = TrainConfig(steps=30, dtype="float64")
    nb = nbformat.reads(notebook_bytes(export_script(p, run, cfg)).decode(), as_version=4)
    NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                      if o.get("output_type") == "stream" and o.get("name") == "stdout")
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    res = train(p, [run], cfg)
    theta = np.array(res.final_params[0])
    table, probs = evaluate_classifier(p, theta, dtype="float64")
    # the script prints the loss before the last update and the final model's test loss and accuracy
    assert (f"train loss {res.loss[29, 0]:.4f}, test loss {res.test_loss[30, 0]:.4f}, "
            f"test accuracy {table.loc['test', 'accuracy']:.3f}") in printed
