import Crypto
import Foundation
import PromoDomain

/// An append checked and laid out as the arrays `promo_append_many` takes.
///
/// Everything the database could choke on is refused here, before the append joins a group-commit batch:
/// a batch must never fail for what one member carries. Ids are NFC-normalised (see ``StreamID``), so two
/// spellings of one id are one stream and one command.
struct AppendPlan: Sendable {
    /// Bounds on what one append may carry.
    struct Limits: Sendable {
        var maxEvents: Int
        var maxPayloadBytes: Int
        var maxAppendBytes: Int
    }

    var streamIds: [String] = []
    var expected: [Int64] = []
    var events = EventColumns()
    var commandId: String?
    /// sha256 of what makes two attempts "the same command", hex; nil without a command id.
    var requestHash: String?

    init(_ appends: [StreamAppend], commandId rawCommandId: String?, limits: Limits) throws(EventStoreError) {
        guard !appends.isEmpty else { throw EventStoreError(.invalidAppend, "an append needs at least one stream") }
        if let rawCommandId {
            let commandId = rawCommandId.nfc
            guard !commandId.isEmpty, commandId.count <= 200, commandId.utf8.count <= 800,
                !commandId.unicodeScalars.contains(where: \.isControl)
            else {
                throw EventStoreError(.invalidAppend, "a command id has 1 to 200 characters and no control characters")
            }
            self.commandId = commandId
        }
        var seen = Set<StreamID>()
        // The canonical text of `[[streamId, expected, type, schemaVersion, payload], …]`, built from the payload
        // texts written below rather than by writing every payload a second time.
        var digestInput: [UInt8] = [UInt8(ascii: "[")]
        var bytes = 0
        for (index, append) in appends.enumerated() {
            guard seen.insert(append.streamId).inserted else {
                throw EventStoreError(.invalidAppend, "stream \(append.streamId) appears twice in one append")
            }
            guard !append.events.isEmpty else {
                throw EventStoreError(.invalidAppend, "the append to \(append.streamId) has no events")
            }
            streamIds.append(append.streamId.rawValue)
            switch append.expectedVersion {
            case .any: expected.append(-1)
            case .noStream: expected.append(0)
            case .exact(let version):
                guard version >= 0 else {
                    throw EventStoreError(
                        .invalidAppend, "expected version \(version) of \(append.streamId) is negative")
                }
                expected.append(version)
            }
            for event in append.events {
                try Self.check(type: event.type, schemaVersion: event.schemaVersion)
                try Self.check(payload: event.payload, of: event.type)
                var metadata = event.metadata
                metadata.commandId = commandId ?? metadata.commandId
                let metadataText = try metadata.canonicalText()
                let payloadText = event.payload.canonicalString
                guard payloadText.utf8.count <= limits.maxPayloadBytes else {
                    throw EventStoreError(
                        .invalidAppend, "the payload of a \(event.type) event is over \(limits.maxPayloadBytes) bytes")
                }
                bytes += payloadText.utf8.count + metadataText.utf8.count
                events.slot.append(Int32(index + 1))
                events.ids.append(event.eventId)
                events.types.append(event.type)
                events.schemaVersions.append(Int32(event.schemaVersion))
                events.payloads.append(payloadText)
                events.metadata.append(metadataText)
                if commandId != nil {
                    if digestInput.count > 1 { digestInput.append(UInt8(ascii: ",")) }
                    digestInput += JSONValue.array([
                        .string(append.streamId.rawValue), .string(append.expectedVersion.description),
                        .string(event.type), .int(Int64(event.schemaVersion)),
                    ]).canonicalBytes.dropLast()
                    digestInput.append(UInt8(ascii: ","))
                    digestInput += payloadText.utf8
                    digestInput.append(UInt8(ascii: "]"))
                }
            }
        }
        guard events.ids.count <= limits.maxEvents else {
            throw EventStoreError(
                .invalidAppend, "an append carries at most \(limits.maxEvents) events, this one \(events.ids.count)")
        }
        guard bytes <= limits.maxAppendBytes else {
            throw EventStoreError(.invalidAppend, "an append carries at most \(limits.maxAppendBytes) bytes of events")
        }
        guard Set(events.ids).count == events.ids.count else {
            throw EventStoreError(.invalidAppend, "an event id appears twice in one append")
        }
        // What makes two attempts "the same command": streams, expectations, types and payloads. Event ids and
        // metadata are left out, since a client retrying may generate them anew.
        digestInput.append(UInt8(ascii: "]"))
        requestHash = commandId != nil ? SHA256.hash(data: digestInput).hexString : nil
    }

