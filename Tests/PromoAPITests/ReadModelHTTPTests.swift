import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ProjectionRuntime
import PromoDomain
import PromoProjections
import PromoTestSupport
import Testing

@testable import PromoAPI

/// On a database of its own: the read models read every event of their types, and the shared test database
/// holds other tests' events, some deliberately malformed.
@Suite("Read models over HTTP")
struct ReadModelHTTPTests {
    static func first(_ value: JSONValue?) -> JSONValue? {
        guard case .array(let items)? = value else { return nil }
        return items.first
    }

    @Test("A stock write's position read back with minPosition; belowSafety filters; rebuild; projection status")
    func stockReportReadsItsOwnWrites() async throws {
        try await ScratchDatabase.withStore(
            on: TestDatabase.url, prefix: "rmhttp", migrations: APIMigrations.withEventStore, maxConnections: 16
        ) { _, store in
            let keys = ApiKeyStore(store: store)
            let admin = try await keys.create(role: .admin, name: "tests", actor: "tests").secret
            let analyst = try await keys.create(role: .analyst, name: "tests", actor: "tests").secret
            let server = APIServer(configuration: .init(port: 0), store: store)
            let app = server.makeApplication(services: [])
            let catalog = server.readModels

            try await app.test(.router) { base in
                let client = Client(base: base)
                // Before any worker ran: the projection is new, and a read that waits for a position says so.
                let before = try await client.send(.get, "/v1/projections", key: analyst)
                #expect(before.status == .ok)
                #expect(Self.first(before.json["projections"])?["status"] == "new")

                _ = try await client.send(.put, "/v1/products/HP-001", key: admin, body: productBody())
                let received = try await client.send(
                    .post, "/v1/stock/HP-001/online/receipts", key: admin, body: #"{"quantity":120}"#)
                #expect(received.status == .ok || received.status == .created, "\(received.text)")
                let safety = try await client.send(
                    .put, "/v1/stock/HP-001/online/safety-stock", key: admin, body: #"{"quantity":150}"#)
                let position = try #require(safety.json["position"]?.intValue)
                let lagging = try await client.send(
                    .get, "/v1/reports/stock?minPosition=\(position)", key: analyst, patient: false)
                #expect(lagging.status == .serviceUnavailable)
                #expect(lagging.errorCode == "projection_lagging")
                // Without minPosition too: before its first build a read model has no tables to read.
                for path in ["/v1/reports/stock", "/v1/budgets/c-1", "/v1/dashboards/campaigns", "/v1/alerts"] {
                    let unbuilt = try await client.send(.get, path, key: analyst)
                    #expect(unbuilt.status == .serviceUnavailable, "\(path): \(unbuilt.text)")
                    #expect(unbuilt.errorCode == "projection_lagging", "\(path)")
                }

                let workers = Task { try? await ProjectionWorkers(catalog: catalog, signal: nil).run() }
                defer { workers.cancel() }
                let report = try await client.send(.get, "/v1/reports/stock?minPosition=\(position)", key: analyst)
                #expect(report.status == .ok, "\(report.text)")
                #expect(
                    report.json["items"]
                        == [
                            [
                                "sku": "HP-001", "location": "online", "onHand": 120, "reserved": 0, "available": 120,
                                "safetyStock": 150, "belowSafety": true,
                            ]
                        ])
                #expect((report.json["position"]?.intValue ?? 0) >= position)
                let other = try await client.send(
                    .get, "/v1/reports/stock?location=store-cd-01&minPosition=\(position)", key: analyst)
                #expect(other.json["items"] == [])
                let healthy = try await client.send(.get, "/v1/reports/stock?belowSafety=false", key: analyst)
                #expect(healthy.json["items"] == [])
                let bad = try await client.send(.get, "/v1/reports/stock?belowSafety=maybe", key: analyst)
                #expect(bad.status == .badRequest)
                #expect(bad.errorField == "belowSafety")
                let badPosition = try await client.send(.get, "/v1/reports/stock?minPosition=-3", key: analyst)
                #expect(badPosition.errorField == "minPosition")

                // A rebuild: 202, then the new generation goes live with the same rows.
                let unknown = try await client.send(.post, "/v1/projections/no_such/rebuild", key: admin)
                #expect(unknown.status == .notFound)
                #expect(unknown.errorCode == "unknown_projection")
                let forbidden = try await client.send(.post, "/v1/projections/stock_levels/rebuild", key: analyst)
                #expect(forbidden.status == .forbidden)
                let rebuild = try await client.send(.post, "/v1/projections/stock_levels/rebuild", key: admin)
                #expect(rebuild.status == .accepted, "\(rebuild.text)")
                #expect(rebuild.json["generation"] == 2)
                #expect(rebuild.json["state"] == "building")
                let deadline = ContinuousClock.now + .seconds(60)
                while try await catalog.generations(of: "stock_levels").map(\.generation) != [2],
                    ContinuousClock.now < deadline
                {
                    try await Task.sleep(for: .milliseconds(50))
                }
                let status = try await client.send(.get, "/v1/projections", key: analyst)
                let stock = try #require(Self.first(status.json["projections"]))
                #expect(stock["name"] == "stock_levels")
                #expect(stock["generation"] == 2)
                #expect(stock["status"] == "running")
                #expect(stock["lagEvents"] == 0)
                #expect(stock["parked"] == [])
                let after = try await client.send(.get, "/v1/reports/stock", key: analyst)
                #expect(after.json["items"] == report.json["items"])

                // Budget burn: a campaign's limits and one order's use, read back at its position.
                let stream = try StreamID("campaign-c-http")
                _ = try await store.append(
                    to: stream, expectedVersion: .noStream,
                    events: [
                        try NewEvent(
                            CampaignCreated(
                                campaignId: "c-http",
                                definition: ["campaignId": "c-http", "budget": ["discountFen": 8_000]]))
                    ])
                let used = try await store.append(
                    to: stream, expectedVersion: .exact(1),
                    events: [
                        try NewEvent(
                            CampaignBudgetConsumed(
                                campaignId: "c-http", orderId: "o-1", customerId: "u-1", day: "2026-11-11",
                                discountFen: 2_000))
                    ])
                let burn = try await client.send(
                    .get, "/v1/budgets/c-http?minPosition=\(used.lastPosition)", key: analyst)
                #expect(burn.status == .ok, "\(burn.text)")
                let discount = burn.json["budgets"]?["discountFen"]
                #expect(discount?["limitFen"] == 8_000)
                #expect(discount?["consumedFen"] == 2_000)
                #expect(discount?["releasedFen"] == 0)
                #expect(discount?["netFen"] == 2_000)
                #expect(discount?["leftFen"] == 6_000)
                #expect(discount?["percent"] == .int(25) || discount?["percent"] == .double(25))
                #expect(burn.json["budgets"]?["totalFen"]?["limitFen"] == .null)
                #expect(burn.json["budgets"]?["totalFen"]?["netFen"] == 2_000)
                #expect(burn.json["thresholdsCrossed"] == [])
                let none = try await client.send(.get, "/v1/budgets/c-none", key: analyst)
                #expect(none.status == .notFound)

                // The dashboard: three orders used the campaign (two customers, two channels); one is cancelled,
                // one partly refunded.
                func placed(_ order: String, _ customer: String, _ channel: String, total: Int64, discount: Int64)
                    -> StreamAppend
                {
                    StreamAppend(
                        try! StreamID("order-\(order)"), expectedVersion: .noStream,
                        events: [
                            NewEvent(
                                type: OrderPlaced.eventType, schemaVersion: OrderPlaced.schemaVersion,
                                payload: [
                                    "orderId": .string(order), "customerId": .string(customer),
                                    "channel": .string(channel),
                                    "storeId": .string(channel == "online" ? "mall" : "s-cd-01"), "day": "2026-11-11",
                                    "totalFen": .int(total),
                                    "campaigns": [
                                        ["campaignId": "c-http", "discountFen": .int(discount), "giftCostFen": 0]
                                    ],
                                ])
                        ])
                }
                _ = try await store.append([placed("d-1", "u-1", "online", total: 15_160, discount: 2_000)])
                _ = try await store.append([placed("d-2", "u-1", "store", total: 8_000, discount: 1_000)])
                _ = try await store.append([placed("d-3", "u-2", "online", total: 9_990, discount: 500)])
                _ = try await store.append(
                    to: try StreamID("order-d-3"), expectedVersion: .exact(1),
                    events: [try NewEvent(OrderCancelled(orderId: "d-3", reason: "test"))])
                let refunded = try await store.append(
                    to: try StreamID("order-d-1"), expectedVersion: .exact(1),
                    events: [
                        NewEvent(
                            type: OrderRefunded.eventType, schemaVersion: OrderRefunded.schemaVersion,
                            payload: [
                                "orderId": "d-1", "refundId": "r-1", "refundFen": 3_790, "lines": [], "gifts": [],
                                "pointsReturned": 0, "pointsClawedBack": 0,
                            ])
                    ])
                let board = try await client.send(
                    .get, "/v1/dashboards/campaigns/c-http?minPosition=\(refunded.lastPosition)", key: analyst)
                #expect(board.status == .ok, "\(board.text)")
                #expect(board.json["orders"] == 2)
                #expect(board.json["participants"] == 1)
                #expect(board.json["cancelledOrders"] == 1)
                #expect(board.json["gmvFen"] == 23_160)
                #expect(board.json["discountFen"] == 3_000)
                #expect(board.json["refundedFen"] == 3_790)
                #expect(board.json["budget"]?["consumedFen"] == 2_000)
                guard case .array(let channels)? = board.json["byChannel"] else {
                    Issue.record("byChannel is not a list: \(board.text)")
                    return
                }
                #expect(channels.map { $0["channel"] } == ["online", "store"])
                #expect(channels.map { $0["gmvFen"] } == [15_160, 8_000])
                let overview = try await client.send(.get, "/v1/dashboards/campaigns?date=2026-11-11", key: analyst)
                #expect(overview.status == .ok, "\(overview.text)")
                guard case .array(let campaigns)? = overview.json["campaigns"] else {
                    Issue.record("campaigns is not a list: \(overview.text)")
                    return
                }
                let row = campaigns.first { $0["campaignId"] == "c-http" }
                #expect(row?["today"]?["orders"] == 2)
                #expect(row?["today"]?["gmvFen"] == 23_160)
                // Its total is not limited: the overview shows the discount budget it does limit.
                #expect(row?["budget"]?["name"] == "discountFen")
                #expect(row?["budget"]?["limitFen"] == 8_000)
                #expect(row?["budget"]?["netFen"] == 2_000)
                #expect(row?["budget"]?["percent"] == .int(25) || row?["budget"]?["percent"] == .double(25))
                let badDate = try await client.send(.get, "/v1/dashboards/campaigns?date=2026-02-30", key: analyst)
                #expect(badDate.errorField == "date")
                let noBoard = try await client.send(.get, "/v1/dashboards/campaigns/c-none", key: analyst)
                #expect(noBoard.status == .notFound)

                // The alerts feed: the low stock of the safety-stock write above, and a refund spike (1 refund
                // against 3 orders in the last hour is over 20 % once 2 orders are enough to judge).
                let feed = try await client.send(
                    .get, "/v1/alerts?minOrders=2&minPosition=\(refunded.lastPosition)", key: analyst)
                #expect(feed.status == .ok, "\(feed.text)")
                guard case .array(let alerts)? = feed.json["alerts"] else {
                    Issue.record("alerts is not a list: \(feed.text)")
                    return
                }
                #expect(alerts.map { $0["kind"] }.contains("low_stock"))
                #expect(alerts.first { $0["kind"] == "low_stock" }?["subject"] == "HP-001@online")
                let spike = alerts.first { $0["kind"] == "refund_spike" }
                #expect(spike?["details"]?["orders"] == 3)
                #expect(spike?["details"]?["refunds"] == 1)
                let calm = try await client.send(.get, "/v1/alerts?minOrders=2&refundSharePercent=40", key: analyst)
                guard case .array(let calmAlerts)? = calm.json["alerts"] else {
                    Issue.record("alerts is not a list: \(calm.text)")
                    return
                }
                #expect(!calmAlerts.contains { $0["kind"] == "refund_spike" }, "1 of 3 is not over 40 %")
                // The newest only: the overview asks for 50.
                let newest = try await client.send(.get, "/v1/alerts?minOrders=2&limit=1", key: analyst)
                #expect(newest.json["alerts"]?.arrayValue?.count == 1)
                // Derived alerts are dated at the request, so the newest of a later request is at least as new.
                let newestAt = newest.json["alerts"]?.arrayValue?.first?["at"]?.stringValue ?? ""
                #expect(alerts.allSatisfy { ($0["at"]?.stringValue ?? "") <= newestAt }, "\(newest.text)")
                #expect(try await client.send(.get, "/v1/alerts?limit=0", key: analyst).errorField == "limit")
                let future = try await client.send(.get, "/v1/alerts?since=2100-01-01T00:00:00Z", key: analyst)
                guard case .array(let none)? = future.json["alerts"] else {
                    Issue.record("alerts is not a list: \(future.text)")
                    return
                }
                #expect(!none.contains { $0["kind"] == "low_stock" })
                let badSince = try await client.send(.get, "/v1/alerts?since=yesterday", key: analyst)
                #expect(badSince.errorField == "since")
            }
        }
    }
}
