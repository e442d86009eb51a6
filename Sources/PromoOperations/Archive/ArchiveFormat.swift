import EventStore
import Foundation
import PromoDomain

/// The files of an archive directory:
///
/// - `segment-NNNNNN.lz4`: one LZ4 frame (content and block checksums on) of JSON Lines, one event per line
///   (``ArchiveRecord``), in position order. `lz4 -dc segment-000001.lz4 | head` shows them.
/// - `segment-NNNNNN.json`: its manifest (``SegmentManifest``): positions, count, the sha256 of the segment file
///   and of the one before it, and each stream's span with the hash before it and its head.
/// - `archive.json`, written last (``ArchiveIndex``): the range, the total, and every segment with its sha256. A
///   directory without it is an export that did not finish.
public enum ArchiveFormat {
    public static let name = "promoledger-archive/1"
    public static let indexFile = "archive.json"

    static func segmentFile(_ sequence: Int) -> String { "segment-\(pad(sequence)).lz4" }
    static func manifestFile(_ sequence: Int) -> String { "segment-\(pad(sequence)).json" }

    private static func pad(_ number: Int) -> String {
        let text = String(number)
        return String(repeating: "0", count: max(0, 6 - text.count)) + text
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// What an archive holds, as `archive.json` says it.
public struct ArchiveIndex: Codable, Sendable, Equatable {
    public struct Segment: Codable, Sendable, Equatable {
        public var file: String
        public var manifest: String
        public var events: Int
        public var firstPosition: Int64
        public var lastPosition: Int64
        public var sha256: String
    }

    public var format = ArchiveFormat.name
    /// The range asked for, inclusive; `toPosition` is lowered to what was final (below the watermark) then.
    public var fromPosition: Int64
    public var toPosition: Int64
    public var events: Int
    public var segments: [Segment]
    public var createdAt: String
    public var createdBy: String
}

/// One segment's manifest.
public struct SegmentManifest: Codable, Sendable, Equatable {
    /// A stream's events in the segment: versions `fromVersion...toVersion`, chained from `previousHash` (the hash
    /// of version `fromVersion - 1`, 64 zeros for version 1) to `headHash`.
    public struct StreamSpan: Codable, Sendable, Equatable {
        public var streamId: String
        public var fromVersion: Int64
        public var toVersion: Int64
        public var previousHash: String
        public var headHash: String
    }

    public var format = ArchiveFormat.name
    public var sequence: Int
    public var file: String
    public var fromPosition: Int64
    public var toPosition: Int64
    public var firstPosition: Int64
    public var lastPosition: Int64
    public var events: Int
    public var bytes: Int
    public var uncompressedBytes: Int
    public var sha256: String
    /// The sha256 of the segment before (nil for the first): segments cannot be reordered or swapped unnoticed.
    public var previousSegmentSha256: String?
    /// Sorted by stream id.
    public var streams: [StreamSpan]
}

extension [String: SegmentManifest.StreamSpan] {
    /// Adds `event` to its stream's span (opening it, after `previousHash`, at the stream's first event here).
    mutating func record(_ event: StoredEvent, previousHash: [UInt8]) {
        let hash = event.hash.hexString
        if self[event.streamId] == nil {
            self[event.streamId] = .init(
                streamId: event.streamId, fromVersion: event.streamVersion, toVersion: event.streamVersion,
                previousHash: previousHash.hexString, headHash: hash)
        } else {
            self[event.streamId]!.toVersion = event.streamVersion
            self[event.streamId]!.headHash = hash
        }
    }
}

/// One event as a line of an archive segment: every stored column, payload and metadata as their `jsonb` text in
/// JSON strings, so they come back byte for byte.
///
/// `{"p":…,"s":"order-8812","v":1,"c":"order","id":"…","t":"OrderPlaced","sv":1,"at":…,"h":"…","hf":2,"md":"…","pl":"…"}`
enum ArchiveRecord {
    static func append(_ event: StoredEvent, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"p":"#.utf8)
        out.append(contentsOf: String(event.position).utf8)
        out.append(contentsOf: #","s":"#.utf8)
        appendString(event.streamId, to: &out)
        out.append(contentsOf: #","v":"#.utf8)
        out.append(contentsOf: String(event.streamVersion).utf8)
        out.append(contentsOf: #","c":"#.utf8)
        appendString(event.category, to: &out)
        out.append(contentsOf: #","id":"#.utf8)
        appendString(event.eventId, to: &out)
        out.append(contentsOf: #","t":"#.utf8)
        appendString(event.type, to: &out)
        out.append(contentsOf: #","sv":"#.utf8)
        out.append(contentsOf: String(event.schemaVersion).utf8)
        out.append(contentsOf: #","at":"#.utf8)
        out.append(contentsOf: String(event.recordedAtMicros).utf8)
        out.append(contentsOf: #","h":""#.utf8)
        out.append(contentsOf: event.hash.hexString.utf8)
        out.append(contentsOf: #"","hf":"#.utf8)
        out.append(contentsOf: String(event.hashFormat).utf8)
        out.append(contentsOf: #","md":"#.utf8)
        appendString(event.metadata, to: &out)
        out.append(contentsOf: #","pl":"#.utf8)
        appendString(event.payload, to: &out)
        out.append(contentsOf: "}\n".utf8)
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\u00XX`, everything else as is (UTF-8).
    private static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0..<0x20:
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static let keys: Set<String> = ["p", "s", "v", "c", "id", "t", "sv", "at", "h", "hf", "md", "pl"]

    /// The event a line holds; nil when the line is not exactly such a record.
    static func decode(_ line: UnsafeRawBufferPointer) -> StoredEvent? {
        guard let json = try? JSONValue(parsing: line.bindMemory(to: UInt8.self)),
            case .object(let fields) = json, Set(fields.keys) == keys,
            let position = fields["p"]?.intValue, let streamId = fields["s"]?.stringValue,
            let version = fields["v"]?.intValue, let category = fields["c"]?.stringValue,
            let eventId = fields["id"]?.stringValue, let type = fields["t"]?.stringValue,
            let schemaVersion = fields["sv"]?.intValue, let schema = Int32(exactly: schemaVersion),
            let micros = fields["at"]?.intValue, let hashText = fields["h"]?.stringValue,
            let hash = [UInt8](hex: hashText), hash.count == 32,
            let format = fields["hf"]?.intValue, let hashFormat = Int16(exactly: format),
            let metadata = fields["md"]?.stringValue, let payload = fields["pl"]?.stringValue
        else { return nil }
        return StoredEvent(
            position: position, streamId: streamId, streamVersion: version, category: category, eventId: eventId,
            type: type, schemaVersion: schema, payload: payload, metadata: metadata, recordedAtMicros: micros,
            hash: hash, hashFormat: hashFormat)
    }
}

extension [UInt8] {
    /// Bytes from lower- or upper-case hex; nil for anything else.
    init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self = bytes
    }
}

/// An archive, or a file of it, that cannot be trusted: what is wrong and where.
public struct ArchiveError: Error, CustomStringConvertible, Equatable {
    public var description: String

    public init(_ description: String) { self.description = description }
}
