import HTTPTypes
import EventStore
import Hummingbird
import Logging
import PostgresNIO
import PromoDomain

/// Runs a command the way every write does: load its streams, decide (pure), append with the expected versions,
/// answer with `position`; retried when another writer got there first, idempotent per Idempotency-Key.
///
/// With an Idempotency-Key, the append, the store's command id (`{keyId}:{Idempotency-Key}`) and the recorded
/// response commit in one transaction, so a repeat (even a concurrent one) gets the first response byte for
/// byte and appends nothing. Without one, the append goes through the store's group commit.
struct CommandRunner: Sendable {
    let store: PostgresEventStore
    let idempotency: IdempotencyStore
    let locks: StreamLocks
    let metrics: APIMetrics
    /// How often a command is decided again after another writer moved one of its streams. Default 5.
    var maxAttempts = 5

    typealias Decide = @Sendable ([LoadedStream]) async throws -> WriteDecision

    func execute(_ write: WriteContext, streams: [StreamID], decide: Decide) async throws -> Response {
        if let key = write.idempotencyKey,
            let recorded = try await idempotency.lookup(keyId: write.principal.keyId, idempotencyKey: key)
        {
            return try recorded.replay(for: write.requestHash)
        }
        return try await locks.withLocks(streams.map(\.rawValue)) {
            var attempt = 0
            while true {
                attempt += 1
                var loaded: [LoadedStream] = []
                for id in streams { loaded.append(try await LoadedStream.load(id, from: store)) }
                let decision = try await decide(loaded)
                do {
                    return try await commit(decision, loaded: loaded, write: write)
                } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
                    metrics.countConflict()
                    guard attempt < maxAttempts else {
                        throw APIError(
                            .conflict, code: "wrong_expected_version",
                            message: "other writers kept changing this resource; try again",
                            details: ["streams": .array(error.conflicts.map { .string($0.streamId) })])
                    }
                    metrics.countRetry()
                    try await Task.sleep(for: .milliseconds(Int.random(in: 1...(4 << attempt))))
                }
            }
        }
    }

    private func commit(_ decision: WriteDecision, loaded: [LoadedStream], write: WriteContext) async throws
        -> Response
    {
        let appends = decision.appends.map { append in
            var append = append
            for index in append.events.indices { append.events[index].metadata.actor = write.principal.keyId }
            return append
        }
        let unchangedPosition = loaded.compactMap { $0.events.last?.position }.max() ?? 0
        guard let key = write.idempotencyKey, let commandId = write.commandId else {
            let position =
                appends.isEmpty ? unchangedPosition : try await store.append(appends).lastPosition
            metrics.countAppended(appends.reduce(0) { $0 + $1.events.count })
            let (status, body) = Self.response(decision, position: position)
            return JSONResponse.make(status: status, text: body)
        }
        let keyId = write.principal.keyId
        do {
            return try await store.client.inTransaction(logger: store.logger) { connection in
                try await idempotency.reserve(
                    on: connection, keyId: keyId, idempotencyKey: key, requestHash: write.requestHash)
                let position =
                    appends.isEmpty
                    ? unchangedPosition
                    : try await store.append(appends, commandId: commandId, on: connection).lastPosition
                metrics.countAppended(appends.reduce(0) { $0 + $1.events.count })
                let (status, body) = Self.response(decision, position: position)
                try await idempotency.complete(
                    on: connection, keyId: keyId, idempotencyKey: key, status: Int(status.code), body: body)
                return JSONResponse.make(status: status, text: body)
            }
        } catch  where error.isUniqueViolation(on: "idempotent_requests_pkey") {
            // A repeat running at the same time committed first: answer as it did.
            guard let recorded = try await idempotency.lookup(keyId: keyId, idempotencyKey: key) else { throw error }
            return try recorded.replay(for: write.requestHash)
        }
    }

    private static func response(_ decision: WriteDecision, position: Int64) -> (HTTPResponse.Status, String) {
        var body = decision.body
        body["position"] = .int(position)
        return (decision.status, JSONValue.object(body).canonicalString)
    }
}
