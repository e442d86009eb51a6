import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ProjectionRuntime
import PromoDomain
import PromoProjections
import PromoTestSupport
import Testing

@testable import PromoAPI

/// Customer profiles over HTTP, on a database of their own, from real commands: the profile read model's
/// summary and tags, personal data opened only with the customer's key, behavioural tags in campaign
/// audiences and push targeting.
@Suite("Customer profiles over HTTP")
struct ProfileHTTPTests {
    static let customer = """
        {"name":"王小明","phone":"+86 138-0013-8000","address":"成都市锦江区春熙路88号","region":"sichuan",\
        "tier":"silver","tastePreferences":["numbing"],"consents":{"sms":true,"wechat":false,"app":false}}
        """

    @Test(
        "A profile shows summary, points and tags; audiences price with behavioural tags; erasing the key erases the name"
    )
    func profiles() async throws {
        try await OwnDatabase.with(prefix: "profile") { own in
            let (client, store, catalog) = (own.client, own.store, own.catalog)
            let (marketing, channel, analyst) = (own.key(.marketing), own.key(.channel), own.key(.analyst))
            func ok(_ reply: Reply, _ what: String) {
                #expect(reply.status == .ok || reply.status == .created, "\(what): \(reply.text)")
            }
            ok(try await client.send(.put, "/v1/products/HP-001", key: marketing, body: productBody()), "product")
            ok(
                try await client.send(
                    .put, "/v1/products/JZ-001", key: marketing,
                    body: productBody(category: "dumplings", tags: ["frozen"], priceFen: 2_590)), "product")
            ok(
                try await client.send(
                    .put, "/v1/stores/s-online", key: marketing,
                    body: #"{"name":"官方商城","region":"national","channel":"online"}"#), "store")
            for sku in ["HP-001", "JZ-001"] {
                ok(
                    try await client.send(
                        .post, "/v1/stock/\(sku)/s-online/receipts", key: marketing, body: #"{"quantity":100}"#),
                    "stock")
            }
            for id in ["u-hot", "u-mild"] {
                ok(try await client.send(.put, "/v1/customers/\(id)", key: channel, body: Self.customer), "customer")
            }
            // u-hot buys two spicy hot-pot bases (2 × 3 990), u-mild two bags of dumplings (2 × 2 590); both pay.
            var last: Int64 = 0
            for (order, customer, sku, total) in [
                ("o-hot", "u-hot", "HP-001", 7_980), ("o-mild", "u-mild", "JZ-001", 5_180),
            ] {
                let placed = try await client.send(
                    .post, "/v1/orders", key: channel,
                    body: """
                        {"orderId":"\(order)","paymentMethod":"wechat_pay","customerId":"\(customer)",\
                        "channel":"online","storeId":"s-online","lines":[{"sku":"\(sku)","quantity":2}]}
                        """)
                #expect(placed.json["totalFen"] == .int(Int64(total)), "\(placed.text)")
                let paid = try await client.send(
                    .post, "/v1/orders/\(order)/payments", key: channel,
                    body: #"{"amountFen":\#(total),"method":"wechat_pay","reference":"ref-\#(order)"}"#)
                ok(paid, "payment")
                last = try #require(paid.json["position"]?.intValue)
            }

            let hot = try await client.send(.get, "/v1/customers/u-hot/profile?minPosition=\(last)", key: channel)
            #expect(hot.status == .ok, "\(hot.text)")
            #expect(hot.json["name"] == "王小明")
            #expect(hot.json["phone"] == "+86 138-0013-8000")
            #expect(hot.json["personalDataErased"] == false)
            #expect(hot.json["tier"] == "silver")
            #expect(hot.json["summary"]?["orders"] == 1)
            #expect(hot.json["summary"]?["spendFen"] == 7_980)
            #expect(hot.json["summary"]?["favouriteCategories"] == [["category": "hotpot", "units": 2]])
            // The balance is what the payment earned, as the points stream says.
            let earned = try await store.readStream(try StreamID("points-u-hot")).filter {
                $0.type == PointsEarned.eventType
            }.map { try $0.decode(as: PointsEarned.self).points }.reduce(0, +)
            #expect(earned > 0)
            #expect(hot.json["points"]?["balance"] == .int(Int64(earned)))
            let hotTags = hot.json["tags"].map { value -> [String] in
                guard case .array(let items) = value else { return [] }
                return items.compactMap { $0["tag"]?.stringValue }
            }
            #expect(hotTags == ["spicy_lover"])
            #expect(hot.json["tagFacts"]?["spicyUnitsLast90Days"] == 2)
            let mild = try await client.send(.get, "/v1/customers/u-mild/profile", key: marketing)
            #expect(mild.json["tags"] == [])
            let missing = try await client.send(.get, "/v1/customers/u-nobody/profile", key: marketing)
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "not_found")
            let badDate = try await client.send(.get, "/v1/customers/u-hot/profile?date=2026-02-30", key: marketing)
            #expect(badDate.errorField == "date")
            let forbidden = try await client.send(.get, "/v1/customers/u-hot/profile", key: analyst)
            #expect(forbidden.status == .forbidden)

            // Push targeting: who is a spicy lover and agreed to SMS.
            let audience = try await client.send(.get, "/v1/customers?tag=spicy_lover&consent=sms", key: marketing)
            #expect(audience.status == .ok, "\(audience.text)")
            #expect(
                audience.json["customers"].map { value -> [String] in
                    guard case .array(let items) = value else { return [] }
                    return items.compactMap { $0["customerId"]?.stringValue }
                } == ["u-hot"])
            let noWechat = try await client.send(.get, "/v1/customers?tag=spicy_lover&consent=wechat", key: marketing)
            #expect(noWechat.json["customers"] == [])
            let unknownTag = try await client.send(.get, "/v1/customers?tag=vip", key: marketing)
            #expect(unknownTag.errorField == "tag")
            // Marketing cannot set a behavioural tag by hand: it is worked out from orders.
            let manual = try await client.send(
                .put, "/v1/customers/u-mild/tags", key: marketing, body: #"{"tags":["spicy_lover"]}"#)
            #expect(manual.status == .badRequest)
            #expect(manual.errorField == "tags[0]")

            // A campaign for spicy lovers only: 满50减10 on hot-pot bases. u-hot gets it, u-mild does not.
            let campaign = """
                {"campaignId":"c-spicy","name":"辣味专享","kind":"spend_reduction",\
                "window":{"start":"2020-01-01T00:00:00+08:00","end":"2099-01-01T00:00:00+08:00"},\
                "scope":{"categories":["hotpot"]},"audience":{"tags":["spicy_lover"]},\
                "rules":{"tiers":[{"thresholdFen":5000,"reductionFen":1000}]}}
                """
            ok(try await client.send(.post, "/v1/campaigns", key: marketing, body: campaign), "campaign")
            ok(try await client.send(.post, "/v1/campaigns/c-spicy/activate", key: marketing), "activate")
            func cart(_ customer: String) -> String {
                """
                {"customerId":"\(customer)","channel":"online","storeId":"s-online",\
                "lines":[{"sku":"HP-001","quantity":2}]}
                """
            }
            let lover = try await client.send(.post, "/v1/quotes", key: channel, body: cart("u-hot"))
            #expect(lover.json["totalFen"] == 6_980, "\(lover.text)")
            let other = try await client.send(.post, "/v1/quotes", key: channel, body: cart("u-mild"))
            #expect(other.json["totalFen"] == 7_980)
            #expect(other.json["rejected"] == [["campaignId": "c-spicy", "reason": "not_in_audience"]])

            // No read model holds the name, phone or address in clear.
            for table in catalog.projections.flatMap(\.definition.tables) {
                let hits = try await store.client.leasedValue(
                    PostgresQuery(
                        unsafeSQL:
                            "SELECT count(*) FROM rm.\(table) t WHERE t::text LIKE '%王小明%' OR t::text LIKE '%春熙路%' "
                            + "OR t::text LIKE '%0013-8000%'"), as: Int64.self, logger: store.logger)
                #expect(hits == 0, "\(table) holds personal data in clear")
            }
            // Erasing the customer's key erases them from the profile too; the rest of the profile stays.
            try await store.client.leasedExecute(
                "DELETE FROM customer_keys WHERE customer_id = 'u-hot'", logger: store.logger)
            let erased = try await client.send(.get, "/v1/customers/u-hot/profile", key: channel)
            #expect(erased.status == .ok)
            #expect(erased.json["name"] == .null)
            #expect(erased.json["address"] == .null)
            #expect(erased.json["personalDataErased"] == true)
            #expect(erased.json["summary"]?["orders"] == 1)
        }
    }
}
