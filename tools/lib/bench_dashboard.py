#!/usr/bin/env python3
"""tools/bench dashboard: the operator page's time to first render over 50 campaigns and a million events.

    bench_dashboard.py PROMOCTL REPORT.json [--events N] [--campaigns C] [--requests N] [--loads N]

Needs DATABASE_URL (an empty database: tools/bench makes a fresh one), chromium and chromedriver, and the
selenium package (tools/bench installs them when absent). It seeds the database with `promoctl bench history`
(orders over C active campaigns), starts `promoctl serve` on a free port, waits until every read model has
taken in the whole history, then measures on loopback:

  requests   each request the overview and a campaign page make (the page, its assets, /v1/me, the campaign
             list, the figures, alerts; the campaign, products, its dashboard, budget, stock and uplift): the
             first answer (cold), then N timed after a warm-up, one keep-alive connection; p50 / p95 / max in ms.
             Baseline: GET /healthz the same way, the server's floor on this machine.
  browser    the overview and the campaign page loaded in headless Chromium L times each (the first with an
             empty cache): the load event, and "interactive", the page's own mark when its first view is drawn
             with its data (performance mark promo-ready). p50 / p95 / max in ms.

The targets (issue 11): every request ≤ 50 ms p95, the page interactive ≤ 1 s. The report states each figure
against its target and the ratio to the /healthz baseline.
"""
import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api_client import free_port, wait_ready  # noqa: E402

ASSETS = ["/", "/assets/app.css", "/assets/chart.min.js", "/assets/i18n.js", "/assets/app.js",
          "/assets/campaign.js", "/assets/console.js", "/assets/reports.js"]


def say(message):
    print(f"[bench dashboard] {message}", file=sys.stderr, flush=True)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))]


def summary(values):
    return {"n": len(values), "p50Ms": round(percentile(values, 0.5), 2), "p95Ms": round(percentile(values, 0.95), 2),
            "maxMs": round(max(values), 2)}


