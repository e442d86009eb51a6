import EventStore
import Logging
import PostgresNIO
import Synchronization

/// "The read models moved": what a live page (the operator dashboard, over `GET /v1/live`) waits on.
///
/// Projection workers `NOTIFY` on ``channel`` in the transaction of every batch that applied events, so the
/// notification arrives when the batch's writes are visible, from whichever process runs the workers. While
/// anyone follows the feed (``follow(interval:coalescing:heartbeatInterval:heartbeat:_:)``), one connection of
/// the pool `LISTEN`s and fires ``moved``; followers then read the live positions and compare. No follower, no
/// connection held. Only a wake-up: a follower also looks on a timer, so a lost notification delays an update
/// but never loses it.
public final class ReadModelFeed: Sendable {
    public static let channel = "promo_read_models"

    public let client: PostgresClient
    public let logger: Logger
    /// Fired on every notification while someone follows.
    public let moved = WakeupSignal()
    /// How many follow, and the listening task while any do.
    private let listener = Mutex<(followers: Int, task: Task<Void, Never>?)>((0, nil))

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Whether a connection is listening now (there are followers).
    public var isListening: Bool { listener.withLock { $0.task != nil } }

    private func joined() {
        listener.withLock { state in
            state.followers += 1
            guard state.task == nil else { return }
            let (client, moved, logger) = (client, moved, logger)
            state.task = Task { await client.fireOnNotifications(on: Self.channel, moved, logger: logger) }
        }
    }

    private func left() {
        let last = listener.withLock { state -> Task<Void, Never>? in
            state.followers -= 1
            guard state.followers == 0 else { return nil }
            defer { state.task = nil }
            return state.task
        }
        last?.cancel()
    }

    /// The position of every projection's live generation, by name; empty before any was built.
    public func positions() async throws -> [String: Int64] {
        try await client.leasedQuery(
            "SELECT name, position FROM projection_generations WHERE state = 'live'", logger: logger
        ) { rows in
            var positions: [String: Int64] = [:]
            for try await (name, position) in rows.decode((String, Int64).self) { positions[name] = position }
            return positions
        }
    }

    /// Yields the live positions at once and then each time they change, looking at least every `interval`
    /// (the fallback when no notification comes) and at most every `coalescing` (a burst of batches is one
    /// update), until the task is cancelled. `heartbeat` is called when nothing changed for `heartbeatInterval`
    /// (a stream kept open through proxies). A failed read is retried on the next round.
    public func follow(
        interval: Duration = .seconds(2), coalescing: Duration = .milliseconds(250),
        heartbeatInterval: Duration = .seconds(15),
        heartbeat: () async throws -> Void,
        _ update: ([String: Int64]) async throws -> Void
    ) async throws {
        joined()
        defer { left() }
        var last: [String: Int64]? = nil
        var quietSince = ContinuousClock.now
        while !Task.isCancelled {
            let seen = await moved.current
            if let positions = try? await positions(), positions != last {
                try await update(positions)
                last = positions
                quietSince = .now
                try await Task.sleep(for: coalescing)
            } else if ContinuousClock.now - quietSince >= heartbeatInterval {
                try await heartbeat()
                quietSince = .now
            }
            await moved.wait(after: seen, timeout: interval)
        }
    }
}
