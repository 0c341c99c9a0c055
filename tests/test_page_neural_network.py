"""Neural Network page, sum-of-three tabs (Sum of three, Inside the network, Many seeds), in AppTest.

Reference numbers come from article 001's script written out here with torch.nn/torch.optim
(tests/nn_page_helpers.article_script) — never from the code under test."""
import re

import pytest

import pandas as pd

from tests.nn_page_helpers import (X3, article_script, chart_data, close, console, dataframe_with, find_data, metric,
                                   nn, np, run_page, texts, torch)


def test_defaults_print_exactly_what_the_articles_script_prints_for_seed_601():
    at = run_page()
    lines, model = article_script(601)
    assert console(at) == "\n".join(lines)                                # every digit of every line
    with torch.no_grad():
        final = nn.MSELoss()(model(torch.tensor(X3)), torch.tensor([[6.0], [9.0], [12.0]])).item()
        outs = model(torch.tensor(X3)).numpy().ravel()
    assert close(metric(at, "Training loss after 100 epochs"), final, 1e-3)
    assert close(metric(at, "Largest error"), np.abs(outs - [6, 9, 12]).max(), 1e-3)
    assert metric(at, "Status") == "trained"
    out_table = dataframe_with(at, "target")
    np.testing.assert_allclose(out_table["network"].to_numpy(dtype=float), outs, rtol=1e-6)
    # the fact check compares with the article's printed numbers at its own settings
    cmp_ = dataframe_with(at, "article printed")
    assert cmp_["article printed"].iloc[0] == 0.8691520690917969
    assert "can't be reproduced" in texts(at) and "seed 601" in texts(at)
    assert any("torch.manual_seed(601)" in c.value for c in at.code)           # show the code
    assert len(at.get("vega_lite_chart")) == 2
    assert not at.query_params.get("seed")                      # defaults stay out of the URL


def test_url_parameters_are_honoured():
    at = run_page(hidden="5,3", act="tanh", opt="adam", lr="0.02", epochs="50", seed="3", b1="0.8")
    lines, _ = article_script(3, hidden=(5, 3), act="tanh", epochs=50,
                              make_opt=lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.999)))
    assert console(at) == "\n".join(lines)
    assert at.text_input(key="nn.hidden.ui").value == "5, 3"
    assert at.selectbox(key="nn.act").value == "tanh" and at.selectbox(key="nn.opt").value == "adam"
    assert at.number_input(key="nn.b1").value == 0.8 and at.number_input(key="nn.seed").value == 3
    assert "3→5→3→1" in texts(at)


def test_widget_change_trains_again_and_writes_the_url():
    at = run_page()
    at.number_input(key="nn.seed").set_value(0).run()
    assert not at.exception
    lines, model = article_script(0)
    assert console(at) == "\n".join(lines)
    assert metric(at, "Status") == "dead ReLU"
    assert "Dead ReLU" in texts(at, "warning")
    assert at.query_params["seed"] in ("0", ["0"])


def test_reset_button_restores_the_articles_settings():
    at = run_page(hidden="8", lr="0.1", seed="5")
    next(b for b in at.button if b.label == "The article's settings").click().run()
    assert console(at) == "\n".join(article_script(601)[0])


def test_try_it_answers_and_explains_bad_input():
    at = run_page()
    _, model = article_script(601)
    box = at.text_input(key="nn.try.ui")
    assert box.value == "10, 20, 30"
    with torch.no_grad():
        want = model(torch.tensor([[10.0, 20.0, 30.0]])).item()
    assert close(metric(at, "Network says"), want, 1e-4)
    box.input("4, 5, 6").run()
    with torch.no_grad():
        want = model(torch.tensor([[4.0, 5.0, 6.0]])).item()
    assert close(metric(at, "Network says"), want, 1e-4) and metric(at, "True sum") == "15"
    for bad, says in (("1, two, 3", "`two` is not a number"), ("1, 2", "2 numbers"), ("", "0 numbers"),
                      ("1e9, 0, 0", "between"), ("<script>alert(1)</script>", "is not a number"),
                      ("nan, 1, 2", "between")):
        at.text_input(key="nn.try.ui").input(bad).run()
        assert not at.exception, bad
        warn = texts(at, "warning")
        assert says in warn, (bad, warn)
        assert "<script>" not in texts(at, "markdown")         # never rendered as markup


