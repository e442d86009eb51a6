import EventStore
import Foundation
import HTTPTypes
import PostgresNIO
import PromoDomain
import PromoTestSupport
import Testing

@testable import PromoAPI

@Suite("Auditor's HTTP surface")
struct AuditHTTPTests {
    /// An auditor key: its id (the actor of what it does) and its secret.
    static func auditor() async throws -> (id: String, secret: String) {
        let key = try await ApiKeyStore(store: APITest.store()).create(role: .auditor, name: "audit", actor: "tests")
        return (key.keyId, key.secret)
    }

    /// The audit events of today's stream recorded by `actor`, oldest first.
    static func auditEvents(by actor: String) async throws -> [RecordedEvent] {
        let store = try await APITest.store()
        let stream = try StreamID(AuditTrail.streamName(day: BusinessDay.string(from: Date())))
        return try await store.readStream(stream).filter { $0.metadata.actor == actor }
    }

    @Test("A stream reads as stored, with hashes that chain, page by page and as it stood at a time")
    func streamRead() async throws {
        let store = try await APITest.store()
        let (keyId, key) = try await Self.auditor()
        let stream = try StreamID("order-\(APITest.id("a"))@online")
        _ = try await store.append(
            to: stream, expectedVersion: .noStream, events: [testEvent("A", ["n": 1]), testEvent("B", ["n": 2])])
        _ = try await store.append(to: stream, expectedVersion: .exact(2), events: [testEvent("C", ["n": 3])])
        let path = "/v1/streams/" + stream.rawValue.replacingOccurrences(of: "@", with: "%40")
        try await APITest.withApp { client in
            let all = try await client.send(.get, path, key: key)
            #expect(all.status == .ok, "\(all.text)")
            #expect(all.json["version"] == 3)
            let events = all.json["events"]?.arrayValue ?? []
            #expect(events.map { $0["type"]?.stringValue } == ["A", "B", "C"])
            #expect(events.map { $0["streamVersion"] } == [1, 2, 3])
            #expect(events[1]["payload"] == ["n": 2])
            #expect(events[0]["metadata"]?["actor"] == "tests")
            #expect(all.json["nextFromVersion"] == .null)
            // The hashes are the stored ones, and each chains to the one before (EventSchemas/README.md).
            let stored = try await store.storedEvents(of: stream)
            #expect(events.map { $0["hash"]?.stringValue } == stored.map { $0.hash.hexString })
            var previous = StoredEvent.genesisHash
            for event in stored {
                #expect(event.computedHash(after: previous) == event.hash)
                previous = event.hash
            }
            #expect(events[2]["recordedAt"]?.stringValue == RFC3339.string(micros: stored[2].recordedAtMicros))

            let firstPage = try await client.send(.get, path + "?limit=2", key: key)
            #expect(firstPage.json["events"]?.arrayValue?.count == 2)
            #expect(firstPage.json["nextFromVersion"] == 3)
            let rest = try await client.send(.get, path + "?fromVersion=3", key: key)
            #expect(rest.json["events"]?.arrayValue?.map { $0["type"]?.stringValue } == ["C"])

            // As the stream stood when B was recorded, to the microsecond, written in Beijing time.
            let asOf = RFC3339.string(micros: stored[1].recordedAtMicros + 8 * 3_600_000_000, zone: "%2B08:00")
            let then = try await client.send(.get, path + "?asOf=\(asOf)", key: key)
            #expect(then.status == .ok)
            #expect(then.json["events"]?.arrayValue?.map { $0["type"]?.stringValue } == ["A", "B"])
        }
        let recorded = try await Self.auditEvents(by: keyId)
        #expect(recorded.count == 4)
        let reads = try recorded.map { try $0.decode(as: AuditStreamRead.self) }
        #expect(reads.map(\.streamId) == Array(repeating: stream.rawValue, count: 4))
        #expect(reads.map(\.events) == [3, 2, 1, 2])
        #expect(reads.map(\.fromVersion) == [1, 1, 3, 1])
        #expect(reads[3].asOf != nil && reads[0].asOf == nil)
    }

