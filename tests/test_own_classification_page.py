"""The shoppers tab on a learner's own CSV (issue 17), in AppTest through the real
st.file_uploader: everything the tab shows works on the uploaded table, choices survive a
trip to the built-in shoppers and back, and bad tables give a plain message (no exception
element).

References: pandas' CSV reader and get_dummies-style one-hot, a plain nn.Sequential +
torch.optim loop, scikit-learn's metrics (tests/test_own_classification.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn import metrics as skm

from dlcore.problems.own_classification import OwnClassification, prepare
from dlcore.tabular import read_table
from tests.nn_page_helpers import dataframe_with, find_data, metric, run_page, texts
from tests.test_own_classification import churn_csv, pandas_reference, rows, torch_loop

torch.set_num_threads(1)


def upload(raw: bytes, name: str = "mine.csv", **query):
    at = run_page(tab="shop", c_src="own", **query)
    at.file_uploader[0].upload(name, raw, "text/csv")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def by_label(widgets, label: str):
    for w in widgets:
        if w.label == label:
            return w
    raise AssertionError(f"no widget {label!r}: {[w.label for w in widgets]}")


@pytest.fixture(scope="module")
def churn_page():
    return upload(churn_csv(), "churn.csv", c_model="logistic", c_opt="adam", c_lr=0.05, c_epochs=150, c_seed=2)


def test_uploaded_table_gets_the_tabs_metrics_equal_to_sklearn_on_a_torch_loop(churn_page):
    at, raw = churn_page, churn_csv()
    shown = texts(at)
    assert "Your data: 233 rows · 5 features → `churned`" in shown
    assert "one\\-hot encoded \\(2 column\\(s\\), 'basic' as the baseline\\)" in shown      # the page says so
    assert "7 row\\(s\\) with a missing value" in shown and "233 kept" in shown
    # Reference: pandas' data, the split rows of the seed, standardised here, torch.optim, sklearn.
    X, y, _, _ = pandas_reference(raw, "churned", "yes")
    tr, te = OwnClassification(prepare(read_table(raw), "churned", positive="yes"), split_seed=2).split()
    m, s = X[tr].mean(axis=0), X[tr].std(axis=0)
    Z = (X - m) / s
    net = torch_loop(Z[tr], y[tr], (5, 1), "adam", 0.05, 150, 2)
    table = dataframe_with(at, "ROC AUC").set_index("split")
    with torch.no_grad():
        for split, r in (("train", tr), ("test", te)):
            p = torch.sigmoid(net(torch.tensor(Z[r]))).squeeze(1).numpy()
            pred = (p >= 0.5).astype(int)
            ref = {"accuracy": skm.accuracy_score(y[r], pred), "precision": skm.precision_score(y[r], pred),
                   "recall": skm.recall_score(y[r], pred), "F1": skm.f1_score(y[r], pred),
                   "ROC AUC": skm.roc_auc_score(y[r], p)}
            for k, v in ref.items():
                assert table.loc[split, k] == pytest.approx(v, abs=1e-9), (split, k)
    # The majority-class baseline beside the accuracy: the test rows' larger class, by name.
    yt = y[te]
    majority = "yes" if yt.mean() > 0.5 else "no"
    assert metric(at, f"Always `{majority}`") == f"{max(yt.mean(), 1 - yt.mean()):.1%}"
    assert metric(at, "Test accuracy") == f"{table.loc['test', 'accuracy']:.1%}"
    # Confusion matrix in the learner's class names; ROC curve of both splits.
    cm = find_data(at, {"actual", "predicted", "count"})
    assert set(cm["actual"]) == {"actual: no", "actual: yes"}
    roc = find_data(at, {"fpr", "tpr", "split"})
    assert set(roc["split"]) == {"train", "test"}


def test_the_l1_and_l2_panels_name_the_learners_features(churn_page):
    at = churn_page
    path = find_data(at, {"feature", "lam_label"})
    assert set(path["feature"]) == {"tenure", "monthly fee", "plan = plus", "plan = pro", "support calls"}
    assert "feature_kind" not in path.columns          # no "real / noise" legend: a learner's table has no noise columns
    sweep = find_data(at, {"lam_label", "series", "value"})
    assert set(sweep["series"]) == {"train loss", "test loss"}
    assert "Dashed: noise features" not in texts(at)


def test_show_the_code_for_own_data(churn_page):
    code = [c.value for c in churn_page.code if "feature_names" in c.value]
    assert code and "label, positive = 'churned', 'yes'" in code[0]
    assert "CSV_LINES = [" in code[0]                 # small data: written into the script
    assert "    'tenure,monthly fee,plan = plus,plan = pro,support calls,churned'," in code[0]
    assert "manual_seed(2)" in code[0] and "torch.optim.Adam(model.parameters(), lr=0.05)" in code[0]


def test_positive_class_and_features_survive_a_trip_to_the_built_in_shoppers():
    at = upload(churn_csv(), "churn.csv", c_epochs=50)
    by_label(at.selectbox, "Counts as positive").set_value("no").run()
    by_label(at.multiselect, "Features (the columns it learns from)").unselect("plan").run()
    assert not at.exception
    assert "Your data: 235 rows · 3 features" in texts(at, "header")     # rows missing only plan come back
    by_label(at.button_group, "Data").set_value("builtin").run()
    assert "Who buys? 1000 shoppers" in texts(at, "header")
    by_label(at.button_group, "Data").set_value("own").run()
    assert not at.exception
    assert "Your data: 235 rows · 3 features → `churned`" in texts(at, "header")
    assert by_label(at.selectbox, "Counts as positive").value == "no"
    assert "plan" not in by_label(at.multiselect, "Features (the columns it learns from)").value
    assert metric(at, "Always `")          # the metrics are back, on the learner's data


@pytest.mark.parametrize("body,says", [
    (rows("x,y", [f"{i},yes" for i in range(20)]), "No column has exactly two different values"),
    (rows("x,y", [f"{i},{'abc'[i % 3]}" for i in range(30)]), "No column has exactly two different values"),
    (rows("x,y", [f"{i},{'ny'[i % 2]}" for i in range(7)]), "Only 7 complete row(s) to learn from; a train/test split "
                                                           "needs at least 10."),
    (rows("c,y", [f"5,{'ny'[i % 2]}" for i in range(20)]), "No usable feature columns"),
    (rows("x,y", [f"{i},{'y' if i == 3 else 'n'}" for i in range(20)]), "Only 1 row(s) have 'y' = 'y'"),
])
def test_bad_tables_give_a_plain_message(body, says):
    at = upload(body)
    errors = " ".join(e.value for e in at.error)
    plain = errors.replace("\\", "")
    assert says in plain, errors
    assert not at.metric                    # nothing trained


def test_missing_values_and_a_constant_feature_are_said_and_training_goes_on():
    body = rows("x,const,z,y", [f"{i},3,{'' if i % 6 == 0 else i % 5},{'ny'[(i // 2) % 2]}" for i in range(40)])
    at = upload(body, c_epochs=20)
    shown = texts(at).replace("\\", "")
    assert "7 row(s) with a missing value" in shown and "(33 kept)" in shown
    assert "Column 'const' has the same value in every row; left out." in shown
    assert "Your data: 33 rows · 2 features" in texts(at, "header")
    assert metric(at, "Test accuracy")


def test_learner_text_is_shown_literally():
    body = rows("**x** <b>a</b>,[link](http://e.x)", [f"{i},{'ny'[i % 2]}" for i in range(20)])
    at = upload(body, c_epochs=10)
    assert "`[link](http://e.x)`" in texts(at, "header")
    assert all("<b>" not in m.value or "`" in m.value for m in at.markdown)


def test_use_the_built_in_data_again_forgets_the_table_and_shows_the_shoppers():
    at = upload(churn_csv(), "churn.csv", c_epochs=20)
    by_label(at.button, "Use the built-in data again").click().run()
    assert not at.exception
    assert "Who buys? 1000 shoppers" in texts(at, "header")
    by_label(at.button_group, "Data").set_value("own").run()
    assert "Upload a CSV or paste a table in the box above" in texts(at, "info")
    assert not at.metric                     # nothing to train on until a new table comes


def test_a_small_table_travels_in_the_link():
    body = ";".join(["hours,tests,passed"] + [f"{h},{h % 3},{'yes' if h > 9 else 'no'}" for h in range(1, 21)])
    at = run_page(tab="shop", c_src="own", c_data=body, c_model="logistic", c_epochs=30)
    assert "Your data: 20 rows · 2 features → `passed`" in texts(at, "header")
    assert metric(at, "Test accuracy").endswith("%")


def test_a_diverged_classifier_on_own_data_shows_diverged_beside_the_named_majority():
    from ui.compute.neural_network import evaluate
    p = OwnClassification(prepare(read_table(churn_csv()), "churned", positive="yes"), split_seed=0)
    yte = p.arrays()[3]
    e = evaluate(p, np.full(6, np.nan))
    assert e.diverged and e.bayes is None and e.names == ("no", "yes")
    assert e.majority == ("yes" if yte.mean() > 0.5 else "no") and e.baseline == max(yte.mean(), 1 - yte.mean())
    at = upload(churn_csv(), c_model="mlp", c_hidden="64,64", c_opt="adam", c_lr="5")     # blows up at once
    assert "diverged" in texts(at, "error")
    assert metric(at, "Test accuracy") == "diverged"
    assert metric(at, "Always `").endswith("%")
    assert not [m for m in at.metric if m.label.startswith("Best possible")]     # no Bayes accuracy for own data


def test_a_new_table_starts_with_all_its_columns_as_features():
    at = upload(churn_csv(), "churn.csv", c_epochs=10)
    by_label(at.multiselect, "Features (the columns it learns from)").unselect("tenure").run()
    assert "Your data: 235 rows · 4 features" in texts(at, "header")        # rows missing only tenure come back
    other = rows("a,b,c,y", [f"{i},{i % 4},{(i * 7) % 5},{'ny'[i % 2]}" for i in range(30)])
    at.file_uploader[0].upload("other.csv", other, "text/csv")
    at.run()
    assert not at.exception
    assert "Your data: 30 rows · 3 features → `y`" in texts(at, "header")
    assert by_label(at.multiselect, "Features (the columns it learns from)").value == ["a", "b", "c"]


def test_a_pasted_table_trains_too():
    at = run_page(tab="shop", c_src="own", c_epochs=10)
    body = "\n".join(["hours\tquiz\tpassed"] + [f"{h}\t{h % 4}\t{'yes' if h > 8 else 'no'}" for h in range(1, 21)])
    at.text_area[0].input(body)
    by_label(at.button, "Use the pasted table").click().run()
    assert not at.exception
    assert "Your data: 20 rows · 2 features → `passed`" in texts(at, "header")
    assert metric(at, "Test accuracy").endswith("%")