@pytest.mark.parametrize("query, expect", [
    (dict(hidden="0"), "below the minimum"),
    (dict(hidden="1000,2"), "above the maximum"),
    (dict(hidden=",".join(["4"] * 300)), "too long"),
    (dict(hidden="4,4,4,4,4,4,4,4,4,4,4,4,4,4"), "at most 12"),
    (dict(hidden="x"), "not a number"),
    (dict(act="softmax"), "not one of"),
    (dict(epochs="1e12"), "above the maximum"),
    (dict(seed="-5"), "below the minimum"),
    (dict(lr="7"), "above the maximum"),
    (dict(tab="nope"), "not one of"),
    (dict(try_="abc"), "not a number"),
    (dict(tab="inside", ep="99999"), "above the maximum"),
    (dict(tab="seeds", nseeds="100000"), "above the maximum"),
])
def test_absurd_url_values_are_clamped_with_a_note(query, expect):
    query = {("try" if k == "try_" else k): v for k, v in query.items()}
    at = run_page(**query)
    assert expect in texts(at, "warning"), texts(at, "warning")
    assert at.get("vega_lite_chart")


def test_huge_networks_and_epochs_are_cut_to_the_budget():
    at = run_page(hidden="64,64,64,64,64,64,64,64,64,64,64,64", epochs="5000")
    assert "To keep the lab fast" in texts(at, "info")
    epochs = [int(m) for m in re.findall(r"Epoch \[\d+/(\d+)\]", console(at))]
    assert epochs and 0 < epochs[0] < 5000


def test_divergence_is_a_state_not_a_crash():
    at = run_page(lr="1")
    assert "diverged" in texts(at, "error")
    assert metric(at, "Training loss after") == "diverged" and metric(at, "Status") == "diverged"
    assert console(at).endswith("diverged, training stopped")
    for df in (find_data(at, {"step", "loss"}),):
        assert np.isfinite(df["loss"].to_numpy(dtype=float)).all()


def test_inside_the_network_shows_torchs_forward_pass():
    at = run_page(tab="inside", ep="40", row="2")
    _, model = article_script(601, epochs=40)
    x = torch.tensor([[2.0, 3.0, 4.0]])
    with torch.no_grad():
        z = model[0](x)[0].double().numpy()
        a = torch.relu(model[0](x))[0].double().numpy()
        y = model(x).item()
        W1 = model[0].weight.double().numpy()
    nodes = max((d for d in chart_data(at) if {"name", "z", "value", "kind"} <= set(d.columns)), key=len)
    hidden = nodes[nodes["kind"] == "hidden"].sort_values("index")
    np.testing.assert_allclose(hidden["z"].to_numpy(dtype=float), z, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hidden["value"].to_numpy(dtype=float), a, rtol=1e-5, atol=1e-6)
    assert close(nodes[nodes["kind"] == "output"]["value"].iloc[0], y, 1e-5)
    edges = find_data(at, {"weight", "src", "dst", "abs_w"})
    first = edges[edges["layer"] == 1]
    np.testing.assert_allclose(first["weight"].to_numpy(dtype=float), W1[first["dst"], first["src"]], rtol=1e-6)
    latex = texts(at, "latex")
    assert r"z_{1}" in latex and r"\mathrm{ReLU}" in latex and f"{z[0]:.4g}" in latex
    assert at.slider(key="nn.ep").value == 40
    assert at.query_params["ep"] in ("40", ["40"])


