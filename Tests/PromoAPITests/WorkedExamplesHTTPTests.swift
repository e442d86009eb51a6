import Foundation
import HTTPTypes
import HummingbirdTesting
import PromoDomain
import Testing

@testable import PromoAPI

/// The worked examples of the pricing engine (Tests/PromoDomainTests/Pricing/Fixtures) through the API: the
/// catalog, campaigns and coupon templates defined over HTTP, coupons issued, then `POST /v1/quotes` and
/// `POST /v1/orders` with the examples' numbers. Every id, SKU and category gets a suffix of its own, so what
/// other tests put in the shared database does not reach these carts; windows and validity are widened to
/// include today.
@Suite("Worked examples over HTTP")
struct WorkedExamplesHTTPTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("PromoDomainTests/Pricing/Fixtures")

    /// The scenario with its names suffixed, windows widened and the store-kept state removed.
    static func scenario(_ name: String, suffix: String) throws -> JSONValue {
        var text = try String(contentsOf: fixtures.appendingPathComponent("\(name).json"), encoding: .utf8)
        let original = try JSONValue(parsing: Array(text.utf8))
        var names: Set<String> = ["s-online", "u-1"]
        for key in ["catalog", "campaigns", "couponTemplates", "coupons"] {
            guard case .array(let items)? = original[key] else { continue }
            for item in items {
                for field in ["sku", "category", "campaignId", "templateId", "code"] {
                    if let value = item[field]?.stringValue { names.insert(value) }
                }
            }
        }
        for name in names.sorted(by: { $0.count > $1.count }) {
            text = text.replacingOccurrences(of: "\"\(name)\"", with: "\"\(name)-\(suffix)\"")
        }
        guard case .object(var document) = try JSONValue(parsing: Array(text.utf8)) else { return .null }
        var skus: [String] = []
        if case .array(let catalog)? = document["catalog"] { skus = catalog.compactMap { $0["sku"]?.stringValue } }
        let wide: JSONValue = ["start": "2020-01-01T00:00:00+08:00", "end": "2099-01-01T00:00:00+08:00"]
        if case .array(let campaigns)? = document["campaigns"] {
            document["campaigns"] = .array(
                campaigns.map { campaign in
                    guard case .object(var members) = campaign else { return campaign }
                    for kept in CampaignDefinition.storeKeptKeys { members.removeValue(forKey: kept) }
                    members["window"] = wide
                    // A campaign for every product is narrowed to this example's products: the same campaign of
                    // another run (or another example) must not reach these carts, nor this one theirs.
                    if case .object(var scope)? = members["scope"] ?? .object([:]),
                        (scope["skus"]?.arrayCount ?? 0) == 0, (scope["categories"]?.arrayCount ?? 0) == 0
                    {
                        scope["skus"] = .array(skus.map { .string($0) })
                        members["scope"] = .object(scope)
                    }
                    return .object(members)
                })
        }
        if case .array(let templates)? = document["couponTemplates"] {
            document["couponTemplates"] = .array(
                templates.map { template in
                    guard case .object(var members) = template else { return template }
                    members["validFrom"] = "2020-01-01T00:00:00+08:00"
                    members["validUntil"] = "2099-01-01T00:00:00+08:00"
                    return .object(members)
                })
        }
        return .object(document)
    }

    @Test(
        "Each worked example quotes and orders at its numbers",
        arguments: [
            ("example1-spend-reduction", 20_450, 18_450), ("example2-item-and-spend-discount", 16_230, 14_481),
            ("example3-bundle", 20_150, 18_480), ("example4-flash-sale", 8_970, 4_970),
            ("example5-coupons", 20_450, 16_750),
        ])
    func example(name: String, subtotal: Int, total: Int) async throws {
        let suffix = String(UUID().uuidString.prefix(6)).lowercased()
        let scenario = try Self.scenario(name, suffix: suffix)
        let marketing = try await APITest.key(.marketing)
        let channel = try await APITest.key(.channel)
        let store = "s-online-\(suffix)"
        try await APITest.withApp { client in
            guard case .array(let catalog)? = scenario["catalog"] else { throw CancellationError() }
            for product in catalog {
                let sku = try #require(product["sku"]?.stringValue)
                var body = product.objectValue ?? [:]
                body.removeValue(forKey: "sku")
                body["spec"] = ""
                body["origin"] = "四川"
                body["shelfLifeDays"] = 365
                if body["tags"] == nil { body["tags"] = [] }
                let put = try await client.send(
                    .put, "/v1/products/\(sku)", key: marketing, body: JSONValue.object(body).canonicalString)
                #expect(put.status == .created, "\(sku): \(put.text)")
                _ = try await client.send(
                    .post, "/v1/stock/\(sku)/\(store)/receipts", key: marketing, body: #"{"quantity":100}"#)
            }
            _ = try await client.send(
                .put, "/v1/stores/\(store)", key: marketing,
                body: #"{"name":"官方商城","region":"national","channel":"online"}"#)
            if case .array(let campaigns)? = scenario["campaigns"] {
                for campaign in campaigns {
                    let id = try #require(campaign["campaignId"]?.stringValue)
                    let created = try await client.send(
                        .post, "/v1/campaigns", key: marketing, body: campaign.canonicalString)
                    #expect(created.status == .created, "\(id): \(created.text)")
                    _ = try await client.send(.post, "/v1/campaigns/\(id)/activate", key: marketing)
                }
            }
            var codes: [String: String] = [:]
            if case .array(let templates)? = scenario["couponTemplates"] {
                for template in templates {
                    let defined = try await client.send(
                        .post, "/v1/coupon-templates", key: marketing, body: template.canonicalString)
                    #expect(defined.status == .created, "\(defined.text)")
                }
            }
            if case .array(let coupons)? = scenario["coupons"] {
                for coupon in coupons {
                    let template = try #require(coupon["templateId"]?.stringValue)
                    let customer = try #require(coupon["customerId"]?.stringValue)
                    let issued = try await client.send(
                        .post, "/v1/coupon-templates/\(template)/issue", key: marketing,
                        body: #"{"customerIds":["\#(customer)"]}"#)
                    codes[try #require(coupon["code"]?.stringValue)] =
                        issued.json["coupons"]?[index: 0]?["code"]?.stringValue
                }
            }
            guard case .object(var cart)? = scenario["cart"] else { throw CancellationError() }
            if case .array(let named)? = cart["couponCodes"] {
                cart["couponCodes"] = .array(
                    named.compactMap { $0.stringValue.flatMap { codes[$0] }.map { .string($0) } })
            }
            cart["storeId"] = .string(store)
            let quote = try await client.send(
                .post, "/v1/quotes", key: channel, body: JSONValue.object(cart).canonicalString)
            #expect(quote.json["subtotalFen"] == .int(Int64(subtotal)), "\(name): \(quote.text)")
            #expect(
                quote.json["totalFen"] == .int(Int64(total)),
                "\(name): \(quote.json["applied"].map { $0.canonicalString } ?? "")")
            var order = cart
            order["orderId"] = .string("o-\(suffix)")
            order["paymentMethod"] = "wechat_pay"
            order["expectedTotalFen"] = .int(Int64(total))
            let placed = try await client.send(
                .post, "/v1/orders", key: channel, body: JSONValue.object(order).canonicalString)
            #expect(placed.status == .created, "\(name): \(placed.text.prefix(600))")
            #expect(placed.json["totalFen"] == .int(Int64(total)))
        }
    }
}
