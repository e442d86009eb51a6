import Foundation
import Logging
import PostgresNIO
import PromoDomain

extension PostgresEventStore {
    /// The events of one stream from `fromVersion` on, in version order, at most `limit`.
    ///
    /// With `asOf`, only events recorded at or before that instant: the stream as it stood then.
    public func readStream(
        _ streamId: StreamID, fromVersion: Int64 = 1, asOf: Date? = nil, limit: Int = 10_000
    ) async throws -> [RecordedEvent] {
        try await fetch(
            """
            SELECT \(unescaped: Self.columns) FROM events
            WHERE stream_id = \(streamId.rawValue) AND stream_version >= \(fromVersion)
              AND (\(asOf)::timestamptz IS NULL OR recorded_at <= \(asOf)::timestamptz)
            ORDER BY stream_version LIMIT \(Int64(limit))
            """)
    }

    /// The events of several streams, each after the version given for it, in one query: ordered by stream id,
    /// then version, at most `limit` in all. A caller whose result is full reads on from the last version it got
    /// of each stream (``LoadedStream``-style tail reads: a command's streams in one round trip).
    public func readStreams(after versions: [(StreamID, Int64)], limit: Int = 5_000) async throws -> [RecordedEvent] {
        guard !versions.isEmpty else { return [] }
        let ids = versions.map(\.0.rawValue)
        let after = versions.map(\.1)
        // A function (migration 8), so that the query is planned once per session, not on every call.
        return try await fetch("SELECT * FROM promo_read_streams(\(ids), \(after), \(Int64(limit)))")
    }

    /// The events of one category (`order`, `stock`, …) after a global position, in position order; with
    /// `types`, only events of those types (a reader that needs a campaign's definitions, not its every order).
    public func readCategory(
        _ category: String, after position: Int64 = 0, limit: Int = 1_000, types: Set<String>? = nil
    ) async throws -> [RecordedEvent] {
        guard let types else {
            return try await fetch(
                """
                SELECT \(unescaped: Self.columns) FROM events
                WHERE category = \(category) AND position > \(position)
                ORDER BY position LIMIT \(Int64(limit))
                """)
        }
        return try await fetch(
            """
            SELECT \(unescaped: Self.columns) FROM events
            WHERE category = \(category) AND position > \(position) AND event_type = ANY(\(types.sorted()))
            ORDER BY position LIMIT \(Int64(limit))
            """)
    }

    /// All events after a global position, in position order, as far as they are committed now.
    ///
    /// An ad-hoc read: a transaction still open may later commit events at positions below the last one
    /// returned. Subscribers use ``readCommitted(after:limit:on:)``, which never returns past such a gap.
    public func readAll(after position: Int64 = 0, limit: Int = 1_000) async throws -> [RecordedEvent] {
        try await fetch(
            "SELECT \(unescaped: Self.columns) FROM events WHERE position > \(position) ORDER BY position LIMIT \(Int64(limit))"
        )
    }

    /// Events after `position` that no open transaction can precede any more, in position order.
    ///
    /// A position is the writing transaction's id (plus the store's offset, see ``positionStatus()``) shifted
    /// left 16 bits, and every transaction that can still commit has an id at or above the oldest running one,
    /// so everything below `(xmin + offset) << 16` is final. Reading on from the last returned position
    /// therefore never skips an event.
    public func readCommitted(
        after position: Int64, limit: Int, on connection: PostgresConnection? = nil
    ) async throws -> [RecordedEvent] {
        let query: PostgresQuery = """
            SELECT \(unescaped: Self.columns) FROM events
            WHERE position > \(position)
              AND position < promo_watermark()
            ORDER BY position LIMIT \(Int64(limit))
            """
        return try await fetch(query, on: connection)
    }

