import EventStore
import Foundation
import ProjectionRuntime
import PromoDomain
import PromoProjections
import PromoTestSupport
import Testing

/// Each behavioural tag rule, on a history that just meets it and one that just misses it, worked out for
/// 2026-11-24 from the customer-profiles read model. Every customer below is one case.
@Suite("Behavioural tag rules")
struct CustomerTagRuleTests {
    static let today = OrderHistory.today

    /// The tags of every customer of `history` on today, by customer id.
    static func tags(of history: OrderHistory) async throws -> [String: CustomerTags] {
        try await ProjectionTestKit.withDatabase { store in
            let real = try #require(try ReadModels.all().first { $0.name == CustomerProfiles.name })
            let projection = Projection(
                definition: real.definition, handler: real.handler, batchSize: 7, rebuildBatchSize: 50)
            let catalog = ProjectionCatalog(store: store, projections: [projection])
            var last: Int64 = 0
            for append in history.appends { last = try await store.append([append]).lastPosition }
            return try await ProjectionTestKit.running(catalog) {
                #expect(try await catalog.waitUntil(CustomerProfiles.name, reaches: last, timeout: .seconds(60)))
                let all: [CustomerTags]
                do {
                    all = try await CustomerTags.on(
                        today, .all(tag: nil, consent: nil, limit: 1_000), client: store.client,
                        logger: TestDatabase.logger)
                } catch {
                    Issue.record("\(String(reflecting: error))")
                    throw error
                }
                return Dictionary(uniqueKeysWithValues: all.map { ($0.customerId, $0) })
            }
        }
    }

    static func products(_ history: inout OrderHistory) throws {
        try history.product("HP-1", category: "hotpot", tags: ["spicy"])
        try history.product("MD-1", category: "tripe", tags: ["frozen"])
        try history.product("JZ-1", category: "dumplings", tags: ["frozen"])
    }

    static func has(_ tags: [String: CustomerTags], _ customer: String, _ tag: BehaviouralTag) -> Bool {
        tags[customer]?.tags.contains(tag) ?? false
    }

    @Test(
        "spicy_lover: half the units of the last 90 days spicy meets it; 49 of 99, or the spicy order a day older, misses"
    )
    func spicyLover() async throws {
        var history = OrderHistory()
        try Self.products(&history)
        // 50 of 100 units spicy: exactly half.
        try history.order("u-spicy-meets", daysAgo: 0, [("HP-1", 50), ("JZ-1", 50)])
        // 49 of 99: just under half.
        try history.order("u-spicy-misses", daysAgo: 0, [("HP-1", 49), ("JZ-1", 50)])
        // The window: a spicy order 89 days ago still counts (day 90 of 90), one 90 days ago does not.
        try history.order("u-spicy-window-meets", daysAgo: 89, [("HP-1", 1)])
        try history.order("u-spicy-window-meets", daysAgo: 0, [("JZ-1", 1)])
        try history.order("u-spicy-window-misses", daysAgo: 90, [("HP-1", 1)])
        try history.order("u-spicy-window-misses", daysAgo: 0, [("JZ-1", 1)])
        // Returned units are not bought: 50 of 100, then one spicy unit returned, is 49 of 99.
        try history.order("u-spicy-returned", daysAgo: 0, [("HP-1", 50), ("JZ-1", 50)], returned: [("HP-1", 1)])
        // Gift units do not count (every order above carries five gift units of an unknown SKU).
        let tags = try await Self.tags(of: history)
        #expect(Self.has(tags, "u-spicy-meets", .spicyLover))
        #expect(tags["u-spicy-meets"]?.recentUnits == 100)
        #expect(tags["u-spicy-meets"]?.recentSpicyUnits == 50)
        #expect(!Self.has(tags, "u-spicy-misses", .spicyLover))
        #expect(tags["u-spicy-misses"]?.recentSpicyUnits == 49)
        #expect(Self.has(tags, "u-spicy-window-meets", .spicyLover))
        #expect(!Self.has(tags, "u-spicy-window-misses", .spicyLover))
        #expect(tags["u-spicy-window-misses"]?.recentUnits == 1)
        #expect(!Self.has(tags, "u-spicy-returned", .spicyLover))
        #expect(tags["u-spicy-returned"]?.recentUnits == 99)
    }

