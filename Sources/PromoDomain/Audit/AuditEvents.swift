/// What auditors and operators did, recorded like everything else: one stream per day (`audit-yyyy-MM-dd`,
/// Asia/Shanghai), the acting key's id or operator in the metadata's `actor`. Key creation and revocation are
/// recorded on the key's own stream (``ApiKeyCreated``, ``ApiKeyRevoked``).
public enum AuditTrail {
    /// The audit stream of a business day (``BusinessDay``).
    public static func streamName(day: String) -> String { "audit-\(day)" }
}

/// A stream was read for an audit: over HTTP (`GET /v1/streams/{id}`) or replayed (`promoctl replay`).
public struct AuditStreamRead: DomainEvent {
    public static let eventType = "AuditStreamRead"

    public var streamId: String
    public var fromVersion: Int64
    /// RFC 3339: the stream as it stood then; nil for the stream as it is.
    public var asOf: String?
    /// How many events were handed out.
    public var events: Int
    /// `http` or `promoctl replay`.
    public var via: String

    public init(streamId: String, fromVersion: Int64, asOf: String?, events: Int, via: String) {
        self.streamId = streamId
        self.fromVersion = fromVersion
        self.asOf = asOf
        self.events = events
        self.via = via
    }

    public static let sample = AuditStreamRead(
        streamId: "order-8812", fromVersion: 1, asOf: "2026-11-24T10:00:00Z", events: 4, via: "http")
}

/// Hash chains were verified: one stream (`streamId`) or every stream (nil).
public struct AuditChainsVerified: DomainEvent {
    public static let eventType = "AuditChainsVerified"

    public var streamId: String?
    public var ok: Bool
    public var streams: Int
    public var events: Int
    public var badStreams: Int
    /// `http` or `promoctl verify`.
    public var via: String

    public init(streamId: String?, ok: Bool, streams: Int, events: Int, badStreams: Int, via: String) {
        self.streamId = streamId
        self.ok = ok
        self.streams = streams
        self.events = events
        self.badStreams = badStreams
        self.via = via
    }

    public static let sample = AuditChainsVerified(
        streamId: nil, ok: true, streams: 1_204, events: 48_112, badStreams: 0, via: "promoctl verify")
}

/// An archive of a position range was written or read back: `export` (``ArchiveRecorded/action``) or `import`.
public struct ArchiveRecorded: DomainEvent {
    public static let eventType = "ArchiveRecorded"

    /// `export` or `import`.
    public var action: String
    public var fromPosition: Int64
    public var toPosition: Int64
    public var events: Int
    public var segments: Int
    /// sha256 of each segment file, in order: what the archive's manifests vouch for.
    public var segmentSha256: [String]
    /// Where the archive was written or read, as the operator named it.
    public var directory: String

    public init(
        action: String, fromPosition: Int64, toPosition: Int64, events: Int, segments: Int, segmentSha256: [String],
        directory: String
    ) {
        self.action = action
        self.fromPosition = fromPosition
        self.toPosition = toPosition
        self.events = events
        self.segments = segments
        self.segmentSha256 = segmentSha256
        self.directory = directory
    }

    public static let sample = ArchiveRecorded(
        action: "export", fromPosition: 0, toPosition: 93_458_432_327_681, events: 100_000, segments: 1,
        segmentSha256: ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
        directory: "/srv/archive/2026-11")
}

/// A backup was taken (`backup`) or restored (`restore`; recorded in the restored store, after its events).
public struct BackupRecorded: DomainEvent {
    public static let eventType = "BackupRecorded"

    /// `backup` or `restore`.
    public var action: String
    public var events: Int
    /// The last position the backup holds.
    public var lastPosition: Int64
    /// sha256 of the backup file.
    public var sha256: String
    public var file: String

    public init(action: String, events: Int, lastPosition: Int64, sha256: String, file: String) {
        self.action = action
        self.events = events
        self.lastPosition = lastPosition
        self.sha256 = sha256
        self.file = file
    }

    public static let sample = BackupRecorded(
        action: "backup", events: 1_000_155, lastPosition: 93_458_432_327_681,
        sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", file: "/srv/backup/promo.plb")
}
