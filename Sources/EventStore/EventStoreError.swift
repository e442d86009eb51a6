/// An error of the event store. Its ``code`` tells what went wrong; ``description`` is safe to show a caller
/// (no SQL, no server internals), ``debugDescription`` has the underlying error for logs.
public struct EventStoreError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A stream was not at the version the append expected; see ``conflicts``.
        public static let wrongExpectedVersion = Code("wrong_expected_version")
        /// The command id was used before with different events.
        public static let idempotencyKeyReused = Code("idempotency_key_reused")
        public static let invalidStreamID = Code("invalid_stream_id")
        /// The append itself is malformed (no events, a stream twice, too many events).
        public static let invalidAppend = Code("invalid_append")
        /// An event id that is already stored.
        public static let duplicateEventID = Code("duplicate_event_id")
        /// A stored row cannot be read (bad JSON, unknown shape).
        public static let corruptEvent = Code("corrupt_event")
        /// The database could not be reached or failed.
        public static let databaseUnavailable = Code("database_unavailable")
        /// The schema is older than this build; run `promoctl migrate`.
        public static let schemaOutdated = Code("schema_outdated")
        /// The connection was lost after the append was sent: it may or may not have committed. Retry with the
        /// same command id: a committed append is then replayed, a lost one written.
        public static let appendOutcomeUnknown = Code("append_outcome_unknown")
        /// The database was restored or moved into another cluster and new positions would fall below stored
        /// ones; appends are refused until `promoctl migrate` moves positions above them.
        public static let storeMoved = Code("store_moved")
        /// A stream of the append stayed locked by an unfinished transaction past the lock wait allowed.
        public static let streamBusy = Code("stream_busy")
        /// The database is set up in a way the store cannot work with (e.g. an isolation level other than
        /// read committed); the message says what to change.
        public static let misconfigured = Code("database_misconfigured")
    }

    /// A stream whose version did not match.
    public struct VersionConflict: Sendable, Hashable, CustomStringConvertible {
        public var streamId: String
        public var expected: ExpectedVersion
        /// The stream's version at the time; 0 when it did not exist.
        public var actual: Int64

        public init(streamId: String, expected: ExpectedVersion, actual: Int64) {
            self.streamId = streamId
            self.expected = expected
            self.actual = actual
        }

        public var description: String {
            "\(streamId): expected \(expected), actual \(actual == 0 ? "none" : String(actual))"
        }
    }

    public var code: Code
    public var message: String
    public var conflicts: [VersionConflict]
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, conflicts: [VersionConflict] = [], underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.conflicts = conflicts
        self.underlying = underlying
    }

    public var description: String { "\(code): \(message)" }
    public var debugDescription: String {
        var text = description
        if let underlying { text += " (underlying: \(String(reflecting: underlying)))" }
        return text
    }
}