def get_json(base, path, key):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + key})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def time_requests(port, path, key, warmup, count):
    """The first answer's time, then `count` after `warmup`, on one keep-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": "Bearer " + key} if path.startswith("/v1/") else {}

    def once():
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            sys.exit(f"[bench dashboard] GET {path} answered {response.status}: {body[:300]!r}")
        return elapsed, len(body)

    first, size = once()
    for _ in range(warmup):
        once()
    times = [once()[0] for _ in range(count)]
    connection.close()
    result = summary(times)
    result.update({"path": path, "firstMs": round(first, 2), "bytes": size})
    return result


def browser_loads(base, key, route, loads):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800",
                     "--disable-dev-shm-usage"]:
        options.add_argument(argument)
    driver_path = "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else "/usr/lib/chromium/chromedriver"
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.get(base + "/healthz")
        driver.execute_script("sessionStorage.setItem('promo.key', arguments[0])", key)
        loads_ms, ready_ms = [], []
        first = None
        for number in range(loads):
            driver.get("about:blank")
            if number == 0:
                driver.execute_cdp_cmd("Network.clearBrowserCache", {})
            driver.get(base + "/" + route)
            deadline = time.monotonic() + 30
            timing = None
            while time.monotonic() < deadline:
                timing = driver.execute_script("""
                    const nav = performance.getEntriesByType('navigation')[0];
                    const ready = performance.getEntriesByName('promo-ready')[0];
                    return nav && nav.loadEventEnd > 0 && ready ? [nav.loadEventEnd, ready.startTime] : null;""")
                if timing:
                    break
                time.sleep(0.02)
            if not timing:
                sys.exit(f"[bench dashboard] {route} was not drawn within 30 s")
            if number == 0:
                first = {"loadMs": round(timing[0], 1), "interactiveMs": round(timing[1], 1)}
            else:
                loads_ms.append(timing[0])
                ready_ms.append(timing[1])
        return {"route": route, "coldCache": first, "load": summary(loads_ms), "interactive": summary(ready_ms)}
    finally:
        driver.quit()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("promoctl")
    parser.add_argument("report")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--campaigns", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--loads", type=int, default=11)
    args = parser.parse_args()

    say(f"seeding {args.events} events over {args.campaigns} campaigns (promoctl bench history)")
    started = time.monotonic()
    seeded = subprocess.run([args.promoctl, "bench", "history", "--events", str(args.events),
                             "--campaigns", str(args.campaigns)], check=True, stdout=subprocess.PIPE, text=True)
    last = int(seeded.stdout.strip().splitlines()[-1])
    seed_seconds = time.monotonic() - started
    key = subprocess.run([args.promoctl, "keys", "create", "--role", "admin", "--name", "bench"], check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile()
    server = subprocess.Popen([args.promoctl, "serve", "--port", str(port), "--log-level", "error"],
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(base)
        say("waiting for every read model to take in the history")
        started = time.monotonic()
        shown = 0.0
        while True:
            projections = get_json(base, "/v1/projections", key)["projections"]
            behind = [p for p in projections if p["position"] < last]
            if not behind:
                break
            if time.monotonic() - shown > 5:
                shown = time.monotonic()
                slowest = min(projections, key=lambda p: p["position"])
                say(f"  {len(behind)} of {len(projections)} behind; slowest {slowest['name']} "
                    f"{slowest['lagEvents']} events behind ({time.monotonic() - started:.0f} s)")
            time.sleep(1)
        catch_up_seconds = time.monotonic() - started
        say(f"read models caught up in {catch_up_seconds:.0f} s")

        campaign = "c-1"
        # Exactly what the page asks (app.js and campaign.js).
        overview_paths = ASSETS + ["/v1/me", "/v1/campaigns?summary=true", "/v1/dashboards/campaigns",
                                   "/v1/alerts?limit=50"]
        campaign_paths = [f"/v1/campaigns/{campaign}", "/v1/products", f"/v1/dashboards/campaigns/{campaign}",
                          f"/v1/budgets/{campaign}", "/v1/reports/stock", f"/v1/reports/uplift?campaignId={campaign}"]
        say(f"timing each request of the pages ({args.requests} each after a warm-up)")
        baseline = time_requests(port, "/healthz", key, 20, args.requests)
        requests = {}
        for page, paths in [("overview", overview_paths), ("campaign", campaign_paths)]:
            requests[page] = [time_requests(port, path, key, 20, args.requests) for path in paths]
            for item in requests[page]:
                say(f"  {item['path']}: first {item['firstMs']} ms, p50 {item['p50Ms']}, p95 {item['p95Ms']}, "
                    f"max {item['maxMs']} ({item['bytes']} bytes)")
        say(f"  baseline /healthz: p50 {baseline['p50Ms']}, p95 {baseline['p95Ms']}")

        say(f"loading the pages in Chromium ({args.loads} times each, the first with an empty cache)")
        browser = [browser_loads(base, key, route, args.loads) for route in ["#/", f"#/campaigns/{campaign}"]]
        for item in browser:
            say(f"  {item['route']}: interactive p50 {item['interactive']['p50Ms']} ms, p95 {item['interactive']['p95Ms']}, "
                f"cold {item['coldCache']['interactiveMs']}; load event p95 {item['load']['p95Ms']}")

        worst = max((item for page in requests.values() for item in page), key=lambda item: item["p95Ms"])
        worst_interactive = max(item["interactive"]["p95Ms"] for item in browser)
        report = {
            "events": args.events, "campaigns": args.campaigns, "lastPosition": last,
            "seedSeconds": round(seed_seconds, 1), "readModelsCatchUpSeconds": round(catch_up_seconds, 1),
            "baseline": baseline, "requests": requests, "browser": browser,
            "verdict": {
                "slowestRequest": worst["path"], "slowestRequestP95Ms": worst["p95Ms"], "requestTargetMs": 50,
                "requestsWithinTarget": worst["p95Ms"] <= 50,
                "slowestRequestVsHealthzP95": round(worst["p95Ms"] / max(baseline["p95Ms"], 0.001), 1),
                "interactiveP95Ms": worst_interactive, "interactiveTargetMs": 1000,
                "interactiveWithinTarget": worst_interactive <= 1000,
            },
        }
        with open(args.report, "w") as out:
            json.dump(report, out, indent=2, ensure_ascii=False)
        verdict = report["verdict"]
        say(f"slowest request {verdict['slowestRequest']} p95 {verdict['slowestRequestP95Ms']} ms (target 50; "
            f"{verdict['slowestRequestVsHealthzP95']}x /healthz); interactive p95 {worst_interactive} ms (target 1000)")
        say(f"report written to {args.report}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