    @Test("Bad stream ids, versions and times are 400s naming the field, an unknown stream a 404; nothing recorded")
    func streamReadErrors() async throws {
        let (keyId, key) = try await Self.auditor()
        try await APITest.withApp { client in
            let unknown = try await client.send(.get, "/v1/streams/order-\(APITest.id("none"))", key: key)
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "not_found")
            let noCategory = try await client.send(.get, "/v1/streams/NoCategory", key: key)
            #expect(noCategory.status == .badRequest)
            #expect(noCategory.errorField == "streamId")
            for (query, field) in [
                ("fromVersion=0", "fromVersion"), ("limit=5000", "limit"), ("asOf=yesterday", "asOf"),
                ("upcast=yes", "upcast"), ("colour=red", "colour"), ("asOf=2026-11-24T00:00:00.1234567Z%2B", "asOf"),
            ] {
                let reply = try await client.send(.get, "/v1/streams/order-x?\(query)", key: key)
                #expect(reply.status == .badRequest, "\(query): \(reply.text)")
                #expect(reply.errorField == field, "\(query)")
            }
            let verifyUnknown = try await client.send(
                .get, "/v1/streams/order-\(APITest.id("none"))/verify", key: key)
            #expect(verifyUnknown.status == .notFound)
            let badHead = try await client.send(.get, "/v1/streams/order-x/verify?head=3:abc", key: key)
            #expect(badHead.errorField == "head")
        }
        #expect(try await Self.auditEvents(by: keyId).isEmpty)
    }

    @Test("Verify names the first tampered version, gives the head to record, and finds removed last events")
    func verify() async throws {
        let store = try await APITest.store()
        let (keyId, key) = try await Self.auditor()
        let stream = try StreamID("order-\(APITest.id("v"))")
        _ = try await store.append(
            to: stream, expectedVersion: .noStream,
            events: [testEvent("A", ["n": 1]), testEvent("B", ["n": 2]), testEvent("C", ["n": 3])])
        let head = try #require(try await store.head(of: stream))
        try await APITest.withApp { client in
            let clean = try await client.send(.get, "/v1/streams/\(stream)/verify", key: key)
            #expect(clean.status == .ok)
            #expect(clean.json["ok"] == true)
            #expect(clean.json["events"] == 3)
            #expect(clean.json["head"] == ["version": 3, "hash": .string(head.hash)])
            #expect(clean.json["firstBadVersion"] == nil)

            // The last event removed: the chain left is valid, only the recorded head shows the loss.
            try await store.client.leasedExecute(
                "DELETE FROM events WHERE stream_id = \(stream.rawValue) AND stream_version = 3", logger: store.logger)
            let shortened = try await client.send(.get, "/v1/streams/\(stream)/verify", key: key)
            #expect(shortened.json["ok"] == true)
            let checked = try await client.send(
                .get, "/v1/streams/\(stream)/verify?head=3:\(head.hash)", key: key)
            #expect(checked.json["ok"] == false)
            #expect(checked.json["firstBadVersion"] == 3)

            try await store.client.leasedExecute(
                "UPDATE events SET payload = '{\"n\": 20}' WHERE stream_id = \(stream.rawValue) AND stream_version = 2",
                logger: store.logger)
            let tampered = try await client.send(.get, "/v1/streams/\(stream)/verify", key: key)
            #expect(tampered.status == .ok)
            #expect(tampered.json["ok"] == false)
            #expect(tampered.json["firstBadVersion"] == 2)
            #expect(tampered.json["problem"] == "the stored event does not match its hash")
        }
        let recorded = try await Self.auditEvents(by: keyId).map { try $0.decode(as: AuditChainsVerified.self) }
        #expect(recorded.map(\.ok) == [true, true, false, false])
        #expect(recorded.allSatisfy { $0.streamId == stream.rawValue && $0.via == "http" })
    }

    @Test("GET /v1/events never returns an event while an earlier position can still commit, and the cursor waits")
    func eventsAreGapSafe() async throws {
        let store = try await APITest.store()
        let (_, key) = try await Self.auditor()
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let category = "gap" + String((0..<8).map { _ in letters.randomElement()! })
        let early = try StreamID("\(category)-early")
        let late = try StreamID("\(category)-late")
        try await APITest.withApp { client in
            let start = try await client.send(.get, "/v1/events?category=\(category)", key: key)
            #expect(start.status == .ok)
            #expect(start.json["events"]?.arrayValue?.isEmpty == true)
            let after = start.json["next"]?.intValue ?? 0
            try await store.client.withOpenConnection { connection in
                try await connection.inTransaction(logger: store.logger) { connection in
                    // `early` takes its position now and commits last; `late` commits first, above it.
                    _ = try await store.append(
                        [StreamAppend(early, expectedVersion: .noStream, events: [testEvent("Early")])],
                        on: connection)
                    let lateResult = try await store.append(
                        to: late, expectedVersion: .noStream, events: [testEvent("Late")])
                    let page = try await client.send(.get, "/v1/events?category=\(category)&after=\(after)", key: key)
                    #expect(page.status == .ok)
                    #expect(page.json["events"]?.arrayValue?.isEmpty == true, "\(page.text)")
                    #expect((page.json["next"]?.intValue ?? .max) < lateResult.lastPosition)
                }
            }
            // Both committed: following the cursor gives both, in position order (early first).
            var seen: [String] = []
            var cursor = after
            for _ in 0..<100 where seen.count < 2 {
                let page = try await client.send(
                    .get, "/v1/events?category=\(category)&after=\(cursor)&limit=1", key: key)
                seen += page.json["events"]?.arrayValue?.compactMap { $0["type"]?.stringValue } ?? []
                cursor = page.json["next"]?.intValue ?? cursor
                if seen.count < 2 { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(seen == ["Early", "Late"])
            for query in ["after=-1", "limit=0", "category=Bad-Cat", "after=abc"] {
                let reply = try await client.send(.get, "/v1/events?\(query)", key: key)
                #expect(reply.status == .badRequest, "\(query)")
            }
        }
    }

    @Test("upcast=true serves a v1 payload in its current shape; the default serves it as stored")
    func upcastOption() async throws {
        let store = try await APITest.store()
        let (_, key) = try await Self.auditor()
        let old = try #require(DomainEvents.historicalSamples.first { $0.type == ProductDefined.eventType })
        let stream = try StreamID("product-\(APITest.id("up"))")
        _ = try await store.append(
            to: stream, expectedVersion: .noStream,
            events: [NewEvent(type: old.type, schemaVersion: old.version, payload: old.payload)])
        try await APITest.withApp { client in
            let stored = try await client.send(.get, "/v1/streams/\(stream)", key: key)
            let asStored = try #require(stored.json["events"]?.arrayValue?.first)
            #expect(asStored["schemaVersion"] == .int(Int64(old.version)))
            #expect(asStored["payload"] == old.payload)
            let current = try await client.send(.get, "/v1/streams/\(stream)?upcast=true", key: key)
            let upcast = try #require(current.json["events"]?.arrayValue?.first)
            #expect(upcast["schemaVersion"] == .int(Int64(ProductDefined.schemaVersion)))
            #expect(upcast["storedSchemaVersion"] == .int(Int64(old.version)))
            #expect(upcast["payload"] != old.payload)
        }
    }
}
