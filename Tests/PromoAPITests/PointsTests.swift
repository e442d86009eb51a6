import EventStore
import Foundation
import HTTPTypes
import PromoDomain
import Testing

@testable import PromoAPI

/// Points over HTTP: their lots expiring (``PointsExpiry``), by the command that spends them or by the clock.
@Suite("Points")
struct PointsTests {
    @Test(
        "Points expire with their lot: an order cannot spend them, a cancel gives back to the lot they came from, the clock expires idle ones once"
    )
    func pointsExpire() async throws {
        let (shop, _) = try await OrderTests.stocked(20)
        let (customer, idle) = (APITest.id("u"), APITest.id("u"))
        let store = try await APITest.store()
        // A lot whose day has passed (earned in 2024) and one good until 2028, written as payments would.
        let gone = "2026-01-01T00:00:00+08:00"
        let good = PointsExpiry.expiresAt(earnedAt: Date())
        for (account, points) in [(customer, 300), (idle, 50)] {
            _ = try await store.append(
                to: try StreamID(category: "points", id: account), expectedVersion: .noStream,
                events: [
                    try NewEvent(
                        PointsEarned(
                            customerId: account, orderId: "o-2024", points: points, source: "order", expiresAt: gone)),
                    try NewEvent(
                        PointsEarned(
                            customerId: account, orderId: "o-now", points: 200, source: "order", expiresAt: good)),
                ])
        }
        let orderId = APITest.id("o")
        try await APITest.withApp { client in
            let greedy = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: OrderTests.order(
                    shop, APITest.id("o"), quantity: 1, customer: customer, extra: #","pointsToRedeem":300"#))
            #expect(greedy.errorCode == "insufficient_points")
            #expect(greedy.json["error"]?["details"]?["balance"] == 200)
            let placed = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: OrderTests.order(shop, orderId, quantity: 1, customer: customer, extra: #","pointsToRedeem":100"#)
            )
            #expect(placed.status == .created, "\(placed.text)")
            #expect(placed.json["totalFen"] == 4_490)
            // The 300 of the gone lot expire in the order's own append, before the 100 are spent from the good one.
            let afterOrder = try await APITest.storedEvents("points-\(customer)")
            #expect(afterOrder.map(\.type) == ["PointsEarned", "PointsEarned", "PointsExpired", "PointsRedeemed"])
            #expect(try JSONValue(parsing: afterOrder[2].payload)["points"] == 300)
            #expect(try JSONValue(parsing: afterOrder[2].payload)["expiresAt"] == .string(gone))

            _ = try await client.send(.post, "/v1/orders/\(orderId)/cancel", key: shop.channel)
            var folded = PointsAccount()
            for event in try await APITest.storedEvents("points-\(customer)") {
                try folded.evolve(type: event.type, payload: JSONValue(parsing: event.payload))
            }
            #expect(folded.balance == 200)
            #expect(folded.lots == [good: 200])
        }
        // The idle account: the clock expires its gone lot, once.
        let clock = CampaignClock(store: store)
        #expect(try await clock.expirePoints(now: Date()) >= 1)
        _ = try await clock.expirePoints(now: Date())
        let idleEvents = try await APITest.storedEvents("points-\(idle)")
        #expect(idleEvents.map(\.type) == ["PointsEarned", "PointsEarned", "PointsExpired"])
        #expect(try JSONValue(parsing: idleEvents[2].payload)["points"] == 50)
        #expect(try JSONValue(parsing: idleEvents[2].metadata)["actor"] == "scheduler")
    }
}
