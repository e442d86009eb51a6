import Crypto
import Foundation
import PostgresNIO

/// The outcome of checking one stream's hash chain.
public struct StreamVerification: Sendable, Hashable, Codable {
    public var streamId: String
    public var ok: Bool
    /// How many events the stream has.
    public var events: Int
    /// The first version whose hash, or whose place in the chain, does not match; nil when `ok`.
    public var firstBadVersion: Int64?
    /// Why it failed, in words.
    public var problem: String?

    public init(streamId: String, ok: Bool, events: Int, firstBadVersion: Int64? = nil, problem: String? = nil) {
        self.streamId = streamId
        self.ok = ok
        self.events = events
        self.firstBadVersion = firstBadVersion
        self.problem = problem
    }
}

/// A stream's head as recorded somewhere else (an archive segment, an audit export): its last version and
/// that event's hash. A hash chain cannot show that its last events were removed; comparing with a head
/// recorded earlier can.
public struct StreamHead: Sendable, Hashable, Codable {
    public var streamId: String
    public var version: Int64
    /// The hash of the event at ``version``, lower-case hex.
    public var hash: String

    public init(streamId: String, version: Int64, hash: String) {
        self.streamId = streamId
        self.version = version
        self.hash = hash.lowercased()
    }
}

extension PostgresEventStore {
    /// Recomputes a stream's hash chain from its stored rows and names the first version that does not match.
    ///
    /// Each event's hash is sha256(previous hash ‖ its canonical text), the first one chained to 32 zero bytes.
    /// The canonical text (EventSchemas/README.md has the exact form and a worked example) joins with newlines,
    /// in hash format 2: stream id, version, global position, category, event id, type, schema version,
    /// recorded-at in microseconds, metadata and payload (PostgreSQL's `jsonb` text form); events written in
    /// format 1 (before positions and categories were covered) leave out position and category. Any edited
    /// column, a moved position, and any missing or reordered version is found.
    ///
    /// Removing the last events of a stream leaves a shorter valid chain: pass a head recorded earlier
    /// (`head`) and the stream must still reach that version with that hash.
    public func verify(_ streamId: StreamID, against head: StreamHead? = nil) async throws -> StreamVerification {
        try await client.leasedQuery(
            """
            SELECT stream_version, position, category, event_id::text, event_type, schema_version,
                   (extract(epoch FROM recorded_at) * 1000000)::bigint, metadata::text, payload::text,
                   encode(hash, 'hex'), hash_format
            FROM events WHERE stream_id = \(streamId.rawValue) ORDER BY stream_version
            """, logger: logger
        ) { rows in
            var previous = [UInt8](repeating: 0, count: 32)
            var expectedVersion: Int64 = 1
            var count = 0
            var firstBad: (Int64, String)?
            var hashAtHead: String?
            for try await (
                version, position, category, eventId, type, schemaVersion, micros, metadata, payload, hash, format
            )
                in rows.decode((Int64, Int64, String, String, String, Int32, Int64, String, String, String, Int16).self)
            {
                count += 1
                guard firstBad == nil else { continue }
                if version != expectedVersion {
                    firstBad = (expectedVersion, "version \(expectedVersion) is missing")
                    continue
                }
                let fields =
                    format >= 2
                    ? [
                        streamId.rawValue, String(version), String(position), category, eventId, type,
                        String(schemaVersion),
                        String(micros), metadata, payload,
                    ]
                    : [
                        streamId.rawValue, String(version), eventId, type, String(schemaVersion), String(micros),
                        metadata,
                        payload,
                    ]
                var hasher = SHA256()
                hasher.update(data: previous)
                hasher.update(data: Array(fields.joined(separator: "\n").utf8))
                let computed = Array(hasher.finalize())
                if computed.hexString != hash {
                    firstBad = (version, "the stored event does not match its hash")
                    continue
                }
                if version == head?.version { hashAtHead = hash }
                previous = computed
                expectedVersion += 1
            }
            if firstBad == nil, let head {
                if head.version > Int64(count) {
                    firstBad = (
                        Int64(count) + 1,
                        "the recorded head is version \(head.version), the stream ends at \(count): events were removed"
                    )
                } else if hashAtHead != head.hash {
                    firstBad = (head.version, "version \(head.version) does not have the recorded head's hash")
                }
            }
            return StreamVerification(
                streamId: streamId.rawValue, ok: firstBad == nil, events: count, firstBadVersion: firstBad?.0,
                problem: firstBad?.1)
        }
    }

    /// A stream's head now (its last version and that event's hash), to record for a later ``verify(_:against:)``;
    /// nil for a stream with no events.
    public func head(of streamId: StreamID) async throws -> StreamHead? {
        try await client.leasedQuery(
            """
            SELECT stream_version, encode(hash, 'hex') FROM events WHERE stream_id = \(streamId.rawValue)
            ORDER BY stream_version DESC LIMIT 1
            """, logger: logger
        ) { rows in
            for try await (version, hash) in rows.decode((Int64, String).self) {
                return StreamHead(streamId: streamId.rawValue, version: version, hash: hash)
            }
            return nil
        }
    }
}

extension Sequence<UInt8> {
    /// Lower-case hex, as PostgreSQL's `encode(…, 'hex')` writes it.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
