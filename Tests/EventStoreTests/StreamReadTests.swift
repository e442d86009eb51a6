import EventStore
import Foundation
import PostgresNIO
import PromoDomain
import PromoTestSupport
import Testing

@Suite("Stream tail reads")
struct StreamReadTests {
    @Test(
        "Tail reads of several streams use the index on a new, unanalysed table too: no sequential scan once the plan is kept"
    )
    func tailReadsUseTheIndex() async throws {
        try await ScratchDatabase.withStore(
            on: TestDatabase.url, prefix: "tailread", migrations: EventStoreMigrations.all
        ) { _, store in
            // A handful of events in a table no analyze has seen: what a plan made at a new database's first
            // orders sees, and keeps for the session.
            let streams = (0..<3).map { _ in TestDatabase.uniqueStream("campaign") }
            for (index, stream) in streams.enumerated() {
                _ = try await store.append(
                    to: stream, expectedVersion: .noStream, events: (0...index).map { _ in testEvent() })
            }
            let scans = try await store.client.withOpenConnection { connection in
                try await connection.inTransaction(logger: store.logger) { connection in
                    // The view also holds what earlier transactions of this session have not yet reported: the
                    // difference across this transaction is what its reads did.
                    let before = try await Self.scans(connection, store)
                    // More than the five calls after which PostgreSQL may keep a generic plan.
                    for round in 0..<8 {
                        let rows = try await connection.allRows(
                            """
                            SELECT o_stream_id, o_stream_version
                            FROM promo_read_streams(\(streams.map(\.rawValue)), \([Int64(0), 1, Int64(round % 2)]), 5000)
                            """, logger: store.logger
                        ).map { try $0.decode((String, Int64).self) }
                        // Ordered by stream id, then version; each stream after the version given for it.
                        let expected = streams.enumerated().flatMap { index, stream in
                            let after = [Int64(0), 1, Int64(round % 2)][index]
                            return (0...index).map { Int64($0 + 1) }.filter { $0 > after }.map { (stream.rawValue, $0) }
                        }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
                        #expect(rows.map(\.0) == expected.map(\.0) && rows.map(\.1) == expected.map(\.1))
                    }
                    let after = try await Self.scans(connection, store)
                    return (after.sequential - before.sequential, after.index - before.index)
                }
            }
            #expect(scans.0 == 0, "no sequential scan of events")
            #expect(scans.1 >= 8 * 3, "one index scan per stream per read")
            // And through the store's own API, a page at a time.
            let all = streams.enumerated().flatMap { index, stream in
                (0...index).map { (stream.rawValue, Int64($0 + 1)) }
            }
            .sorted { ($0.0, $0.1) < ($1.0, $1.1) }
            let page = try await store.readStreams(after: streams.map { ($0, 0) }, limit: 4)
            #expect(page.map(\.streamId) == all.prefix(4).map(\.0))
            #expect(page.map(\.streamVersion) == all.prefix(4).map(\.1))
        }
    }

    @Test(
        "A projection's batch read goes in position order even when statistics from an older mix of events say its types are rare"
    )
    func typedReadsIgnoreStaleStatistics() async throws {
        try await ScratchDatabase.withStore(
            on: TestDatabase.url, prefix: "typedread", migrations: EventStoreMigrations.all
        ) { _, store in
            // Analysed while the log held only setup events; then the orders came, and no analyze since.
            for _ in 0..<4 {
                _ = try await store.append(
                    to: TestDatabase.uniqueStream("product"), expectedVersion: .noStream,
                    events: (0..<50).map { _ in testEvent("ProductDefined") })
            }
            try await store.client.withOpenConnection { connection in
                _ = try await connection.allRows(
                    "ALTER TABLE events SET (autovacuum_enabled = false)", logger: store.logger)
                _ = try await connection.allRows("ANALYZE events", logger: store.logger)
            }
            var last: Int64 = 0
            for _ in 0..<30 {
                last = try await store.append(
                    to: TestDatabase.uniqueStream("order"), expectedVersion: .noStream,
                    events: (0..<100).map { index in testEvent(index % 3 == 0 ? "OrderPlaced" : "OrderPaid") }
                ).lastPosition
            }
            // The watermark waits for transactions other tests hold open in the cluster: read below one that has
            // passed the orders (or as far as it got), counting what is there in a transaction of its own.
            var (watermark, expected): (Int64, Int64) = (0, 0)
            let deadline = ContinuousClock.now + .seconds(20)
            repeat {
                (watermark, expected) = try await store.client.withOpenConnection { connection in
                    let watermark = try await store.watermark(on: connection)
                    let count = try await connection.allRows(
                        "SELECT count(*) FROM events WHERE event_type = 'OrderPlaced' AND position < \(watermark)",
                        logger: store.logger
                    ).first?.decode(Int64.self)
                    return (watermark, count ?? -1)
                }
                if watermark > last { break }
                try await Task.sleep(for: .milliseconds(100))
            } while ContinuousClock.now < deadline
            #expect(expected > 0)
            let scans = try await store.client.withOpenConnection { connection in
                try await connection.inTransaction(logger: store.logger) { connection in
                    let before = try await Self.scans(connection, store)
                    var position: Int64 = 0
                    var read: [RecordedEvent] = []
                    while true {
                        let batch = try await store.readCommitted(
                            after: position, below: watermark, types: ["OrderPlaced"], limit: 100, on: connection)
                        read += batch
                        guard batch.count == 100, let last = batch.last else { break }
                        position = last.position
                    }
                    // 34 of each append's 100 order events, 30 appends: 1,020 once the watermark is past them.
                    #expect(read.count == Int(expected))
                    #expect(read.allSatisfy { $0.type == "OrderPlaced" })
                    #expect(read.map(\.position) == read.map(\.position).sorted())
                    return try await Self.scans(connection, store).sequential - before.sequential
                }
            }
            #expect(scans == 0, "no sequential scan of the log for a batch")
        }
    }

