import Crypto
import EventStore
import Foundation

/// Reads an archive directory back, trusting nothing: the index, each manifest, each file's sha256, the LZ4
/// frame's checksums and end mark, the order and range of positions across segments, every hash chain, and
/// each manifest's stream spans. The first thing wrong is an ``ArchiveError`` naming the file.
public struct ArchiveReader: Sendable {
    public struct Summary: Sendable, Equatable {
        public var segments = 0
        public var events = 0
        public var streams = 0
        public var bytes = 0
        public var uncompressedBytes = 0

        public init(segments: Int = 0, events: Int = 0, streams: Int = 0, bytes: Int = 0, uncompressedBytes: Int = 0) {
            self.segments = segments
            self.events = events
            self.streams = streams
            self.bytes = bytes
            self.uncompressedBytes = uncompressedBytes
        }
    }

    public let directory: URL
    public let index: ArchiveIndex

    public init(directory: URL) throws {
        self.directory = directory
        let url = directory.appendingPathComponent(ArchiveFormat.indexFile)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ArchiveError(
                "\(directory.path) has no \(ArchiveFormat.indexFile): not an archive, or its export did not finish")
        }
        do {
            index = try JSONDecoder().decode(ArchiveIndex.self, from: data)
        } catch {
            throw ArchiveError("\(ArchiveFormat.indexFile) cannot be read: \(error)")
        }
        guard index.format == ArchiveFormat.name else {
            throw ArchiveError("\(ArchiveFormat.indexFile) is format \(index.format), not \(ArchiveFormat.name)")
        }
        guard index.segments.reduce(0, { $0 + $1.events }) == index.events else {
            throw ArchiveError("\(ArchiveFormat.indexFile): its segments do not add up to its \(index.events) events")
        }
        let listed = Set(index.segments.flatMap { [$0.file, $0.manifest] } + [ArchiveFormat.indexFile])
        let present = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        if let stray = present.sorted().first(where: { !listed.contains($0) }) {
            throw ArchiveError("\(stray) is not part of this archive (\(ArchiveFormat.indexFile) does not list it)")
        }
    }

    /// Checks the whole archive; `visit` gets each page of events once its segment's bytes have been hashed and
    /// its chains checked up to there. `progress` gets (events read, events in the archive).
    @discardableResult
    public func read(
        progress: (Int, Int) -> Void = { _, _ in },
        visit: ([StoredEvent]) async throws -> Void = { _ in }
    ) async throws -> Summary {
        var summary = Summary()
        var checker = ChainChecker()
        var lastPosition = index.fromPosition - 1
        var previousSha: String?
        for (offset, entry) in index.segments.enumerated() {
            let sequence = offset + 1
            guard entry.file == ArchiveFormat.segmentFile(sequence),
                entry.manifest == ArchiveFormat.manifestFile(sequence)
            else {
                throw ArchiveError(
                    "\(ArchiveFormat.indexFile) lists \(entry.file) as segment \(sequence): segments are out of order")
            }
            let manifest = try self.manifest(entry, sequence: sequence, previousSha: previousSha)
            let url = directory.appendingPathComponent(entry.file)
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
            guard let size else { throw ArchiveError("\(entry.file) is missing") }
            guard size == manifest.bytes else {
                throw ArchiveError(
                    "\(entry.file) is \(size) bytes, its manifest says \(manifest.bytes): the file is "
                        + (size < manifest.bytes ? "truncated" : "not the one exported"))
            }
            let sha = try Self.sha256(of: url)
            guard sha == manifest.sha256 else {
                throw ArchiveError(
                    "\(entry.file) does not match the sha256 in \(entry.manifest): the file was changed or is corrupt")
            }
            var segment = SegmentCheck(manifest: manifest, file: entry.file)
            try await Self.lines(of: url) { lines in
                var events: [StoredEvent] = []
                events.reserveCapacity(lines.count)
                for line in lines {
                    let event = try segment.check(line, after: &lastPosition, checker: &checker)
                    events.append(event)
                }
                summary.events += events.count
                try await visit(events)
                progress(summary.events, index.events)
            }
            try segment.finish()
            previousSha = manifest.sha256
            summary.segments += 1
            summary.bytes += manifest.bytes
            summary.uncompressedBytes += manifest.uncompressedBytes
        }
        summary.streams = checker.heads.count
        return summary
    }

    /// The manifest of `entry`, checked against the index and the segment before it.
    private func manifest(_ entry: ArchiveIndex.Segment, sequence: Int, previousSha: String?) throws
        -> SegmentManifest
    {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(entry.manifest).path)
        else { throw ArchiveError("\(entry.manifest) is missing") }
        let manifest: SegmentManifest
        do {
            manifest = try JSONDecoder().decode(SegmentManifest.self, from: data)
        } catch {
            throw ArchiveError("\(entry.manifest) cannot be read: \(error)")
        }
        guard manifest.sequence == sequence, manifest.file == entry.file else {
            throw ArchiveError(
                "\(entry.manifest) is the manifest of segment \(manifest.sequence) (\(manifest.file)), found in place of "
                    + "segment \(sequence): segments were reordered or replaced")
        }
        guard manifest.format == ArchiveFormat.name,
            manifest.sha256 == entry.sha256, manifest.events == entry.events,
            manifest.firstPosition == entry.firstPosition, manifest.lastPosition == entry.lastPosition,
            manifest.fromPosition == index.fromPosition, manifest.toPosition == index.toPosition
        else {
            throw ArchiveError(
                "\(entry.manifest) does not agree with \(ArchiveFormat.indexFile) about segment \(sequence)")
        }
        guard manifest.previousSegmentSha256 == previousSha else {
            throw ArchiveError(
                "\(entry.manifest) does not follow the segment before it (previous sha256 differs): segments were "
                    + "reordered or replaced")
        }
        return manifest
    }

    /// The sha256 of a file, lower-case hex (what manifests and the audit stream record).
    public static func sha256(of url: URL) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ArchiveError("\(url.lastPathComponent) is missing")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return Array(hasher.finalize()).hexString
    }

    /// Decompresses `url` and hands its lines out in batches (without their newline). A frame that does not end,
    /// a checksum that fails, or a last line without its newline is an error.
    static func lines(of url: URL, _ body: ([ArchiveLine]) async throws -> Void) async throws {
        let reader = try LZ4LineReader(url: url)
        var batch: [ArchiveLine] = []
        while let line = try reader.nextLine() {
            batch.append(ArchiveLine(line))
            if batch.count == 2_000 {
                try await body(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try await body(batch) }
    }
}

/// One line's bytes.
public struct ArchiveLine: Sendable {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// The checks of one segment's content against its manifest.
struct SegmentCheck {
    let manifest: SegmentManifest
    let file: String
    private var spans: [String: SegmentManifest.StreamSpan] = [:]
    private let declared: [String: SegmentManifest.StreamSpan]
    private var count = 0
    private var first: Int64?
    private var last: Int64 = 0

    init(manifest: SegmentManifest, file: String) {
        self.manifest = manifest
        self.file = file
        declared = Dictionary(manifest.streams.map { ($0.streamId, $0) }, uniquingKeysWith: { first, _ in first })
    }

    mutating func check(
        _ line: ArchiveLine, after lastPosition: inout Int64, checker: inout ChainChecker
    ) throws -> StoredEvent {
        count += 1
        guard let event = line.bytes.withUnsafeBytes({ ArchiveRecord.decode($0) }) else {
            throw ArchiveError("\(file): line \(count) is not an event record")
        }
        guard event.position > lastPosition else {
            throw ArchiveError(
                "\(file): position \(event.position) comes after \(lastPosition): events are out of order")
        }
        guard event.position <= manifest.toPosition else {
            throw ArchiveError("\(file): position \(event.position) is past the archive's range")
        }
        lastPosition = event.position
        if first == nil { first = event.position }
        last = event.position
        let before = checker.heads[event.streamId]
        if before == nil, event.streamVersion > 1 {
            // A stream that began before the archive: its chain continues from the manifest's previous hash.
            guard let span = declared[event.streamId], span.fromVersion == event.streamVersion,
                let previous = [UInt8](hex: span.previousHash), previous.count == 32
            else {
                throw ArchiveError(
                    "\(file): \(event.streamId) starts at version \(event.streamVersion) and the manifest does not "
                        + "say what came before")
            }
            checker.start(event.streamId, after: .init(version: event.streamVersion - 1, hash: previous))
        }
        let previousHash = (checker.heads[event.streamId] ?? .genesis).hash
        do {
            try checker.check(event)
        } catch {
            throw ArchiveError("\(file): \(error.streamId) version \(error.version): \(error.message)")
        }
        spans.record(event, previousHash: previousHash)
        return event
    }

    func finish() throws {
        guard count == manifest.events, first ?? 0 == manifest.firstPosition || count == 0,
            last == manifest.lastPosition || count == 0
        else {
            throw ArchiveError(
                "\(file) holds \(count) events, its manifest says \(manifest.events) (positions "
                    + "\(manifest.firstPosition)…\(manifest.lastPosition))")
        }
        guard spans == declared else {
            let wrong =
                Set(spans.keys).symmetricDifference(declared.keys).sorted().first
                ?? spans.keys.sorted().first { spans[$0] != declared[$0] } ?? "?"
            throw ArchiveError("\(file): stream \(wrong) does not match its manifest's span (versions or hashes)")
        }
    }
}
