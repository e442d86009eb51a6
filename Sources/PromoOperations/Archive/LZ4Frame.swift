import CLZ4

/// A failure of liblz4, with its own name for it (`ERROR_contentChecksum_invalid`, …).
public struct LZ4Error: Error, CustomStringConvertible {
    public var description: String

    static func check(_ code: Int) throws(LZ4Error) -> Int {
        if LZ4F_isError(code) != 0 { throw LZ4Error(description: String(cString: LZ4F_getErrorName(code))) }
        return code
    }
}

/// Writes one LZ4 frame (the format `lz4` reads) in pieces: ``begin()``, ``update(_:)`` any number of times,
/// ``end()``. Each returns the compressed bytes to write out. The frame carries a checksum of its content and of
/// each block, so a flipped bit anywhere is found when it is read back.
final class LZ4FrameEncoder {
    private var context: OpaquePointer?
    private var preferences = LZ4F_preferences_t()
    private var output: [UInt8] = []

    init() throws(LZ4Error) {
        var created: OpaquePointer?
        _ = try LZ4Error.check(LZ4F_createCompressionContext(&created, UInt32(LZ4F_VERSION)))
        context = created
        preferences.frameInfo.blockSizeID = LZ4F_max4MB
        preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        preferences.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled
    }

    deinit { LZ4F_freeCompressionContext(context) }

    /// The frame's header.
    func begin() throws(LZ4Error) -> [UInt8] {
        output = [UInt8](repeating: 0, count: Int(LZ4F_HEADER_SIZE_MAX))
        let written = try LZ4Error.check(
            output.withUnsafeMutableBytes { out in
                LZ4F_compressBegin(context, out.baseAddress, out.count, &preferences)
            })
        return Array(output.prefix(written))
    }

    /// Compresses `bytes`; returns what is ready to write (often nothing until a 4 MB block fills).
    func update(_ bytes: [UInt8]) throws(LZ4Error) -> [UInt8] {
        let bound = LZ4F_compressBound(bytes.count, &preferences)
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        let written = try LZ4Error.check(
            output.withUnsafeMutableBytes { out in
                bytes.withUnsafeBytes { input in
                    LZ4F_compressUpdate(context, out.baseAddress, out.count, input.baseAddress, input.count, nil)
                }
            })
        return Array(output.prefix(written))
    }

    /// Flushes what is buffered and closes the frame (end mark and content checksum).
    func end() throws(LZ4Error) -> [UInt8] {
        let bound = LZ4F_compressBound(0, &preferences)
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        let written = try LZ4Error.check(
            output.withUnsafeMutableBytes { out in LZ4F_compressEnd(context, out.baseAddress, out.count, nil) })
        return Array(output.prefix(written))
    }
}

/// Reads one LZ4 frame fed in pieces; hands out the content as it is decompressed. ``finish()`` says whether the
/// frame ended: a file cut short leaves it open, and that is an error, never a shorter archive.
final class LZ4FrameDecoder {
    private var context: OpaquePointer?
    private var output = [UInt8](repeating: 0, count: 4 << 20)
    private var ended = false

    init() throws(LZ4Error) {
        var created: OpaquePointer?
        _ = try LZ4Error.check(LZ4F_createDecompressionContext(&created, UInt32(LZ4F_VERSION)))
        context = created
    }

    deinit { LZ4F_freeDecompressionContext(context) }

    /// Decompresses `input`, calling `content` with each piece of content (valid only during the call).
    /// Bytes after the end of the frame are an error.
    func feed(_ input: [UInt8], _ content: (UnsafeRawBufferPointer) throws -> Void) throws {
        var offset = 0
        while true {
            guard !ended else {
                if offset < input.count { throw LZ4Error(description: "data after the end of the LZ4 frame") }
                return
            }
            var consumed = input.count - offset
            var produced = output.count
            let hint = try input.withUnsafeBytes { raw in
                try output.withUnsafeMutableBytes { out in
                    try LZ4Error.check(
                        LZ4F_decompress(
                            context, out.baseAddress, &produced, raw.baseAddress.map { $0 + offset }, &consumed, nil))
                }
            }
            offset += consumed
            if produced > 0 {
                try output.withUnsafeBytes { try content(UnsafeRawBufferPointer(rebasing: $0[..<produced])) }
            }
            if hint == 0 { ended = true }
            // All input taken and the output not full: nothing is held back for this piece.
            if !ended && offset >= input.count && produced < output.count { return }
        }
    }

    /// Whether the frame ended (its end mark and checksum were read and matched).
    var isComplete: Bool { ended }
}
