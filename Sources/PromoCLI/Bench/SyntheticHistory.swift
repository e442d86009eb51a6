import EventStore
import Foundation
import PromoDomain

/// Generated history for the projection benchmark and the read models' rebuild tests.
///
/// A seeded history of any size: products, stores, customers (most with a profile, some tagged by marketing, some
/// issued a coupon), campaigns with budgets (some adjusted, some with ads expenses), stock received and safety
/// levels, then orders that reserve stock, consume budgets and sometimes redeem a coupon; some cancelled before
/// payment (stock, budget and coupon released), the rest paid (points earned) and shipped, some partly refunded
/// (restocked or written off, budget given back, points clawed back). Each event's payload is the shape the
/// command side writes. Appended in chunks, each one multi-stream append.
public struct SyntheticHistory: Sendable {
    var random: SplitMix64
    var pending: [String: [NewEvent]] = [:]
    /// Events generated so far.
    public private(set) var count = 0
    let skus = (1...40).map { "SKU-\($0)" }
    let locations = ["online", "store-cd-01", "store-cq-02"]
    let campaigns: [String]
    let customers = 500
    /// Customers with a profile (the others are guests), and those issued a coupon at the start.
    let profiled = 400
    let couponHolders = 100
    /// Each coupon holder's unredeemed coupon.
    var heldCoupons: [String: String] = [:]
    static let unitPrice: Int64 = 3_990
    static let regions = ["sichuan", "chongqing", "guangdong", "national"]
    static let tiers = ["regular", "silver", "gold"]
    static let categories = ["hotpot", "tripe", "meatballs", "dumplings", "desserts"]

    func store(at location: String) -> String { location == "online" ? "mall" : location }

    mutating func add(_ stream: String, _ event: NewEvent) {
        pending[stream, default: []].append(event)
        count += 1
    }

    mutating func add<E: DomainEvent>(_ stream: String, _ event: E) throws { add(stream, try NewEvent(event)) }

    mutating func use(
        _ type: String, campaign: String, order: String, discount: Int64, gift: Int64, refund: String?
    ) {
        var payload: [String: JSONValue] = [
            "campaignId": .string(campaign), "orderId": .string(order), "discountFen": .int(discount),
            "giftCostFen": .int(gift), "couponSubsidyFen": 0, "pointsCostFen": 0,
        ]
        if let refund {
            payload["refundId"] = .string(refund)
        } else {
            payload["customerId"] = "u-1"
            payload["day"] = "2026-11-11"
            payload["flashUnits"] = 0
        }
        add("campaign-\(campaign)", NewEvent(type: type, payload: .object(payload)))
    }

    /// A whole definition, as `POST /v1/campaigns` stores it: a 满减 on one category, all year.
    func definition(_ campaign: String, discount: Int64) -> JSONValue {
        let number = Int(campaign.dropFirst(2)) ?? 1
        return [
            "campaignId": .string(campaign), "name": .string("满100减10 第\(number)期"), "kind": "spend_reduction",
            "window": ["start": "2026-01-01T00:00:00+08:00", "end": "2027-12-31T23:59:59+08:00"],
            "scope": ["categories": [.string(Self.categories[number % Self.categories.count])]],
            "rules": ["tiers": [["thresholdFen": 10_000, "reductionFen": 1_000]]],
            "stacking": ["priority": .int(Int64(number))],
            "budget": ["totalFen": .int(discount * 2), "discountFen": .int(discount)],
            "alerts": ["budgetThresholds": [.double(0.8), .double(0.95), 1]],
        ]
    }

    mutating func flush(_ store: PostgresEventStore) async throws -> Int64 {
        guard !pending.isEmpty else { return 0 }
        let appends = try pending.sorted { $0.key < $1.key }.map {
            StreamAppend(try StreamID($0.key), expectedVersion: .any, events: $0.value)
        }
        pending = [:]
        return try await store.append(appends).lastPosition
    }

    /// `campaigns` campaigns (c-1, c-2, …), created and activated first; orders use them at random.
    public init(seed: UInt64 = 20_261_123, campaigns: Int = 8) {
        random = SplitMix64(seed: seed)
        self.campaigns = (1...max(1, campaigns)).map { "c-\($0)" }
    }

    /// Appends at least `target` events; `progress` hears the count after each chunk. Returns the last position.
    public mutating func append(
        to store: PostgresEventStore, events target: Int, progress: ((Int) -> Void)? = nil
    ) async throws -> Int64 {
        var last: Int64 = 0
        for campaign in campaigns {
            try add(
                "campaign-\(campaign)",
                CampaignCreated(campaignId: campaign, definition: definition(campaign, discount: 5_000_000)))
            try add("campaign-\(campaign)", CampaignStatusChanged(campaignId: campaign, from: .draft, to: .active))
        }
        for sku in skus {
            for location in locations {
                try add("stock-\(sku)@\(location)", StockReceived(sku: sku, location: location, quantity: 100_000))
                try add("stock-\(sku)@\(location)", SafetyStockSet(sku: sku, location: location, quantity: 50))
            }
        }
        try addCatalogAndCustomers()
        last = try await flush(store)
        var order = 0
        while count < target {
            for _ in 0..<40 {
                order += 1
                try addOrder(order)
            }
            last = max(last, try await flush(store))
            progress?(count)
        }
        return last
    }

