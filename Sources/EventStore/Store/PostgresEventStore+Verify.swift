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

extension PostgresEventStore {
    /// Recomputes a stream's hash chain from its stored rows and names the first version that does not match.
    ///
    /// Each event's hash is sha256(previous hash ‖ its canonical text), the first one chained to 32 zero bytes;
    /// the canonical text joins stream id, version, event id, type, schema version, recorded-at in microseconds,
    /// metadata and payload (PostgreSQL's `jsonb` text form) with newlines. Any edited column and any missing
    /// or reordered version is found. Removing the last events of a stream leaves a shorter valid chain: that
    /// needs a head recorded elsewhere (an audit export) to compare with.
    public func verify(_ streamId: StreamID) async throws -> StreamVerification {
        let rows = try await client.query(
            """
            SELECT stream_version, event_id::text, event_type, schema_version,
                   (extract(epoch FROM recorded_at) * 1000000)::bigint, metadata::text, payload::text, encode(hash, 'hex')
            FROM events WHERE stream_id = \(streamId.rawValue) ORDER BY stream_version
            """, logger: logger)
        var previous = [UInt8](repeating: 0, count: 32)
        var expectedVersion: Int64 = 1
        var count = 0
        var firstBad: (Int64, String)?
        for try await (version, eventId, type, schemaVersion, micros, metadata, payload, hash)
            in rows.decode((Int64, String, String, Int32, Int64, String, String, String).self)
        {
            count += 1
            guard firstBad == nil else { continue }
            if version != expectedVersion {
                firstBad = (expectedVersion, "version \(expectedVersion) is missing")
                continue
            }
            let canonical = [
                streamId.rawValue, String(version), eventId, type, String(schemaVersion), String(micros), metadata, payload,
            ].joined(separator: "\n")
            var hasher = SHA256()
            hasher.update(data: previous)
            hasher.update(data: Array(canonical.utf8))
            let computed = Array(hasher.finalize())
            if computed.hexString != hash {
                firstBad = (version, "the stored event does not match its hash")
                continue
            }
            previous = computed
            expectedVersion += 1
        }
        return StreamVerification(
            streamId: streamId.rawValue, ok: firstBad == nil, events: count, firstBadVersion: firstBad?.0,
            problem: firstBad?.1)
    }
}

extension Sequence<UInt8> {
    /// Lower-case hex, as PostgreSQL's `encode(…, 'hex')` writes it.
    var hexString: String {
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
