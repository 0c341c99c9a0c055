"""dlcore.network_view and dlcore.network_health against plain nn.Sequential computations."""
import numpy as np
import pytest
import torch
import torch.nn as nn

from dlcore.network_health import collapsed, constant_output_path, dead_over_time, dead_since, relu_report
from dlcore.network_view import forward_trace, network_view, predict

torch.set_num_threads(1)   # tiny tensors: threads only add overhead on a shared machine

ACT = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "leaky_relu": nn.LeakyReLU}
X3 = [[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0]]
Y3 = [[6.0], [9.0], [12.0]]


def seeded_model(sizes, act, seed):
    """What article 001's script builds: torch.manual_seed, then the layers."""
    torch.manual_seed(seed)
    layers = []
    for k, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(i, o))
        if k < len(sizes) - 2:
            layers.append(ACT[act]())
    return nn.Sequential(*layers)


def flat(model):
    return torch.nn.utils.parameters_to_vector(model.parameters()).detach()


def hidden_values(model, x):
    """(z, value) of every nn.Linear's output (and its activation), via forward hooks."""
    out = []
    mods = list(model)
    h = torch.tensor([x], dtype=torch.float32)
    with torch.no_grad():
        for k, m in enumerate(mods):
            h = m(h)
            if isinstance(m, nn.Linear):
                out.append([h[0].clone(), None])
            else:
                out[-1][1] = h[0].clone()
    out[-1][1] = out[-1][0]
    return out


CASES = [((3, 4, 1), "relu", 11), ((3, 4, 1), "relu", 0), ((3, 5, 3, 1), "tanh", 2), ((3, 6, 1), "sigmoid", 5),
         ((3, 2, 2, 2, 1), "leaky_relu", 9)]


