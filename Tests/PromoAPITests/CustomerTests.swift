import EventStore
import PostgresNIO
import HTTPTypes
import Foundation
import HummingbirdTesting
import PromoDomain
import Testing

@testable import PromoAPI

@Suite("Customers over HTTP")
struct CustomerTests {
    static let body = """
        {"name":"王小明","phone":"+86 138-0013-8000","address":"成都市锦江区春熙路88号","region":"sichuan",\
        "tier":"silver","tastePreferences":["spicy","numbing"],"consents":{"sms":true,"wechat":true,"app":false}}
        """

    @Test("Name, phone and address are never in clear in the stored events, the reply or the idempotency record")
    func piiSealed() async throws {
        let key = try await APITest.key(.channel)
        let customerId = APITest.id("u")
        try await APITest.withApp { client in
            let reply = try await client.send(
                .put, "/v1/customers/\(customerId)", key: key, body: Self.body, idempotencyKey: "c-1")
            #expect(reply.status == .created)
            #expect(reply.json["tier"] == "silver")
            #expect(reply.json["consents"] == ["sms": true, "wechat": true, "app": false])
            let events = try await APITest.storedEvents("customer-\(customerId)")
            #expect(events.map(\.type) == ["CustomerProfileSet"])
            let stored = events[0].payload + events[0].metadata
            let recorded = try await APITest.store().client.withOpenConnection { connection in
                var bodies = ""
                for try await body in try await connection.query(
                    "SELECT body FROM idempotent_requests WHERE idempotency_key = 'c-1'", logger: TestLogger.logger
                ).decode(String.self) { bodies += body }
                return bodies
            }
            // Whole pieces of the clear text: digits alone ("138") also occur in positions and in base64.
            for clear in ["王小明", "138-0013", "0013-8000", "春熙路", "成都市"] {
                #expect(!stored.contains(clear), "\(clear) is in the stored event")
                #expect(!reply.text.contains(clear))
                #expect(!recorded.contains(clear))
            }
            let payload = try JSONValue(parsing: events[0].payload)
            for field in ["name", "phone", "address"] {
                #expect(payload[field]?.stringValue?.hasPrefix("aesgcm1:") == true)
            }
            #expect(payload["region"] == "sichuan")
        }
    }

    @Test("The same profile again appends nothing; a change appends one event that opens to the new values")
    func unchangedAndChanged() async throws {
        let key = try await APITest.key(.channel)
        let customerId = APITest.id("u")
        try await APITest.withApp { client in
            _ = try await client.send(.put, "/v1/customers/\(customerId)", key: key, body: Self.body)
            let same = try await client.send(.put, "/v1/customers/\(customerId)", key: key, body: Self.body)
            #expect(same.status == .ok)
            #expect(same.json["version"] == 1)
            let moved = Self.body.replacingOccurrences(of: "春熙路88号", with: "太古里1号")
            let changed = try await client.send(.put, "/v1/customers/\(customerId)", key: key, body: moved)
            #expect(changed.json["version"] == 2)
            let events = try await APITest.storedEvents("customer-\(customerId)")
            #expect(events.count == 2)
            let store = try await APITest.store()
            let secret = try #require(
                try await CustomerKeyStore(client: store.client, logger: store.logger).key(
                    for: customerId, create: false))
            let cipher = AESGCMCipher(customerId: customerId, key: secret)
            let payload = try JSONValue(parsing: events[1].payload)
            #expect(try cipher.open(payload["address"]!.stringValue!, field: "address") == "成都市锦江区太古里1号")
            // Bound to its customer and field: the phone does not open as the address, nor for another customer.
            #expect(throws: (any Error).self) { try cipher.open(payload["phone"]!.stringValue!, field: "address") }
            let other = AESGCMCipher(customerId: "someone-else", key: secret)
            #expect(throws: (any Error).self) { try other.open(payload["name"]!.stringValue!, field: "name") }
        }
    }

    @Test("Tier, consents and phone are checked, naming the field")
    func invalid() async throws {
        let key = try await APITest.key(.channel)
        try await APITest.withApp { client in
            let cases = [
                (Self.body.replacingOccurrences(of: "silver", with: "platinum"), "tier"),
                (Self.body.replacingOccurrences(of: #""app":false"#, with: #""app":"no""#), "consents.app"),
                (Self.body.replacingOccurrences(of: #","app":false"#, with: ""), "consents.app"),
                (
                    Self.body.replacingOccurrences(of: #""app":false"#, with: #""app":false,"email":true"#),
                    "consents.email"
                ),
                (Self.body.replacingOccurrences(of: "+86 138-0013-8000", with: "call me"), "phone"),
            ]
            for (body, field) in cases {
                let reply = try await client.send(.put, "/v1/customers/u-bad", key: key, body: body)
                #expect(reply.status == .badRequest, "\(field)")
                #expect(reply.errorField == field, "\(reply.text)")
            }
        }
    }

    @Test("Marketing's tags on a customer: set, replaced, matched by campaign audiences with the taste preferences")
    func tags() async throws {
        let (shop, _) = try await OrderTests.stocked(10) { shop in
            shop.spendReduction(APITest.id("c"), extra: #","audience":{"tags":["vip-lane"]}"#)
        }
        let (tagged, plain) = (APITest.id("u"), APITest.id("u"))
        try await APITest.withApp { client in
            for customer in [tagged, plain] {
                _ = try await client.send(.put, "/v1/customers/\(customer)", key: shop.channel, body: Self.body)
            }
            let set = try await client.send(
                .put, "/v1/customers/\(tagged)/tags", key: shop.marketing, body: #"{"tags":["vip-lane","spicy"]}"#)
            #expect(set.status == .ok, "\(set.text)")
            // Taste preferences first, then marketing's tags, each once.
            #expect(set.json["audienceTags"] == ["spicy", "numbing", "vip-lane"])
            let same = try await client.send(
                .put, "/v1/customers/\(tagged)/tags", key: shop.marketing, body: #"{"tags":["vip-lane","spicy"]}"#)
            #expect(same.json["version"] == set.json["version"])
            #expect(
                try await APITest.storedEvents("customer-\(tagged)").map(\.type) == [
                    "CustomerProfileSet", "CustomerTagsSet",
                ])
            let repeated = try await client.send(
                .put, "/v1/customers/\(tagged)/tags", key: shop.marketing, body: #"{"tags":["a","a"]}"#)
            #expect(repeated.errorField == "tags[1]")
            let channel = try await client.send(
                .put, "/v1/customers/\(tagged)/tags", key: shop.channel, body: #"{"tags":[]}"#)
            #expect(channel.status == .forbidden)

            // 3 × 4 590 = 13 770; 满100减20 for the audience "vip-lane" only.
            let vip = try await client.send(
                .post, "/v1/quotes", key: shop.channel, body: shop.cart(3, customer: tagged))
            #expect(vip.json["totalFen"] == 11_770)
            let other = try await client.send(
                .post, "/v1/quotes", key: shop.channel, body: shop.cart(3, customer: plain))
            #expect(other.json["totalFen"] == 13_770)
            // Tags replaced: the audience no longer matches.
            _ = try await client.send(
                .put, "/v1/customers/\(tagged)/tags", key: shop.marketing, body: #"{"tags":[]}"#)
            let after = try await client.send(
                .post, "/v1/quotes", key: shop.channel, body: shop.cart(3, customer: tagged))
            #expect(after.json["totalFen"] == 13_770)
        }
    }
}
