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
                    return try await connection.allRows(
                        "SELECT seq_scan, coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables WHERE relname = 'events'",
                        logger: store.logger
                    ).map { try $0.decode((Int64, Int64).self) }
                }
            }
            #expect(scans.first?.0 == 0, "no sequential scan of events")
            #expect((scans.first?.1 ?? 0) >= 8 * 3, "one index scan per stream per read")
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
}
