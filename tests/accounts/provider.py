"""A real OpenID Connect provider (oidc-provider-mock) on loopback, in a process of its own.

oidc-provider-mock 0.4.8 needs Python 3.12 or newer, and the portal runs on 3.11, so it gets
a virtualenv of its own under `.oidc-provider/` (git-ignored), built from
provider-requirements.txt once and rebuilt when that file changes.
"""

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / ".oidc-provider"
REQUIREMENTS = Path(__file__).with_name("provider-requirements.txt")
NEEDED = (3, 12)


@dataclass
class Provider:
    url: str
    client_id: str
    client_secret: str

    def set_user(self, sub: str, claims: dict) -> None:
        """What the provider says about `sub` from its next sign-in on."""
        requests.put(f"{self.url}/users/{sub}", json=claims, timeout=10).raise_for_status()

    def approve(self, authorize_url: str, sub: str) -> str:
        """The person signs in as `sub` on the provider's page; where it sends them back."""
        answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]


def provider_python() -> str | None:
    """The oldest Python 3.12+ found: pyenv's versions folder first, then the PATH."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = [Path(sys.executable)] if sys.version_info >= NEEDED else []
    found += sorted(
        pyenv.glob("3.*/bin/python3"),
        key=lambda path: tuple(int(part) for part in path.parts[-3].split(".") if part.isdigit()),
    )
    found += [Path(p) for minor in range(12, 20) if (p := shutil.which(f"python3.{minor}"))]
    for python in found:
        # A pyenv shim on the PATH may name a version that is not installed: ask it.
        check = f"import sys; sys.exit(sys.version_info < {NEEDED})"
        try:
            if subprocess.run([python, "-c", check], capture_output=True, timeout=30).returncode:
                continue
        except (OSError, subprocess.TimeoutExpired):
            continue
        return str(python)
    return None


def provider_venv(python: str) -> Path:
    """The provider's virtualenv, built once; a lock keeps parallel runs from racing."""
    HOME.mkdir(exist_ok=True)
    venv = HOME / "venv"
    stamp = hashlib.sha256(REQUIREMENTS.read_bytes() + python.encode()).hexdigest()
    with open(HOME / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        installed = venv / "installed"
        if installed.exists() and installed.read_text() == stamp:
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True)
        subprocess.run(
            [venv / "bin" / "python", "-m", "pip", "install", "--quiet"]
            + ["--disable-pip-version-check", "-r", str(REQUIREMENTS)],
            check=True,
            capture_output=True,
            timeout=600,
        )
        installed.write_text(stamp)
    return venv


def provider_start(venv: Path, port: int, log: Path) -> subprocess.Popen:
    """Run the provider on 127.0.0.1:`port`, clients registered, until it answers discovery."""
    with open(log, "w") as output:
        process = subprocess.Popen(
            [venv / "bin" / "oidc-provider-mock", "--host", "127.0.0.1", "--port", str(port)]
            + ["--require-registration", "true"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        try:
            requests.get(
                f"http://127.0.0.1:{port}/.well-known/openid-configuration", timeout=2
            ).raise_for_status()
            return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"oidc-provider-mock did not start: {log.read_text()[-2000:]}")


def client_register(url: str, redirect_uri: str) -> tuple[str, str]:
    """Register the portal as a client (dynamic registration); its id and secret."""
    response = requests.post(
        f"{url}/oauth2/clients", json={"redirect_uris": [redirect_uri]}, timeout=10
    )
    response.raise_for_status()
    return response.json()["client_id"], response.json()["client_secret"]
