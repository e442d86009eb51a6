"""A small client for PromoLedger's HTTP API, for the benchmark scripts: a Bearer key, JSON bodies, an
Idempotency-Key on every write, progress on stderr. Standard library only.
"""
import json
import socket
import sys
import time
import urllib.error
import urllib.request
import uuid


class Client:
    def __init__(self, base, key):
        self.base = base.rstrip("/")
        self.key = key
        self.requests = 0

    def request(self, method, path, body=None, quiet=()):
        data = None if body is None else json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
        headers = {"Authorization": "Bearer " + self.key}
        if data is not None:
            headers["Content-Type"] = "application/json"
            headers["Idempotency-Key"] = "bench-" + uuid.uuid4().hex
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            answer = json.loads(error.read() or b"{}")
            code = answer.get("error", {}).get("code")
            if error.code in quiet or code in quiet:
                return error.code, answer
            sys.exit(f"[bench] {method} {path} answered {error.code}: {json.dumps(answer, ensure_ascii=False)}")
        except (urllib.error.URLError, OSError):
            sys.exit("\n[bench] the server stopped")

    def step(self, title, calls):
        started = time.monotonic()
        for done, call in enumerate(calls, start=1):
            call()
            if done == len(calls) or done % 25 == 0:
                print(f"\r[bench seed] {title}: {done}/{len(calls)}", end="", file=sys.stderr, flush=True)
        if not calls:
            print(f"[bench seed] {title}: already there", end="", file=sys.stderr)
        print(f" ({time.monotonic() - started:.1f} s)", file=sys.stderr)


def wait_ready(base):
    for _ in range(300):
        try:
            with urllib.request.urlopen(base.rstrip("/") + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    sys.exit(f"[bench] {base}/readyz did not answer 200 within 150 s; is the server running?")


def free_port():
    """A TCP port free on 127.0.0.1 now, for a server a benchmark starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
