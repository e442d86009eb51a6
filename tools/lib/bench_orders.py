#!/usr/bin/env python3
"""tools/bench orders: placed orders per second over HTTP, against a pgbench INSERT baseline on the same database.

    bench_orders.py PROMOCTL REPORT.json [--seconds S] [--connections C] [--warmup S]

Needs DATABASE_URL (a database it may fill; tools/bench makes a fresh one), wrk and pgbench. It starts
`promoctl serve` on a free port, seeds a world through the API (500 SKUs with stock at one warehouse, an online
mall, 10 active campaigns of which one is a flash sale on HOT-001), then runs, each after a warm-up:

  spread       64 connections placing orders of 1-3 lines over the 500 SKUs;
  hot          64 connections all buying the flash-sale SKU (one stock stream, one campaign stream);
  hot-unbatched  the same with the server restarted with --no-write-batching;
  spread-with-workers  the spread case again with the server restarted with --role all: the projection workers
               in the same process, catching up on everything the runs before appended while orders come in;
  pgbench      64 clients doing a single-row INSERT on the same database (the ceiling of one statement per
               transaction on this machine).

Every order carries an Idempotency-Key, as channel systems send one. The warm-ups leave the hot streams and the
campaign budget streams with tens of thousands of events, so the measured runs load long histories. The first
three runs serve the API alone (`serve --role api`, how the command side is deployed beside `--role workers`
processes), so that they measure placing orders and nothing else on the two cores.
Standard library only.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api_client import Client, free_port, wait_ready  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WINDOW = {"start": "2026-01-01T00:00:00+08:00", "end": "2030-12-31T23:59:59+08:00"}
CATEGORIES = ["hotpot", "tripe", "meatballs", "dumplings", "desserts"]


def say(message):
    print(f"[bench orders] {message}", file=sys.stderr, flush=True)


def promoctl(binary, *args):
    return subprocess.run([binary, *args], check=True, capture_output=True, text=True).stdout


class Server:
    def __init__(self, binary, batching, role="api"):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        arguments = [binary, "serve", "--role", role, "--port", str(self.port), "--max-connections", "24"]
        if not batching:
            arguments.append("--no-write-batching")
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(arguments, stdout=self.log, stderr=subprocess.STDOUT)
        wait_ready(self.base)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def seed(admin):
    say("seeding 500 SKUs, the mall, stock and 10 campaigns through the API")
    skus = [f"SKU-{n:04d}" for n in range(1, 501)] + ["HOT-001"]
    calls = []
    for index, sku in enumerate(skus):
        price = 1990 + (index * 137) % 6000
        calls.append(lambda sku=sku, price=price, index=index: admin.request("PUT", f"/v1/products/{sku}", {
            "name": f"商品 {sku}", "spec": "500g", "origin": "成都", "shelfLifeDays": 365, "priceFen": price,
            "costFen": price * 45 // 100, "category": CATEGORIES[index % 5], "tags": ["frozen"]}))
    admin.step("products", calls)
    admin.request("PUT", "/v1/stores/s-mall", {"name": "官方商城", "region": "national", "channel": "online",
                                                "fulfilmentLocation": "wh-bench"})
    receipts = [(lambda sku=sku: admin.request("POST", f"/v1/stock/{sku}/wh-bench/receipts", {"quantity": 100000}))
                for sku in skus]
    receipts += [(lambda: admin.request("POST", "/v1/stock/HOT-001/wh-bench/receipts", {"quantity": 100000}))
                 for _ in range(4)]
    admin.step("stock", receipts)
    budget = {"totalFen": 9_000_000_000}
    campaigns = []
    for index, category in enumerate(CATEGORIES):
        campaigns.append({"campaignId": f"b-reduce-{category}", "name": f"{category} 满100减10", "kind": "spend_reduction",
                          "window": WINDOW, "scope": {"categories": [category]},
                          "rules": {"tiers": [{"thresholdFen": 10000, "reductionFen": 1000},
                                              {"thresholdFen": 20000, "reductionFen": 2500}]},
                          "stacking": {"priority": 20 + index}, "budget": budget})
    campaigns.append({"campaignId": "b-discount-all", "name": "全场满300打95折", "kind": "spend_discount",
                      "window": WINDOW, "rules": {"tiers": [{"thresholdFen": 30000, "percentBp": 500}]},
                      "stacking": {"priority": 40}, "budget": budget})
    campaigns.append({"campaignId": "b-gift", "name": "满199赠", "kind": "gift", "window": WINDOW,
                      "rules": {"thresholdFen": 19900, "giftSku": "SKU-0500", "giftQuantity": 1},
                      "stacking": {"priority": 50}, "budget": {"giftCostFen": 20_000_000}})
    campaigns.append({"campaignId": "b-reduce-online", "name": "线上满50减3", "kind": "spend_reduction",
                      "window": WINDOW, "scope": {"channels": ["online"]},
                      "rules": {"tiers": [{"thresholdFen": 5000, "reductionFen": 300}]},
                      "stacking": {"priority": 60}, "budget": budget})
    campaigns.append({"campaignId": "b-discount-meatballs", "name": "丸子满2件9折", "kind": "spend_discount",
                      "window": WINDOW, "scope": {"categories": ["meatballs"]},
                      "rules": {"tiers": [{"thresholdFen": 8000, "percentBp": 1000}]},
                      "stacking": {"priority": 70}, "budget": budget})
    campaigns.append({"campaignId": "b-flash-hot", "name": "爆款秒杀", "kind": "flash_sale", "window": WINDOW,
                      "rules": {"sku": "HOT-001", "priceFen": 990, "quantity": 100000, "perCustomerLimit": 1000},
                      "stacking": {"priority": 1, "stackable": False}, "budget": budget})

    def create(body):
        admin.request("POST", "/v1/campaigns", body)
        admin.request("POST", f"/v1/campaigns/{body['campaignId']}/activate", {})

    admin.step("campaigns", [(lambda c=c: create(c)) for c in campaigns])


def wrk(base, key, run, mode, seconds, connections):
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", os.path.join(HERE, "orders.lua"), base, "--", key, run, mode],
        check=True, capture_output=True, text=True).stdout
    line = next((l for l in output.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        sys.exit(f"[bench orders] wrk printed no result:\n{output}")
    result = json.loads(line[len("RESULT "):])
    seconds_run = result["durationUs"] / 1e6
    placed = result["statuses"].get("201", 0)
    result["placedPerSecond"] = round(placed / seconds_run, 1)
    result["requestsPerSecond"] = round(result["requests"] / seconds_run, 1)
    return result


def measure(name, base, key, mode, args):
    say(f"{name}: warm-up {args.warmup} s, then {args.seconds} s with {args.connections} connections")
    wrk(base, key, f"{name}-warm-{int(time.time())}", mode, args.warmup, args.connections)
    result = wrk(base, key, f"{name}-{int(time.time())}", mode, args.seconds, args.connections)
    latency = result["latencyUs"]
    say(f"{name}: {result['placedPerSecond']:.0f} orders placed/s, p50 {latency['p50'] / 1000:.1f} ms, "
        f"p99 {latency['p99'] / 1000:.1f} ms; statuses {result['statuses']}")
    return result


def stream_versions(database_url, psql):
    query = ("SELECT stream_id, max(stream_version) FROM events WHERE stream_id IN "
             "('stock-HOT-001@wh-bench', 'campaign-b-flash-hot', 'campaign-b-reduce-online', 'campaign-b-gift') "
             "GROUP BY stream_id ORDER BY 1")
    out = subprocess.run([psql, database_url, "-qAtF", "\t", "-c", query], check=True, capture_output=True,
                         text=True).stdout
    return {row.split("\t")[0]: int(row.split("\t")[1]) for row in out.splitlines() if row}


def pgbench_baseline(database_url, pgbench, psql, seconds, clients):
    say(f"pgbench: single-row INSERT, {clients} clients, {seconds} s")
    subprocess.run([psql, database_url, "-qc",
                    "DROP TABLE IF EXISTS bench_orders_baseline; "
                    "CREATE TABLE bench_orders_baseline (id bigserial PRIMARY KEY, order_id uuid, body jsonb, "
                    "at timestamptz)"], check=True, capture_output=True)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("INSERT INTO bench_orders_baseline (order_id, body, at) VALUES (gen_random_uuid(), "
                     "'{\"sku\":\"SKU-0001\",\"quantity\":1,\"totalFen\":1990}', clock_timestamp());\n")
    url = urllib.parse.urlparse(database_url)
    query = urllib.parse.parse_qs(url.query)
    host = query.get("host", [url.hostname or "localhost"])[0]
    try:
        out = subprocess.run([pgbench, "-n", "-f", script.name, "-c", str(clients), "-j", "2", "-T", str(seconds),
                              "-h", host, "-p", str(url.port or 5432), "-U", url.username or "postgres",
                              url.path.lstrip("/")], check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(script.name)
    tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))
    latency = re.search(r"latency average = ([0-9.]+) ms", out)
    say(f"pgbench: {tps:.0f} INSERTs/s")
    return {"transactionsPerSecond": tps, "latencyAverageMs": float(latency.group(1)) if latency else None}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("promoctl")
    parser.add_argument("report")
    parser.add_argument("--seconds", type=int, default=15, help="length of each measured run (default 15)")
    parser.add_argument("--warmup", type=int, default=10, help="warm-up before each run (default 10)")
    parser.add_argument("--connections", type=int, default=64, help="concurrent HTTP connections (default 64)")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or sys.exit("[bench orders] DATABASE_URL is not set")
    if not shutil.which("wrk"):
        sys.exit("[bench orders] wrk is missing: apt-get install -y wrk (tools/bench installs it)")
    pg_bin = os.environ.get("PROMO_PG_BIN", "")
    pgbench = os.path.join(pg_bin, "pgbench") if pg_bin else "pgbench"
    psql = os.path.join(pg_bin, "psql") if pg_bin else "psql"

    promoctl(args.promoctl, "migrate")
    admin_key = promoctl(args.promoctl, "keys", "create", "--role", "admin", "--name", "bench").strip().splitlines()[-1]
    channel_key = promoctl(args.promoctl, "keys", "create", "--role", "channel", "--name", "bench").strip().splitlines()[-1]

    report = {"connections": args.connections, "seconds": args.seconds, "warmupSeconds": args.warmup,
              "cores": os.cpu_count(), "runs": {}}
    server = Server(args.promoctl, batching=True)
    try:
        seed(Client(server.base, admin_key))
        report["runs"]["spread"] = measure("spread", server.base, channel_key, "spread", args)
        report["runs"]["hot"] = measure("hot", server.base, channel_key, "hot", args)
        report["historyBeforeUnbatched"] = stream_versions(database_url, psql)
    finally:
        server.stop()
    server = Server(args.promoctl, batching=False)
    try:
        report["runs"]["hotUnbatched"] = measure("hot-unbatched", server.base, channel_key, "hot", args)
    finally:
        server.stop()
    report["historyAfter"] = stream_versions(database_url, psql)
    server = Server(args.promoctl, batching=True, role="all")
    try:
        report["runs"]["spreadWithWorkers"] = measure("spread-with-workers", server.base, channel_key, "spread", args)
    finally:
        server.stop()
    report["pgbenchInsert"] = pgbench_baseline(database_url, pgbench, psql, args.seconds, args.connections)

    runs = report["runs"]
    baseline = report["pgbenchInsert"]["transactionsPerSecond"]
    report["ratios"] = {
        "spreadToPgbench": round(runs["spread"]["placedPerSecond"] / baseline, 3),
        "hotToPgbench": round(runs["hot"]["placedPerSecond"] / baseline, 3),
        "hotToSpread": round(runs["hot"]["placedPerSecond"] / max(runs["spread"]["placedPerSecond"], 1e-9), 3),
        "hotToUnbatched": round(runs["hot"]["placedPerSecond"] / max(runs["hotUnbatched"]["placedPerSecond"], 1e-9), 2),
        "spreadWithWorkersToSpread": round(
            runs["spreadWithWorkers"]["placedPerSecond"] / max(runs["spread"]["placedPerSecond"], 1e-9), 3),
    }
    with open(args.report, "w") as out:
        json.dump(report, out, indent=2, sort_keys=True)
        out.write("\n")
    ratios = report["ratios"]
    print(f"spread: {runs['spread']['placedPerSecond']:.0f} orders/s (p99 {runs['spread']['latencyUs']['p99'] / 1000:.1f} ms), "
          f"{ratios['spreadToPgbench']:.2f}x pgbench INSERT ({baseline:.0f}/s)")
    print(f"hot SKU: {runs['hot']['placedPerSecond']:.0f} orders/s (p99 {runs['hot']['latencyUs']['p99'] / 1000:.1f} ms), "
          f"{ratios['hotToSpread']:.2f}x spread, {ratios['hotToUnbatched']:.1f}x unbatched "
          f"({runs['hotUnbatched']['placedPerSecond']:.0f}/s)")
    print(f"spread with the projection workers in the same process: "
          f"{runs['spreadWithWorkers']['placedPerSecond']:.0f} orders/s "
          f"(p99 {runs['spreadWithWorkers']['latencyUs']['p99'] / 1000:.1f} ms)")
    print(f"history: {report['historyAfter']}")
    print(f"report: {args.report}")


if __name__ == "__main__":
    main()
