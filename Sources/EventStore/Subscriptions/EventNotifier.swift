import Logging
import PostgresNIO
import ServiceLifecycle

/// Listens on the `promo_events` channel that every append notifies, and fires a ``WakeupSignal``.
///
/// Only a wake-up: subscribers still read from their checkpoint and poll on a timer, so a lost
/// notification (a dropped connection, a restart) delays delivery but never loses an event.
public struct EventNotifier: Service {
    public let client: PostgresClient
    public let signal: WakeupSignal
    public let logger: Logger
    public static let channel = "promo_events"

    public init(client: PostgresClient, signal: WakeupSignal, logger: Logger) {
        self.client = client
        self.signal = signal
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: Self.channel) { notifications in
                            await signal.fire()  // anything committed while we were not listening
                            for try await _ in notifications { await signal.fire() }
                        }
                    }
                } catch is CancellationError {
                    return
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("event notifications interrupted; retrying", metadata: ["error": "\(String(reflecting: error))"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }
}
