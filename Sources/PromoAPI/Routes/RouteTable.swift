import HTTPTypes
import Hummingbird
import PromoDomain

/// Where every route is registered, so the router and the list of routes (which the OpenAPI test compares with
/// the document) cannot drift apart, and every `/v1/*` route states its roles.
final class RouteTable: @unchecked Sendable {
    /// A route as the router and the OpenAPI document name it: `PUT /v1/products/{sku}`.
    struct Route: Hashable, Sendable, CustomStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var description: String { "\(method.rawValue) \(path)" }
    }

    typealias Handler = @Sendable (Request, APIRequestContext) async throws -> Response

    let router: Router<APIRequestContext>
    let v1: RouterGroup<APIRequestContext>
    let metrics: APIMetrics
    /// Appended to only while the application is built, before it serves.
    private(set) var routes: [Route] = []

    init(router: Router<APIRequestContext>, auth: AuthMiddleware, metrics: APIMetrics) {
        self.router = router
        self.metrics = metrics
        self.v1 = router.group("v1").add(middleware: auth)
    }

    /// A public route: no key needed.
    func addPublic(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        routes.append(Route(method: method, path: path))
        let timed = measured(method, path, handler)
        router.on(
            RouterPath(path), method: method,
            use: { (request: Request, context: APIRequestContext) -> Response in try await timed(request, context) })
    }

    /// A `/v1` route (`path` without the `/v1` prefix) for keys of `roles`; admin keys may use every route.
    func add(
        _ method: HTTPRequest.Method, _ path: String, roles: Set<AccessRole>, _ handler: @escaping Handler
    ) {
        routes.append(Route(method: method, path: "/v1" + path))
        let allowed = roles.union([.admin])
        let handler = measured(method, "/v1" + path, handler)
        v1.on(
            RouterPath(String(path.dropFirst())), method: method,
            use: { (request: Request, context: APIRequestContext) -> Response in
                guard let principal = context.principal else {
                    throw APIError(.unauthorized, code: "unauthorized", message: "a valid API key is needed")
                }
                guard allowed.contains(principal.role) else {
                    throw APIError(
                        .forbidden, code: "forbidden", message: "a \(principal.role.rawValue) key may not do this",
                        details: [
                            "role": .string(principal.role.rawValue),
                            "allowedRoles": .array(allowed.sorted().map { .string($0.rawValue) }),
                        ])
                }
                return try await handler(request, context)
            })
    }

    /// The handler, its answers timed by route pattern, method and status (an error by the status it becomes).
    private func measured(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) -> Handler {
        let metrics = self.metrics
        return { request, context in
            let clock = ContinuousClock()
            let start = clock.now
            do {
                let response = try await handler(request, context)
                metrics.recordRequest(
                    route: path, method: method.rawValue, status: response.status.code, clock.now - start)
                return response
            } catch {
                let status = (error as? APIError)?.status.code ?? (error as? any HTTPResponseError)?.status.code ?? 500
                metrics.recordRequest(route: path, method: method.rawValue, status: status, clock.now - start)
                throw error
            }
        }
    }
}
