import HTTPTypes
import EventStore
import Hummingbird
import Logging
import PostgresNIO
import PromoDomain

/// `/healthz` (the process answers) and `/readyz` (it can reach a migrated database it can append to).
struct HealthRoutes: Sendable {
    let store: PostgresEventStore
    /// Every schema step this build needs (the event store's and the API's).
    let expectedSteps: [Int]

    func register(on table: RouteTable) {
        table.addPublic(.get, "/healthz") { _, _ in
            JSONResponse.make(body: ["status": "ok"])
        }
        table.addPublic(.get, "/readyz") { _, _ in
            do {
                let applied = try await appliedSteps()
                let missing = expectedSteps.filter { !applied.contains($0) }
                guard missing.isEmpty else {
                    return APIError(
                        .serviceUnavailable, code: "schema_outdated",
                        message: "database schema steps \(missing) are missing; run `promoctl migrate`"
                    ).response
                }
                let version = applied.filter { expectedSteps.contains($0) }.max() ?? 0
                let positions = try await store.positionStatus()
                if let problem = positions.problem {
                    return APIError(
                        .serviceUnavailable, code: positions.positionsOK ? "database_misconfigured" : "store_moved",
                        message: problem
                    ).response
                }
                return JSONResponse.make(body: [
                    "status": "ready", "schemaVersion": .int(Int64(version)),
                    "headPosition": .int(positions.maxPosition),
                ])
            } catch {
                store.logger.warning("readiness check failed", metadata: ["error": "\(String(reflecting: error))"])
                return APIError(
                    .serviceUnavailable, code: "database_unavailable", message: "the database cannot be reached"
                ).response
            }
        }
    }

    private func appliedSteps() async throws -> Set<Int> {
        let exists = try await store.client.rows(
            "SELECT to_regclass('schema_migrations') IS NOT NULL", logger: store.logger
        ) { try $0.decode(Bool.self) }
        guard exists.first == true else { return [] }
        return Set(
            try await store.client.rows("SELECT version FROM schema_migrations", logger: store.logger) {
                Int(try $0.decode(Int32.self))
            })
    }
}
