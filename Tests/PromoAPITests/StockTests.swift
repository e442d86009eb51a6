import HTTPTypes
import Foundation
import HummingbirdTesting
import PromoDomain
import Testing

@testable import PromoAPI

@Suite("Stock over HTTP")
struct StockTests {
    @Test("Receipts, adjustments and safety stock move the levels; a drop below safety stock appends a low-stock event")
    func levels() async throws {
        let key = try await APITest.key(.marketing)
        let sku = APITest.id("HP")
        try await APITest.withApp { client in
            #expect(
                try await client.send(.put, "/v1/products/\(sku)", key: key, body: productBody()).status == .created)
            let receipt = try await client.send(
                .post, "/v1/stock/\(sku)/online/receipts", key: key, body: #"{"quantity":120}"#)
            #expect(receipt.status == .ok)
            #expect(receipt.json["onHand"] == 120)
            #expect(receipt.json["available"] == 120)
            #expect(receipt.json["lowStock"] == false)

            let safety = try await client.send(
                .put, "/v1/stock/\(sku)/online/safety-stock", key: key, body: #"{"quantity":20}"#)
            #expect(safety.json["safetyStock"] == 20)
            #expect(safety.json["lowStock"] == false)

            let drop = try await client.send(
                .post, "/v1/stock/\(sku)/online/adjustments", key: key,
                body: #"{"delta":-105,"reason":"thawed in transit"}"#)
            #expect(drop.status == .ok)
            #expect(drop.json["onHand"] == 15)
            #expect(drop.json["lowStock"] == true)
            let events = try await APITest.storedEvents("stock-\(sku)@online")
            #expect(events.map(\.type) == ["StockReceived", "SafetyStockSet", "StockAdjusted", "LowStockDetected"])
            #expect(try JSONValue(parsing: events[3].payload)["available"] == 15)
            // The change and its low-stock event went in one append (one transaction: positions share their high
            // bits), and the reply's position is the low-stock event's.
            #expect(events[2].position >> 16 == events[3].position >> 16)
            #expect(drop.json["position"] == .int(events[3].position))
            #expect(receipt.json["position"] == .int(events[0].position))

            let store = try await client.send(
                .post, "/v1/stock/\(sku)/s-cd-01/receipts", key: key, body: #"{"quantity":7}"#)
            #expect(store.status == .ok)
            // A SKU whose id extends this one's ("HP-x" and "HP-x0") is another product's stock, not a location.
            _ = try await client.send(.put, "/v1/products/\(sku)0", key: key, body: productBody())
            _ = try await client.send(.post, "/v1/stock/\(sku)0/online/receipts", key: key, body: #"{"quantity":3}"#)
            let all = try await client.send(.get, "/v1/stock/\(sku)", key: key)
            #expect(all.status == .ok)
            #expect(
                all.json["locations"]
                    == [
                        "online": ["onHand": 15, "reserved": 0, "available": 15, "safetyStock": 20],
                        "s-cd-01": ["onHand": 7, "reserved": 0, "available": 7, "safetyStock": 0],
                    ])
        }
    }

    @Test("An adjustment below zero available is a 409 insufficient_stock and appends nothing")
    func insufficient() async throws {
        let key = try await APITest.key(.marketing)
        let sku = APITest.id("MD")
        try await APITest.withApp { client in
            _ = try await client.send(.put, "/v1/products/\(sku)", key: key, body: productBody())
            _ = try await client.send(.post, "/v1/stock/\(sku)/online/receipts", key: key, body: #"{"quantity":3}"#)
            let reply = try await client.send(
                .post, "/v1/stock/\(sku)/online/adjustments", key: key, body: #"{"delta":-4,"reason":"broken"}"#)
            #expect(reply.status == .conflict)
            #expect(reply.errorCode == "insufficient_stock")
            #expect(reply.json["error"]?["details"]?["available"] == 3)
            #expect(try await APITest.storedEvents("stock-\(sku)@online").count == 1)
        }
    }

    @Test("An unknown SKU in the path is a 404 unknown_sku; bad quantities are 400s naming the field")
    func unknownAndInvalid() async throws {
        let key = try await APITest.key(.marketing)
        try await APITest.withApp { client in
            let unknown = try await client.send(
                .post, "/v1/stock/NOPE-\(UUID())/online/receipts", key: key, body: #"{"quantity":1}"#)
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "unknown_sku")
            #expect(try await client.send(.get, "/v1/stock/NOPE-1x", key: key).errorCode == "unknown_sku")
            for (body, field) in [
                (#"{"quantity":0}"#, "quantity"), (#"{"quantity":1000001}"#, "quantity"),
                (#"{"quantity":1.5}"#, "quantity"), (#"{"quantity":"3"}"#, "quantity"),
            ] {
                let reply = try await client.send(.post, "/v1/stock/X-1/online/receipts", key: key, body: body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.errorField == field, "\(body)")
            }
            let zero = try await client.send(
                .post, "/v1/stock/X-1/online/adjustments", key: key, body: #"{"delta":0,"reason":"none"}"#)
            #expect(zero.errorField == "delta")
            let badLocation = try await client.send(
                .post, "/v1/stock/X-1/on%20line/receipts", key: key, body: #"{"quantity":1}"#)
            #expect(badLocation.status == .badRequest)
            #expect(badLocation.errorField == "location")
        }
    }

    @Test("20 concurrent adjustments of −1 on 10 units: exactly 10 succeed, never below zero (one process)")
    func concurrentOneProcess() async throws {
        let key = try await APITest.key(.marketing)
        let sku = APITest.id("JZ")
        try await APITest.withApp { client in
            _ = try await client.send(.put, "/v1/products/\(sku)", key: key, body: productBody())
            _ = try await client.send(.post, "/v1/stock/\(sku)/online/receipts", key: key, body: #"{"quantity":10}"#)
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await client.send(
                            .post, "/v1/stock/\(sku)/online/adjustments", key: key,
                            body: #"{"delta":-1,"reason":"sold at the counter"}"#, idempotencyKey: "adj-\(index)")
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.filter { $0.status == .ok }.count == 10)
            #expect(replies.filter { $0.errorCode == "insufficient_stock" }.count == 10)
            let level = try await client.send(.get, "/v1/stock/\(sku)", key: key)
            #expect(level.json["locations"]?["online"]?["onHand"] == 0)
            let adjusted = try await APITest.storedEvents("stock-\(sku)@online").filter { $0.type == "StockAdjusted" }
            #expect(adjusted.count == 10)
        }
    }

    @Test("20 concurrent adjustments through two servers (two processes' locks): available never below zero")
    func concurrentTwoProcesses() async throws {
        let key = try await APITest.key(.marketing)
        let sku = APITest.id("JZ")
        try await APITest.withApp { first in
            try await APITest.withApp { second in
                _ = try await first.send(.put, "/v1/products/\(sku)", key: key, body: productBody())
                _ = try await first.send(.post, "/v1/stock/\(sku)/online/receipts", key: key, body: #"{"quantity":10}"#)
                let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                    for index in 0..<20 {
                        let client = index.isMultiple(of: 2) ? first : second
                        group.addTask {
                            try await client.send(
                                .post, "/v1/stock/\(sku)/online/adjustments", key: key,
                                body: #"{"delta":-1,"reason":"sold online"}"#, idempotencyKey: "adj2-\(index)")
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let succeeded = replies.filter { $0.status == .ok }.count
                #expect(succeeded <= 10)
                #expect(succeeded >= 1)
                #expect(
                    replies.allSatisfy {
                        $0.status == .ok || $0.errorCode == "insufficient_stock"
                            || $0.errorCode == "wrong_expected_version"
                    })
                let adjusted = try await APITest.storedEvents("stock-\(sku)@online").filter {
                    $0.type == "StockAdjusted"
                }
                #expect(adjusted.count == succeeded)
                let level = try await first.send(.get, "/v1/stock/\(sku)", key: key)
                #expect(level.json["locations"]?["online"]?["onHand"] == .int(Int64(10 - succeeded)))
            }
        }
    }
}
