import Crypto

/// An event exactly as stored: every column, with payload and metadata in PostgreSQL's `jsonb` text form.
///
/// This is what the hash chain covers and what archives and backups carry: nothing is upcast or re-encoded,
/// so an event written back from it is byte-identical and its hash still verifies.
public struct StoredEvent: Sendable, Hashable, Codable {
    public var position: Int64
    public var streamId: String
    public var streamVersion: Int64
    public var category: String
    /// Lower-case, hyphenated: PostgreSQL's `uuid` text form.
    public var eventId: String
    public var type: String
    public var schemaVersion: Int32
    /// The payload's `jsonb` text form.
    public var payload: String
    /// The metadata's `jsonb` text form.
    public var metadata: String
    /// Microseconds since 1970-01-01 UTC: `recorded_at` exactly (a `Date` would round it).
    public var recordedAtMicros: Int64
    /// sha256(previous hash ‖ ``canonicalText``): 32 bytes.
    public var hash: [UInt8]
    /// 1: the canonical text leaves out position and category (events written before they were covered); 2: all.
    public var hashFormat: Int16

    public init(
        position: Int64, streamId: String, streamVersion: Int64, category: String, eventId: String, type: String,
        schemaVersion: Int32, payload: String, metadata: String, recordedAtMicros: Int64, hash: [UInt8],
        hashFormat: Int16
    ) {
        self.position = position
        self.streamId = streamId
        self.streamVersion = streamVersion
        self.category = category
        self.eventId = eventId
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.metadata = metadata
        self.recordedAtMicros = recordedAtMicros
        self.hash = hash
        self.hashFormat = hashFormat
    }

    /// The text the hash covers (EventSchemas/README.md): the fields joined with newlines.
    public var canonicalText: String {
        let fields =
            hashFormat >= 2
            ? [
                streamId, String(streamVersion), String(position), category, eventId, type, String(schemaVersion),
                String(recordedAtMicros), metadata, payload,
            ]
            : [
                streamId, String(streamVersion), eventId, type, String(schemaVersion), String(recordedAtMicros),
                metadata, payload,
            ]
        return fields.joined(separator: "\n")
    }

    /// The hash this event must have when `previous` is the hash of the event before it in its stream: of
    /// ``canonicalText``, fed field by field (no joined copy of the payload is made).
    public func computedHash(after previous: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        var first = true
        func field(_ text: String) {
            if !first { hasher.update(data: Self.newline) }
            first = false
            var text = text
            text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        field(streamId)
        field(String(streamVersion))
        if hashFormat >= 2 {
            field(String(position))
            field(category)
        }
        field(eventId)
        field(type)
        field(String(schemaVersion))
        field(String(recordedAtMicros))
        field(metadata)
        field(payload)
        return Array(hasher.finalize())
    }

    private static let newline: [UInt8] = [UInt8(ascii: "\n")]

    /// The hash before a stream's first event.
    public static let genesisHash = [UInt8](repeating: 0, count: 32)
}

/// Checks hash chains event by event: each event must be its stream's next version and carry the hash its
/// canonical text and its predecessor's hash give.
///
/// Feed it a stream's events in version order (``check(_:)``); events of several streams may be interleaved (in
/// position order, as archives hold them). A stream it has not seen starts at version 1 after the genesis hash,
/// or where ``start(_:after:)`` says (an archive of a later range starts its streams mid-way).
public struct ChainChecker: Sendable {
    /// Where a stream stands: its last checked version and that event's hash.
    public struct Head: Sendable, Hashable, Codable {
        public var version: Int64
        public var hash: [UInt8]

        public init(version: Int64, hash: [UInt8]) {
            self.version = version
            self.hash = hash
        }

        public static let genesis = Head(version: 0, hash: StoredEvent.genesisHash)
    }

    /// Why an event does not fit its chain.
    public struct Problem: Sendable, Hashable, Error {
        public var streamId: String
        /// The version that should be there, or the one that does not match its hash.
        public var version: Int64
        public var message: String
    }

    public private(set) var heads: [String: Head] = [:]

    public init() {}

    /// Declares where `streamId` stands before the next event of it checked here.
    public mutating func start(_ streamId: String, after head: Head) {
        heads[streamId] = head
    }

    /// Checks `event` against its stream's head and makes it the head. Throws the first problem.
    public mutating func check(_ event: StoredEvent) throws(Problem) {
        let head = heads[event.streamId] ?? .genesis
        guard event.streamVersion == head.version + 1 else {
            throw Problem(
                streamId: event.streamId, version: head.version + 1,
                message: event.streamVersion <= head.version
                    ? "version \(event.streamVersion) comes again after version \(head.version)"
                    : "version \(head.version + 1) is missing (the next event is version \(event.streamVersion))")
        }
        let computed = event.computedHash(after: head.hash)
        guard computed == event.hash else {
            throw Problem(
                streamId: event.streamId, version: event.streamVersion,
                message: "the stored event does not match its hash")
        }
        heads[event.streamId] = Head(version: event.streamVersion, hash: computed)
    }

    /// Forgets every stream but the heads (a reader in stream order needs only the current one).
    public mutating func forget(_ streamId: String) {
        heads[streamId] = nil
    }
}
