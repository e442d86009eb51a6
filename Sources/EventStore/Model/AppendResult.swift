/// What an append wrote: the global positions and, per stream, the versions it took.
///
/// A retried command gets the same value back, byte for byte, because it is stored with the command id.
public struct AppendResult: Codable, Sendable, Hashable {
    public struct StreamResult: Codable, Sendable, Hashable {
        public var streamId: String
        /// The first version written to this stream by the append.
        public var firstVersion: Int64
        /// The stream's version after the append.
        public var lastVersion: Int64

        public init(streamId: String, firstVersion: Int64, lastVersion: Int64) {
            self.streamId = streamId
            self.firstVersion = firstVersion
            self.lastVersion = lastVersion
        }
    }

    /// The position of the first event written.
    public var firstPosition: Int64
    /// The position of the last event written; what the HTTP API returns as `position`.
    public var lastPosition: Int64
    public var streams: [StreamResult]
    /// True when this result was recorded by an earlier attempt of the same command and nothing was appended now.
    public var replayed: Bool

    public init(firstPosition: Int64, lastPosition: Int64, streams: [StreamResult], replayed: Bool) {
        self.firstPosition = firstPosition
        self.lastPosition = lastPosition
        self.streams = streams
        self.replayed = replayed
    }

    public func stream(_ id: StreamID) -> StreamResult? {
        streams.first { $0.streamId == id.rawValue }
    }
}
