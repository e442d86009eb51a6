import Crypto
import EventStore
import Foundation
import PromoDomain

/// `promoctl archive export`: a position range of the log written as LZ4 segment files with manifests.
public enum ArchiveExport {
    public struct Summary: Sendable {
        public var index: ArchiveIndex
        public var bytes: Int
        public var uncompressedBytes: Int
        /// Set when the range asked for reached past what was final: the export stopped below the watermark.
        public var requestedTo: Int64?
    }

    /// Writes the events at positions `from...to` (to: the head when nil) into `directory`, which must be new or
    /// empty, `segmentEvents` per segment. Each chain is checked on the way: a range whose events do not verify
    /// is refused (and the files written so far removed), so an archive always verifies offline. Records the export
    /// on the audit stream as `actor`. `progress` gets (events written, events in the range).
    public static func run(
        store: PostgresEventStore, from: Int64, to: Int64?, directory: URL, segmentEvents: Int = 100_000,
        actor: String, progress: (Int, Int) -> Void = { _, _ in }
    ) async throws -> Summary {
        try prepare(directory)
        do {
            return try await export(
                store: store, from: from, to: to, directory: directory, segmentEvents: segmentEvents, actor: actor,
                progress: progress)
        } catch {
            // The directory was new or empty: what is in it now is this export's, and it did not finish.
            for file in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
                try? FileManager.default.removeItem(at: directory.appendingPathComponent(file))
            }
            throw error
        }
    }

    private static func export(
        store: PostgresEventStore, from: Int64, to: Int64?, directory: URL, segmentEvents: Int, actor: String,
        progress: (Int, Int) -> Void
    ) async throws -> Summary {
        let (wanted, last) = try await finalPosition(store, upTo: to)
        let total = Int(try await store.eventCount(from: from, through: last))
        var writer = ArchiveWriter(directory: directory, from: from, to: last, segmentEvents: segmentEvents)
        var cursor = from - 1
        while true {
            let page = try await store.storedEvents(after: cursor, through: last, limit: 5_000)
            guard let tail = page.last else { break }
            // Streams that began before the range: their chains continue from the hash stored before it.
            let earlier = writer.streamsStartingMidway(in: page)
            let hashes = try await store.storedHashes(of: earlier)
            for (streamId, version) in earlier {
                guard let hash = hashes[streamId] else {
                    throw ArchiveError(
                        "\(streamId) version \(version) is missing from the store; run promoctl verify \(streamId)")
                }
                writer.start(streamId, after: .init(version: version, hash: hash))
            }
            for event in page { try writer.add(event) }
            progress(writer.events, total)
            cursor = tail.position
            if page.count < 5_000 { break }
        }
        let index = try writer.finish(createdBy: actor)
        try await store.recordAudit(
            ArchiveRecorded(
                action: "export", fromPosition: from, toPosition: last, events: index.events,
                segments: index.segments.count, segmentSha256: index.segments.map(\.sha256),
                directory: directory.path),
            actor: actor)
        return Summary(
            index: index, bytes: writer.bytes, uncompressedBytes: writer.uncompressedBytes,
            requestedTo: wanted > last ? wanted : nil)
    }

    /// `to` (the head when nil), and the last position to export: `to` once every position up to it is final, waiting up to `patience` for transactions
    /// still open (anywhere in the cluster: the watermark is the oldest one's) to end; lower if they do not.
    static func finalPosition(
        _ store: PostgresEventStore, upTo to: Int64?, patience: Duration = .seconds(30)
    ) async throws -> (wanted: Int64, final: Int64) {
        var wanted = to ?? 0
        if to == nil { wanted = try await store.headPosition() }
        let deadline = ContinuousClock.now + patience
        while true {
            let final = try await store.watermark() - 1
            if final >= wanted || ContinuousClock.now >= deadline { return (wanted, min(wanted, final)) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Creates `directory`, or checks that it is empty: an export never mixes with files already there.
    static func prepare(_ directory: URL) throws {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ArchiveError("\(directory.path) is a file, not a directory") }
            guard try files.contentsOfDirectory(atPath: directory.path).isEmpty else {
                throw ArchiveError("\(directory.path) is not empty: export into a new directory")
            }
        } else {
            try files.createDirectory(at: directory, withIntermediateDirectories: true)
        }
    }
}

/// Builds the segments of one export: chains checked, spans kept per segment, files rolled every
/// `segmentEvents` events.
struct ArchiveWriter {
    let directory: URL
    let from: Int64
    let to: Int64
    let segmentEvents: Int
    private var checker = ChainChecker()
    private var segment: SegmentWriter?
    private var done: [ArchiveIndex.Segment] = []
    private var previousSha: String?
    private(set) var events = 0
    private(set) var bytes = 0
    private(set) var uncompressedBytes = 0

