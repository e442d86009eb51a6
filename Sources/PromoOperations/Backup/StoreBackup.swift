import Crypto
import EventStore
import Foundation
import Logging
import PostgresNIO
import PromoDomain

/// `promoctl backup FILE` / `promoctl restore FILE`: the store and the tables that go with it, in one file.
///
/// The file is one LZ4 frame (content and block checksums on) of JSON Lines: a header
/// (`{"format":"promoledger-backup/1",…}`), then sections, each a line `{"section":NAME}` followed by its rows:
/// `events` as archive records (``ArchiveRecord``: every column as stored), then each of ``tables`` as
/// `row_to_json` objects, and last a trailer with the counts. It is read from one snapshot (repeatable read), so
/// the tables agree with each other. Read models are not in it: projection workers rebuild them from position 0.
public enum StoreBackup {
    public static let format = "promoledger-backup/1"

    /// The tables besides `events`, in the order they are written and restored: the store's command records,
    /// the checkpoints of subscribers outside the platform (they go on from where they were: every position
    /// after the restore is above theirs), the API keys, the customers' encryption keys (an erased key stays
    /// erased: it is not there), and the recorded answers to Idempotency-Keys (a channel's retry after a
    /// restore is still answered, not re-run). The read models' checkpoints are not: they are rebuilt.
    public static let tables = [
        "commands", "subscription_checkpoints", "api_keys", "customer_keys", "idempotent_requests",
    ]

    public struct Summary: Sendable, Equatable {
        public var events = 0
        public var rows: [String: Int] = [:]
        public var lastPosition: Int64 = 0
        public var bytes = 0
        public var sha256 = ""
        /// Whether new positions had to be moved above the restored ones (restore only).
        public var positionsMoved = false
    }

