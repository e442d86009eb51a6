import EventStore
import Logging
import PostgresNIO
import ServiceLifecycle

/// "The read models moved": what a live page (the operator dashboard, over `GET /v1/live`) waits on.
///
/// Projection workers `NOTIFY` on ``channel`` in the transaction of every batch that applied events, so the
/// notification arrives when the batch's writes are visible, from whichever process runs the workers. As a
/// service this `LISTEN`s and fires ``moved``; readers then read the live positions (``positions()``) and
/// compare. Only a wake-up: a reader also looks on a timer, so a lost notification (or a feed that is not
/// running) delays an update but never loses it.
public struct ReadModelFeed: Service {
    public static let channel = "promo_read_models"

    public let client: PostgresClient
    public let logger: Logger
    /// Fired on every notification.
    public let moved: WakeupSignal

    public init(client: PostgresClient, logger: Logger, moved: WakeupSignal = WakeupSignal()) {
        self.client = client
        self.logger = logger
        self.moved = moved
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await client.fireOnNotifications(on: Self.channel, moved, logger: logger) }
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