    init(directory: URL, from: Int64, to: Int64, segmentEvents: Int) {
        self.directory = directory
        self.from = from
        self.to = to
        self.segmentEvents = max(1, segmentEvents)
    }

    /// The streams of `page` not seen yet whose first event there is past version 1, with the version before it.
    func streamsStartingMidway(in page: [StoredEvent]) -> [(streamId: String, version: Int64)] {
        var seen = Set<String>()
        var result: [(String, Int64)] = []
        for event in page where checker.heads[event.streamId] == nil && seen.insert(event.streamId).inserted {
            if event.streamVersion > 1 { result.append((event.streamId, event.streamVersion - 1)) }
        }
        return result
    }

    mutating func start(_ streamId: String, after head: ChainChecker.Head) {
        checker.start(streamId, after: head)
    }

    mutating func add(_ event: StoredEvent) throws {
        let before = checker.heads[event.streamId] ?? .genesis
        do {
            try checker.check(event)
        } catch {
            throw ArchiveError(
                "\(error.streamId) version \(error.version) does not verify (\(error.message)); the export stops. "
                    + "Run promoctl verify \(error.streamId)")
        }
        if segment == nil {
            segment = try SegmentWriter(sequence: done.count + 1, directory: directory)
        }
        try segment!.add(event, previousHash: before.hash)
        events += 1
        if segment!.events >= segmentEvents { try closeSegment() }
    }

    private mutating func closeSegment() throws {
        guard let open = segment else { return }
        segment = nil
        let manifest = try open.close(from: from, to: to, previousSegmentSha256: previousSha)
        previousSha = manifest.sha256
        bytes += manifest.bytes
        uncompressedBytes += manifest.uncompressedBytes
        done.append(
            .init(
                file: manifest.file, manifest: ArchiveFormat.manifestFile(manifest.sequence), events: manifest.events,
                firstPosition: manifest.firstPosition, lastPosition: manifest.lastPosition, sha256: manifest.sha256))
    }

    /// Closes the last segment and writes `archive.json`, which marks the archive complete.
    mutating func finish(createdBy: String) throws -> ArchiveIndex {
        try closeSegment()
        let index = ArchiveIndex(
            fromPosition: from, toPosition: to, events: events, segments: done,
            createdAt: RFC3339.string(micros: Int64(Date().timeIntervalSince1970 * 1_000_000)), createdBy: createdBy)
        try ArchiveFormat.encoder.encode(index).write(
            to: directory.appendingPathComponent(ArchiveFormat.indexFile), options: .atomic)
        return index
    }
}

/// One segment file being written: compressed and hashed as it goes, renamed into place when closed.
final class SegmentWriter {
    let sequence: Int
    let url: URL
    private let partial: URL
    private let file: FrameFileWriter
    private var buffer: [UInt8] = []
    private var spans: [String: SegmentManifest.StreamSpan] = [:]
    private(set) var events = 0
    private var first: Int64 = 0
    private var last: Int64 = 0
    private var uncompressed = 0

    init(sequence: Int, directory: URL) throws {
        self.sequence = sequence
        url = directory.appendingPathComponent(ArchiveFormat.segmentFile(sequence))
        partial = url.appendingPathExtension("partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
            throw ArchiveError("cannot create \(partial.path)")
        }
        file = try FrameFileWriter(url: partial)
    }

    func add(_ event: StoredEvent, previousHash: [UInt8]) throws {
        if events == 0 { first = event.position }
        last = event.position
        events += 1
        buffer.removeAll(keepingCapacity: true)
        ArchiveRecord.append(event, to: &buffer)
        uncompressed += buffer.count
        try file.write(buffer)
        spans.record(event, previousHash: previousHash)
    }

    /// Ends the frame, syncs and renames the file, and writes the manifest beside it.
    func close(from: Int64, to: Int64, previousSegmentSha256: String?) throws -> SegmentManifest {
        let sha = try file.close()
        try FileManager.default.moveItem(at: partial, to: url)
        let manifest = SegmentManifest(
            sequence: sequence, file: url.lastPathComponent, fromPosition: from, toPosition: to, firstPosition: first,
            lastPosition: last, events: events, bytes: file.bytes, uncompressedBytes: uncompressed, sha256: sha,
            previousSegmentSha256: previousSegmentSha256,
            streams: spans.values.sorted { $0.streamId.utf8.lexicographicallyPrecedes($1.streamId.utf8) })
        try ArchiveFormat.encoder.encode(manifest).write(
            to: url.deletingLastPathComponent().appendingPathComponent(ArchiveFormat.manifestFile(sequence)),
            options: .atomic)
        return manifest
    }
}