    /// Events of `types` (all when nil) at positions after `position` and below `watermark` (a value of
    /// ``watermark(on:)``), in position order, at most `limit`: a reader that filters by type and has seen a
    /// short batch has seen everything below the watermark, and can move its checkpoint to `watermark - 1`.
    /// `omitting` names payload members the reader does not need (`record`, or a nested one, `quote.rejected`):
    /// they are skipped while the payload is parsed, never built. Payloads are held as tapes
    /// (``RecordedEvent/decodePayload(as:)``): a projection decodes a few fields of each. Events of the types in
    /// `unread` (a reader that only counts them) come with an empty payload; `types` must be given for it.
    ///
    /// Omitted top-level members of large payloads are also left out by the database (migration 10), whose
    /// text form of them was the read's biggest cost; nested ones are not (`payload #- '{quote,rejected}'`
    /// rebuilds every jsonb value it touches, and was measured at 45% of the database's time when eight read
    /// models were rebuilt at once).
    public func readCommitted(
        after position: Int64, below watermark: Int64, types: [String]?, omitting omitted: JSONPaths = .none,
        unread: [String] = [], limit: Int, on connection: PostgresConnection
    ) async throws -> [RecordedEvent] {
        guard let types else {
            return try await fetch(
                """
                SELECT \(unescaped: Self.columns) FROM events
                WHERE position > \(position) AND position < \(watermark)
                ORDER BY position LIMIT \(Int64(limit))
                """, on: connection, omitting: omitted, tapes: true)
        }
        // A function (migrations 9 and 10) whose plan walks the primary key in position order whatever the
        // statistics say, and which leaves out omitted top-level members of large payloads.
        return try await fetch(
            """
            SELECT * FROM promo_read_committed(\(position), \(watermark), \(types), \(Int64(limit)),
                                               \(omitted.members), \(unread))
            """,
            on: connection, omitting: omitted, tapes: true)
    }

    /// ``watermark()`` read on `connection`, inside its transaction.
    public func watermark(on connection: PostgresConnection) async throws -> Int64 {
        try await collect("SELECT promo_watermark()", on: connection) { rows in
            var values: [Int64] = []
            for try await value in rows.decode(Int64.self) { values.append(value) }
            return values
        }.first ?? 0
    }

    /// The position below which every event is final: no transaction still open can commit one there (see
    /// ``readCommitted(after:limit:on:)``). A reader that has seen every event of a category below it need never
    /// read them again.
    public func watermark() async throws -> Int64 {
        try await client.leasedValue("SELECT promo_watermark()", as: Int64.self, logger: logger) ?? 0
    }

    /// A stream's current version; 0 when it does not exist.
    public func streamVersion(_ streamId: StreamID) async throws -> Int64 {
        try await client.leasedValue(
            "SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = \(streamId.rawValue)",
            as: Int64.self, logger: logger) ?? 0
    }

    /// The last global position, committed or not; 0 for an empty store.
    public func headPosition() async throws -> Int64 {
        try await client.leasedValue("SELECT coalesce(max(position), 0) FROM events", as: Int64.self, logger: logger)
            ?? 0
    }

    /// How many events the store holds.
    public func eventCount() async throws -> Int64 {
        try await client.leasedValue("SELECT count(*) FROM events", as: Int64.self, logger: logger) ?? 0
    }

    /// Runs `query` on `connection` (inside its transaction) when given, else on a leased one, and has `read`
    /// read every row before it returns.
    /// (``PostgresClient/leasedQuery(_:logger:_:)`` says why not `PostgresClient.query`).
    public func collect<T: Sendable>(
        _ query: PostgresQuery, on connection: PostgresConnection?,
        _ read: @escaping @Sendable (PostgresRowSequence) async throws -> [T]
    ) async throws -> [T] {
        if let connection { return try await read(try await connection.query(query, logger: logger)) }
        return try await client.leasedQuery(query, logger: logger, read)
    }

