import Foundation
import PromoDomain

/// Scenario documents built as JSON objects, so format tests can add, drop or misspell keys.
enum ScenarioJSON {
    typealias Object = [String: Any]

    static var window: Object { ["start": "2026-11-01T00:00:00+08:00", "end": "2026-11-12T00:00:00+08:00"] }

    static var catalog: [Object] {
        TestSupport.catalog.map {
            ["sku": $0.sku, "name": $0.name, "priceFen": $0.priceFen, "costFen": $0.costFen, "category": $0.category]
        }
    }

    /// A campaign body with only the required keys plus `extra`.
    static func campaign(_ id: String, kind: String, rules: Object, extra: Object = [:]) -> Object {
        var body: Object = ["campaignId": id, "name": id, "kind": kind, "window": window, "rules": rules]
        body.merge(extra) { $1 }
        return body
    }

    /// 满100减20 / 满200减50 on everything.
    static var reductionRules: Object {
        ["tiers": [["thresholdFen": 10_000, "reductionFen": 2_000], ["thresholdFen": 20_000, "reductionFen": 5_000]]]
    }

    /// A JSON object written as text (test arguments must be `Sendable`; `[String: Any]` is not).
    static func object(_ json: String) -> Object {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? Object ?? [:]
    }

    static func template(_ id: String, discount: Object, extra: Object = [:]) -> Object {
        var body: Object = [
            "templateId": id, "name": id, "discount": discount, "validFrom": "2026-11-01T00:00:00+08:00",
            "validUntil": "2026-11-30T00:00:00+08:00",
        ]
        body.merge(extra) { $1 }
        return body
    }

    static func coupon(_ code: String, template: String, owner: String = "u-1") -> Object {
        ["code": code, "templateId": template, "customerId": owner]
    }

    static func document(
        campaigns: [Object] = [],
        templates: [Object] = [],
        coupons: [Object] = [],
        lines: [(String, Int)] = [("MD-002", 2)],
        codes: [String] = [],
        channel: String = "online",
        storeId: String = "s-online",
        catalog: [Object] = catalog
    ) -> Object {
        [
            "now": "2026-11-11T10:00:00+08:00",
            "catalog": catalog,
            "campaigns": campaigns,
            "couponTemplates": templates,
            "coupons": coupons,
            "customer": ["customerId": "u-1", "tier": "gold", "pointsBalance": 500],
            "cart": [
                "customerId": "u-1", "channel": channel, "storeId": storeId,
                "lines": lines.map { ["sku": $0.0, "quantity": $0.1] }, "couponCodes": codes,
            ] as Object,
        ]
    }

    static func data(_ document: Object) throws -> Data {
        try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
    }

    /// Decodes and prices the document.
    static func quote(_ document: Object) throws -> Quote {
        try Scenario.decode(from: data(document)).quote()
    }

    /// The error decoding or pricing the document gives, `nil` when it prices.
    static func error(_ document: Object) throws -> PricingInputError? {
        let data = try data(document)
        do {
            _ = try Scenario.decode(from: data).quote()
            return nil
        } catch {
            return error
        }
    }
}
