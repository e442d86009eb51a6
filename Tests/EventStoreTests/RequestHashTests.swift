import Crypto
import Foundation
import PromoDomain
import Testing

@testable import EventStore

/// What makes two attempts "the same command" is a hash auditors and older stored commands rely on: its bytes must
/// not change when the way it is computed does.
@Suite("Append request hash")
struct RequestHashTests {
    @Test("The request hash is sha256 of the canonical [[stream, expected, type, version, payload], …]")
    func requestHashFormula() throws {
        let payloads: [JSONValue] = [
            ["sku": "HP-001", "name": "牛油火锅底料 \"特辣\"\n", "tags": ["spicy", .null, true], "priceFen": 3990],
            ["nested": ["deeper": ["deepest": .double(0.5)]], "emoji": "🌶️"],
            [:],
        ]
        let appends = [
            StreamAppend(
                try StreamID("stock-HP-001@online"), expectedVersion: .exact(7),
                events: [
                    NewEvent(type: "StockReserved", payload: payloads[0]), NewEvent(type: "B", payload: payloads[1]),
                ]
            ),
            StreamAppend(
                try StreamID("order-o-1"), expectedVersion: .noStream,
                events: [NewEvent(type: "OrderPlaced", schemaVersion: 3, payload: payloads[2])]),
        ]
        let plan = try AppendPlan(
            appends, commandId: "k1:idem-1",
            limits: .init(maxEvents: 100, maxPayloadBytes: 1 << 20, maxAppendBytes: 1 << 22))
        let expected = JSONValue.array([
            ["stock-HP-001@online", .string(ExpectedVersion.exact(7).description), "StockReserved", 1, payloads[0]],
            ["stock-HP-001@online", .string(ExpectedVersion.exact(7).description), "B", 1, payloads[1]],
            ["order-o-1", .string(ExpectedVersion.noStream.description), "OrderPlaced", 3, payloads[2]],
        ])
        let digest = SHA256.hash(data: expected.canonicalBytes).map { String(format: "%02x", $0) }.joined()
        #expect(plan.requestHash == digest)
        // Without a command id there is nothing to compare attempts by.
        let anonymous = try AppendPlan(
            appends, commandId: nil, limits: .init(maxEvents: 100, maxPayloadBytes: 1 << 20, maxAppendBytes: 1 << 22))
        #expect(anonymous.requestHash == nil)
    }
}
