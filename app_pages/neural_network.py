"""Neural network: article 001's "sum of three" network made visible, many seeds at once,
article 002's purchase classification with L1/L2 (or the learner's own CSV), and gradients
through depth.

This is the page's entry point: its settings (PageState), header, and a dispatch to the
open tab's section in app_pages/sections/neural_network/. Tabs are lazy: only the open tab
computes, each through one cached view in ui/compute/neural_network.py.
"""
from __future__ import annotations


import dlcore
from app_pages.sections.neural_network import controls, depth, inside, seeds, shoppers, sum_of_three
from dlcore.tabular import MAX_COLUMNS
from ui.compute.neural_network import ARTICLE_SEED, lesson_result
from ui.layout import header, next_page, share_hint
from ui.lesson_panel import LESSON_PARAMS, LessonPanel
from ui.own_data import data_param, label_params
from ui.params import PageState, Param, log_options
from ui.sections import Tab, lazy_tabs, tab_param
from ui.sources import cite
from ui.text.neural_network import ACTS, TRY_MAX

TABS = (Tab("sum", "Sum of three"), Tab("inside", "Inside the network"), Tab("seeds", "Many seeds"),
        Tab("shop", "Shoppers (classification)"), Tab("depth", "Gradients through depth"))
OPTS = controls.OPTS
LRS = log_options(1e-4, 1.0)
C_LRS = log_options(1e-4, 5.0)
REG = (0.0,) + log_options(1e-4, 1.0, per_decade=(1, 3))      # 0, 0.0001, 0.0003, …, 0.3, 1
CLIPS = (0.0, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0)
MAX_EPOCHS = 2000

state = PageState("nn", [
    tab_param(TABS),
    # The sum-of-three network (tabs 1–3)
    Param("hidden", [4], "ints", lo=1, hi=dlcore.problems.networks.MAX_WIDTH, min_items=1,
          max_items=dlcore.problems.networks.MAX_LAYERS, label="hidden layers"),
    Param("act", "relu", "choice", choices=tuple(ACTS), label="activation"),
    Param("opt", "sgd", "choice", choices=tuple(OPTS), label="optimizer"),
    Param("lr", 0.01, lo=LRS[0], hi=LRS[-1], options=LRS, label="learning rate"),
    Param("mom", 0.0, lo=0.0, hi=0.99, label="momentum"),
    Param("b1", 0.9, lo=0.0, hi=0.999, label="β₁"),
    Param("b2", 0.999, lo=0.0, hi=0.9999, label="β₂"),
    Param("alpha", 0.99, lo=0.0, hi=0.999, label="α"),
    Param("wd", 0.0, lo=0.0, hi=1.0, label="weight decay"),
    Param("epochs", 100, "int", lo=1, hi=MAX_EPOCHS, label="epochs"),
    Param("seed", ARTICLE_SEED, "int", lo=0, hi=2 ** 31 - 1, label="seed"),
    Param("try", [10.0, 20.0, 30.0], "floats", lo=-TRY_MAX, hi=TRY_MAX, min_items=3, max_items=3,
          label="try-it numbers"),
    Param("ep", -1, "int", lo=-1, hi=MAX_EPOCHS, label="diagram epoch"),     # -1: the last epoch
    Param("row", "1", "choice", choices=("1", "2", "3", "try"), label="diagram input"),
    Param("nseeds", 20, "int", lo=2, hi=200, label="number of seeds"),
    # Shoppers
    Param("c_model", "mlp", "choice", choices=("logistic", "mlp"), label="model"),
    Param("c_hidden", [16], "ints", lo=1, hi=64, min_items=1, max_items=4, label="MLP hidden layers"),
    Param("c_opt", "adam", "choice", choices=("sgd", "adam"), label="optimizer (shoppers)"),
    Param("c_lr", 0.01, lo=C_LRS[0], hi=C_LRS[-1], options=C_LRS, label="learning rate (shoppers)"),
    Param("c_epochs", 300, "int", lo=1, hi=3000, label="epochs (shoppers)"),
    Param("c_l1", 0.0, lo=0.0, hi=1.0, options=REG, label="L1 strength"),
    Param("c_prox", False, "bool", label="exact zeros (proximal L1)"),
    Param("c_l2", 0.0, lo=0.0, hi=1.0, options=REG, label="L2 strength"),
    Param("c_noise", 3, "int", lo=0, hi=dlcore.problems.purchase.MAX_NOISE_FEATURES, label="noise features"),
    Param("c_train", 200, "int", lo=4, hi=800, label="training records"),
    Param("c_seed", 0, "int", lo=0, hi=2 ** 31 - 1, label="seed (shoppers)"),
    # Shoppers on the learner's own table (issue 17): which data, the table (small ones), label, features
    Param("c_src", "builtin", "choice", choices=("builtin", "own"), label="data (shoppers)"),
    data_param("c_data"),
    *label_params("c_label", "c_pos"),
    Param("c_drop", [], "ints", lo=0, hi=MAX_COLUMNS - 1, max_items=MAX_COLUMNS, label="features left out"),
    # Gradients through depth
    Param("d_depth", 6, "int", lo=1, hi=dlcore.problems.networks.MAX_LAYERS, label="hidden layers (depth)"),
    Param("d_width", 8, "int", lo=1, hi=dlcore.problems.networks.MAX_WIDTH, label="width"),
    Param("d_lr", 0.05, lo=LRS[0], hi=LRS[-1], options=LRS, label="learning rate (depth)"),
    Param("d_steps", 200, "int", lo=1, hi=3000, label="steps (depth)"),
    Param("d_clip", 1.0, lo=0.0, hi=CLIPS[-1], options=CLIPS, label="clip norm"),
    Param("d_seed", 0, "int", lo=0, hi=2 ** 31 - 1, label="seed (depth)"),
    *LESSON_PARAMS,
])
# Until a lesson's prediction is answered, nothing the sum-of-three tabs draw about the run is sent.
PREDICTED = ("dead", "answer", "train_loss", "max_error", "output_1")


header("Neural network",
       f"The tiny network of {cite('001')} learns *“given three numbers, output their sum”* — here you train it, "
       f"open it up neuron by neuron, and train it from many seeds at once. Then the shoppers of {cite('002')}: "
       "a classifier, its metrics, and what L1/L2 regularisation really do; and why deep networks' "
       "gradients vanish or explode.")
panel = LessonPanel(state, "neural-network")
panel.draw()
opened = lazy_tabs(state, TABS)
with opened:
    if opened.slug in ("sum", "inside", "seeds"):
        setup = controls.sum_controls(state)
        hide = any(panel.hides(f) for f in PREDICTED)
        {"sum": sum_of_three, "inside": inside, "seeds": seeds}[opened.slug].show(state, setup, hide)
        panel.conclude(lesson_result(setup, state["try"]))
    elif opened.slug == "shop":
        shoppers.show(controls.shop_controls(state))
    else:
        depth.show(controls.depth_controls(state))

share_hint(state)
state.finish()
next_page(__file__)
