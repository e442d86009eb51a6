import Foundation
import HTTPTypes
import HummingbirdTesting
import PromoDomain
import Testing

@testable import PromoAPI

/// The conventions every route keeps, checked on every route the router has (from the OpenAPI operations,
/// which a test keeps equal to the router): no key 401, another role 403, malformed JSON 400, over 1 MiB 413.
@Suite("Every route")
struct EveryRouteTests {
    /// A path with its parameters filled in.
    static func concrete(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map {
            $0.hasPrefix("{") ? "x-\(UUID().uuidString.prefix(6).lowercased())" : String($0)
        }.joined(separator: "/")
    }

    static let versioned = OpenAPIOperations.all.filter { $0.path.hasPrefix("/v1/") }

    @Test("No key is a 401 and a key of another role a 403, on every /v1 route")
    func authorisation() async throws {
        var made: [AccessRole: String] = [:]
        for role in AccessRole.allCases { made[role] = try await APITest.key(role) }
        let keys = made
        #expect(Self.versioned.count >= 30)
        try await APITest.withApp { client in
            for operation in Self.versioned {
                let method = HTTPRequest.Method(operation.method)!
                let path = Self.concrete(operation.path)
                let body = operation.body == nil ? nil : "{}"
                let anonymous = try await client.send(method, path, body: body)
                #expect(anonymous.status == .unauthorized, "\(operation.method) \(operation.path)")
                #expect(anonymous.errorCode == "unauthorized")
                let allowed = Set(operation.roles ?? []).union([.admin])
                guard operation.path != "/v1/me",
                    let outsider = AccessRole.allCases.first(where: { !allowed.contains($0) })
                else { continue }
                let forbidden = try await client.send(method, path, key: keys[outsider], body: body)
                #expect(forbidden.status == .forbidden, "\(operation.method) \(operation.path) as \(outsider)")
            }
        }
    }

    @Test("Malformed JSON is a 400 and a body over 1 MiB a 413, on every write, and nothing is written")
    func bodies() async throws {
        let (adminId, admin) = try await APITest.createdKey(.admin)
        let huge = "{\"pad\":\"" + String(repeating: "x", count: (1 << 20) + 1) + "\"}"
        try await APITest.withApp { client in
            for operation in Self.versioned where operation.body != nil {
                let method = HTTPRequest.Method(operation.method)!
                let path = Self.concrete(operation.path)
                let malformed = try await client.send(method, path, key: admin, body: #"{"name": "#)
                #expect(malformed.status == .badRequest, "\(operation.method) \(operation.path): \(malformed.text)")
                #expect(malformed.errorCode == "malformed_json", "\(operation.method) \(operation.path)")
                let oversize = try await client.send(method, path, key: admin, body: huge)
                #expect(oversize.status == .contentTooLarge, "\(operation.method) \(operation.path)")
                #expect(oversize.errorCode == "body_too_large", "\(operation.method) \(operation.path)")
                // Nothing, on any stream, by this test's key (every event names its writer's key as actor).
                #expect(
                    try await APITest.eventCount(actor: adminId) == 0, "\(operation.method) \(operation.path) wrote")
            }
        }
    }
}
