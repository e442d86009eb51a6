#!/usr/bin/env python3
"""Seeds the demo data set through PromoLedger's own HTTP API, as a channel or marketing system would.

    demo_seed.py BASE_URL API_KEY

The brand's catalog (hot-pot bases, tripe, meatballs, dumplings …), its stores and warehouses, opening stock
and safety stock, and a few customers. Running it again changes nothing: a PUT of what is already there
appends no event, and opening stock is received only where a location holds none of the SKU yet. Each write
carries an Idempotency-Key, so a retried request is not applied twice. Standard library only.
"""
import hashlib
import json
import sys
import time
import urllib.error
import urllib.request

PRODUCTS = [
    # sku, name, spec, origin, shelf life (days), price, cost (fen), category, tags
    ("HP-001", "牛油火锅底料", "500g", "重庆", 365, 3990, 1800, "hotpot", ["spicy", "bestseller"]),
    ("HP-002", "清油火锅底料", "400g", "成都", 365, 3590, 1600, "hotpot", ["spicy"]),
    ("HP-003", "番茄火锅底料", "300g", "成都", 270, 2590, 1100, "hotpot", ["mild"]),
    ("MD-002", "鲜毛肚", "250g", "四川", 180, 4590, 2500, "hotpot", ["frozen"]),
    ("MD-003", "千层肚", "250g", "四川", 180, 3990, 2100, "hotpot", ["frozen"]),
    ("WZ-003", "手打牛肉丸", "500g", "潮汕", 180, 2990, 1400, "meatballs", ["frozen", "bestseller"]),
    ("WZ-004", "虾滑", "150g", "湛江", 180, 2590, 1300, "meatballs", ["frozen"]),
    ("WZ-005", "撒尿牛丸", "500g", "潮汕", 180, 2790, 1300, "meatballs", ["frozen"]),
    ("JZ-004", "猪肉白菜水饺", "1kg", "成都", 365, 2990, 1200, "dumplings", ["frozen"]),
    ("JZ-005", "钟水饺", "500g", "成都", 365, 2490, 1000, "dumplings", ["frozen", "spicy"]),
    ("JZ-006", "龙抄手", "500g", "成都", 365, 2690, 1100, "dumplings", ["frozen"]),
    ("TY-005", "黑芝麻汤圆", "400g", "成都", 365, 1590, 700, "desserts", ["frozen"]),
    ("TY-006", "红糖糍粑", "300g", "成都", 365, 1890, 800, "desserts", ["frozen"]),
    ("SP-001", "火锅底料试吃装", "50g", "重庆", 365, 0, 300, "samples", ["not_for_sale"]),
]
STORES = [
    # id, name, region, channel, fulfilment location
    ("s-online", "官方商城", "national", "online", "wh-chengdu"),
    ("s-miniapp", "微信小程序", "national", "online", "wh-chengdu"),
    ("s-cd-01", "成都春熙路店", "sichuan", "store", "s-cd-01"),
    ("s-cd-02", "成都太古里店", "sichuan", "store", "s-cd-02"),
    ("s-cq-01", "重庆解放碑店", "chongqing", "store", "s-cq-01"),
]
# Opening stock per location: (location, units per SKU), and the safety stock below which an alert fires.
STOCK = [("wh-chengdu", 2000), ("s-cd-01", 120), ("s-cd-02", 80), ("s-cq-01", 100)]
SAFETY = {"wh-chengdu": 200, "s-cd-01": 20, "s-cd-02": 15, "s-cq-01": 20}
CUSTOMERS = [
    ("u-1001", "张伟", "13800000001", "成都市锦江区春熙路1号", "sichuan", "gold", ["spicy"]),
    ("u-1002", "王芳", "13800000002", "成都市武侯区科华北路2号", "sichuan", "silver", ["mild"]),
    ("u-1003", "李娜", "13800000003", "重庆市渝中区解放碑3号", "chongqing", "regular", ["spicy", "seafood"]),
    ("u-1004", "刘洋", "13800000004", "北京市朝阳区建国路4号", "beijing", "regular", []),
]


