import EventStore
import Foundation
import Logging
import PostgresNIO
import PromoDomain

/// `promoctl archive import`: an archive written back into a store, byte for byte, in one transaction.
public enum ArchiveImport {
    public struct Summary: Sendable {
        public var archive: ArchiveReader.Summary
        /// Whether new positions had to be moved above the imported ones.
        public var positionsMoved: Bool
    }

    /// Imports the archives in `directories`, in order, into `store`: into an empty store, or one they continue
    /// (every stored position below the first archive's first, and each stream an archive holds at the version
    /// and hash its first span there starts from). Archives of consecutive ranges go in together, each
    /// continuing the one before.
    ///
    /// Each archive's index and manifests are read first; then one transaction, holding appends off, checks the
    /// store, copies every event in while checking everything ``ArchiveReader`` checks (sizes, sha256s, the LZ4
    /// checksums, order, ranges, chains, spans) and refusing at the first problem, moves new positions above
    /// the imported ones, and sets any subscriber checkpoint past the first archive's start back to just before
    /// it (no event was there before, so nothing is delivered twice, and nothing imported is skipped). Anything
    /// wrong rolls everything back: nothing is ever half-imported. Each archive is recorded on the audit stream
    /// as `actor`.
    public static func run(
        store: PostgresEventStore, directories: [URL], actor: String,
        progress: @Sendable (_ phase: String, _ done: Int, _ total: Int) -> Void = { _, _, _ in }
    ) async throws -> Summary {
        // Index and manifests first (a missing or stray file, a wrong format): refused before anything is locked.
        // The content is checked as it is copied in; a problem there rolls the transaction back.
        let readers = try directories.map { try ArchiveReader(directory: $0) }
        let plans = try readers.map { ($0, try firstSpans($0)) }
        let logger = store.logger
        let (moved, checked) = try await store.client.withOpenTransaction(logger: logger) { connection in
            try await connection.allRows("LOCK TABLE events IN EXCLUSIVE MODE", logger: logger)
            var start: Int64?
            var checked: [ArchiveReader.Summary] = []
            for (reader, starts) in plans {
                guard let first = reader.index.segments.first?.firstPosition else {
                    checked.append(.init())
                    continue
                }
                start = start ?? first
                try await checkContinues(starts, before: first, on: connection, logger: logger)
                var summary = ArchiveReader.Summary()
                try await connection.copyFrom(table: "events", columns: copyColumns, logger: logger) { writer in
                    summary = try await reader.read(progress: { progress("import", $0, $1) }) { events in
                        try await writer.write(copyText(events))
                    }
                }
                checked.append(summary)
            }
            guard let start else { return (false, checked) }
            let rows = try await connection.allRows("SELECT moved FROM promo_reposition()", logger: logger)
            try await rewindCheckpoints(to: start - 1, on: connection, logger: logger)
            return (try rows.first?.decode(Bool.self) ?? false, checked)
        }
        for (reader, summary) in zip(readers, checked) {
            try await store.recordAudit(
                ArchiveRecorded(
                    action: "import", fromPosition: reader.index.fromPosition, toPosition: reader.index.toPosition,
                    events: summary.events, segments: summary.segments,
                    segmentSha256: reader.index.segments.map(\.sha256), directory: reader.directory.path),
                actor: actor)
        }
        let total = checked.reduce(into: ArchiveReader.Summary()) {
            $0.segments += $1.segments
            $0.events += $1.events
            $0.bytes += $1.bytes
            $0.uncompressedBytes += $1.uncompressedBytes
        }
        let streams = Set(plans.flatMap { $0.1.map(\.streamId) }).count
        return Summary(
            archive: .init(
                segments: total.segments, events: total.events, streams: streams, bytes: total.bytes,
                uncompressedBytes: total.uncompressedBytes), positionsMoved: moved)
    }

    /// ``run(store:directories:actor:progress:)`` for one archive.
    public static func run(
        store: PostgresEventStore, directory: URL, actor: String,
        progress: @Sendable (_ phase: String, _ done: Int, _ total: Int) -> Void = { _, _, _ in }
    ) async throws -> Summary {
        try await run(store: store, directories: [directory], actor: actor, progress: progress)
    }