    @Test(
        "A batch read leaves omitted top-level members of a large payload out in the database, and the payloads of types only counted"
    )
    func typedReadsDropOmittedMembers() async throws {
        try await ScratchDatabase.withStore(
            on: TestDatabase.url, prefix: "dropread", migrations: EventStoreMigrations.all
        ) { _, store in
            // 4,000 characters of hex stay over 1 kB when compressed; the small payload has the same members, short.
            let bulk = JSONValue.string((0..<125).map { _ in UUID().uuidString }.joined())
            let small: [String: JSONValue] = [
                "orderId": "o-1", "record": ["note": "short"],
                "quote": ["totalFen": 900, "lines": [["sku": "HP-001"]]],
            ]
            var large = small
            large["record"] = ["bulk": bulk]
            large["notes"] = bulk
            let last = try await store.append(
                to: TestDatabase.uniqueStream("order"), expectedVersion: .noStream,
                events: [testEvent("OrderPlaced", large), testEvent("OrderPlaced", small)]
            ).lastPosition
            let texts = try await store.client.withOpenConnection { connection in
                try await connection.allRows(
                    """
                    SELECT o_payload FROM promo_read_committed(0, \(last + 1), \(["OrderPlaced"]), 10, \(["record"]), \([String]()))
                    ORDER BY o_position
                    """, logger: store.logger
                ).map { try $0.decode(String.self) }
            }
            #expect(texts.count == 2)
            let stored = try texts.map { try JSONValue(parsing: $0) }
            // The database removed `record` from the large payload only, and nothing else of it.
            #expect(stored.first?["record"] == nil && stored.first?["notes"] == bulk)
            #expect(stored.first?["quote"] == ["totalFen": 900, "lines": [["sku": "HP-001"]]])
            #expect(stored.last?["record"] == ["note": "short"])
            // Through the store, nested omissions are the parser's; both payloads come back alike.
            let read = try await store.client.withOpenConnection { connection in
                try await store.readCommitted(
                    after: 0, below: last + 1, types: ["OrderPlaced"],
                    omitting: JSONPaths(dotted: ["record", "quote.lines"]), limit: 10, on: connection)
            }
            #expect(
                read.map(\.payload) == [
                    ["orderId": "o-1", "quote": ["totalFen": 900], "notes": bulk],
                    ["orderId": "o-1", "quote": ["totalFen": 900]],
                ])
            // A type the reader only counts comes without its payload; the others as they are.
            let paid = try await store.append(
                to: TestDatabase.uniqueStream("order"), expectedVersion: .noStream,
                events: [testEvent("OrderPaid", ["orderId": "o-1"]), testEvent("OrderPlaced", small)]
            ).lastPosition
            let counted = try await store.client.withOpenConnection { connection in
                try await store.readCommitted(
                    after: last, below: paid + 1, types: ["OrderPlaced", "OrderPaid"], unread: ["OrderPaid"],
                    limit: 10, on: connection)
            }
            #expect(counted.map(\.type) == ["OrderPaid", "OrderPlaced"])
            #expect(counted.map(\.payload) == [[:], .object(small)])
        }
    }

    /// Scans of `events` this session has counted and not yet reported (pg_stat_xact_user_tables).
    static func scans(_ connection: PostgresConnection, _ store: PostgresEventStore) async throws
        -> (sequential: Int64, index: Int64)
    {
        try await connection.allRows(
            "SELECT seq_scan, coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables WHERE relname = 'events'",
            logger: store.logger
        ).first?.decode((Int64, Int64).self) ?? (0, 0)
    }
}