    /// Writes a backup of `store` to `file`, which must not exist (written beside it first, renamed when
    /// complete). Records it on the audit stream as `actor`. `progress` gets (events written, events stored).
    public static func backup(
        store: PostgresEventStore, to file: URL, actor: String,
        progress: @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) async throws -> Summary {
        guard !FileManager.default.fileExists(atPath: file.path) else {
            throw ArchiveError("\(file.path) exists: back up into a new file")
        }
        let partial = file.appendingPathExtension("partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
            throw ArchiveError("cannot create \(partial.path)")
        }
        let writer = try FrameFileWriter(url: partial)
        let logger = store.logger
        var summary: Summary
        do {
            summary = try await store.client.withOpenTransaction(logger: logger) { connection in
                try await connection.allRows(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                return try await write(store, on: connection, into: writer, actor: actor, progress: progress)
            }
            summary.sha256 = try writer.close()
            summary.bytes = writer.bytes
            try FileManager.default.moveItem(at: partial, to: file)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        try await store.recordAudit(
            BackupRecorded(
                action: "backup", events: summary.events, lastPosition: summary.lastPosition, sha256: summary.sha256,
                file: file.path),
            actor: actor)
        return summary
    }

    private static func write(
        _ store: PostgresEventStore, on connection: PostgresConnection, into writer: FrameFileWriter, actor: String,
        progress: (Int, Int) -> Void
    ) async throws -> Summary {
        let logger = store.logger
        var summary = Summary()
        let total = try await single(Int64.self, "SELECT count(*) FROM events", on: connection, logger: logger)
        try writer.line(
            JSONValue.object([
                "format": .string(format), "createdBy": .string(actor), "events": .int(total),
                "createdAt": .string(RFC3339.string(micros: Int64(Date().timeIntervalSince1970 * 1_000_000))),
            ]).canonicalString)
        try writer.line(#"{"section":"events"}"#)
        var cursor = Int64.min
        while true {
            let page = try await store.storedEvents(after: cursor, through: .max, limit: 5_000, on: connection)
            guard let last = page.last else { break }
            var bytes: [UInt8] = []
            for event in page { ArchiveRecord.append(event, to: &bytes) }
            try writer.write(bytes)
            summary.events += page.count
            summary.lastPosition = last.position
            cursor = last.position
            progress(summary.events, Int(total))
        }
        for table in tables {
            guard
                try await single(Bool.self, "SELECT to_regclass(\(table)) IS NOT NULL", on: connection, logger: logger)
            else { continue }
            try writer.line(JSONValue.object(["section": .string(table)]).canonicalString)
            // A cursor: a table of any size goes through in bounded pieces.
            try await connection.allRows(
                "DECLARE backup_rows NO SCROLL CURSOR FOR SELECT row_to_json(t)::text FROM \(unescaped: table) t",
                logger: logger)
            var count = 0
            while true {
                let rows = try await connection.allRows("FETCH 2000 FROM backup_rows", logger: logger)
                guard !rows.isEmpty else { break }
                var bytes: [UInt8] = []
                for row in rows {
                    bytes += Array(try row.decode(String.self).utf8)
                    bytes.append(UInt8(ascii: "\n"))
                }
                try writer.write(bytes)
                count += rows.count
            }
            try await connection.allRows("CLOSE backup_rows", logger: logger)
            summary.rows[table] = count
        }
        try writer.line(
            JSONValue.object([
                "end": true, "events": .int(Int64(summary.events)), "lastPosition": .int(summary.lastPosition),
                "rows": .object(summary.rows.mapValues { .int(Int64($0)) }),
            ]).canonicalString)
        return summary
    }

    /// Restores `file` into `store`, which must be migrated and empty (no events, no rows in ``tables``), in one
    /// transaction: every chain is checked as the events go in, the trailer's counts must match, and the frame
    /// must end with its checksum, or nothing is restored. New positions are moved above the restored ones.
    /// Records the restore on the restored store's audit stream as `actor`.
    public static func restore(
        store: PostgresEventStore, from file: URL, actor: String,
        progress: @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) async throws -> Summary {
        let sha = try ArchiveReader.sha256(of: file)
        let bytes = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        let lines = try LZ4LineReader(url: file)
        let logger = store.logger
        var summary = try await store.client.withOpenTransaction(logger: logger) { connection in
            try await connection.allRows("LOCK TABLE events IN EXCLUSIVE MODE", logger: logger)
            try await checkEmpty(on: connection, logger: logger)
            return try await read(lines, into: connection, logger: logger, progress: progress)
        }
        summary.bytes = bytes
        summary.sha256 = sha
        try await store.recordAudit(
            BackupRecorded(
                action: "restore", events: summary.events, lastPosition: summary.lastPosition, sha256: sha,
                file: file.path),
            actor: actor)
        return summary
    }

    private static func checkEmpty(on connection: PostgresConnection, logger: Logger) async throws {
        guard try await single(Bool.self, "SELECT NOT EXISTS (SELECT 1 FROM events)", on: connection, logger: logger)
        else {
            throw ArchiveError("the store is not empty: restore into an empty database (promoctl migrate makes one)")
        }
        for table in tables {
            guard
                try await single(Bool.self, "SELECT to_regclass(\(table)) IS NOT NULL", on: connection, logger: logger)
            else { throw ArchiveError("table \(table) is missing: run promoctl migrate on the new database first") }
            guard
                try await single(
                    Bool.self, "SELECT NOT EXISTS (SELECT 1 FROM \(unescaped: table))", on: connection, logger: logger)
            else { throw ArchiveError("table \(table) is not empty: restore into an empty database") }
        }
    }

    private static func read(
        _ lines: LZ4LineReader, into connection: PostgresConnection, logger: Logger,
        progress: (Int, Int) -> Void
    ) async throws -> Summary {
        guard let headerLine = try lines.nextLine(), let header = try? JSONValue(parsing: headerLine),
            header["format"]?.stringValue == format
        else { throw ArchiveError("not a PromoLedger backup (\(format))") }
        guard let first = try lines.nextLine(), section(first) == "events" else {
            throw ArchiveError("the backup does not start with its events")
        }
        let total = Int(header["events"]?.intValue ?? 0)
        var summary = Summary()
        var checker = ChainChecker()
        var pending: [UInt8]?
        try await connection.copyFrom(table: "events", columns: ArchiveImport.copyColumns, logger: logger) { writer in
            var batch: [StoredEvent] = []
            while let line = try lines.nextLine() {
                if section(line) != nil || isTrailer(line) {
                    pending = line
                    break
                }
                guard let event = line.withUnsafeBytes({ ArchiveRecord.decode($0) }) else {
                    throw ArchiveError("event \(summary.events + batch.count + 1) of the backup is not an event record")
                }
                do {
                    try checker.check(event)
                } catch let problem as ChainChecker.Problem {
                    throw ArchiveError(
                        "\(problem.streamId) version \(problem.version): \(problem.message); nothing was restored")
                }
                batch.append(event)
                if batch.count == 2_000 {
                    try await writer.write(ArchiveImport.copyText(batch))
                    summary.events += batch.count
                    summary.lastPosition = batch[batch.count - 1].position
                    progress(summary.events, total)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty {
                try await writer.write(ArchiveImport.copyText(batch))
                summary.events += batch.count
                summary.lastPosition = batch[batch.count - 1].position
            }
        }
        var line = pending
        while let current = line, let table = section(current) {
            guard tables.contains(table) else {
                throw ArchiveError("the backup has a section \(table) this build does not know")
            }
            var rows: [String] = []
            var count = 0
            func flush() async throws {
                guard !rows.isEmpty else { return }
                try await connection.allRows(
                    """
                    INSERT INTO \(unescaped: table)
                    SELECT * FROM json_populate_recordset(NULL::\(unescaped: table), \("[" + rows.joined(separator: ",") + "]")::json)
                    """, logger: logger)
                count += rows.count
                rows.removeAll(keepingCapacity: true)
            }
            line = nil
            while let row = try lines.nextLine() {
                if section(row) != nil || isTrailer(row) {
                    line = row
                    break
                }
                rows.append(String(decoding: row, as: UTF8.self))
                if rows.count == 1_000 { try await flush() }
            }
            try await flush()
            summary.rows[table] = count
        }
        guard let trailerLine = line, let trailer = try? JSONValue(parsing: trailerLine), trailer["end"] == true
        else { throw ArchiveError("the backup is truncated: its trailer is missing") }
        guard trailer["events"]?.intValue == Int64(summary.events),
            trailer["rows"] == .object(summary.rows.mapValues { .int(Int64($0)) })
        else { throw ArchiveError("the backup's counts do not match its trailer: it is damaged") }
        guard try lines.nextLine() == nil else { throw ArchiveError("the backup has data after its trailer") }
        let moved = try await connection.allRows("SELECT moved FROM promo_reposition()", logger: logger)
        summary.positionsMoved = try moved.first?.decode(Bool.self) ?? false
        return summary
    }

    private static func isTrailer(_ line: [UInt8]) -> Bool { line.starts(with: Array(#"{"end":"#.utf8)) }

    /// The section a line opens (`{"section":"api_keys"}`), or nil.
    private static func section(_ line: [UInt8]) -> String? {
        guard line.starts(with: Array(#"{"section":"#.utf8)), let json = try? JSONValue(parsing: line) else {
            return nil
        }
        return json["section"]?.stringValue
    }

    private static func single<T: PostgresDecodable>(
        _: T.Type, _ query: PostgresQuery, on connection: PostgresConnection, logger: Logger
    ) async throws -> T {
        let rows = try await connection.allRows(query, logger: logger)
        guard let row = rows.first else { throw ArchiveError("the database answered nothing to a query") }
        return try row.decode(T.self)
    }
}

/// A file written as one LZ4 frame, hashed as it is written.
final class FrameFileWriter {
    private let handle: FileHandle
    private let encoder: LZ4FrameEncoder
    private var hasher = SHA256()
    private var buffer: [UInt8] = []
    private(set) var bytes = 0

    init(url: URL) throws {
        handle = try FileHandle(forWritingTo: url)
        encoder = try LZ4FrameEncoder()
        try emit(try encoder.begin())
    }

    func line(_ text: String) throws {
        try write(Array(text.utf8) + [UInt8(ascii: "\n")])
    }

    func write(_ content: [UInt8]) throws {
        buffer += content
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try emit(try encoder.update(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    private func emit(_ compressed: [UInt8]) throws {
        guard !compressed.isEmpty else { return }
        hasher.update(data: compressed)
        try handle.write(contentsOf: compressed)
        bytes += compressed.count
    }

    /// Ends the frame, syncs the file, and returns its sha256.
    func close() throws -> String {
        try flush()
        try emit(try encoder.end())
        try handle.synchronize()
        try handle.close()
        return Array(hasher.finalize()).hexString
    }
}
