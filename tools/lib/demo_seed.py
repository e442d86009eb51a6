#!/usr/bin/env python3
"""Seeds the demo world through PromoLedger's own HTTP API, as the brand's systems would, then keeps it alive.

    demo_seed.py BASE_URL API_KEY [--traffic]

The world: 40 products of a Sichuan frozen-food brand (hot-pot bases, tripe, meatballs, dumplings, desserts,
with spec, origin, shelf life, cost and tags), an online mall and a mini-program fulfilled from the Chengdu
warehouse plus six stores in three regions, opening and safety stock per location, 500 customers with tiers and
taste preferences, six campaigns (满减, 满折, a flash sale, a gift, a bundle, a coupon-funding 满减) and a coupon
template issued to 100 customers. With --traffic it then places, pays, ships, cancels and refunds orders at a
few per second until stopped, so dashboards have something live to show.

Running it again on a seeded database changes nothing it made before: a PUT of what is there appends no event,
stock is received only where none is held, campaigns and templates that exist are left as they are, and
coupons are issued only to customers that hold none. Standard library only.
"""
import json
import random
import sys
import time
import urllib.error
import urllib.request
import uuid

REGIONS = {"sichuan": ["成都"], "chongqing": ["重庆"], "guangdong": ["广州"]}
KINDS = [
    # prefix, category, names, price range (fen), origin, shelf life, tags
    ("HP", "hotpot", ["牛油火锅底料", "清油火锅底料", "番茄火锅底料", "菌汤火锅底料", "麻辣香锅料", "冒菜底料", "串串香底料", "酸菜鱼调料"],
     (2590, 4590), "重庆", 365, ["spicy"]),
    ("MD", "tripe", ["鲜毛肚", "千层肚", "黄喉", "鸭肠", "牛百叶", "脆毛肚", "鹅肠", "虾滑毛肚拼"],
     (3290, 6890), "四川", 180, ["frozen"]),
    ("WZ", "meatballs", ["手打牛肉丸", "撒尿牛丸", "虾滑", "墨鱼丸", "鱼豆腐", "鸡肉丸", "黑猪肉丸", "芝士虾球"],
     (1990, 3990), "潮汕", 180, ["frozen"]),
    ("JZ", "dumplings", ["猪肉白菜水饺", "钟水饺", "龙抄手", "韭菜鸡蛋饺", "三鲜水饺", "酸汤水饺", "红油抄手", "牛肉水饺"],
     (1890, 3290), "成都", 365, ["frozen"]),
    ("TY", "desserts", ["黑芝麻汤圆", "红糖糍粑", "醪糟汤圆", "冰粉", "叶儿粑", "玫瑰汤圆", "紫薯糍粑", "花生汤圆"],
     (1290, 2290), "成都", 365, ["frozen", "sweet"]),
]
STORES = [
    ("s-online", "官方商城", "national", "online", "wh-chengdu"),
    ("s-miniapp", "微信小程序", "national", "online", "wh-chengdu"),
    ("s-cd-01", "成都春熙路店", "sichuan", "store", "s-cd-01"),
    ("s-cd-02", "成都太古里店", "sichuan", "store", "s-cd-02"),
    ("s-cq-01", "重庆解放碑店", "chongqing", "store", "s-cq-01"),
    ("s-cq-02", "重庆观音桥店", "chongqing", "store", "s-cq-02"),
    ("s-gz-01", "广州天河店", "guangdong", "store", "s-gz-01"),
    ("s-gz-02", "广州北京路店", "guangdong", "store", "s-gz-02"),
]
WINDOW = {"start": "2026-01-01T00:00:00+08:00", "end": "2027-12-31T23:59:59+08:00"}


def products():
    rng = random.Random(7)
    result = []
    for prefix, category, names, (low, high), origin, days, tags in KINDS:
        for index, name in enumerate(names, start=1):
            price = rng.randrange(low, high, 100) - 10
            result.append({
                "sku": f"{prefix}-{index:03d}", "name": name, "spec": rng.choice(["250g", "400g", "500g", "1kg"]),
                "origin": origin, "shelfLifeDays": days, "priceFen": price, "costFen": price * 45 // 100,
                "category": category, "tags": tags + (["bestseller"] if index == 1 else [])})
    return result


def customers():
    rng = random.Random(11)
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    given = "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂"
    result = []
    for index in range(1, 501):
        region = rng.choice(list(REGIONS))
        result.append({
            "customerId": f"u-{1000 + index}",
            "name": rng.choice(surnames) + rng.choice(given) + rng.choice(given),
            "phone": f"138{rng.randrange(10**8):08d}",
            "address": f"{REGIONS[region][0]}市某区某路{rng.randrange(1, 300)}号",
            "region": region, "tier": rng.choices(["regular", "silver", "gold"], [6, 3, 1])[0],
            "tastePreferences": rng.sample(["spicy", "numbing", "mild", "seafood", "sweet"], rng.randrange(0, 3)),
            "consents": {"sms": rng.random() < 0.7, "wechat": rng.random() < 0.8, "app": rng.random() < 0.4}})
    return result


