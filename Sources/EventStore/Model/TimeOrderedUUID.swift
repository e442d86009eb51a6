import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension UUID {
    /// A new version 7 UUID (RFC 9562 §5.7): 48 bits of Unix time in milliseconds, then 74 random bits.
    ///
    /// The default id of a new event. Two reasons over `UUID()`: ids made later sort later (to the millisecond),
    /// so the `event_id` index grows at its right edge instead of dirtying a random leaf page per event; and on
    /// Linux, Foundation's `UUID()` opens, reads and closes `/dev/urandom` for every id (three system calls,
    /// measured at a tenth of the append's client time), where these draw from a pool refilled by one
    /// `getrandom` call per 256 ids. Uniqueness rests on the random bits, as with version 4: 74 of them per
    /// millisecond.
    public static func timeOrdered() -> UUID {
        timeOrdered(milliseconds: UInt64(Date().timeIntervalSince1970 * 1000))
    }

    /// A new version 4 UUID (122 random bits) from the same pool: for ids that must not reveal when they were
    /// made or sort by it.
    public static func random() -> UUID {
        var bytes = RandomPool.shared.sixteenBytes()
        withUnsafeMutableBytes(of: &bytes) { raw in
            raw[6] = 0x40 | (raw[6] & 0x0F)  // version 4
            raw[8] = 0x80 | (raw[8] & 0x3F)  // variant 10
        }
        return UUID(uuid: bytes)
    }

    static func timeOrdered(milliseconds: UInt64) -> UUID {
        var bytes = RandomPool.shared.sixteenBytes()
        withUnsafeMutableBytes(of: &bytes) { raw in
            for index in 0..<6 { raw[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index))) }
            raw[6] = 0x70 | (raw[6] & 0x0F)  // version 7
            raw[8] = 0x80 | (raw[8] & 0x3F)  // variant 10
        }
        return UUID(uuid: bytes)
    }
}

/// Random bytes from the operating system's generator (`arc4random_buf`: `getrandom` on Linux), fetched 4 KiB at
/// a time.
private final class RandomPool: Sendable {
    static let shared = RandomPool()

    private struct State {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var next = 4096
    }

    private let state = Mutex(State())

    func sixteenBytes() -> uuid_t {
        state.withLock { state in
            if state.next == state.bytes.count {
                state.bytes.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
                state.next = 0
            }
            var out: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &out) { target in
                state.bytes.withUnsafeBytes { source in
                    target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[state.next..<state.next + 16]))
                }
            }
            state.next += 16  // each byte is handed out once
            return out
        }
    }
}
