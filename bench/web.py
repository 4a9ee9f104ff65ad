"""End to end over HTTP: the app served by gunicorn, driven by concurrent clients on loopback.

``serve(...)`` starts ``gunicorn config.wsgi`` (the production server the README names)
on a free loopback port with the benchmark's environment, and samples the resident
memory of the master and its workers while it runs. ``drive(...)`` sends a fixed list of
requests from several client threads, one connection per request, and records each
latency and each error (any status but 200, or no answer within the timeout).
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.measure import REPO

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@dataclass
class MemorySampler:
    """Peak of the summed resident memory of a process and its children, sampled in a thread."""

    pid: int
    interval: float = 0.05
    peak_kb: int = 0
    hwm_kb: dict[int, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _sample(self) -> None:
        pids = [self.pid, *_children(self.pid)]
        total = 0
        for pid in pids:
            total += _status_kb(pid, "VmRSS")
            hwm = _status_kb(pid, "VmHWM")
            if hwm:
                self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), hwm)
        self.peak_kb = max(self.peak_kb, total)

    def run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._sample()
        self._stop.set()


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    memory: MemorySampler
    workers: int


@contextmanager
def serve(env: dict[str, str], *, workers: int = 2, threads: int = 1, ready_timeout: float = 60.0) -> Iterator[Server]:
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "config.wsgi", "-w", str(workers), "--threads", str(threads),
               "-b", f"{HOST}:{port}", "--timeout", "120", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **env})
    sampler = MemorySampler(process.pid)
    thread = threading.Thread(target=sampler.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}")
            try:
                status, _ = fetch(port, "/static/favicon.svg", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer in time")
            time.sleep(0.2)
        yield Server(f"http://{HOST}:{port}", process, sampler, workers)
    finally:
        sampler.stop()
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fetch(port: int, path: str, *, timeout: float) -> tuple[int, int]:
    """GET ``path``; the status and the size of the body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": HOST, "Connection": "close"})
        response = connection.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        connection.close()


@dataclass
class Result:
    kind: str
    path: str
    seconds: float
    status: int  # 0: no answer
    error: str = ""


def drive(server: Server, requests: list[tuple[str, str]], *, clients: int, timeout: float = 60.0,
          deadline_s: float = 600.0) -> tuple[list[Result], float]:
    """Send every request from ``clients`` threads; the results and the wall-clock time taken."""
    port = int(server.base_url.rsplit(":", 1)[1])
    stop_at = time.monotonic() + deadline_s

    def one(item: tuple[str, str]) -> Result:
        kind, path = item
        if time.monotonic() > stop_at:
            return Result(kind, path, 0.0, 0, "not sent: the run's time limit passed")
        started = time.perf_counter()
        try:
            status, _ = fetch(port, path, timeout=timeout)
            error = "" if status == 200 else f"HTTP {status}"
        except OSError as exc:
            status, error = 0, f"{type(exc).__name__}: {exc}"
        return Result(kind, path, time.perf_counter() - started, status, error)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(one, requests))
    return results, time.perf_counter() - started
