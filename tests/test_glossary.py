"""The glossary: well-formed terms, links that resolve, and the page that shows them."""
import ast
import re
from pathlib import Path

import pytest

from tests.apptest_helpers import open_page
from ui import glossary

ROOT = Path(__file__).resolve().parents[1]


def test_terms_are_well_formed_and_cross_references_resolve():
    slugs = [t.slug for t in glossary.TERMS]
    assert len(slugs) == len(set(slugs))
    for t in glossary.TERMS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", t.slug), t.slug
        assert t.short.endswith(".") and len(t.short) <= 260, t.slug
        assert t.slug not in t.see
        assert set(t.see) <= set(slugs), (t.slug, set(t.see) - set(slugs))


def test_link_points_at_the_glossary_page_registered_in_app_py():
    tree = ast.parse((ROOT / "app.py").read_text())
    pages = next(ast.literal_eval(n.value) for n in tree.body
                 if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES")
    assert ("glossary.py", "Glossary", glossary.URL_PATH) in [p[:3] for p in pages]
    assert glossary.link("hessian") == "[Hessian](./glossary#hessian)"
    assert glossary.link("lambda-max", "2/λmax") == "[2/λmax](./glossary#lambda-max)"
    assert glossary.tip("epoch").startswith("Epoch: One pass")
    with pytest.raises(KeyError):
        glossary.link("no-such-term")


def _linked_slugs():
    """Every literal slug passed to glossary.link / glossary.tip in the app's code."""
    found = []
    for path in [*(ROOT / "app_pages").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("link", "tip") and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                    and "glossary" in ast.unparse(node.func.value)):
                found.append((path.name, node.args[0].value))
    return found


def test_every_glossary_link_in_the_pages_names_a_real_term():
    missing = [(f, s) for f, s in _linked_slugs() if s not in glossary.BY_SLUG]
    assert missing == []


def test_search_matches_every_word_in_any_case():
    names = [t.slug for t in glossary.search("Momentum")]
    assert "momentum" in names and "nesterov" in names and "relu" not in names
    assert [t.slug for t in glossary.search("largest eigenvalue")] == ["lambda-max"]
    assert glossary.search("zzz-nothing") == ()


def test_the_page_shows_every_term_with_its_anchor():
    at = open_page("glossary.py")
    assert not at.exception
    heads = {h.proto.anchor: h.value for h in at.header}
    assert set(heads) == {t.slug for t in glossary.TERMS}
    assert heads["hessian"] == "Hessian"


def test_a_search_link_filters_and_hostile_text_stays_text():
    at = open_page("glossary.py", q="momentum")
    assert {h.proto.anchor for h in at.header} >= {"momentum", "nesterov"}
    assert "relu" not in {h.proto.anchor for h in at.header}
    at = open_page("glossary.py", q="<img src=x onerror=alert(1)>")
    assert not at.exception
    assert len(at.header) == 0 and "No term matches" in at.info[0].value
    assert all("<img" not in m.value for m in at.markdown)
