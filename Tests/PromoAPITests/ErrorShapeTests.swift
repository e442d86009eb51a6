import HTTPTypes
import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import PromoAPI
import PromoDomain
import PromoTestSupport
import Testing

@Suite("HTTP basics")
struct ErrorShapeTests {
    func withApp(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = APIServer(configuration: .init(port: 0), store: try await APITest.store()).makeApplication(
            services: [])
        try await app.test(.router, body)
    }

    @Test("/healthz answers, /readyz reports the migrated schema")
    func health() async throws {
        try await withApp { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                let body = try JSONValue(parsing: String(buffer: response.body))
                #expect(body["status"] == "ready")
                #expect(body["schemaVersion"] == .int(Int64(APIMigrations.withEventStore.map(\.version).max()!)))
                #expect(body["schemaVersion"] == 2002)
            }
        }
    }

    @Test("An unknown path is a 404 in the API's error shape, not an empty body")
    func notFoundShape() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = try JSONValue(parsing: String(buffer: response.body))
                #expect(body["error"]?["code"] == "not_found")
                #expect(body["error"]?["message"]?.stringValue?.isEmpty == false)
                #expect(body["error"]?["details"] == .object([:]))
            }
        }
    }
}
