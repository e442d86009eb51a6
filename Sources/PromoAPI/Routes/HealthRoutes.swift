import EventStore
import Hummingbird
import Logging
import PostgresNIO
import PromoDomain

/// `/healthz` (the process answers) and `/readyz` (it can reach a migrated database it can append to).
struct HealthRoutes: Sendable {
    let store: PostgresEventStore
    let expectedSchemaVersion: Int

    func register(on router: Router<some RequestContext>) {
        router.get("/healthz") { _, _ in
            JSONResponse.make(body: ["status": "ok"])
        }
        router.get("/readyz") { _, _ in
            do {
                let version = try await Migrator(client: store.client, logger: store.logger).currentVersion()
                guard version >= expectedSchemaVersion else {
                    return APIError(
                        .serviceUnavailable, code: "schema_outdated",
                        message:
                            "database schema is at version \(version), this build needs \(expectedSchemaVersion); run `promoctl migrate`"
                    ).response
                }
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
}