    mutating func addCatalogAndCustomers() throws {
        for (index, sku) in skus.enumerated() {
            let category = Self.categories[index % Self.categories.count]
            try add(
                "product-\(sku)",
                ProductDefined(
                    sku: sku, name: "商品\(index + 1)", spec: "500g", origin: "成都", shelfLifeDays: 365,
                    priceFen: Self.unitPrice, costFen: Self.unitPrice * 45 / 100, category: category,
                    tags: category == "hotpot" ? ["spicy"] : ["frozen"]))
        }
        for location in locations {
            let online = location == "online"
            try add(
                "store-\(store(at: location))",
                StoreDefined(
                    storeId: store(at: location), name: location,
                    region: online ? "national" : Self.regions[location.count % 2],
                    channel: online ? "online" : "store", fulfilmentLocation: location))
        }
        for number in 0..<profiled {
            let id = "u-\(number)"
            try add(
                "customer-\(id)",
                CustomerProfileSet(
                    customerId: id, name: "aesgcm1:bmFtZQ==", phone: "aesgcm1:cGhvbmU=", address: "aesgcm1:YWRkcg==",
                    region: Self.regions[number % 3], tier: Self.tiers[number % 3],
                    tastePreferences: number % 2 == 0 ? ["spicy"] : [],
                    consents: .init(sms: number % 2 == 0, wechat: true, app: number % 3 == 0)))
            if number % 7 == 0 { try add("customer-\(id)", CustomerTagsSet(customerId: id, tags: ["vip"])) }
        }
        var issued: [CouponsIssued.IssuedCoupon] = []
        for number in 0..<couponHolders {
            let coupon = CouponIssued(code: "CP-\(number)", templateId: "t-synthetic", customerId: "u-\(number)")
            try add("coupon-\(coupon.code)", coupon)
            issued.append(.init(code: coupon.code, customerId: coupon.customerId))
            heldCoupons[coupon.customerId] = coupon.code
        }
        try add("coupontemplate-t-synthetic", CouponsIssued(templateId: "t-synthetic", coupons: issued))
    }