    /// Each stream's first span in the archive: where the store must stand for the archive to continue it.
    static func firstSpans(_ reader: ArchiveReader) throws -> [SegmentManifest.StreamSpan] {
        var seen: [String: SegmentManifest.StreamSpan] = [:]
        for entry in reader.index.segments {
            let data = try Data(contentsOf: reader.directory.appendingPathComponent(entry.manifest))
            for span in try JSONDecoder().decode(SegmentManifest.self, from: data).streams
            where seen[span.streamId] == nil {
                seen[span.streamId] = span
            }
        }
        return Array(seen.values)
    }

    /// Refuses a store the archive does not continue: events at or after the archive's first position, or a
    /// stream not at the version and hash its first span starts from.
    static func checkContinues(
        _ starts: [SegmentManifest.StreamSpan], before firstPosition: Int64, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let maxRows = try await connection.allRows("SELECT coalesce(max(position), 0) FROM events", logger: logger)
        let stored = try maxRows.first?.decode(Int64.self) ?? 0
        guard stored < firstPosition else {
            throw ArchiveError(
                "the store holds events up to position \(stored), at or after the archive's first (\(firstPosition)): "
                    + "import into an empty store, or one the archive continues")
        }
        for chunk in stride(from: 0, to: starts.count, by: 10_000) {
            let spans = starts[chunk..<min(chunk + 10_000, starts.count)]
            let rows = try await connection.allRows(
                """
                SELECT DISTINCT ON (stream_id) stream_id, stream_version, encode(hash, 'hex') FROM events
                WHERE stream_id = ANY(\(spans.map(\.streamId))) ORDER BY stream_id, stream_version DESC
                """, logger: logger)
            var heads: [String: (Int64, String)] = [:]
            for row in rows {
                let (id, version, hash) = try row.decode((String, Int64, String).self)
                heads[id] = (version, hash)
            }
            for span in spans {
                let (version, hash) = heads[span.streamId] ?? (0, StoredEvent.genesisHash.hexString)
                guard version == span.fromVersion - 1, hash == span.previousHash else {
                    throw ArchiveError(
                        "\(span.streamId) starts at version \(span.fromVersion) in the archive, but the store has it at "
                            + "version \(version)"
                            + (version == span.fromVersion - 1 ? " with another hash" : "")
                            + ": import the archive of the positions before first, or into an empty store")
                }
            }
        }
    }

    /// Sets every subscriber checkpoint at or past `position + 1` back to `position`.
    static func rewindCheckpoints(to position: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.allRows(
            "UPDATE subscription_checkpoints SET position = \(position) WHERE position > \(position)", logger: logger)
        let generations = try await connection.allRows(
            "SELECT to_regclass('projection_generations') IS NOT NULL", logger: logger)
        if try generations.first?.decode(Bool.self) == true {
            try await connection.allRows(
                "UPDATE projection_generations SET position = \(position) WHERE position > \(position)", logger: logger)
        }
    }

    static let copyColumns = [
        "position", "stream_id", "stream_version", "category", "event_id", "event_type", "schema_version", "payload",
        "metadata", "recorded_at", "hash", "hash_format",
    ]

    /// `events` in COPY's text format, one row per line, columns as ``copyColumns``.
    static func copyText(_ events: [StoredEvent]) -> ByteBuffer {
        var out: [UInt8] = []
        out.reserveCapacity(events.count * 400)
        func field(_ text: String) {
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                default: out.append(byte)
                }
            }
        }
        let tab = UInt8(ascii: "\t")
        for event in events {
            field(String(event.position))
            out.append(tab)
            field(event.streamId)
            out.append(tab)
            field(String(event.streamVersion))
            out.append(tab)
            field(event.category)
            out.append(tab)
            field(event.eventId)
            out.append(tab)
            field(event.type)
            out.append(tab)
            field(String(event.schemaVersion))
            out.append(tab)
            field(event.payload)
            out.append(tab)
            field(event.metadata)
            out.append(tab)
            field(RFC3339.string(micros: event.recordedAtMicros, separator: " ", zone: "+00"))
            out.append(tab)
            field("\\x" + event.hash.hexString)
            out.append(tab)
            field(String(event.hashFormat))
            out.append(UInt8(ascii: "\n"))
        }
        return ByteBuffer(bytes: out)
    }
}
