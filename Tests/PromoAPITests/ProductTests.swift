import HTTPTypes
import Foundation
import HummingbirdTesting
import PromoDomain
import Testing

@testable import PromoAPI

@Suite("Products and stores over HTTP")
struct ProductTests {
    @Test("PUT defines a product (201), a changed PUT redefines it (200), an identical PUT appends nothing")
    func define() async throws {
        let key = try await APITest.key(.marketing)
        let sku = APITest.id("HP")
        try await APITest.withApp { client in
            let created = try await client.send(.put, "/v1/products/\(sku)", key: key, body: productBody())
            #expect(created.status == .created)
            #expect(created.json["sku"] == .string(sku))
            #expect(created.json["priceFen"] == 3990)
            #expect(created.json["tags"] == ["spicy"])
            #expect(created.json["version"] == 1)

            let same = try await client.send(.put, "/v1/products/\(sku)", key: key, body: productBody())
            #expect(same.status == .ok)
            #expect(same.json["version"] == 1)
            #expect(same.json["position"] == created.json["position"])

            let changed = try await client.send(
                .put, "/v1/products/\(sku)", key: key, body: productBody(priceFen: 4290))
            #expect(changed.status == .ok)
            #expect(changed.json["version"] == 2)
            #expect(
                try await APITest.storedEvents("product-\(sku)").map(\.type) == ["ProductDefined", "ProductDefined"])

            let read = try await client.send(.get, "/v1/products/\(sku)", key: key)
            #expect(read.status == .ok)
            #expect(read.json["priceFen"] == 4290)
            #expect(read.json["name"] == "牛油火锅底料")
            let missing = try await client.send(.get, "/v1/products/\(sku)-none", key: key)
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "unknown_sku")
        }
    }

    @Test("The list filters by category and by tag")
    func list() async throws {
        let key = try await APITest.key(.marketing)
        let category = APITest.id("cat")
        let (a, b, c) = (APITest.id("A"), APITest.id("B"), APITest.id("C"))
        try await APITest.withApp { client in
            _ = try await client.send(
                .put, "/v1/products/\(a)", key: key, body: productBody(category: category, tags: ["spicy"]))
            _ = try await client.send(
                .put, "/v1/products/\(b)", key: key, body: productBody(category: category, tags: ["mild"]))
            _ = try await client.send(
                .put, "/v1/products/\(c)", key: key, body: productBody(category: "other", tags: ["spicy"]))
            let inCategory = try await client.send(.get, "/v1/products?category=\(category)", key: key)
            #expect(inCategory.json["products"]?.arrayCount == 2)
            #expect(inCategory.json["products"]?[index: 0]?["sku"] == .string(min(a, b)))
            let spicy = try await client.send(.get, "/v1/products?category=\(category)&tag=spicy", key: key)
            #expect(spicy.json["products"]?.arrayCount == 1)
            #expect(spicy.json["products"]?[index: 0]?["sku"] == .string(a))
            let unknown = try await client.send(.get, "/v1/products?colour=red", key: key)
            #expect(unknown.status == .badRequest)
            #expect(unknown.errorField == "colour")
        }
    }

    @Test("Bounds: money past 10^10 fen, fractions, long names, repeated tags are 400s naming the field")
    func bounds() async throws {
        let key = try await APITest.key(.marketing)
        try await APITest.withApp { client in
            let cases: [(String, String)] = [
                (productBody(priceFen: 10_000_000_001), "priceFen"),
                (productBody(priceFen: -1), "priceFen"),
                (productBody().replacingOccurrences(of: "3990", with: "39.9"), "priceFen"),
                (
                    productBody().replacingOccurrences(
                        of: "\"500g\"", with: "\"\(String(repeating: "g", count: 201))\""), "spec"
                ),
                (productBody(tags: ["spicy", "spicy"]), "tags[1]"),
                (productBody().replacingOccurrences(of: "365", with: "0"), "shelfLifeDays"),
                (productBody().replacingOccurrences(of: #""tags":["spicy"]"#, with: #""tags":"spicy""#), "tags"),
            ]
            for (body, field) in cases {
                let reply = try await client.send(.put, "/v1/products/B-1", key: key, body: body)
                #expect(reply.status == .badRequest, "\(field)")
                #expect(reply.errorField == field, "\(reply.text)")
            }
            let array = try await client.send(.put, "/v1/products/B-1", key: key, body: "[1]")
            #expect(array.status == .badRequest)
            #expect(array.errorField == "(body)")
        }
    }

    @Test("A store defaults its fulfilment location to its own id and keeps one given")
    func stores() async throws {
        let key = try await APITest.key(.marketing)
        let (own, other) = (APITest.id("s"), APITest.id("s"))
        try await APITest.withApp { client in
            let first = try await client.send(
                .put, "/v1/stores/\(own)", key: key, body: #"{"name":"成都春熙路店","region":"sichuan","channel":"store"}"#)
            #expect(first.status == .created)
            #expect(first.json["fulfilmentLocation"] == .string(own))
            let second = try await client.send(
                .put, "/v1/stores/\(other)", key: key,
                body: #"{"name":"天猫旗舰店","region":"national","channel":"online","fulfilmentLocation":"wh-chengdu"}"#)
            #expect(second.json["fulfilmentLocation"] == "wh-chengdu")
            let badChannel = try await client.send(
                .put, "/v1/stores/\(other)", key: key, body: #"{"name":"x","region":"y","channel":"kiosk"}"#)
            #expect(badChannel.status == .badRequest)
            #expect(badChannel.errorField == "channel")
        }
    }
}

extension JSONValue {
    var arrayCount: Int? {
        if case .array(let items) = self { return items.count }
        return nil
    }

    subscript(index index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }
}