    /// A type is an identifier: an ASCII letter, then letters, digits, `_`, `.`, `:` or `-`, 200 at most.
    static func check(type: String, schemaVersion: Int) throws(EventStoreError) {
        func isLetter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }
        let utf8 = type.utf8
        guard let first = utf8.first, isLetter(first), utf8.count <= 200,
            utf8.allSatisfy({
                isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || "_.:-".utf8.contains($0)
            })
        else {
            throw EventStoreError(
                .invalidAppend, "event type '\(type.prefix(40))' must be an ASCII identifier of 1 to 200 characters")
        }
        guard (1...Int(Int32.max)).contains(schemaVersion) else {
            throw EventStoreError(.invalidAppend, "the schema version of \(type) must be 1 or more")
        }
    }

    /// PostgreSQL's `jsonb` cannot hold U+0000, and nesting past 64 levels is no event payload.
    static func check(payload: JSONValue, of type: String) throws(EventStoreError) {
        guard payload.isStorable(depth: 0) else {
            throw EventStoreError(
                .invalidAppend, "the payload of a \(type) event holds U+0000 or nests deeper than 64 levels")
        }
    }
}

/// Events as the columns `promo_append_many` takes them, one array per column.
struct EventColumns: Sendable {
    /// Each event's stream: its slot among its append's streams, 1-based.
    var slot: [Int32] = []
    var ids: [UUID] = []
    var types: [String] = []
    var schemaVersions: [Int32] = []
    /// Canonical JSON text, cast to `jsonb` by the call.
    var payloads: [String] = []
    var metadata: [String] = []

    mutating func append(contentsOf other: EventColumns) {
        slot += other.slot
        ids += other.ids
        types += other.types
        schemaVersions += other.schemaVersions
        payloads += other.payloads
        metadata += other.metadata
    }
}

extension JSONValue {
    fileprivate func isStorable(depth: Int) -> Bool {
        switch self {
        case .null, .bool, .int, .double: return true
        case .string(let s): return !s.utf8.contains(0)
        case .array(let items):
            return depth < 64 && items.allSatisfy { $0.isStorable(depth: depth + 1) }
        case .object(let members):
            return depth < 64
                && members.allSatisfy { !$0.key.utf8.contains(0) && $0.value.isStorable(depth: depth + 1) }
        }
    }
}

extension Unicode.Scalar {
    /// C0 and C1 control characters (general category Cc, which Unicode keeps fixed at exactly these two
    /// ranges), U+0000 among them. A range check: the property lookup costs more than the rest of validation.
    var isControl: Bool { value < 0x20 || (0x7F...0x9F).contains(value) }
}

extension EventMetadata {
    /// The canonical JSON text of the metadata; each field 1,024 bytes at most, no control characters.
    func canonicalText() throws(EventStoreError) -> String {
        var members: [String: JSONValue] = [:]
        for (key, value) in [
            ("correlationId", correlationId), ("causationId", causationId), ("actor", actor), ("channel", channel),
            ("commandId", commandId),
        ] {
            guard let value else { continue }
            guard value.utf8.count <= 1_024, !value.unicodeScalars.contains(where: \.isControl) else {
                throw EventStoreError(.invalidAppend, "metadata \(key) has over 1,024 bytes or control characters")
            }
            members[key] = .string(value)
        }
        return JSONValue.object(members).canonicalString
    }

    init(json: JSONValue) {
        self.init(
            correlationId: json["correlationId"]?.stringValue, causationId: json["causationId"]?.stringValue,
            actor: json["actor"]?.stringValue, channel: json["channel"]?.stringValue,
            commandId: json["commandId"]?.stringValue)
    }
}
