"""The tested topology, short: haproxy, two web nodes, two workers and two beats on loopback,
under a few hundred requests, with the four faults (bench/topology.py, which asserts them)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.db import connection

from tests.conftest import missing_service

ROOT = Path(__file__).resolve().parents[2]


def test_the_topology_loses_nothing_as_a_node_stops_a_worker_dies_redis_restarts_two_beats_run(
    real_services,
):
    for tool in ("haproxy", "redis-server"):
        if not shutil.which(tool):
            missing_service(f"needs {tool} (Debian package; `make setup` installs it as root)")
    # A database of its own beside the test database; the harness drops and makes it.
    database = connection.settings_dict["NAME"] + "_topology"
    result = subprocess.run(
        [sys.executable, "-m", "bench.topology", "--short"],
        cwd=ROOT,
        env=os.environ | {"TOPOLOGY_DATABASE": database},
        capture_output=True,
        text=True,
        timeout=420,  # the short run takes about 4 minutes on a busy machine
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "every check passed" in result.stdout
