import HTTPTypes
import Foundation
import HummingbirdTesting
import PromoDomain
import Testing

@testable import PromoAPI

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("The document lists exactly the routes the router has, with bodies for writes and error responses")
    func matchesRouter() async throws {
        let table = APIServer(configuration: .init(port: 0), store: try await APITest.store()).makeRouter()
        let routed = Set(table.routes.map(\.description))
        #expect(routed.count == table.routes.count, "a route is registered twice")
        #expect(routed == OpenAPIDocument.operations)
        #expect(routed.count == 55)

        let paths = try #require(OpenAPIDocument.json["paths"]?.objectValue)
        for route in table.routes {
            let operation = try #require(paths[route.path]?[route.method.rawValue.lowercased()], "\(route)")
            let responses = try #require(operation["responses"]?.objectValue, "\(route)")
            if route.path.hasPrefix("/v1/") {
                #expect(responses["401"] != nil, "\(route) has no 401")
                if route.path != "/v1/me" { #expect(responses["403"] != nil, "\(route) has no 403") }
            }
            if [.put, .post, .patch].contains(route.method) {
                #expect(operation["requestBody"] != nil, "\(route) has no request body")
                for status in ["400", "409", "413", "503"] {
                    #expect(responses[status] != nil, "\(route) has no \(status)")
                }
            }
        }
    }

    @Test("Every schema and response the document refers to exists")
    func referencesResolve() throws {
        var refs: [String] = []
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let members):
                if case .string(let ref)? = members["$ref"] { refs.append(ref) }
                members.values.forEach(collect)
            case .array(let items): items.forEach(collect)
            default: break
            }
        }
        collect(OpenAPIDocument.json)
        #expect(refs.count > 40)
        for ref in Set(refs) {
            let parts = ref.dropFirst(2).split(separator: "/").map(String.init)
            var node: JSONValue? = OpenAPIDocument.json
            for part in parts { node = node?[part] }
            #expect(node != nil, "\(ref) does not resolve")
        }
    }

    @Test("GET /openapi.json is public and says 3.1")
    func served() async throws {
        try await APITest.withApp { client in
            let reply = try await client.send(.get, "/openapi.json")
            #expect(reply.status == .ok)
            #expect(reply.json["openapi"] == "3.1.0")
            #expect(reply.json["paths"]?["/v1/products/{sku}"]?["put"]?["requestBody"] != nil)
        }
    }
}