    /// One order and what follows it: cancelled, or paid and shipped (sometimes partly refunded).
    mutating func addOrder(_ order: Int) throws {
        let id = "o-\(order)"
        let sku = skus[Int(random.next() % UInt64(skus.count))]
        let location = locations[Int(random.next() % UInt64(locations.count))]
        let campaign = campaigns[Int(random.next() % UInt64(campaigns.count))]
        let customer = "u-\(random.next() % UInt64(customers))"
        let stock = "stock-\(sku)@\(location)"
        let units = Int(random.next() % 5) + 1
        let discount = Int64(random.next() % 3_000) + 100
        let gift = random.next() % 4 == 0 ? Int64(800) : 0
        let coupon = random.next() % 3 == 0 ? heldCoupons.removeValue(forKey: customer) : nil
        let listFen = Int64(units) * Self.unitPrice
        let total = listFen - discount
        try add(stock, StockReserved(sku: sku, location: location, quantity: units, orderId: id))
        let channel = location == "online" ? "online" : "store"
        var gifts: [JSONValue] = []
        if gift > 0 {
            gifts.append([
                "campaignId": .string(campaign), "sku": .string(skus[skus.count - 1]), "quantity": 1,
                "unitPriceFen": 0, "listFen": 0, "adjustments": [], "netFen": 0,
            ])
        }
        // The quote and record in the shape (and about the size) the command side writes: the applied campaign,
        // the others rejected, the budget charge; the record adds unit costs.
        let line: [String: JSONValue] = [
            "sku": .string(sku), "quantity": .int(Int64(units)), "unitPriceFen": .int(Self.unitPrice),
            "listFen": .int(listFen),
            "adjustments": [["campaignId": .string(campaign), "kind": "spend_reduction", "amountFen": .int(discount)]],
            "netFen": .int(total),
        ]
        let charge: JSONValue = [
            "campaignId": .string(campaign), "discountFen": .int(discount), "giftCostFen": .int(gift),
            "couponSubsidyFen": 0, "pointsCostFen": 0,
        ]
        var recordLine = line
        recordLine["unitCostFen"] = .int(Self.unitPrice * 45 / 100)
        let totals: [String: JSONValue] = [
            "gifts": .array(gifts), "subtotalFen": .int(listFen), "discountFen": .int(discount),
            "totalFen": .int(total),
            "pointsToEarn": .int(total / 100), "pointsRedeemed": 0, "pointsDeductionFen": 0, "rebates": [],
            "budgetCharges": [charge],
        ]
        let quote = JSONValue.object(
            totals.merging([
                "lines": [.object(line)], "hints": [],
                "applied": [
                    [
                        "campaignId": .string(campaign), "kind": "spend_reduction", "amountFen": .int(discount),
                        "baseFen": .int(listFen),
                    ]
                ],
                "rejected": .array(
                    campaigns.filter { $0 != campaign }.prefix(3).map {
                        ["campaignId": .string($0), "reason": "threshold_not_met"]
                    }),
            ]) { a, _ in a })
        let record = JSONValue.object(
            totals.merging(["lines": [.object(recordLine)], "applied": [], "rebateScopes": []]) { a, _ in a })
        try add(
            "order-\(id)",
            OrderPlaced(
                orderId: id, customerId: customer, channel: channel, storeId: store(at: location),
                fulfilmentLocation: location, paymentMethod: "wechat_pay", subtotalFen: listFen,
                discountFen: discount, totalFen: total, quote: quote,
                reservations: [.init(sku: sku, quantity: units)],
                campaigns: [
                    .init(
                        campaignId: campaign, discountFen: discount, giftCostFen: gift, couponSubsidyFen: 0,
                        pointsCostFen: 0, flashUnits: 0, definitionVersion: 1)
                ],
                day: "2026-11-\(10 + order % 3)", pointsToEarn: Int(total / 100), record: record,
                coupons: coupon.map { [$0] } ?? []))
        if let coupon { try add("coupon-\(coupon)", CouponRedeemed(code: coupon, orderId: id)) }
        use(
            CampaignBudgetConsumed.eventType, campaign: campaign, order: id, discount: discount, gift: gift,
            refund: nil)
        if order % 50 == 0 {
            try add(
                "campaign-\(campaign)",
                CampaignBudgetThresholdCrossed(
                    campaignId: campaign, orderId: id, budget: "discountFen", thresholdBp: 8_000,
                    consumedFen: 4_000_000, limitFen: 5_000_000))
        }
        if order % 500 == 0 {
            try add(
                "campaign-\(campaign)",
                CampaignExpenseRecorded(campaignId: campaign, kind: "ads", amountFen: 100_000, note: "信息流广告"))
        }
        let roll = random.next() % 100
        if roll < 10 {  // cancelled before payment
            try add("order-\(id)", OrderCancelled(orderId: id, reason: "changed my mind"))
            try add(stock, StockReleased(sku: sku, location: location, quantity: units, orderId: id))
            use(
                CampaignBudgetReleased.eventType, campaign: campaign, order: id, discount: discount, gift: gift,
                refund: nil)
            if let coupon {
                try add("coupon-\(coupon)", CouponReleased(code: coupon, orderId: id))
                heldCoupons[customer] = coupon
            }
            return
        }
        try add("order-\(id)", OrderPaid(orderId: id, amountFen: total, method: "wechat_pay", reference: "pay-\(id)"))
        try add(
            "points-\(customer)",
            PointsEarned(
                customerId: customer, orderId: id, points: Int(total / 100), source: "order",
                expiresAt: "2028-01-01T00:00:00+08:00"))
        try add(stock, StockIssued(sku: sku, location: location, quantity: units, orderId: id))
        switch roll {
        case 10..<18:  // one unit refunded: restocked or written off
            let restock = random.next() % 2 == 0
            if restock {
                try add(stock, StockReturned(sku: sku, location: location, quantity: 1, orderId: id))
            } else {
                try add(stock, StockAdjusted(sku: sku, location: location, delta: -1, reason: "thawed"))
            }
            // The unit's share of the discount goes back to the budget; the rest of its list price is paid back.
            let unitDiscount = discount / Int64(units)
            use(
                CampaignBudgetRefunded.eventType, campaign: campaign, order: id, discount: unitDiscount, gift: 0,
                refund: "r-\(id)")
            let refundFen = Self.unitPrice - unitDiscount
            let clawedBack = Int(refundFen / 100)
            try add(
                "order-\(id)",
                OrderRefunded(
                    orderId: id, refundId: "r-\(id)",
                    lines: [.init(sku: sku, quantity: 1, refundFen: refundFen, restock: restock)],
                    refundFen: refundFen, pointsReturned: 0, pointsClawedBack: clawedBack))
            try add(
                "points-\(customer)",
                PointsClawedBack(customerId: customer, orderId: id, refundId: "r-\(id)", points: clawedBack))
        case 18..<20:  // the campaign's budget changes
            try add(
                "campaign-\(campaign)",
                CampaignAdjusted(
                    campaignId: campaign,
                    definition: definition(campaign, discount: 4_000_000 + Int64(random.next() % 2_000_000)),
                    changed: ["budget"]))
        default:
            break
        }
    }
}