@pytest.mark.parametrize("sizes, act, seed", CASES)
def test_nodes_are_torchs_forward_pass(sizes, act, seed):
    model = seeded_model(sizes, act, seed)
    x = [1.5, -2.0, 3.0]
    view = network_view(flat(model), sizes, act, x)
    ref = hidden_values(model, x)
    for k, (z, a) in enumerate(ref, start=1):
        nodes = view.nodes[view.nodes["layer"] == k].sort_values("index")
        # Same float32 numbers; the engine's matmul + b may round differently from nn.Linear's addmm.
        np.testing.assert_allclose(nodes["z"].to_numpy(), z.double().numpy(), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(nodes["value"].to_numpy(), a.double().numpy(), rtol=1e-6, atol=1e-6)
        lin = [m for m in model if isinstance(m, nn.Linear)][k - 1]
        np.testing.assert_array_equal(nodes["bias"].to_numpy(), lin.bias.detach().double().numpy())
    inputs = view.nodes[view.nodes["layer"] == 0]
    assert inputs["value"].tolist() == x and inputs["z"].isna().all()
    assert list(view.nodes.groupby("layer").size()) == list(sizes)


@pytest.mark.parametrize("sizes, act, seed", CASES)
def test_edges_are_the_weights_and_terms_add_up_to_z(sizes, act, seed):
    model = seeded_model(sizes, act, seed)
    x = [0.5, 1.0, -1.0]
    view = network_view(flat(model), sizes, act, x)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert len(view.edges) == sum(i * o for i, o in zip(sizes[:-1], sizes[1:]))
    for k, lin in enumerate(linears, start=1):
        W = lin.weight.detach().double().numpy()
        e = view.edges[view.edges["layer"] == k]
        np.testing.assert_array_equal(e["weight"].to_numpy(), W[e["dst"], e["src"]])
        assert ((e["sign"] == "+") == (e["weight"] >= 0)).all()
        np.testing.assert_array_equal(e["abs_w"].to_numpy(), np.abs(W[e["dst"], e["src"]]))
        # z_j = Σ_i w_ji · value_i + b_j (float32 forward vs float64 sum of the same numbers)
        nodes = view.nodes[view.nodes["layer"] == k].set_index("index")
        sums = e.groupby("dst")["term"].sum()
        np.testing.assert_allclose(sums.to_numpy() + nodes.loc[sums.index, "bias"].to_numpy(),
                                   nodes.loc[sums.index, "z"].to_numpy(), rtol=1e-5, atol=1e-5)
        # positions: an edge runs from its source neuron to its destination neuron
        src = view.nodes[view.nodes["layer"] == k - 1].set_index("index")
        np.testing.assert_array_equal(e["y"].to_numpy(), src.loc[e["src"], "y"].to_numpy())
        assert (e["x"] == k - 1).all() and (e["x2"] == k).all()


def test_predict_matches_model_for_one_and_many_networks():
    models = [seeded_model((3, 4, 1), "relu", s) for s in (1, 2, 3)]
    X = np.array(X3 + [[10.0, 20.0, 30.0], [-1.0, -2.0, -3.0]])
    thetas = torch.stack([flat(m) for m in models])
    batch = predict(thetas, (3, 4, 1), "relu", X)
    assert batch.shape == (3, 5, 1)
    for i, m in enumerate(models):
        ref = m(torch.tensor(X, dtype=torch.float32)).detach().double().numpy()
        np.testing.assert_allclose(predict(thetas[i], (3, 4, 1), "relu", X), ref, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(batch[i], ref, rtol=1e-6, atol=1e-6)
    z, a = forward_trace(thetas[0], (3, 4, 1), "relu", X[0])[0]
    np.testing.assert_array_equal(a, np.maximum(z, 0))


@pytest.mark.parametrize("bad", [
    dict(theta=np.zeros(20)),                                   # 3→4→1 has 21 parameters
    dict(activation="softmax"),
    dict(x=[1.0, 2.0]),
    dict(sizes=(3, 0, 1), theta=np.zeros(1)),
    dict(sizes=(3, 64, 64, 1), theta=np.zeros(3 * 64 + 64 + 64 * 64 + 64 + 65)),   # too many edges to draw
])
def test_invalid_views_raise_value_errors(bad):
    args = dict(theta=np.zeros(21), sizes=(3, 4, 1), activation="relu", x=[1.0, 2.0, 3.0]) | bad
    with pytest.raises(ValueError):
        network_view(args["theta"], args["sizes"], args["activation"], args["x"])


# ---- dead ReLU -----------------------------------------------------------------------------
def article_loop(seed, epochs=100, lr=0.01, record=False):
    """Article 001's training loop, verbatim in spirit; optionally the θ after every epoch."""
    model = seeded_model((3, 4, 1), "relu", seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    X, Y = torch.tensor(X3), torch.tensor(Y3)
    hist = [flat(model).clone()]
    for _ in range(epochs):
        loss = nn.MSELoss()(model(X), Y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        hist.append(flat(model).clone())
    return model, loss.item(), (torch.stack(hist) if record else None)


def test_the_leads_seeds_dead_and_alive():
    """Seeds 0 and 7 end with all three outputs equal (≈7.83, ≈7.86); seed 11 learns (loss ≈ 0.0685)."""
    X = torch.tensor(X3)
    for seed, expect in ((0, 7.83), (7, 7.86)):
        model, _, _ = article_loop(seed)
        out = model(X).detach().numpy().ravel()
        assert out[0] == out[1] == out[2] and abs(out[0] - expect) < 0.005
        rep = relu_report(flat(model), (3, 4, 1), "relu", X3)
        assert bool(rep["dead"].iloc[0]) and int(rep["dead_layer"].iloc[0]) == 1 and rep["dead_units"].iloc[0] == 4
        assert bool(rep["collapsed"].iloc[0]) and rep["output_spread"].iloc[0] == 0
    model, loss, _ = article_loop(11)
    assert abs(loss - 0.0685) < 0.0005
    rep = relu_report(flat(model), (3, 4, 1), "relu", X3)
    assert not rep["dead"].iloc[0] and not rep["collapsed"].iloc[0] and pd_na(rep["dead_layer"].iloc[0])


def pd_na(v):
    import pandas as pd
    return v is pd.NA


def test_dead_units_are_those_off_on_every_input():
    model = seeded_model((3, 6, 1), "relu", 4)
    with torch.no_grad():
        z = model[0](torch.tensor(X3))                  # (3 inputs, 6 units)
    expected = int((z <= 0).all(dim=0).sum())
    assert relu_report(flat(model), (3, 6, 1), "relu", X3)["dead_units"].iloc[0] == expected
    # Sigmoid units never have a zero gradient: none is dead, the network never "dead".
    rep = relu_report(flat(seeded_model((3, 6, 1), "sigmoid", 4)), (3, 6, 1), "sigmoid", X3)
    assert rep["dead_units"].iloc[0] == 0 and not rep["dead"].iloc[0]


def test_dead_since_dates_the_death_and_the_bias_follows_the_closed_form():
    _, _, hist = article_loop(0, record=True)
    dead = dead_over_time(hist.numpy()[:, None, :], (3, 4, 1), "relu", X3)[:, 0]
    # Independent: at each epoch, are all four hidden z ≤ 0 on all three inputs?
    W, b = hist[:, :12].reshape(-1, 4, 3), hist[:, 12:16]
    z = torch.einsum("tjk,nk->tnj", W, torch.tensor(X3)) + b[:, None, :]
    np.testing.assert_array_equal(dead, (z <= 0).all(dim=2).all(dim=1).numpy())
    first = int(dead_since(dead[:, None])[0])
    assert first == 1 and dead[first:].all()
    # From then on only the output bias moves: b_t = 9 + (b_1 − 9)(1 − 2·lr)^(t−1).
    b_out = hist[:, -1].double().numpy()
    path = constant_output_path(b_out[first], [6, 9, 12], 0.01, 100 - first)
    np.testing.assert_allclose(path, b_out[first:], rtol=1e-5)
    assert dead_since(np.array([[False], [True], [False]]))[0] == -1


def test_collapsed():
    assert collapsed(np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0], [5.0, 5.0 + 1e-9, 5.0]])).tolist() == [True, False, True]
