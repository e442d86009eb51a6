import HTTPTypes
import Hummingbird
import PromoDomain

/// `GET /v1/me`: which key a caller is using, so a client can check its configuration.
struct AccessRoutes: Sendable {
    func register(on table: RouteTable) {
        table.add(.get, "/me", roles: Set(AccessRole.allCases)) { _, context in
            guard let principal = context.principal else {
                throw APIError(.unauthorized, code: "unauthorized", message: "a valid API key is needed")
            }
            return JSONResponse.make(body: [
                "keyId": .string(principal.keyId), "name": .string(principal.name),
                "role": .string(principal.role.rawValue),
            ])
        }
    }
}
