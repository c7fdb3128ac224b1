"""The deployment kit: gunicorn.conf.py, the systemd units that run the Procfile's processes,
the sample reverse proxy and the sample environment, and how they agree with each other and
with the settings."""

import datetime
import multiprocessing
import re
import runpy
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .test_processes import processes

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
VENV_BIN = "/srv/cop-portal/.venv/bin/"


def _gunicorn(monkeypatch, **env) -> dict:
    for name in ("PORT", "HOST", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_defaults_follow_the_machine(monkeypatch):
    config = _gunicorn(monkeypatch)
    assert config["bind"] == ["0.0.0.0:8000"]
    assert config["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert (config["timeout"], config["graceful_timeout"], config["keepalive"]) == (30, 25, 5)
    assert (config["max_requests"], config["max_requests_jitter"]) == (20000, 2000)
    assert config["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert config["accesslog"] == "-"
    assert config["control_socket_disable"] is True
    # A reload (HUP) must start workers on the new code: gunicorn's preloading would keep the old.
    assert config["preload_app"] is False
    assert config["logconfig_dict"]["formatters"] == {
        "json": {"()": "cop_portal.web.logs.JsonFormatter"}
    }


def test_gunicorn_takes_its_port_workers_and_proxies_from_the_environment(monkeypatch):
    config = _gunicorn(
        monkeypatch, PORT="9001", WEB_CONCURRENCY="3", FORWARDED_ALLOW_IPS="10.0.0.10"
    )
    assert config["bind"] == ["0.0.0.0:9001"]
    assert config["workers"] == 3
    assert config["forwarded_allow_ips"] == "10.0.0.10"
    # The proxy's timeout in deploy/nginx.conf is the longer, so gunicorn's ends a stuck request.
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert int(re.search(r"proxy_read_timeout (\d+)s;", nginx).group(1)) > config["timeout"]


def _unit(name: str) -> dict[str, list[str]]:
    """{key: [values]} of a systemd unit file (a key may repeat)."""
    found: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        if line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


@pytest.mark.parametrize(
    ("unit", "process"),
    [("cop-portal-web.service", "web"), ("cop-portal-worker@.service", "worker")],
)
def test_each_procfile_process_has_a_hardened_systemd_unit(unit, process):
    found = _unit(unit)
    command = shlex.split(processes("Procfile")[process])
    assert found["ExecStart"] == [shlex.join([VENV_BIN + command[0], *command[1:]])]
    assert found["User"] == ["cop-portal"]
    assert found["EnvironmentFile"] == ["/etc/cop-portal/env"]
    assert found["Restart"] == ["on-failure"]
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
        "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
        "SystemCallFilter": "@system-service",
    }.items():
        assert found[key] == [value], key


def test_the_web_unit_stops_after_gunicorn_s_graceful_timeout(monkeypatch):
    graceful = _gunicorn(monkeypatch)["graceful_timeout"]
    assert int(_unit("cop-portal-web.service")["TimeoutStopSec"][0]) > graceful


def test_the_proxy_passes_what_the_portal_reads_and_the_trusted_count_agrees():
    """nginx appends the client to X-Forwarded-For, so behind it alone the portal trusts one
    proxy (TRUSTED_PROXY_COUNT, read by cop_portal.web.client_ip): the sample environment and
    the proxy's own comment say the same."""
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    for header in (
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Request-ID $request_id;",
        "proxy_set_header Host $host;",
        'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains; preload" '
        "always;",
        "ssl_protocols TLSv1.2 TLSv1.3;",
    ):
        assert header in nginx
    upstream = re.search(r"upstream cop_portal \{(.*?)\}", nginx, re.DOTALL).group(1)
    assert len(re.findall(r"^\s*server \S+:8000", upstream, re.MULTILINE)) == 2
    assert "set TRUSTED_PROXY_COUNT=1" in nginx
    env = (ROOT / "deploy" / "cop-portal.env.example").read_text()
    assert "\nTRUSTED_PROXY_COUNT=1\n" in env
    # The proxy's own log keeps no query string ($uri, not $request_uri) and no address.
    log_format = nginx[nginx.index("log_format") : nginx.index("upstream")]
    assert "$uri" in log_format
    assert "$request_uri" not in log_format
    assert "$remote_addr" not in log_format


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cop.example.org")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder / "cert.pem", folder / "key.pem"


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed here")
def test_nginx_accepts_the_sample_proxy(tmp_path):
    certificate, key = _self_signed(tmp_path)
    site = (
        (ROOT / "deploy" / "nginx.conf")
        .read_text()
        .replace("/etc/letsencrypt/live/cop.example.org/fullchain.pem", str(certificate))
        .replace("/etc/letsencrypt/live/cop.example.org/privkey.pem", str(key))
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n"
    )
    checked = subprocess.run(  # noqa: S603 - nginx's own syntax check of a file we wrote
        [shutil.which("nginx"), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
