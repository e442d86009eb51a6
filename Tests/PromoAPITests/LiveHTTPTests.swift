import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import ProjectionRuntime
import PostgresNIO
import PromoDomain
import PromoTestSupport
import Synchronization
import Testing

@testable import PromoAPI

@Suite("Live updates: GET /v1/live")
struct LiveHTTPTests {
    @Test("The stream sends the live positions at once, then again when a write has moved the read models")
    func positionsFollowWrites() async throws {
        try await ScratchDatabase.withStore(
            on: TestDatabase.url, prefix: "live", migrations: APIMigrations.withEventStore, maxConnections: 16
        ) { _, store in
            let keys = ApiKeyStore(store: store)
            let admin = try await keys.create(role: .admin, name: "tests", actor: "tests").secret
            let analyst = try await keys.create(role: .analyst, name: "tests", actor: "tests").secret
            let channel = try await keys.create(role: .channel, name: "tests", actor: "tests").secret
            let server = APIServer(configuration: .init(port: 0), store: store)
            let catalog = server.readModels
            try await server.makeApplication(services: []).test(.live) { base in
                let client = Client(base: base)
                let port = try #require(base.port)
                #expect(try await client.send(.get, "/v1/live").status == .unauthorized)
                #expect(try await client.send(.get, "/v1/live", key: channel).status == .forbidden)

                let workers = Task { try? await ProjectionWorkers(catalog: catalog, signal: nil).run() }
                defer { workers.cancel() }
                // Some history, so that the read models have live generations to report.
                let product = try await client.send(.put, "/v1/products/HP-001", key: admin, body: productBody())
                #expect(product.status == .created, "\(product.text)")

                let written = Written()
                let stream = try await EventStreamReader.read(port: port, path: "/v1/live", key: analyst) { text in
                    let events = EventStreamReader.events(in: text)
                    if written.position == nil, !events.isEmpty {
                        // The first event came: write something the stock read model takes in.
                        let receipt = try await client.send(
                            .post, "/v1/stock/HP-001/online/receipts", key: admin, body: #"{"quantity":12}"#)
                        written.position = receipt.json["position"]?.intValue
                        return false
                    }
                    guard let position = written.position else { return false }
                    return events.contains { ($0["positions"]?["stock_levels"]?.intValue ?? 0) >= position }
                }
                #expect(stream.head.hasPrefix("HTTP/1.1 200"))
                #expect(stream.head.lowercased().contains("content-type: text/event-stream"))
                #expect(stream.head.lowercased().contains("cache-control: no-store"))
                #expect(stream.body.contains("retry: 3000"))
                let events = EventStreamReader.events(in: stream.body)
                let position = try #require(written.position)
                let last = try #require(events.last)
                #expect((last["positions"]?["stock_levels"]?.intValue ?? 0) >= position)
                // The id is the highest position of all.
                let highest = last["positions"]?.objectValue?.values.compactMap(\.intValue).max()
                #expect(last["position"]?.intValue == highest)
                #expect(stream.body.contains("id: \(highest ?? -1)\n"))

                // The client went away: the stream ends at its next write (15 s at most, the idle comment), and the
                // LISTEN with it, since nobody else follows.
                let gone = ContinuousClock.now
                while server.feed.isListening, ContinuousClock.now - gone < .seconds(40) {
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(!server.feed.isListening, "the feed stopped listening when its last follower left")
                // The feed lets go of its listener at once and cancels it; the session's UNLISTEN follows on the
                // connection a moment later (CI once read the LISTEN still there right after the feed stopped).
                var listening: Int64?
                repeat {
                    listening = try await store.client.leasedValue(
                        """
                        SELECT count(*) FROM pg_stat_activity
                        WHERE datname = current_database() AND query LIKE 'LISTEN%promo_read_models%'
                        """, as: Int64.self, logger: store.logger)
                    if listening == 0 { break }
                    try await Task.sleep(for: .milliseconds(100))
                } while ContinuousClock.now - gone < .seconds(45)
                #expect(listening == 0, "no session of the pool listens any more")
            }
        }
    }
}

/// An HTTP/1.1 GET whose response is read as it arrives: an event stream, which does not end by itself.
enum EventStreamReader {
    struct Stream {
        /// The status line and headers.
        var head: String
        /// What came of the body (chunk sizes of the transfer encoding included).
        var body: String
    }

    /// Sends the request and reads until `done` (called with the body so far, each time more came) says so, or
    /// throws after `timeout`.
    static func read(
        port: Int, path: String, key: String, timeout: Duration = .seconds(30),
        until done: @escaping @Sendable (String) async throws -> Bool
    ) async throws -> Stream {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await withThrowingTaskGroup(of: Stream?.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(
                        ByteBuffer(
                            string:
                                "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(key)\r\n"
                                + "Accept: text/event-stream\r\n\r\n"))
                    var text = ""
                    for try await chunk in inbound {
                        text += String(buffer: chunk)
                        guard let split = text.range(of: "\r\n\r\n") else { continue }
                        let body = String(text[split.upperBound...])
                        if try await done(body) { return Stream(head: String(text[..<split.lowerBound]), body: body) }
                    }
                    Issue.record("the stream ended: \(text)")
                    return nil
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let stream = try await group.next() ?? nil else {
                throw CancellationError()
            }
            return stream
        }
    }

    /// The data of every `positions` event in `body`.
    static func events(in body: String) -> [JSONValue] {
        body.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("data: ") else { return nil }
            return try? JSONValue(parsing: String(line.dropFirst(6)))
        }
    }
}

/// The position of the write made while the stream was open.
final class Written: Sendable {
    private let value = Mutex<Int64?>(nil)
    var position: Int64? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
