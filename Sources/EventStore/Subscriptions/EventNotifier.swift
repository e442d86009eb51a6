import Logging
import PostgresNIO
import ServiceLifecycle

/// Carries "events were appended" between processes over PostgreSQL's `promo_events` channel.
///
/// Two loops: one sends a `NOTIFY` when this process's store fired `appended` — outside the append's
/// transaction, since a `NOTIFY` inside it would serialise every commit behind PostgreSQL's notify lock, and
/// coalesced, so a burst of appends costs one notification. The other `LISTEN`s and fires `signal`, which
/// subscribers wait on. Only a wake-up: subscribers still read from their checkpoint and poll on a timer, so
/// a lost notification delays delivery but never loses an event.
public struct EventNotifier: Service {
    public let client: PostgresClient
    public let signal: WakeupSignal
    public let appended: WakeupSignal?
    public let logger: Logger
    public static let channel = "promo_events"

    public init(client: PostgresClient, signal: WakeupSignal, appended: WakeupSignal? = nil, logger: Logger) {
        self.client = client
        self.signal = signal
        self.appended = appended
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await client.fireOnNotifications(on: Self.channel, signal, logger: logger) }
                if let appended { group.addTask { await announce(appended) } }
            }
        }
    }

    private func announce(_ appended: WakeupSignal) async {
        var seen = await appended.current
        while !Task.isCancelled {
            await appended.wait(after: seen, timeout: .seconds(60))
            let now = await appended.current
            guard now != seen else { continue }
            seen = now
            await signal.fire()  // this process's subscribers need not wait for the round trip
            do {
                try await client.leasedExecute("SELECT pg_notify(\(Self.channel), '')", logger: logger)
            } catch {
                if Task.isCancelled { return }
                logger.warning(
                    "could not send an event notification", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}

extension PostgresClient {
    /// `LISTEN`s on `channel` until the task is cancelled, firing `signal` on each notification and once on each
    /// (re)connection (for whatever was notified while nobody listened); a lost connection is retried every
    /// second.
    public func fireOnNotifications(on channel: String, _ signal: WakeupSignal, logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await withOpenConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        await signal.fire()
                        for try await _ in notifications { await signal.fire() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning(
                    "notifications on \(channel) interrupted; retrying",
                    metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
