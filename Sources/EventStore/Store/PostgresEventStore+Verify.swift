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
    /// The stream's last event as stored (its version and stored hash); nil for a stream with no events.
    public var head: StreamHead?

    public init(
        streamId: String, ok: Bool, events: Int, firstBadVersion: Int64? = nil, problem: String? = nil,
        head: StreamHead? = nil
    ) {
        self.streamId = streamId
        self.ok = ok
        self.events = events
        self.firstBadVersion = firstBadVersion
        self.problem = problem
        self.head = head
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

    /// A head written as `VERSION:HASH` (the hash as 64 hex digits), as `promoctl verify --print-head` prints it;
    /// nil for anything else.
    public init?(parsing text: String, streamId: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let version = Int64(parts[0]), version > 0, parts[1].utf8.count == 64,
            parts[1].allSatisfy(\.isHexDigit)
        else { return nil }
        self.init(streamId: streamId, version: version, hash: String(parts[1]))
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
        var walk = StreamWalk(streamId: streamId.rawValue, recordedHead: head)
        var from: Int64 = 1
        while true {
            let page = try await storedEvents(of: streamId, fromVersion: from, limit: Self.verifyPage)
            for event in page { walk.add(event) }
            guard page.count == Self.verifyPage, let last = page.last else { break }
            from = last.streamVersion + 1
        }
        return walk.result
    }

    /// Checks every stream's chain, one stream at a time in stream-id order (memory does not grow with the
    /// store). `progress` is told the events checked so far after each page. The summary lists the first
    /// `keepFailures` streams that failed; `badStreams` counts them all.
    public func verifyAll(
        keepFailures: Int = 1_000, progress: (_ events: Int) -> Void = { _ in }
    ) async throws -> VerificationSummary {
        var summary = VerificationSummary()
        var walk: StreamWalk?
        var after = ("", Int64(0))
        while true {
            let page = try await storedEventsInStreamOrder(
                afterStream: after.0, version: after.1, limit: Self.verifyPage)
            for event in page {
                if walk?.streamId != event.streamId {
                    if let done = walk { summary.add(done.result, keep: keepFailures) }
                    walk = StreamWalk(streamId: event.streamId, recordedHead: nil)
                }
                walk?.add(event)
            }
            summary.events += page.count
            progress(summary.events)
            guard page.count == Self.verifyPage, let last = page.last else { break }
            after = (last.streamId, last.streamVersion)
        }
        if let done = walk { summary.add(done.result, keep: keepFailures) }
        return summary
    }

    static let verifyPage = 5_000

    /// A stream's head now (its last version and that event's hash), to record for a later ``verify(_:against:)``;
    /// nil for a stream with no events.
    public func head(of streamId: StreamID) async throws -> StreamHead? {
        try await client.leasedQuery(
            """
            SELECT stream_version, encode(hash, 'hex') FROM events WHERE stream_id = \(streamId.rawValue)
            ORDER BY stream_version DESC LIMIT 1
            """, logger: logger
        ) { rows in
            var heads: [StreamHead] = []
            for try await (version, hash) in rows.decode((Int64, String).self) {
                heads.append(StreamHead(streamId: streamId.rawValue, version: version, hash: hash))
            }
            return heads
        }.first
    }
}

/// What `verify --all` found.
public struct VerificationSummary: Sendable, Hashable, Codable {
    public var streams = 0
    public var events = 0
    public var badStreams = 0
    /// The first streams that failed, in stream-id order.
    public var failures: [StreamVerification] = []

    public var ok: Bool { badStreams == 0 }

    mutating func add(_ result: StreamVerification, keep: Int) {
        streams += 1
        guard !result.ok else { return }
        badStreams += 1
        if failures.count < keep { failures.append(result) }
    }
}

/// One stream's events checked in version order, and the head they reach.
struct StreamWalk {
    let streamId: String
    let recordedHead: StreamHead?
    private var checker = ChainChecker()
    private var count = 0
    private var firstBad: (version: Int64, problem: String)?
    private var hashAtRecordedHead: String?
    private var last: StoredEvent?

    init(streamId: String, recordedHead: StreamHead?) {
        self.streamId = streamId
        self.recordedHead = recordedHead
    }

    mutating func add(_ event: StoredEvent) {
        count += 1
        last = event
        guard firstBad == nil else { return }
        do {
            try checker.check(event)
            if event.streamVersion == recordedHead?.version { hashAtRecordedHead = event.hash.hexString }
        } catch {
            firstBad = (error.version, error.message)
        }
    }

    var result: StreamVerification {
        var bad = firstBad
        if bad == nil, let recordedHead {
            if recordedHead.version > Int64(count) {
                bad = (
                    Int64(count) + 1,
                    "the recorded head is version \(recordedHead.version), the stream ends at \(count): events were removed"
                )
            } else if hashAtRecordedHead != recordedHead.hash {
                bad = (recordedHead.version, "version \(recordedHead.version) does not have the recorded head's hash")
            }
        }
        return StreamVerification(
            streamId: streamId, ok: bad == nil, events: count, firstBadVersion: bad?.version, problem: bad?.problem,
            head: last.map { StreamHead(streamId: streamId, version: $0.streamVersion, hash: $0.hash.hexString) })
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
