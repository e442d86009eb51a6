import Foundation
import NIOCore
import PostgresNIO

extension PostgresEventStore {
    /// The events of one stream as stored (``StoredEvent``), from `fromVersion` on in version order, at most
    /// `limit`; with `asOfMicros` (microseconds since 1970, as ``StoredEvent/recordedAtMicros``), only those
    /// recorded at or before it: the stream as it stood then, to the microsecond.
    public func storedEvents(
        of streamId: StreamID, fromVersion: Int64 = 1, asOfMicros: Int64? = nil, limit: Int = 1_000
    ) async throws -> [StoredEvent] {
        try await fetchStored(
            """
            SELECT \(unescaped: Self.storedColumns) FROM events
            WHERE stream_id = \(streamId.rawValue) AND stream_version >= \(fromVersion)
              AND (\(asOfMicros)::bigint IS NULL
                   OR (extract(epoch FROM recorded_at) * 1000000)::bigint <= \(asOfMicros)::bigint)
            ORDER BY stream_version LIMIT \(Int64(limit))
            """, on: nil)
    }

    /// Events as stored at positions after `position` and at most `through`, in position order, at most `limit`.
    /// Callers read below the watermark (``watermark()``) so that no event can still commit inside the range.
    public func storedEvents(
        after position: Int64, through last: Int64, limit: Int, on connection: PostgresConnection? = nil
    ) async throws -> [StoredEvent] {
        try await fetchStored(
            """
            SELECT \(unescaped: Self.storedColumns) FROM events
            WHERE position > \(position) AND position <= \(last)
            ORDER BY position LIMIT \(Int64(limit))
            """, on: connection)
    }

    /// Events as stored after `position` and below `watermark` (a value of ``watermark()``), of one category when
    /// given, in position order, at most `limit`: a page of the log no event can still commit inside.
    public func storedEvents(
        after position: Int64, below watermark: Int64, category: String?, limit: Int
    ) async throws -> [StoredEvent] {
        try await fetchStored(
            """
            SELECT \(unescaped: Self.storedColumns) FROM events
            WHERE position > \(position) AND position < \(watermark) AND (\(category)::text IS NULL OR category = \(category))
            ORDER BY position LIMIT \(Int64(limit))
            """, on: nil)
    }

    /// Events as stored in stream order (stream id, then version) after the given stream and version, at most
    /// `limit`: a walk over every stream that holds one stream's chain at a time.
    public func storedEventsInStreamOrder(
        afterStream streamId: String, version: Int64, limit: Int, on connection: PostgresConnection? = nil
    ) async throws -> [StoredEvent] {
        try await fetchStored(
            """
            SELECT \(unescaped: Self.storedColumns) FROM events
            WHERE (stream_id, stream_version) > (\(streamId), \(version))
            ORDER BY stream_id, stream_version LIMIT \(Int64(limit))
            """, on: connection)
    }

    /// How many events have positions in `first...last`.
    public func eventCount(from first: Int64, through last: Int64) async throws -> Int64 {
        try await client.leasedValue(
            "SELECT count(*) FROM events WHERE position >= \(first) AND position <= \(last)", as: Int64.self,
            logger: logger) ?? 0
    }

    /// The stored hash of each (stream, version) asked for that exists, by stream id.
    public func storedHashes(of wanted: [(streamId: String, version: Int64)]) async throws -> [String: [UInt8]] {
        guard !wanted.isEmpty else { return [:] }
        let rows = try await client.leasedQuery(
            """
            SELECT e.stream_id, e.hash FROM unnest(\(wanted.map(\.streamId))::text[], \(wanted.map(\.version))::bigint[])
                AS w(stream_id, version)
            JOIN events e ON e.stream_id = w.stream_id AND e.stream_version = w.version
            """, logger: logger
        ) { rows in
            var result: [(String, ByteBuffer)] = []
            for try await row in rows.decode((String, ByteBuffer).self) { result.append(row) }
            return result
        }
        return Dictionary(rows.map { ($0.0, Array($0.1.readableBytesView)) }, uniquingKeysWith: { first, _ in first })
    }

    /// How many distinct streams the store holds (an estimate is not enough for a progress total of a verify).
    public func streamCount() async throws -> Int64 {
        try await client.leasedValue(
            "SELECT count(*) FROM events WHERE stream_version = 1", as: Int64.self, logger: logger) ?? 0
    }

    /// `event` as every read path gives it: payload parsed and upcast to its type's current version.
    public func recorded(_ event: StoredEvent) throws -> RecordedEvent {
        guard let eventId = UUID(uuidString: event.eventId) else {
            throw EventStoreError(.corruptEvent, "event at position \(event.position) has a malformed id")
        }
        return try makeEvent(
            position: event.position, streamId: event.streamId, version: event.streamVersion, eventId: eventId,
            type: event.type, schemaVersion: Int(event.schemaVersion), payloadText: ByteBuffer(string: event.payload),
            metadataText: ByteBuffer(string: event.metadata),
            recordedAt: Date(timeIntervalSince1970: Double(event.recordedAtMicros) / 1_000_000))
    }

    static let storedColumns = """
        position, stream_id, stream_version, category, event_id::text, event_type, schema_version, payload::text,
        metadata::text, (extract(epoch FROM recorded_at) * 1000000)::bigint, hash, hash_format
        """

    typealias StoredRow = (
        Int64, String, Int64, String, String, String, Int32, String, String, Int64, ByteBuffer, Int16
    )

    func fetchStored(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> [StoredEvent] {
        let rows: [StoredRow]
        do {
            rows = try await allRows(query, on: connection).map { try $0.decode(StoredRow.self) }
        } catch {
            throw EventStoreError(.databaseUnavailable, "the event store could not be read", underlying: error)
        }
        return rows.map { row in
            StoredEvent(
                position: row.0, streamId: row.1, streamVersion: row.2, category: row.3, eventId: row.4, type: row.5,
                schemaVersion: row.6, payload: row.7, metadata: row.8, recordedAtMicros: row.9,
                hash: Array(row.10.readableBytesView), hashFormat: row.11)
        }
    }
}