    @Test("hotpot_regular: three hot-pot orders within 30 days meet it; the third a day older, or cancelled, misses")
    func hotpotRegular() async throws {
        var history = OrderHistory()
        try Self.products(&history)
        for days in [0, 15, 29] { try history.order("u-hotpot-meets", daysAgo: days, [("MD-1", 1), ("JZ-1", 1)]) }
        for days in [0, 15, 30] { try history.order("u-hotpot-misses", daysAgo: days, [("HP-1", 1)]) }
        try history.order("u-hotpot-cancelled", daysAgo: 0, [("HP-1", 1)])
        try history.order("u-hotpot-cancelled", daysAgo: 1, [("HP-1", 1)])
        try history.order("u-hotpot-cancelled", daysAgo: 2, [("HP-1", 1)], paid: false, cancelled: true)
        // Orders without a hot-pot item do not count however many there are.
        for days in 0..<5 { try history.order("u-dumplings", daysAgo: days, [("JZ-1", 2)]) }
        let tags = try await Self.tags(of: history)
        #expect(Self.has(tags, "u-hotpot-meets", .hotpotRegular))
        #expect(tags["u-hotpot-meets"]?.recentHotpotOrders == 3)
        #expect(!Self.has(tags, "u-hotpot-misses", .hotpotRegular))
        #expect(tags["u-hotpot-misses"]?.recentHotpotOrders == 2)
        #expect(!Self.has(tags, "u-hotpot-cancelled", .hotpotRegular))
        #expect(!Self.has(tags, "u-dumplings", .hotpotRegular))
    }

    @Test("new_customer: orders placed but none paid meets it; one paid order misses it")
    func newCustomer() async throws {
        var history = OrderHistory()
        try Self.products(&history)
        try history.order("u-new-meets", daysAgo: 0, [("JZ-1", 1)], paid: false)
        try history.order("u-new-meets", daysAgo: 1, [("JZ-1", 1)], paid: true, cancelled: true)
        try history.order("u-new-misses", daysAgo: 0, [("JZ-1", 1)], paid: true)
        let tags = try await Self.tags(of: history)
        #expect(Self.has(tags, "u-new-meets", .newCustomer))
        #expect(tags["u-new-meets"]?.hasPaidOrder == false)
        #expect(!Self.has(tags, "u-new-misses", .newCustomer))
    }

    @Test("dormant: a last order 60 days ago meets it; 59 days ago misses it; no order at all is not dormant")
    func dormant() async throws {
        var history = OrderHistory()
        try Self.products(&history)
        try history.order("u-dormant-meets", daysAgo: 60, [("JZ-1", 1)])
        try history.order("u-dormant-meets", daysAgo: 200, [("JZ-1", 1)])
        try history.order("u-dormant-misses", daysAgo: 59, [("JZ-1", 1)])
        try history.order("u-dormant-misses", daysAgo: 200, [("JZ-1", 1)])
        // A recent order that was cancelled does not wake a dormant customer.
        try history.order("u-dormant-cancelled", daysAgo: 61, [("JZ-1", 1)])
        try history.order("u-dormant-cancelled", daysAgo: 2, [("JZ-1", 1)], paid: false, cancelled: true)
        try history.profile("u-no-orders")
        let tags = try await Self.tags(of: history)
        #expect(Self.has(tags, "u-dormant-meets", .dormant))
        #expect(tags["u-no-orders"]?.tags == [.newCustomer])
        #expect(tags["u-dormant-meets"]?.lastOrderDay == OrderHistory.day(60))
        #expect(!Self.has(tags, "u-dormant-misses", .dormant))
        #expect(Self.has(tags, "u-dormant-cancelled", .dormant))
    }

    @Test(
        "coupon_sensitive: 3 of 5 orders with a coupon meets it; 5 of 9 misses it; a cancelled coupon order does not count"
    )
    func couponSensitive() async throws {
        var history = OrderHistory()
        try Self.products(&history)
        for index in 0..<5 { try history.order("u-coupon-meets", daysAgo: index, [("JZ-1", 1)], coupon: index < 3) }
        for index in 0..<9 { try history.order("u-coupon-misses", daysAgo: index, [("JZ-1", 1)], coupon: index < 5) }
        for index in 0..<5 {
            try history.order(
                "u-coupon-cancelled", daysAgo: index, [("JZ-1", 1)], coupon: index < 3, paid: index != 0,
                cancelled: index == 0)
        }
        let tags = try await Self.tags(of: history)
        #expect(Self.has(tags, "u-coupon-meets", .couponSensitive))
        #expect(tags["u-coupon-meets"]?.couponOrders == 3)
        #expect(tags["u-coupon-meets"]?.orders == 5)
        #expect(!Self.has(tags, "u-coupon-misses", .couponSensitive))
        #expect(!Self.has(tags, "u-coupon-cancelled", .couponSensitive))
        #expect(tags["u-coupon-cancelled"]?.couponOrders == 2)
        #expect(tags["u-coupon-cancelled"]?.orders == 4)
    }
}