def test_inside_the_network_big_networks_skip_the_diagram():
    at = run_page(tab="inside", hidden="64,64")
    assert "too many lines" in texts(at, "info")
    assert dataframe_with(at, "neuron") is not None


def test_many_seeds_finds_the_dead_seeds_torch_finds():
    at = run_page(tab="seeds")
    table = dataframe_with(at, "outcome")
    dead_page = set(table.loc[table["outcome"].str.startswith("dead"), "seed"].astype(int))
    dead_ref = set()
    for s in range(20):
        _, model = article_script(s)
        with torch.no_grad():
            out = model(torch.tensor(X3)).numpy().ravel()
        if out[0] == out[1] == out[2]:
            dead_ref.add(s)
    assert dead_page == dead_ref and {0, 7} <= dead_ref
    assert set(table["seed"].astype(int)) == set(range(20)) | {601}
    warn = texts(at, "warning")
    assert "Seed 0" in warn and "from epoch 1" in warn
    # the closed form quoted for the dead seed equals what torch's network outputs
    _, model0 = article_script(0)
    with torch.no_grad():
        y0 = model0(torch.tensor(X3))[0].item()
    assert f"{y0:.4f}" in warn
    # the fact check: 1000 seeds at the article's settings, 601 closest
    assert "seed 601" in texts(at, "markdown") and "seeds 0–999" in texts(at, "markdown")
    curves = pd.concat([d for d in chart_data(at) if {"seed", "step", "loss"} <= set(d.columns)])
    assert curves["seed"].nunique() == 21 and len(curves) < 6000


def test_clicking_a_dead_seed_opens_it():
    at = run_page(tab="seeds")
    [b for b in at.button if b.label.startswith("Open seed 0")][0].click().run()
    assert not at.exception
    assert at.number_input(key="nn.seed").value == 0


def test_a_bad_try_it_entry_is_explained_once():
    """Issue 14 #10: "1, 2" in the try-it box gave the same warning twice (beside the box and
    in the page's "Some settings were adjusted" box)."""
    at = run_page()
    for bad in ("1, 2", "1, two, 3", "1e9, 0, 0"):
        at.text_input(key="nn.try.ui").input(bad).run()
        assert not at.exception
        warnings = [str(w.value) for w in at.warning]
        assert len(warnings) == 1 and "Showing " in warnings[0], (bad, warnings)
    at = run_page(**{"try": "1,2"})                   # a link with a bad value is still noted
    assert "needs at least 3" in texts(at, "warning")


@pytest.mark.parametrize("tab, key", [("sum", "nn.seed"), ("shop", "nn.c_seed"), ("depth", "nn.d_seed")])
def test_settings_sit_in_the_page_not_the_sidebar(tab, key):
    """Issue 14 #5: on a phone the sidebar is collapsed, so the controls live in the tab they change."""
    at = run_page(tab=tab)
    kinds = ("number_input", "slider", "select_slider", "selectbox", "text_input", "toggle", "button")
    in_sidebar = [w.key for k in kinds for w in at.sidebar.get(k) if str(getattr(w, "key", "")).startswith("nn.")]
    assert in_sidebar == []
    assert at.number_input(key=key) is not None                          # drawn, in the main area


def test_old_tab_links_open_the_same_tab():
    """Issue 14 #10: one parameter `tab` with short slugs; links with a tab's title still work."""
    at = run_page(tab="Inside the network")
    assert "The forward pass, worked out" in texts(at, "subheader") and not texts(at, "warning")
    assert at.query_params.get("tab") in ("inside", ["inside"])


def test_next_page_footer():
    """Issue 14 #11: a way onward (and back) at the bottom of the page."""
    at = run_page()
    links = [str(e.proto.label) for e in at.get("page_link")]
    assert any(lbl.startswith("Next →") and "Optimizer comparison" in lbl for lbl in links), links
    assert any("Loss explorer" in lbl for lbl in links), links
