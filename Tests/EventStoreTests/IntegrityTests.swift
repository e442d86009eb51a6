import EventStore
import PromoTestSupport
import Foundation
import PostgresNIO
import PromoDomain
import Testing

@Suite("Hash chain and upcasting")
struct IntegrityTests {
    @Test("Editing one stored payload makes verify name that stream and version")
    func tamperedPayload() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream("order")
        _ = try await store.append(
            to: stream, expectedVersion: .noStream,
            events: [testEvent("A", ["n": 1]), testEvent("B", ["n": 2]), testEvent("C", ["n": 3])])
        let clean = try await store.verify(stream)
        #expect(clean == StreamVerification(streamId: stream.rawValue, ok: true, events: 3, firstBadVersion: nil, problem: nil))

        try await store.client.query(
            "UPDATE events SET payload = '{\"n\": 200}' WHERE stream_id = \(stream.rawValue) AND stream_version = 2",
            logger: store.logger)
        let tampered = try await store.verify(stream)
        #expect(tampered.ok == false)
        #expect(tampered.streamId == stream.rawValue)
        #expect(tampered.firstBadVersion == 2)
    }

    @Test("Editing metadata or time, or deleting an event inside the stream, is found too")
    func otherTampering() async throws {
        let store = try await TestDatabase.store()
        let a = TestDatabase.uniqueStream()
        let b = TestDatabase.uniqueStream()
        let c = TestDatabase.uniqueStream()
        for stream in [a, b, c] {
            _ = try await store.append(to: stream, expectedVersion: .noStream, events: [testEvent(), testEvent(), testEvent()])
        }
        try await store.client.query(
            "UPDATE events SET metadata = '{\"actor\": \"mallory\"}' WHERE stream_id = \(a.rawValue) AND stream_version = 1",
            logger: store.logger)
        try await store.client.query(
            "UPDATE events SET recorded_at = recorded_at - interval '1 day' WHERE stream_id = \(b.rawValue) AND stream_version = 3",
            logger: store.logger)
        try await store.client.query(
            "DELETE FROM events WHERE stream_id = \(c.rawValue) AND stream_version = 2", logger: store.logger)
        #expect(try await store.verify(a).firstBadVersion == 1)
        #expect(try await store.verify(b).firstBadVersion == 3)
        let gap = try await store.verify(c)
        #expect(gap.firstBadVersion == 2)
        #expect(gap.problem == "version 2 is missing")
    }

    @Test("A ProductDefined written as v1 reads as v2 on every read path")
    func upcastOnEveryReadPath() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream("product")
        let v1: JSONValue = [
            "sku": "MD-002", "name": "鲜毛肚", "spec": "250g", "origin": "四川", "shelfLifeDays": 180,
            "priceFen": 4590, "costFen": 2500, "category": "hotpot",
        ]
        let written = try await store.append(
            to: stream, expectedVersion: .noStream, events: [NewEvent(type: ProductDefined.eventType, schemaVersion: 1, payload: v1)])

        let expected = ProductDefined(
            sku: "MD-002", name: "鲜毛肚", spec: "250g", origin: "四川", shelfLifeDays: 180, priceFen: 4590, costFen: 2500,
            category: "hotpot", tags: [])
        let byStream = try #require(try await store.readStream(stream).first)
        let byCategory = try #require(try await store.readCategory("product", after: written.firstPosition - 1).first { $0.streamId == stream.rawValue })
        let byAll = try #require(try await store.readAll(after: written.firstPosition - 1).first { $0.streamId == stream.rawValue })
        let committed = try #require(try await store.readCommitted(after: written.firstPosition - 1, limit: 1000).first { $0.streamId == stream.rawValue })
        for event in [byStream, byCategory, byAll, committed] {
            #expect(event.schemaVersion == 2)
            #expect(event.storedSchemaVersion == 1)
            #expect(try event.decode(as: ProductDefined.self) == expected)
        }
        // The stored row is untouched, so its hash still verifies.
        #expect(try await store.verify(stream).ok)
    }

    @Test("Point-in-time reads return the stream as it stood")
    func asOfRead() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream("campaign")
        _ = try await store.append(to: stream, expectedVersion: .noStream, events: [testEvent("Created"), testEvent("Activated")])
        let cut = try #require(try await store.readStream(stream).last?.recordedAt)
        try await Task.sleep(for: .milliseconds(20))
        _ = try await store.append(to: stream, expectedVersion: .exact(2), events: [testEvent("Paused")])
        #expect(try await store.readStream(stream, asOf: cut).map(\.type) == ["Created", "Activated"])
        #expect(try await store.readStream(stream).map(\.type) == ["Created", "Activated", "Paused"])
        #expect(try await store.readStream(stream, fromVersion: 2).map(\.type) == ["Activated", "Paused"])
    }
}
