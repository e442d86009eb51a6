import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PromoAPI
import PromoDomain
import PromoTestSupport
import Testing

/// `promoctl keys` as the real binary runs it, against the API on the same database of its own.
@Suite("promoctl keys create, list, revoke")
struct KeysCommandTests {
    /// `GET /v1/me` with `key`: the status and the body.
    static func me(_ client: any TestClientProtocol, _ key: String) async throws -> (HTTPResponse.Status, JSONValue) {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(key)"
        let response = try await client.execute(uri: "/v1/me", method: .get, headers: headers, body: nil)
        return (response.status, (try? JSONValue(parsing: String(buffer: response.body))) ?? .null)
    }

    @Test("create prints the key alone on its last line; it works with its role; list shows it without it; revoke: 401")
    func lifecycle() async throws {
        try await ScratchDatabase.withStore(
            on: TestDatabase.url, prefix: "keys", migrations: APIMigrations.withEventStore
        ) { url, store in
            let created = try OperatorCommandTests.promoctl(
                ["keys", "create", "--role", "analyst", "--name", "财务看板", "--actor", "ops-zhang"], database: url)
            #expect(created.status == 0, "\(created.errors)")
            let lines = created.output.split(separator: "\n")
            let key = String(try #require(lines.last))
            #expect(key.hasPrefix("plk_"), "\(created.output)")
            #expect(key.utf8.count == 82)
            #expect(!key.contains(" "))
            #expect(created.output.components(separatedBy: key).count == 2, "the key is printed once")
            let keyId = String(key.split(separator: "_")[1])

            let app = APIServer(configuration: .init(port: 0), store: store).makeApplication(services: [])
            try await app.test(.router) { client in
                let (status, body) = try await Self.me(client, key)
                #expect(status == .ok)
                #expect(body == ["keyId": .string(keyId), "name": "财务看板", "role": "analyst"])

                let listed = try OperatorCommandTests.promoctl(["keys", "list"], database: url)
                #expect(listed.status == 0, "\(listed.errors)")
                let row = try #require(listed.output.split(separator: "\n").first { $0.hasPrefix(keyId) })
                #expect(row.split(separator: "\t").prefix(3) == [Substring(keyId), "analyst", "财务看板"])
                #expect(row.hasSuffix("active"), "\(row)")
                #expect(!listed.output.contains(key))
                #expect(!listed.output.contains(String(key.split(separator: "_")[2])))

                let revoked = try OperatorCommandTests.promoctl(["keys", "revoke", keyId], database: url)
                #expect(revoked.status == 0, "\(revoked.errors)")
                #expect(revoked.output.contains("revoked key \(keyId)"))
                let (after, error) = try await Self.me(client, key)
                #expect(after == .unauthorized)
                #expect(error["error"]?["code"] == "unauthorized")
                let again = try OperatorCommandTests.promoctl(["keys", "list"], database: url)
                #expect(again.output.split(separator: "\n").first { $0.hasPrefix(keyId) }?.contains("revoked") == true)
            }
            let events = try await store.storedEvents(of: try StreamID("apikey-\(keyId)"))
            #expect(events.map(\.type) == ["ApiKeyCreated", "ApiKeyRevoked"])
        }
    }
}
