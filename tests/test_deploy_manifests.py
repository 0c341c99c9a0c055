"""The replica deployment files (issue 18): the Kubernetes manifests are valid against the
Kubernetes schema (kubernetes-validate ships the schemas, so this runs offline) and fit
together; deploy/compose.yaml (no docker here) is checked for the services and settings
the deployment relies on, and for agreeing with deploy/haproxy.cfg, which it mounts."""
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.browser.server import free_port

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
K8S = DEPLOY / "k8s"
HEALTH = "/_stcore/health"


def k8s_docs() -> list[dict]:
    return [doc for path in sorted(K8S.glob("*.yaml")) if path.name != "kustomization.yaml"
            for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind(kind: str) -> list[dict]:
    return [d for d in k8s_docs() if d["kind"] == kind]


@pytest.mark.parametrize("doc", k8s_docs(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_every_manifest_is_valid_against_the_kubernetes_schema(doc):
    kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)


def test_the_validator_rejects_a_broken_manifest():
    """The check above is not vacuous: a misspelled field and a wrong type are refused."""
    deployment = by_kind("Deployment")[0]
    misspelled = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(misspelled, kubernetes_validate.latest_version(), strict=True)
    wrong_type = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong_type, kubernetes_validate.latest_version(), strict=True)


def test_kustomization_lists_every_manifest():
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def test_the_app_deployment_runs_replicas_checked_on_the_health_endpoint():
    (deployment,) = [d for d in by_kind("Deployment") if d["metadata"]["name"] == "gdl-app"]
    spec = deployment["spec"]
    assert spec["replicas"] >= 2
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
    (container,) = spec["template"]["spec"]["containers"]
    port = next(p for p in container["ports"] if p["name"] == "http")["containerPort"]
    assert port == 8501                                       # the Dockerfile's default PORT
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert container[probe]["httpGet"]["path"] == HEALTH
        assert container[probe]["httpGet"]["port"] in ("http", port)
    assert {"cpu", "memory"} <= container["resources"]["requests"].keys()
    assert "memory" in container["resources"]["limits"]
    env = {e["name"]: e for e in container["env"]}
    assert env["GDL_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == "gdl-secrets"
    assert env["STREAMLIT_SERVER_COOKIE_SECRET"]["valueFrom"]["secretKeyRef"]["name"] == "gdl-secrets"
    (secret,) = by_kind("Secret")
    assert secret["stringData"]["GDL_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert {env["GDL_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"],
            env["STREAMLIT_SERVER_COOKIE_SECRET"]["valueFrom"]["secretKeyRef"]["key"]} <= secret["stringData"].keys()
    config_maps = {c["metadata"]["name"]: c for c in by_kind("ConfigMap")}
    for source in container["envFrom"]:
        assert source["configMapRef"]["name"] in config_maps


def test_the_service_and_ingress_reach_the_pods_with_cookie_affinity():
    deployment = next(d for d in by_kind("Deployment") if d["metadata"]["name"] == "gdl-app")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    service = next(s for s in by_kind("Service") if s["metadata"]["name"] == "gdl-app")
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    (ingress,) = by_kind("Ingress")
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert notes["nginx.ingress.kubernetes.io/session-cookie-name"]
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600      # a class period
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


def test_the_database_url_names_the_postgres_service():
    (secret,) = by_kind("Secret")
    host = re.match(r"postgresql\+psycopg://[^@]+@([^:/]+)", secret["stringData"]["GDL_DATABASE_URL"]).group(1)
    (statefulset,) = by_kind("StatefulSet")
    pg_service = next(s for s in by_kind("Service") if s["metadata"]["name"] == host)
    assert pg_service["spec"]["selector"].items() <= statefulset["spec"]["template"]["metadata"]["labels"].items()


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_postgres_two_replicas_and_the_proxy():
    services = compose()["services"]
    assert {"db", "app1", "app2", "proxy"} <= services.keys()
    apps = [services["app1"], services["app2"]]
    for app in apps:
        assert app["build"]["dockerfile"] == "deploy/Dockerfile"
        env = app["environment"]
        url = env["GDL_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://") and "@db:5432/" in url
        assert "STREAMLIT_SERVER_COOKIE_SECRET" in env and "GDL_WORKERS" in env
        assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert apps[0]["environment"] == apps[1]["environment"]     # one store, one cookie secret
    assert "healthcheck" in services["db"]


def test_compose_mounts_deploy_haproxy_cfg_and_sets_every_address_it_reads():
    proxy = compose()["services"]["proxy"]
    mount = next(v for v in proxy["volumes"] if "haproxy.cfg" in v)
    assert mount.split(":")[0] == "./haproxy.cfg"
    cfg = re.sub(r"#.*", "", (DEPLOY / "haproxy.cfg").read_text())        # what HAProxy reads
    needed = set(re.findall(r"\$\{(\w+)\}", cfg))
    assert needed == proxy["environment"].keys()
    published = int(proxy["ports"][0].split(":")[-1])
    assert proxy["environment"]["GDL_PROXY_BIND"] == f":{published}"
    servers = re.findall(r'^\s*server (\w+) "\$\{(\w+)\}".* cookie (\w+)', cfg, re.M)
    assert len(servers) == 2
    for name, var, cookie in servers:
        assert name == cookie
        host, port = proxy["environment"][var].split(":")
        assert host in compose()["services"] and port == "8501"


def test_haproxy_cfg_pins_sessions_passes_websockets_and_checks_health():
    cfg = (DEPLOY / "haproxy.cfg").read_text()
    assert re.search(r"^\s*cookie GDLSRV insert indirect nocache", cfg, re.M)
    assert re.search(r"^\s*option redispatch", cfg, re.M)
    assert re.search(rf"^\s*http-check send meth GET uri {re.escape(HEALTH)}", cfg, re.M)
    tunnel = re.search(r"^\s*timeout tunnel (\d+)h", cfg, re.M)
    assert tunnel and int(tunnel.group(1)) >= 1


# ---- HTTPS in front: deploy/Caddyfile ------------------------------------------------------
def _caddy() -> str:
    # Fails loudly, never skips: the README's test command installs it (scripts/install-test-deps.sh).
    found = shutil.which("caddy")
    if found is None:
        raise RuntimeError("Debian's caddy is not installed: run `sh scripts/install-test-deps.sh` "
                           "(apt-get install caddy)")
    return found


def _caddy_env(tmp_path, **env) -> dict:
    # Caddy keeps certificates and state under $HOME; the admin API on a free port.
    return {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path),
            "GDL_CADDY_ADMIN": f"127.0.0.1:{free_port()}", **env}


@pytest.mark.parametrize("site", [None, "lab.example.org", "http://127.0.0.1:8443"])
def test_the_caddyfile_is_valid_for_a_public_name_and_for_a_local_port(tmp_path, site):
    env = _caddy_env(tmp_path, **({"GDL_SITE": site} if site else {}))
    r = subprocess.run([_caddy(), "validate", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr[-2000:]
    r = subprocess.run([_caddy(), "fmt", str(DEPLOY / "Caddyfile")], capture_output=True, text=True, timeout=60)
    assert r.stdout == (DEPLOY / "Caddyfile").read_text()          # formatted as Caddy writes it


def test_caddy_passes_the_apps_websocket_through(tmp_path):
    """The app behind deploy/Caddyfile (plain HTTP on a loopback port instead of a public
    name): a page loads through Caddy over Streamlit's own WebSocket protocol
    (bench/stclient.py, as a browser) and runs to the end without an error."""
    from bench.stclient import load_page
    from tests.browser.server import serve

    port = free_port()
    with serve(log_path=tmp_path / "app.log", workers="0") as app_url:
        env = _caddy_env(tmp_path, GDL_SITE=f"http://127.0.0.1:{port}", GDL_UPSTREAM=app_url.split("//")[1])
        caddy = subprocess.Popen([_caddy(), "run", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
                                 env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "caddy.log", "w"))
        try:
            front = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(front + "/_stcore/health", timeout=2) as r:
                        assert r.status == 200
                        break
                except OSError:
                    assert caddy.poll() is None, (tmp_path / "caddy.log").read_text()[-2000:]
                    assert time.monotonic() < deadline, "Caddy did not answer"
                    time.sleep(0.3)

            run = load_page(front, "gradient-descent")
            assert run.seconds is not None and run.errors == [], run.errors
            assert learner_saw_widgets(run)
        finally:
            caddy.terminate()
            caddy.wait(timeout=15)


def learner_saw_widgets(run) -> bool:
    """The run delivered page content (not only the session's start and end)."""
    return run.bytes > 10_000
