"""The README's two opening commands and its link-parameter tables stay true."""
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _script():
    spec = importlib.util.spec_from_file_location("url_params", ROOT / "scripts" / "url_params.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_readme_opens_with_the_two_commands_ci_runs():
    block = re.search(r"```bash\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert block[0] == "pip install -r requirements.txt && streamlit run app.py"
    ci = (ROOT / ".ci" / "run").read_text()
    assert block[1] in ci, "CI must run the README's test command"


def test_url_parameter_tables_match_the_pages():
    mod = _script()
    now = mod.section()
    start, end = README.index(mod.START), README.index(mod.END) + len(mod.END)
    assert README[start:end] == now, "README is stale: run python scripts/url_params.py --write"


def test_every_page_documents_its_parameters():
    mod = _script()
    section = README[README.index(mod.START):README.index(mod.END)]
    for _file, title, url in mod.app_pages():
        assert f"**{title}** — `/{url}`" in section
    # a few keys a teacher would put in a link, each under its page
    for key in ("`lr`", "`epochs`", "`hours`", "`hidden`", "`opts`", "`n`"):
        assert key in section