class Seeder:
    def __init__(self, base, key):
        self.base = base.rstrip("/")
        self.key = key
        self.requests = 0

    def get(self, path):
        request = urllib.request.Request(self.base + path, headers={"Authorization": "Bearer " + self.key})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            sys.exit(f"[demo seed] GET {path} answered {error.code}: {error.read().decode(errors='replace')}")

    def call(self, method, path, body):
        data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
        # The same write always carries the same key: a second demo run is answered from the first.
        idempotency = "demo-" + hashlib.sha256(method.encode() + path.encode() + data).hexdigest()[:32]
        request = urllib.request.Request(
            self.base + path, data=data, method=method,
            headers={"Authorization": "Bearer " + self.key, "Content-Type": "application/json",
                     "Idempotency-Key": idempotency})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            sys.exit(f"[demo seed] {method} {path} answered {error.code}: {detail}")
        self.requests += 1
        return status, answer

    def step(self, title, writes):
        total = len(writes)
        if total == 0:
            print(f"[demo seed] {title}: already there", file=sys.stderr)
            return
        started = time.monotonic()
        for done, (method, path, body) in enumerate(writes, start=1):
            self.call(method, path, body)
            if done == total or done % 10 == 0:
                print(f"\r[demo seed] {title}: {done}/{total}", end="", file=sys.stderr, flush=True)
        print(f" ({time.monotonic() - started:.1f} s)", file=sys.stderr)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: demo_seed.py BASE_URL API_KEY")
    base, key = sys.argv[1], sys.argv[2]
    # Wait for the server (a first start migrates and may take a moment).
    for _ in range(300):
        try:
            with urllib.request.urlopen(base.rstrip("/") + "/readyz", timeout=2) as response:
                if response.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    else:
        sys.exit(f"[demo seed] {base}/readyz did not answer 200 within 150 s; is the server running?")

    seeder = Seeder(base, key)
    seeder.step("products", [
        ("PUT", f"/v1/products/{sku}", {
            "name": name, "spec": spec, "origin": origin, "shelfLifeDays": days, "priceFen": price,
            "costFen": cost, "category": category, "tags": tags})
        for sku, name, spec, origin, days, price, cost, category, tags in PRODUCTS])
    seeder.step("stores", [
        ("PUT", f"/v1/stores/{store}", {
            "name": name, "region": region, "channel": channel, "fulfilmentLocation": location})
        for store, name, region, channel, location in STORES])
    sellable = [p[0] for p in PRODUCTS]
    held = {sku: (seeder.get(f"/v1/stock/{sku}") or {}).get("locations", {}) for sku in sellable}
    receipts = [
        ("POST", f"/v1/stock/{sku}/{location}/receipts", {"quantity": units})
        for location, units in STOCK for sku in sellable if held[sku].get(location, {}).get("onHand", 0) == 0]
    stocked = len(STOCK) * len(sellable) - len(receipts)
    seeder.step("opening stock", receipts)
    seeder.step("safety stock", [
        ("PUT", f"/v1/stock/{sku}/{location}/safety-stock", {"quantity": SAFETY[location]})
        for location, _ in STOCK for sku in sellable])
    seeder.step("customers", [
        ("PUT", f"/v1/customers/{customer}", {
            "name": name, "phone": phone, "address": address, "region": region, "tier": tier,
            "tastePreferences": tastes, "consents": {"sms": True, "wechat": True, "app": False}})
        for customer, name, phone, address, region, tier, tastes in CUSTOMERS])
    print(f"[demo seed] done: {seeder.requests} writes ({stocked} SKU-locations already held stock, left as they"
          " were; a repeated PUT appends nothing)", file=sys.stderr)


if __name__ == "__main__":
    main()
