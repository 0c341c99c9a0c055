"""The benchmark tools' own logic (bench/): page discovery, percentiles, widget values.
No timings are asserted: the tools measure, the lead judges."""
import sys
from pathlib import Path

from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from common import discover_pages, percentile, select_pages  # noqa: E402
from stclient import Widget, show_value  # noqa: E402


def test_pages_come_from_app_py_and_exist():
    pages = discover_pages()
    assert {k: pages[0][k] for k in ("file", "title", "url_path", "name")} == dict(
        file="home.py", title="Home", url_path="", name="home")
    assert pages[0]["path"] == ROOT / "app_pages" / "home.py"
    assert all(p["path"].exists() for p in pages)
    assert select_pages(pages, ["home"]) == pages[:1]


def test_pages_missing_files_are_skipped(tmp_path):
    (tmp_path / "app_pages").mkdir()
    (tmp_path / "app_pages" / "b.py").write_text("")
    (tmp_path / "app.py").write_text('PAGES = [("a.py", "A", "", ""), ("b.py", "B", "b-page", "")]\n')
    assert [p["name"] for p in discover_pages(tmp_path / "app.py")] == ["b-page"]


def test_pages_follow_a_renamed_folder(tmp_path):
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "a.py").write_text("")
    (tmp_path / "app.py").write_text('PAGES = [("a.py", "A", "", "")]\npages = [HERE / "views" / f for f in PAGES]\n')
    assert discover_pages(tmp_path / "app.py")[0]["path"] == tmp_path / "views" / "a.py"


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([3, 1, 2], 50) == 2
    assert percentile([0, 10], 95) == 9.5


def test_select_slider_state_and_alternatives():
    p = Slider(id="w1", type=Slider.SELECT_SLIDER, options=["0.05", "0.1", "0.2"], default=[1])
    w = Widget("w1", "slider", p, 0)
    cur = w.initial_state()
    assert list(cur.string_array_value.data) == ["0.1"]
    assert [show_value(a) for a in w.alternatives(cur)] == ["0.2", "0.05"]
    p.set_value, p.raw_value[:] = True, ["0.2"]            # the server overrides the value
    assert show_value(w.initial_state()) == "0.2"


def test_numeric_widgets_step_within_bounds():
    s = Widget("s", "slider", Slider(id="s", type=Slider.SLIDER, data_type=Slider.INT, min=0, max=3, step=1,
                                     default=[2]), 0)
    assert [show_value(a) for a in s.alternatives(s.initial_state())] == ["3", "0", "1"]
    n = NumberInput(id="n", data_type=NumberInput.FLOAT, default=0.5, step=0.25, min=0, max=1, has_min=True,
                    has_max=True)
    w = Widget("n", "number_input", n, 0)
    assert [show_value(a) for a in w.alternatives(w.initial_state())] == ["0.75", "1", "0", "0.25"]


def test_the_warm_up_opens_every_tab_the_pages_declare():
    """deploy/warmup.py reads each page's tabs from the source (Tab("slug", ...)); they are
    the slugs the pages' own TABS declare, the default (first) tab left to the page's
    plain link."""
    import importlib.util
    import re

    from app_pages.sections.optimizer_comparison.settings import TABS as OPT_TABS

    spec = importlib.util.spec_from_file_location("warmup", ROOT / "deploy" / "warmup.py")
    warmup = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(warmup)
    found = {p["name"]: warmup.tabs(p) for p in discover_pages()}
    assert found["optimizer-comparison"] == [t.slug for t in OPT_TABS][1:]
    for name, module in (("neural-network", "neural_network"), ("lr-sweep", "lr_sweep")):
        source = (ROOT / "app_pages" / f"{module}.py").read_text()
        declared = re.findall(r'Tab\("([a-z_-]+)"', source)
        assert declared and found[name] == declared[1:]
    assert found["home"] == [] and found["glossary"] == []
