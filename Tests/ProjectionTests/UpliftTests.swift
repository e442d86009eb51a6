import EventStore
import Foundation
import ProjectionRuntime
import PromoDomain
import PromoProjections
import PromoTestSupport
import Testing

/// The uplift report over a history of its own: a hot-pot campaign's seven days against the seven before it.
@Suite("Campaign uplift")
struct UpliftTests {
    @Test("Daily units and net before vs during the window, in-scope SKUs only, refunds off; cost per extra unit")
    func uplift() async throws {
        var history = OrderHistory()
        try history.product("HP-1", category: "hotpot", tags: ["spicy"])
        try history.product("JZ-1", category: "dumplings", tags: ["frozen"])
        let start = OrderHistory.day(6) + "T00:00:00+08:00"
        let end = OrderHistory.day(-10) + "T00:00:00+08:00"
        history.appends.append(
            StreamAppend(
                try StreamID("campaign-c-up"), expectedVersion: .noStream,
                events: [
                    try NewEvent(
                        CampaignCreated(
                            campaignId: "c-up",
                            definition: [
                                "campaignId": "c-up", "name": "火锅节", "kind": "item_discount",
                                "window": ["start": .string(start), "end": .string(end)],
                                "scope": ["categories": ["hotpot"]],
                            ])),
                    try NewEvent(
                        CampaignExpenseRecorded(campaignId: "c-up", kind: "ads", amountFen: 1_500, note: "信息流")),
                ]))
        // Before (13 to 7 days ago): 2 hot-pot units a day at 1 000; dumplings and a cancelled order do not count.
        for days in 7...13 { try history.order("u-1", daysAgo: days, [("HP-1", 2)]) }
        try history.order("u-2", daysAgo: 10, [("JZ-1", 5)])
        try history.order("u-3", daysAgo: 9, [("HP-1", 3)], paid: false, cancelled: true)
        // During (6 days ago to today): 5 units a day at 900 (100 off each); one unit of today's order refunded.
        for days in 0...6 {
            try history.order(
                "u-1", daysAgo: days, [("HP-1", 5)], returned: days == 0 ? [("HP-1", 1)] : [], campaign: "c-up",
                discountPerUnit: 100)
        }
        // A day before the comparison period is left out.
        try history.order("u-1", daysAgo: 14, [("HP-1", 50)])
        let appends = history.appends
        let report = try await ProjectionTestKit.withDatabase { store in
            let catalog = ProjectionCatalog(store: store, projections: try ReadModels.all())
            var last: Int64 = 0
            for append in appends { last = try await store.append([append]).lastPosition }
            return try await ProjectionTestKit.running(catalog) {
                for name in [Uplift.name, Sales.name, Reconciliation.name] {
                    #expect(try await catalog.waitUntil(name, reaches: last, timeout: .seconds(60)))
                }
                return try await UpliftReport.run(
                    campaignId: "c-up", daysBefore: 7, today: OrderHistory.today, client: store.client,
                    logger: TestDatabase.logger)
            }
        }
        #expect(
            report.before
                == .init(from: OrderHistory.day(13), to: OrderHistory.day(7), days: 7, units: 14, netFen: 14_000))
        // 35 units at 900 = 31 500, less the refunded unit (900).
        #expect(
            report.during
                == .init(from: OrderHistory.day(6), to: OrderHistory.today, days: 7, units: 34, netFen: 30_600))
        #expect(report.before.unitsPerDay == 2)
        #expect(report.during.netFenPerDay == 4_371)  // 30 600 / 7 = 4 371.43
        #expect(report.extraUnits == 20)
        #expect(report.extraNetFen == 16_600)
        // 35 × 100 discount booked at payment + 1 500 ads = 5 000, over 20 extra units.
        #expect(report.costByKind == ["discount": 3_500, "ads": 1_500])
        #expect(report.promotionCostFen == 5_000)
        #expect(report.costPerExtraUnitFen == 250)
        #expect(report.daily.count == 14)
    }
}
