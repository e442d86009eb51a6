import HTTPTypes
import EventStore
import Hummingbird
import Logging
import PromoDomain

/// Authenticates every `/v1/*` request: `Authorization: Bearer <api key>`.
///
/// No header, a malformed one, or a key that is unknown or revoked is a 401 (the same answer for all three, so
/// the answer never tells whether a key exists). Whether the key's role may use the route is checked by the route
/// itself (``RouteTable``), which knows the roles. A key over its request rate gets a 429 (``RateLimiter``).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let keys: ApiKeyStore
    /// Requests per key (see ``RateLimiter``); nil: no limit.
    var limiter: RateLimiter?

    func handle(
        _ request: Request, context: APIRequestContext,
        next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError(
                .unauthorized, code: "unauthorized", message: "send an API key: Authorization: Bearer <api key>")
        }
        guard header.hasPrefix("Bearer "), case let secret = header.dropFirst(7), !secret.isEmpty else {
            throw APIError(
                .unauthorized, code: "unauthorized", message: "the Authorization header must be: Bearer <api key>")
        }
        let principal: Principal?
        do {
            principal = try await keys.authenticate(secret: String(secret))
        } catch {
            context.logger.warning("key check failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError(.serviceUnavailable, code: "database_unavailable", message: "the database cannot be reached")
        }
        guard let principal else {
            throw APIError(.unauthorized, code: "unauthorized", message: "the API key is unknown or revoked")
        }
        if let wait = limiter?.take(principal.keyId) {
            let seconds = max(
                1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up)))
            var response = APIError(
                .tooManyRequests, code: "rate_limited",
                message:
                    "this API key sent more than \(Int(limiter?.limit.perSecond ?? 0)) requests a second; retry after \(seconds) s",
                details: ["retryAfterSeconds": .int(Int64(seconds))]
            ).response
            response.headers[.retryAfter] = String(seconds)
            return response
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "api.key"] = "\(principal.keyId)"
        return try await next(request, context)
    }
}