def campaigns():
    return [
        {"campaignId": "c-hotpot-1111", "name": "双十一火锅节 满100减20 满200减50", "kind": "spend_reduction",
         "window": WINDOW, "scope": {"categories": ["hotpot", "tripe"]},
         "rules": {"tiers": [{"thresholdFen": 10000, "reductionFen": 2000}, {"thresholdFen": 20000, "reductionFen": 5000}]},
         "stacking": {"priority": 20}, "budget": {"totalFen": 5000000, "discountFen": 4000000},
         "alerts": {"budgetThresholds": [0.5, 0.8, 0.95, 1.0]}},
        {"campaignId": "c-dumplings-95", "name": "水饺满150打95折", "kind": "spend_discount", "window": WINDOW,
         "scope": {"categories": ["dumplings"]}, "rules": {"tiers": [{"thresholdFen": 15000, "percentBp": 500}]},
         "stacking": {"priority": 30}, "budget": {"discountFen": 1000000}},
        {"campaignId": "c-flash-wz001", "name": "牛肉丸秒杀 9.9元", "kind": "flash_sale", "window": WINDOW,
         "scope": {"channels": ["online"]},
         "rules": {"sku": "WZ-001", "priceFen": 990, "quantity": 500, "perCustomerLimit": 2},
         "stacking": {"priority": 1, "stackable": False}},
        {"campaignId": "c-gift-tangyuan", "name": "满199赠黑芝麻汤圆", "kind": "gift", "window": WINDOW,
         "rules": {"thresholdFen": 19900, "giftSku": "TY-001", "giftQuantity": 1}, "stacking": {"priority": 40},
         "budget": {"giftCostFen": 500000}},
        {"campaignId": "c-bundle-hotpot", "name": "火锅套餐 底料+毛肚+牛肉丸", "kind": "bundle", "window": WINDOW,
         "rules": {"items": [{"sku": "HP-001", "quantity": 1}, {"sku": "MD-001", "quantity": 1},
                             {"sku": "WZ-002", "quantity": 1}], "bundlePriceFen": 8800},
         "stacking": {"priority": 10}},
        {"campaignId": "c-coupons-newyear", "name": "新年券资金池", "kind": "spend_reduction", "window": WINDOW,
         "scope": {"categories": ["desserts"]}, "rules": {"tiers": [{"thresholdFen": 30000, "reductionFen": 3000}]},
         "stacking": {"priority": 50}, "budget": {"discountFen": 300000, "couponSubsidyFen": 200000}},
    ]


TEMPLATE = {"templateId": "t-5off-150", "name": "满150减5元券",
            "discount": {"kind": "amount", "valueFen": 500, "thresholdFen": 15000},
            "scope": {"channels": ["online"]}, "stackable": True,
            "validFrom": WINDOW["start"], "validUntil": WINDOW["end"], "totalQuantity": 10000, "perCustomerLimit": 1,
            "campaignId": "c-coupons-newyear"}


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
            headers["Idempotency-Key"] = "demo-" + uuid.uuid4().hex
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
            sys.exit(f"[demo] {method} {path} answered {error.code}: {json.dumps(answer, ensure_ascii=False)}")
        except (urllib.error.URLError, OSError):
            sys.exit("\n[demo] the server stopped")

    def step(self, title, calls):
        started = time.monotonic()
        for done, call in enumerate(calls, start=1):
            call()
            if done == len(calls) or done % 25 == 0:
                print(f"\r[demo seed] {title}: {done}/{len(calls)}", end="", file=sys.stderr, flush=True)
        if not calls:
            print(f"[demo seed] {title}: already there", end="", file=sys.stderr)
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
    sys.exit(f"[demo] {base}/readyz did not answer 200 within 150 s; is the server running?")


