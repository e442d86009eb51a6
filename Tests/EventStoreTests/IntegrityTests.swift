import EventStore
import PromoTestSupport
import Crypto
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
        let head = try #require(try await store.head(of: stream))
        #expect(head.version == 3 && head.hash.count == 64)
        #expect(
            clean
                == StreamVerification(
                    streamId: stream.rawValue, ok: true, events: 3, firstBadVersion: nil, problem: nil, head: head))

        try await store.client.leasedExecute(
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
            _ = try await store.append(
                to: stream, expectedVersion: .noStream, events: [testEvent(), testEvent(), testEvent()])
        }
        try await store.client.leasedExecute(
            "UPDATE events SET metadata = '{\"actor\": \"mallory\"}' WHERE stream_id = \(a.rawValue) AND stream_version = 1",
            logger: store.logger)
        try await store.client.leasedExecute(
            "UPDATE events SET recorded_at = recorded_at - interval '1 day' WHERE stream_id = \(b.rawValue) AND stream_version = 3",
            logger: store.logger)
        try await store.client.leasedExecute(
            "DELETE FROM events WHERE stream_id = \(c.rawValue) AND stream_version = 2", logger: store.logger)
        #expect(try await store.verify(a).firstBadVersion == 1)
        #expect(try await store.verify(b).firstBadVersion == 3)
        let gap = try await store.verify(c)
        #expect(gap.firstBadVersion == 2)
        #expect(gap.problem == "version 2 is missing (the next event is version 3)")
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
            to: stream, expectedVersion: .noStream,
            events: [NewEvent(type: ProductDefined.eventType, schemaVersion: 1, payload: v1)])

        let expected = ProductDefined(
            sku: "MD-002", name: "鲜毛肚", spec: "250g", origin: "四川", shelfLifeDays: 180, priceFen: 4590, costFen: 2500,
            category: "hotpot", tags: [])
        // Positions are unique, so the first event after `firstPosition - 1` is this one on every global read.
        let byStream = try #require(try await store.readStream(stream).first)
        let byCategory = try #require(
            try await store.readCategory("product", after: written.firstPosition - 1, limit: 1).first)
        let byAll = try #require(try await store.readAll(after: written.firstPosition - 1, limit: 1).first)
        // The committed read stops below any transaction still open (another test may hold one for seconds):
        // wait until it has passed this event.
        var committedRead: RecordedEvent?
        let deadline = ContinuousClock.now + .seconds(60)
        while committedRead == nil, ContinuousClock.now < deadline {
            committedRead = try await store.readCommitted(after: written.firstPosition - 1, limit: 1).first
            if committedRead == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let committed = try #require(committedRead)
        for event in [byStream, byCategory, byAll, committed] { #expect(event.position == written.firstPosition) }
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
        _ = try await store.append(
            to: stream, expectedVersion: .noStream, events: [testEvent("Created"), testEvent("Activated")])
        let cut = try #require(try await store.readStream(stream).last?.recordedAt)
        try await Task.sleep(for: .milliseconds(20))
        _ = try await store.append(to: stream, expectedVersion: .exact(2), events: [testEvent("Paused")])
        #expect(try await store.readStream(stream, asOf: cut).map(\.type) == ["Created", "Activated"])
        #expect(try await store.readStream(stream).map(\.type) == ["Created", "Activated", "Paused"])
        #expect(try await store.readStream(stream, fromVersion: 2).map(\.type) == ["Activated", "Paused"])
    }

    @Test("Moving an event in the global log or changing its category is found (hash format 2)")
    func positionAndCategoryAreCovered() async throws {
        let store = try await TestDatabase.store()
        let moved = TestDatabase.uniqueStream("order")
        let recategorised = TestDatabase.uniqueStream("order")
        for stream in [moved, recategorised] {
            _ = try await store.append(
                to: stream, expectedVersion: .noStream, events: [testEvent(), testEvent(), testEvent()])
        }
        try await store.client.leasedExecute(
            "UPDATE events SET position = -position WHERE stream_id = \(moved.rawValue) AND stream_version = 2",
            logger: store.logger)
        try await store.client.leasedExecute(
            "UPDATE events SET category = 'refund' WHERE stream_id = \(recategorised.rawValue) AND stream_version = 3",
            logger: store.logger)
        #expect(try await store.verify(moved).firstBadVersion == 2)
        #expect(try await store.verify(recategorised).firstBadVersion == 3)
    }

    @Test("Events removed from a stream's end are found against a head recorded earlier")
    func truncationAgainstRecordedHead() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream("budget")
        _ = try await store.append(
            to: stream, expectedVersion: .noStream, events: [testEvent(), testEvent(), testEvent()])
        let head = try #require(try await store.head(of: stream))
        #expect(head.version == 3)
        #expect(try await store.verify(stream, against: head).ok)
        try await store.client.leasedExecute(
            "DELETE FROM events WHERE stream_id = \(stream.rawValue) AND stream_version = 3", logger: store.logger)
        #expect(try await store.verify(stream).ok, "the shorter chain is valid on its own")
        let truncated = try await store.verify(stream, against: head)
        #expect(truncated.ok == false)
        #expect(truncated.firstBadVersion == 3)
        #expect(truncated.problem?.contains("removed") == true)
        // A head whose hash differs (a rewritten stream of the same length) is found too.
        let forged = StreamHead(streamId: stream.rawValue, version: 2, hash: String(repeating: "0", count: 64))
        #expect(try await store.verify(stream, against: forged).firstBadVersion == 2)
    }

    @Test("The stored hash is what EventSchemas/README.md's recipe gives, computed here without the store's code")
    func hashFollowsTheDocumentedRecipe() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream("stock")
        _ = try await store.append(
            to: stream, expectedVersion: .noStream,
            events: [
                testEvent("StockReceived", ["sku": "HP-001", "quantity": 12]), testEvent("StockReserved", ["n": 1]),
            ])
        let rows = try await store.client.query(
            """
            SELECT stream_id || E'\\n' || stream_version || E'\\n' || position || E'\\n' || category || E'\\n' || event_id
                   || E'\\n' || event_type || E'\\n' || schema_version || E'\\n'
                   || (extract(epoch FROM recorded_at) * 1000000)::bigint || E'\\n' || metadata::text || E'\\n'
                   || payload::text,
                   encode(hash, 'hex'), hash_format
            FROM events WHERE stream_id = \(stream.rawValue) ORDER BY stream_version
            """, logger: store.logger)
        var previous = Data(count: 32)
        var checked = 0
        for try await (canonical, stored, format) in rows.decode((String, String, Int16).self) {
            #expect(format == 2)
            let digest = Data(SHA256.hash(data: previous + Data(canonical.utf8)))
            #expect(digest.map { String(format: "%02x", $0) }.joined() == stored)
            previous = digest
            checked += 1
        }
        #expect(checked == 2)
    }

    @Test("The worked example in EventSchemas/README.md is right")
    func documentedWorkedExample() throws {
        let readme = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("EventSchemas/README.md"), encoding: .utf8)
        // The example's canonical text, as the README shows it between its ```text fences.
        let fenced = readme.components(separatedBy: "```text\n").dropFirst().map {
            $0.components(separatedBy: "\n```")[0]
        }
        let canonical = try #require(fenced.first { $0.hasPrefix("stock-HP-001@online\n") })
        let previous = try #require(fenced.first { $0.hasPrefix("previous: ") }).dropFirst("previous: ".count)
        let expected = try #require(fenced.first { $0.hasPrefix("hash: ") }).dropFirst("hash: ".count)
        var bytes = Data()
        var hex = Substring(previous)
        while !hex.isEmpty {
            bytes.append(UInt8(hex.prefix(2), radix: 16)!)
            hex = hex.dropFirst(2)
        }
        #expect(bytes.count == 32)
        let digest = SHA256.hash(data: bytes + Data(canonical.utf8))
        #expect(digest.map { String(format: "%02x", $0) }.joined() == expected)
    }
}
