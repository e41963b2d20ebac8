"""Benchmark: a bounded load test of ``xlperf serve`` on loopback.

    python benchmarks/serve.py [--requests 200] [--concurrency 8] [--mix mixed]

Starts ``xlperf serve`` as its own process on a free 127.0.0.1 port (a temporary copy of the
demo council as its master, a random ``XLPERF_TOKEN``), sends ``--requests`` requests from
``--concurrency`` workers over real HTTP, prints p50/p95 latency and errors per endpoint, and
stops the server. It ends by itself: every request has a timeout and the whole run a deadline.

The mix (``--mix mixed``, the default) is what a team's morning looks like: most requests are
``XLPERF.*`` worksheet-function calls (``=XLPERF.STATUS`` over 1,000 cells), a quarter are
"Validate this return" (a demo return, about 30 KB of JSON), and one in twenty is "Refresh
scorecard" (the demo master; refreshes of one ledger run one at a time, so they queue).
``--mix functions|validate|refresh`` sends only one kind. A benchmark, not a test: nothing is
asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEADLINE = 600.0  # seconds for the whole run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(master: Path, token: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, XLPERF_TOKEN=token, XLWINGS_ON_SERVER="true",
               XLWINGS_LICENSE_KEY=os.environ.get("XLWINGS_LICENSE_KEY", "noncommercial"))
    process = subprocess.Popen(
        [sys.executable, "-m", "xlperf.cli", "serve", "--port", str(port), "--master",
         str(master)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return process, f"http://127.0.0.1:{port}"


def wait_ready(client, url: str, token: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"xlperf serve stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            if client.get(f"{url}/health", headers={"Authorization": f"Bearer {token}"}
                          ).status_code == 200:
                return
        except Exception:  # noqa: BLE001 - not listening yet
            pass
        time.sleep(0.2)
    raise SystemExit("xlperf serve did not answer within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--mix", choices=("mixed", "functions", "validate", "refresh"),
                        default="mixed")
    args = parser.parse_args()

    import httpx

    os.environ.setdefault("XLWINGS_ON_SERVER", "true")
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    from xlperf.excel.payload import payload_from_xlsx

    token = secrets.token_urlsafe(32)
    headers = {"Authorization": f"Bearer {token}"}
    with tempfile.TemporaryDirectory(prefix="xlperf-bench-") as folder:
        demo = Path(folder) / "demo"
        shutil.copytree(ROOT / "workbooks" / "demo", demo)
        master = demo / "master.xlsx"
        bodies = {
            "refresh": payload_from_xlsx(master),
            "validate": payload_from_xlsx(next((demo / "returns").glob("Safeguarding*.xlsx"))),
        }
        rng = random.Random(9)
        bodies["functions"] = {"id": "XLPERF_STATUS", "args": [
            [[round(rng.uniform(0, 100), 2)] for _ in range(1000)],
            [[round(rng.uniform(20, 80), 1)] for _ in range(1000)],
            [[rng.choice(["High", "Low"])] for _ in range(1000)], [[2]]]}
        paths = {"functions": "/functions/call", "validate": "/validate", "refresh": "/refresh"}
        if args.mix == "mixed":
            kinds = [rng.choices(["functions", "validate", "refresh"], [70, 25, 5])[0]
                     for _ in range(args.requests)]
        else:
            kinds = [args.mix] * args.requests

        process, url = start_server(master, token)
        started = time.monotonic()
        try:
            limits = httpx.Limits(max_connections=args.concurrency)
            with httpx.Client(timeout=120, limits=limits) as client:
                wait_ready(client, url, token, process)

                def one(kind: str) -> tuple[str, float, int | str]:
                    if time.monotonic() - started > DEADLINE:
                        return kind, 0.0, "skipped: deadline"
                    t0 = time.perf_counter()
                    try:
                        response = client.post(f"{url}{paths[kind]}", headers=headers,
                                               json=bodies[kind])
                        status: int | str = response.status_code
                    except httpx.HTTPError as error:
                        status = type(error).__name__
                    return kind, time.perf_counter() - t0, status

                wall = time.perf_counter()
                with ThreadPoolExecutor(args.concurrency) as pool:
                    results = list(pool.map(one, kinds))
                wall = time.perf_counter() - wall
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    by_kind: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[object]] = defaultdict(list)
    for kind, seconds, status in results:
        if status == 200:
            by_kind[kind].append(seconds)
        else:
            errors[kind].append(status)
    print(f"xlperf serve on loopback: {len(results)} requests, {args.concurrency} concurrent, "
          f"{wall:.1f} s wall, {len(results) / wall:.1f} requests/s")
    print(f"{'endpoint':<18}{'ok':>5}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for kind in ("functions", "validate", "refresh"):
        times = sorted(by_kind.get(kind, []))
        if not times and not errors.get(kind):
            continue
        p50 = statistics.median(times) * 1000 if times else float("nan")
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))] * 1000 if times else float(
            "nan")
        top = times[-1] * 1000 if times else float("nan")
        print(f"{paths[kind]:<18}{len(times):>5}{len(errors.get(kind, [])):>8}"
              f"{p50:>10.0f}{p95:>10.0f}{top:>10.0f}")
    for kind, found in errors.items():
        print(f"errors on {paths[kind]}: {sorted(set(map(str, found)))}")


if __name__ == "__main__":
    main()