def seed(api):
    catalog = products()
    api.step("products", [
        (lambda p=p: api.request("PUT", f"/v1/products/{p['sku']}", {k: v for k, v in p.items() if k != "sku"}))
        for p in catalog])
    api.step("stores", [
        (lambda s=s: api.request("PUT", f"/v1/stores/{s[0]}", {"name": s[1], "region": s[2], "channel": s[3],
                                                                "fulfilmentLocation": s[4]}))
        for s in STORES])
    locations = sorted({s[4] for s in STORES})
    held = {p["sku"]: api.request("GET", f"/v1/stock/{p['sku']}", quiet=(404,))[1].get("locations", {})
            for p in catalog}
    receipts, safety = [], []
    for p in catalog:
        for location in locations:
            units = 5000 if location.startswith("wh-") else 300
            if held[p["sku"]].get(location, {}).get("onHand", 0) == 0:
                receipts.append(lambda p=p, l=location, u=units: api.request(
                    "POST", f"/v1/stock/{p['sku']}/{l}/receipts", {"quantity": u}))
            safety.append(lambda p=p, l=location, u=units: api.request(
                "PUT", f"/v1/stock/{p['sku']}/{l}/safety-stock", {"quantity": u // 10}))
    api.step("opening stock", receipts)
    api.step("safety stock", safety)
    people = customers()
    api.step("customers", [
        (lambda c=c: api.request("PUT", f"/v1/customers/{c['customerId']}",
                                 {k: v for k, v in c.items() if k != "customerId"}))
        for c in people])

    def campaign(body):
        status, _ = api.request("POST", "/v1/campaigns", body, quiet=("campaign_exists",))
        api.request("POST", f"/v1/campaigns/{body['campaignId']}/activate", {}, quiet=("invalid_transition",))

    api.step("campaigns", [(lambda c=c: campaign(c)) for c in campaigns()])

    def coupons():
        api.request("POST", "/v1/coupon-templates", TEMPLATE, quiet=("template_exists",))
        for start in range(0, 100, 25):
            ids = [c["customerId"] for c in people[start:start + 25]]
            api.request("POST", f"/v1/coupon-templates/{TEMPLATE['templateId']}/issue", {"customerIds": ids},
                        quiet=("customer_limit_reached", "quantity_exhausted"))

    api.step("coupons", [coupons])
    return catalog, people


def traffic(api, catalog, people):
    """Orders at a few per second: most are paid and shipped, some cancelled, some partly refunded."""
    rng = random.Random()
    stores = [s for s in STORES]
    placed = paid = cancelled = refunded = refused = 0
    started = time.monotonic()
    while True:
        customer = rng.choice(people)["customerId"]
        store = rng.choice(stores)
        lines = {}
        for _ in range(rng.randrange(1, 5)):
            product = rng.choice(catalog)
            if product["priceFen"] > 0:
                lines[product["sku"]] = lines.get(product["sku"], 0) + rng.randrange(1, 4)
        order_id = "o-" + uuid.uuid4().hex[:12]
        body = {"orderId": order_id, "paymentMethod": rng.choice(["wechat_pay", "alipay", "cash"]),
                "customerId": customer, "channel": store[3], "storeId": store[0],
                "lines": [{"sku": s, "quantity": q} for s, q in lines.items()]}
        status, answer = api.request("POST", "/v1/orders", body, quiet=(409, 422))
        if status != 201:
            refused += 1
        else:
            placed += 1
            if rng.random() < 0.1:
                api.request("POST", f"/v1/orders/{order_id}/cancel", {"reason": "顾客取消"}, quiet=(409,))
                cancelled += 1
            else:
                api.request("POST", f"/v1/orders/{order_id}/payments",
                            {"amountFen": answer["totalFen"], "method": body["paymentMethod"]}, quiet=(409,))
                paid += 1
                api.request("POST", f"/v1/orders/{order_id}/ship", {"location": answer["fulfilmentLocation"]},
                            quiet=(409,))
                if rng.random() < 0.08:
                    sku, quantity = rng.choice(list(lines.items()))
                    api.request("POST", f"/v1/orders/{order_id}/refunds",
                                {"refundId": "r-" + uuid.uuid4().hex[:8],
                                 "lines": [{"sku": sku, "quantity": 1, "restock": rng.random() < 0.3}]},
                                quiet=(409, 422))
                    refunded += 1
        elapsed = time.monotonic() - started
        print(f"\r[demo traffic] {placed} placed, {paid} paid, {cancelled} cancelled, {refunded} refunds, "
              f"{refused} refused in {elapsed:.0f} s", end="", file=sys.stderr, flush=True)
        time.sleep(rng.uniform(0.2, 0.5))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        sys.exit("usage: demo_seed.py BASE_URL API_KEY [--traffic]")
    base, key = args
    wait_ready(base)
    api = Client(base, key)
    catalog, people = seed(api)
    print(f"[demo seed] done: {api.requests} requests; a second run changes nothing it made", file=sys.stderr)
    if "--traffic" in sys.argv:
        try:
            traffic(api, catalog, people)
        except KeyboardInterrupt:
            print("", file=sys.stderr)


if __name__ == "__main__":
    main()
