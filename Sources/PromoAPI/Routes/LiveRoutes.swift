import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ProjectionRuntime
import PromoDomain
import ServiceLifecycle

/// `GET /v1/live`: Server-Sent Events telling a page (the operator dashboard) that the read models moved, so it
/// fetches what it shows again instead of polling every figure.
///
/// The stream starts with `retry:` and the live positions, then sends an event each time they change
/// (coalesced: at most four a second) and a comment every 15 s while nothing does. Each event:
///
///     event: positions
///     id: <highest position>
///     data: {"position": <highest>, "positions": {"<projection>": <position>, …}}
///
/// A browser's `EventSource` cannot send the Bearer header, so the page reads the stream with `fetch`. The
/// stream ends when the client goes away or the server shuts down (the page then reconnects).
struct LiveRoutes: Sendable {
    let feed: ReadModelFeed

    func register(on table: RouteTable) {
        let feed = self.feed
        table.add(.get, "/live", roles: ReadModelRoutes.readers) { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream; charset=utf-8"
            headers[.cacheControl] = "no-store"
            headers[.xAccelBuffering] = "no"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    // The feed is followed in a task of its own, which hands the text to write over a stream:
                    // the writer stays in this task. The stream ends when the server shuts down; a write fails
                    // when the client went away; either way the follower is cancelled.
                    let (chunks, output) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(4))
                    let follower = Task {
                        try? await feed.follow(heartbeat: { output.yield(": idle\n\n") }) { positions in
                            output.yield(Self.event(positions))
                        }
                        output.finish()
                    }
                    defer { follower.cancel() }
                    try await writer.write(ByteBuffer(string: "retry: 3000\n\n"))
                    try await withGracefulShutdownHandler {
                        for await chunk in chunks { try await writer.write(ByteBuffer(string: chunk)) }
                    } onGracefulShutdown: {
                        output.finish()
                    }
                    try await writer.finish(nil)
                })
        }
    }

    /// One `positions` event.
    static func event(_ positions: [String: Int64]) -> String {
        let highest = positions.values.max() ?? 0
        let data = JSONValue.object([
            "position": .int(highest), "positions": .object(positions.mapValues { .int($0) }),
        ])
        return "event: positions\nid: \(highest)\ndata: \(data.canonicalString)\n\n"
    }
}

extension HTTPField.Name {
    /// Asks a proxy in front (nginx) not to buffer an event stream.
    static let xAccelBuffering = HTTPField.Name("X-Accel-Buffering")!
}
