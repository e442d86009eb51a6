import Foundation

/// The lines of a file that is one LZ4 frame, one at a time, without their newlines. The end of the file is only
/// reached once the frame's end mark and content checksum were read: a file cut short or changed is an error,
/// never fewer lines.
final class LZ4LineReader {
    private let handle: FileHandle
    private let name: String
    private let decoder: LZ4FrameDecoder
    private var lines: [[UInt8]] = []
    private var next = 0
    private var carry: [UInt8] = []
    private var atEnd = false

    init(url: URL) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ArchiveError("\(url.lastPathComponent) is missing")
        }
        self.handle = handle
        name = url.lastPathComponent
        decoder = try LZ4FrameDecoder()
    }

    deinit { try? handle.close() }

    /// The next line; nil at the end.
    func nextLine() throws -> [UInt8]? {
        while next == lines.count {
            guard !atEnd else { return nil }
            try fill()
        }
        defer { next += 1 }
        return lines[next]
    }

    private func fill() throws {
        lines.removeAll(keepingCapacity: true)
        next = 0
        guard let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty else {
            atEnd = true
            guard decoder.isComplete else { throw ArchiveError("\(name) is truncated: its LZ4 frame does not end") }
            guard carry.isEmpty else { throw ArchiveError("\(name) ends in the middle of a line") }
            return
        }
        do {
            try decoder.feed(Array(chunk)) { content in
                var start = 0
                for (index, byte) in content.enumerated() where byte == UInt8(ascii: "\n") {
                    carry += content[start..<index]
                    lines.append(carry)
                    carry.removeAll(keepingCapacity: true)
                    start = index + 1
                }
                carry += content[start...]
            }
        } catch let error as LZ4Error {
            throw ArchiveError("\(name) is corrupt: \(error)")
        }
    }
}