    /// Every row of a read (``PostgresConnection/allRows(_:logger:)``: no back-pressure, which a killed session
    /// turns into a crash). On the pool, a read whose session had ended (a pooled connection killed while idle,
    /// lent before the pool saw it close) runs again on another connection, twice at most: a read is safe to
    /// repeat.
    func allRows(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> [PostgresRow] {
        if let connection { return try await connection.allRows(query, logger: logger) }
        var attempt = 0
        while true {
            do {
                return try await client.withOpenConnection { try await $0.allRows(query, logger: logger) }
            } catch  where attempt < 2 && !PostgresConnection.sessionSurvives(error) {
                attempt += 1
            }
        }
    }

    static let columns = """
        position, stream_id, stream_version, event_id, event_type, schema_version, payload::text, metadata::text, recorded_at
        """

    /// A row of ``columns``, cell by cell. (`PostgresRow.decode` of the nine as one tuple looked up the tuple's
    /// generic metadata for every row: a tenth of `promoctl`'s time when eight read models were rebuilt at once.)
    static func decodeEventRow(_ row: PostgresRow) throws -> (
        Int64, String, Int64, UUID, String, Int32, ByteBuffer, ByteBuffer, Date
    ) {
        var cells = row.makeIterator()
        func next() throws -> PostgresCell {
            guard let cell = cells.next() else { throw PostgresDecodingError.Code.missingData }
            return cell
        }
        return (
            try next().decode(Int64.self), try next().decode(String.self), try next().decode(Int64.self),
            try next().decode(UUID.self), try next().decode(String.self), try next().decode(Int32.self),
            try next().decode(ByteBuffer.self), try next().decode(ByteBuffer.self), try next().decode(Date.self)
        )
    }

    /// The events `query` returns (``columns``). With `tapes`, payloads that no upcaster changes are held as
    /// tapes (``RecordedEvent/decodePayload(as:)``), for readers that decode each event into a few fields.
    func fetch(
        _ query: PostgresQuery, on connection: PostgresConnection? = nil, omitting: JSONPaths = .none,
        tapes: Bool = false
    ) async throws -> [RecordedEvent] {
        // Payload and metadata stay bytes: parsed straight from the row, not copied and validated into a String
        // first (the parser checks the UTF-8 of each string it builds).
        let rows: [(Int64, String, Int64, UUID, String, Int32, ByteBuffer, ByteBuffer, Date)]
        do {
            rows = try await allRows(query, on: connection).map(Self.decodeEventRow)
        } catch {
            throw EventStoreError(.databaseUnavailable, "the event store could not be read", underlying: error)
        }
        var events: [RecordedEvent] = []
        events.reserveCapacity(rows.count)
        for (position, streamId, version, eventId, type, schemaVersion, payload, metadata, recordedAt) in rows {
            events.append(
                try makeEvent(
                    position: position, streamId: streamId, version: version, eventId: eventId, type: type,
                    schemaVersion: Int(schemaVersion), payloadText: payload, metadataText: metadata,
                    recordedAt: recordedAt, omitting: omitting, tape: tapes))
        }
        return events
    }

    func makeEvent(
        position: Int64, streamId: String, version: Int64, eventId: UUID, type: String, schemaVersion: Int,
        payloadText: ByteBuffer, metadataText: ByteBuffer, recordedAt: Date, omitting: JSONPaths = .none,
        tape: Bool = false
    ) throws -> RecordedEvent {
        do {
            let metadataJSON = try metadataText.withUnsafeReadableBytes { raw in
                try JSONValue(parsing: raw.assumingMemoryBound(to: UInt8.self))
            }
            let storage: RecordedEvent.Payload
            let currentVersion: Int
            if tape, !upcasters.upcasts(eventType: type, schemaVersion: schemaVersion) {
                storage = .tape(
                    try JSONTape(parsing: Array(payloadText.readableBytesView), omitting: omitting, uniqueKeys: true))
                currentVersion = schemaVersion
            } else {
                let stored = try payloadText.withUnsafeReadableBytes { raw in
                    try JSONValue(parsing: raw.assumingMemoryBound(to: UInt8.self), omitting: omitting)
                }
                let (payload, version) = try upcasters.upcast(
                    eventType: type, schemaVersion: schemaVersion, payload: stored)
                (storage, currentVersion) = (.tree(payload), version)
            }
            return RecordedEvent(
                position: position, streamId: streamId, streamVersion: version, eventId: eventId, type: type,
                schemaVersion: currentVersion, storedSchemaVersion: schemaVersion, storage: storage,
                metadata: EventMetadata(json: metadataJSON), recordedAt: recordedAt)
        } catch {
            throw EventStoreError(
                .corruptEvent, "event at position \(position) (\(streamId) v\(version)) cannot be read",
                underlying: error)
        }
    }
}
