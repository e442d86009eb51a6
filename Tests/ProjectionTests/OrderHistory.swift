import EventStore
import Foundation
import PromoDomain

/// Builds the events of a history: products, then orders with lines, coupons, payments, cancels, refunds.
struct OrderHistory {
    var appends: [StreamAppend] = []
    var orders = 0

    mutating func product(_ sku: String, category: String, tags: [String]) throws {
        appends.append(
            StreamAppend(
                try StreamID("product-\(sku)"), expectedVersion: .any,
                events: [
                    try NewEvent(
                        ProductDefined(
                            sku: sku, name: sku, spec: "500g", origin: "成都", shelfLifeDays: 365, priceFen: 1_000,
                            costFen: 450, category: category, tags: tags))
                ]))
    }

    /// An order of `customer` on `daysAgo` (negative: days ahead), with `lines` (SKU, units at 1 000 fen each);
    /// with `campaign`, each unit has `discountPerUnit` off by it. Paid unless said otherwise.
    @discardableResult
    mutating func order(
        _ customer: String, daysAgo: Int, _ lines: [(String, Int)], coupon: Bool = false, paid: Bool = true,
        cancelled: Bool = false, returned: [(String, Int)] = [], campaign: String? = nil,
        discountPerUnit: Int64 = 0
    ) throws -> String {
        orders += 1
        let id = "o-\(customer)-\(orders)"
        let units = Int64(lines.map(\.1).reduce(0, +))
        let discount = campaign == nil ? 0 : units * discountPerUnit
        let unitNet = 1_000 - (campaign == nil ? 0 : discountPerUnit)
        let subtotal = units * 1_000
        let quote: JSONValue = [
            "lines": .array(
                lines.map { sku, units in
                    [
                        "sku": .string(sku), "quantity": .int(Int64(units)), "unitPriceFen": 1_000,
                        "listFen": .int(Int64(units) * 1_000), "adjustments": [],
                        "netFen": .int(Int64(units) * unitNet),
                    ]
                }),
            "gifts": [["sku": "GIFT-1", "quantity": 5, "unitPriceFen": 0, "listFen": 0, "netFen": 0]],
            "subtotalFen": .int(subtotal), "discountFen": .int(discount), "totalFen": .int(subtotal - discount),
        ]
        let total = subtotal - discount
        let uses = campaign.map {
            [
                OrderPlaced.CampaignUse(
                    campaignId: $0, discountFen: discount, giftCostFen: 0, couponSubsidyFen: 0, pointsCostFen: 0,
                    flashUnits: 0, definitionVersion: 1)
            ]
        }
        var events = [
            try NewEvent(
                OrderPlaced(
                    orderId: id, customerId: customer, channel: "online", storeId: "mall",
                    fulfilmentLocation: "wh", paymentMethod: "wechat_pay", subtotalFen: subtotal,
                    discountFen: discount, totalFen: total, quote: quote, reservations: [], campaigns: uses ?? [],
                    day: day(daysAgo), coupons: coupon ? ["CP-\(id)"] : []))
        ]
        if paid {
            events.append(try NewEvent(OrderPaid(orderId: id, amountFen: total, method: "x", reference: id)))
        }
        if cancelled { events.append(try NewEvent(OrderCancelled(orderId: id, reason: "test"))) }
        if !returned.isEmpty {
            events.append(
                try NewEvent(
                    OrderRefunded(
                        orderId: id, refundId: "r-\(id)",
                        lines: returned.map {
                            .init(sku: $0.0, quantity: $0.1, refundFen: Int64($0.1) * unitNet, restock: false)
                        },
                        refundFen: Int64(returned.map(\.1).reduce(0, +)) * unitNet, pointsReturned: 0,
                        pointsClawedBack: 0)))
        }
        appends.append(StreamAppend(try StreamID("order-\(id)"), expectedVersion: .noStream, events: events))
        return id
    }

    /// A customer with a profile and nothing else.
    mutating func profile(_ customer: String) throws {
        appends.append(
            StreamAppend(
                try StreamID("customer-\(customer)"), expectedVersion: .any,
                events: [
                    try NewEvent(
                        CustomerProfileSet(
                            customerId: customer, name: "aesgcm1:x", phone: "aesgcm1:x", address: "aesgcm1:x",
                            region: "sichuan", tier: "regular", tastePreferences: [],
                            consents: .init(sms: true, wechat: true, app: true)))
                ]))
    }

    func day(_ daysAgo: Int) -> String { Self.day(daysAgo) }

    /// The report day the tests work out tags and uplift for.
    static let today = "2026-11-24"

    /// The day `days` before today.
    static func day(_ days: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        let base = formatter.date(from: today)!
        return formatter.string(from: calendar.date(byAdding: .day, value: -days, to: base)!)
    }
}
