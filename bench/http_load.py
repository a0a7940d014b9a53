"""Throughput under gunicorn: the app started with a few sync workers on a free local port,
logged in over HTTP, and a few client threads requesting the client list, party cards and the
offer list for a while after a short warm-up; the result holds requests per second, the
latency percentiles overall and by page, and the first errors.
"""

import argparse
import http.cookiejar
import random
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

from database import bench_env, venv_tool
from measuring import percentile
from settings import CSRF_RE, MANAGER_EMAIL, PASSWORD, RESULTS_DIR, ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited; see bench/results/gunicorn.log")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds}s")


def http_login(base: str, jar: http.cookiejar.CookieJar) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/login", timeout=10) as response:
        page = response.read().decode()
    token = CSRF_RE.search(page)
    if not token:
        raise SystemExit("No CSRF token on /login (HTTP).")
    data = urllib.parse.urlencode(
        {"email": MANAGER_EMAIL, "password": PASSWORD, "csrf_token": token.group(1)}
    ).encode()
    with opener.open(f"{base}/login", data=data, timeout=30) as response:
        if urllib.parse.urlsplit(response.geturl()).path == "/login":
            raise SystemExit("HTTP login failed.")


def measure_http(db_path: Path, args: argparse.Namespace, inputs: dict) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log_file = (RESULTS_DIR / "gunicorn.log").open("w")
    command = [
        *venv_tool("gunicorn"),
        "-w",
        str(args.workers),
        "-b",
        f"127.0.0.1:{port}",
        "app:app",
    ]
    proc = subprocess.Popen(
        command, cwd=ROOT, env=bench_env(db_path), stdout=log_file, stderr=subprocess.STDOUT
    )
    try:
        wait_for(f"{base}/healthz", proc)
        jar = http.cookiejar.CookieJar()
        http_login(base, jar)
        cards = inputs["cards"]
        samples: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        lock = threading.Lock()

        def worker(number: int, deadline: float, record: bool) -> None:
            rng = random.Random(number)
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            turn = number
            while time.monotonic() < deadline:
                turn += 1
                kind = ("list", "card", "offers")[turn % 3]
                path = {"list": "/clients", "offers": "/offers"}.get(kind)
                path = path or f"/clients/{rng.choice(cards)}"
                began = time.perf_counter()
                try:
                    with opener.open(base + path, timeout=30) as response:
                        response.read()
                        ok = response.status == 200 and response.geturl().endswith(path)
                except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                    ok = False
                    path = f"{path}: {exc}"
                spent = (time.perf_counter() - began) * 1000
                if record:
                    with lock:
                        if ok:
                            samples[kind].append(spent)
                        else:
                            errors.append(path)

        def run(seconds: float, record: bool) -> float:
            deadline = time.monotonic() + seconds
            threads = [
                threading.Thread(target=worker, args=(n, deadline, record))
                for n in range(args.threads)
            ]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return time.perf_counter() - began

        run(2.0, record=False)  # warm-up: both workers load templates and caches
        wall = run(args.http_seconds, record=True)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log_file.close()
    everything = [t for values in samples.values() for t in values]
    return {
        "workers": args.workers,
        "threads": args.threads,
        "seconds": wall,
        "requests": len(everything),
        "errors": errors,
        "rps": len(everything) / wall if wall else 0.0,
        "p50": percentile(everything, 50) if everything else float("nan"),
        "p95": percentile(everything, 95) if everything else float("nan"),
        "by_kind": {
            kind: (len(v), percentile(v, 50), percentile(v, 95)) for kind, v in samples.items()
        },
    }
