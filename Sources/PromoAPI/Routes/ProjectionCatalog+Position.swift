import HTTPTypes
import PostgresNIO
import ProjectionRuntime
import PromoDomain

extension ProjectionCatalog {
    /// Reads `minPosition` and waits for projection `name` to reach it; returns the projection's position.
    func position(of name: String, honouring query: QueryReader) async throws -> Int64 {
        if let wanted = try query.position("minPosition") {
            guard try await waitUntil(name, reaches: wanted, timeout: ReadModelRoutes.minPositionWait) else {
                throw APIError(
                    .serviceUnavailable, code: "projection_lagging",
                    message: "the \(name) read model has not reached position \(wanted) yet; retry shortly",
                    details: ["projection": .string(name), "minPosition": .int(wanted)])
            }
        }
        guard let position = try await livePosition(of: name) else {
            // Its tables do not exist before its first generation: say so rather than fail on a missing view.
            throw APIError(
                .serviceUnavailable, code: "projection_lagging",
                message: "the \(name) read model has not been built yet: start the projection workers "
                    + "(promoctl serve, role all or workers)",
                details: ["projection": .string(name)])
        }
        return position
    }
}
