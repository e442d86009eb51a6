import EventStore
import Foundation
import Hummingbird
import PostgresNIO
import ProjectionRuntime
import PromoDomain
import PromoProjections

/// Customer profiles from the customer-profiles read model: `GET /v1/customers/{customerId}/profile` (the
/// purchase summary, tier, points, coupons held, behavioural tags with the figures behind them, and name, phone
/// and address opened with the customer's key as the profile is read) and `GET /v1/customers?tag=&consent=`
/// (push targeting: who has a tag and agreed to be contacted on a channel; ids only, no personal data).
struct ProfileRoutes: Sendable {
    let catalog: ProjectionCatalog
    let keys: CustomerKeyStore
    var store: PostgresEventStore { catalog.store }

    func register(on table: RouteTable) {
        table.add(.get, "/customers/{customerId}/profile", roles: [.channel, .marketing]) { request, context in
            try await profile(request, context)
        }
        table.add(.get, "/customers", roles: [.marketing]) { request, _ in
            try await audience(request)
        }
    }

    static func json(_ tags: CustomerTags) -> [String: JSONValue] {
        [
            "tags": .array(tags.tags.map { ["tag": .string($0.rawValue), "label": .string($0.label)] }),
            "tagFacts": [
                "orders": .int(tags.orders), "couponOrders": .int(tags.couponOrders),
                "lastOrderDay": tags.lastOrderDay.map(JSONValue.string) ?? .null,
                "hasPaidOrder": .bool(tags.hasPaidOrder), "unitsLast90Days": .int(tags.recentUnits),
                "spicyUnitsLast90Days": .int(tags.recentSpicyUnits),
                "hotpotOrdersLast30Days": .int(tags.recentHotpotOrders),
            ],
        ]
    }

    private func profile(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let customerId = try request.identifier("customerId", context: context)
        let query = try QueryReader(request, allowed: ["date", "minPosition"])
        let position = try await catalog.position(of: CustomerProfiles.name, honouring: query)
        let day = try query.day()
        typealias Row = (
            Bool, String?, String?, String?, String?, String?, [String], Bool, Bool, Bool, [String], Int64
        )
        let rows: [Row] = try await store.client.leasedQuery(
            """
            SELECT has_profile, region, tier, name_sealed, phone_sealed, address_sealed, taste_preferences,
                   consent_sms, consent_wechat, consent_app, marketing_tags, points_balance
            FROM rm.profiles WHERE customer_id = \(customerId)
            """, logger: store.logger
        ) { rows in
            var result: [Row] = []
            for try await row in rows.decode(Row.self) { result.append(row) }
            return result
        }
        guard let row = rows.first else {
            throw APIError(
                .notFound, code: "not_found", message: "no customer \(customerId) in the profiles read model",
                details: ["customerId": .string(customerId)])
        }
        var body: [String: JSONValue] = [
            "customerId": .string(customerId), "hasProfile": .bool(row.0),
            "region": row.1.map(JSONValue.string) ?? .null, "tier": .string(row.2 ?? "regular"),
            "tastePreferences": .array(row.6.map(JSONValue.string)),
            "consents": ["sms": .bool(row.7), "wechat": .bool(row.8), "app": .bool(row.9)],
            "marketingTags": .array(row.10.map(JSONValue.string)), "points": ["balance": .int(row.11)],
            "date": .string(day), "position": .int(position),
        ]
        body.merge(try await personalData(customerId, sealed: (row.3, row.4, row.5))) { $1 }
        if let tags = try await CustomerTags.on(
            day, .customer(customerId), client: store.client, logger: store.logger
        ).first {
            body.merge(Self.json(tags)) { $1 }
        }
        body["summary"] = try await summary(customerId)
        body["coupons"] = try await coupons(customerId)
        return JSONResponse.make(body: .object(body))
    }

    /// Name, phone and address opened with the customer's key; null, with `personalDataErased`, once the key
    /// is gone (or for a customer who never set a profile).
    private func personalData(_ customerId: String, sealed: (String?, String?, String?)) async throws
        -> [String: JSONValue]
    {
        guard let name = sealed.0, let phone = sealed.1, let address = sealed.2 else {
            return ["name": .null, "phone": .null, "address": .null, "personalDataErased": false]
        }
        guard let key = try await keys.key(for: customerId, create: false) else {
            return ["name": .null, "phone": .null, "address": .null, "personalDataErased": true]
        }
        let cipher = AESGCMCipher(customerId: customerId, key: key)
        do {
            return [
                "name": .string(try cipher.open(name, field: "name")),
                "phone": .string(try cipher.open(phone, field: "phone")),
                "address": .string(try cipher.open(address, field: "address")), "personalDataErased": false,
            ]
        } catch {
            // A key that no longer opens them (replaced after an erasure) erased them as surely.
            return ["name": .null, "phone": .null, "address": .null, "personalDataErased": true]
        }
    }

    /// Orders that stand, what was spent (paid less refunded), the last order, and the three categories most
    /// bought (units, returns taken off).
    private func summary(_ customerId: String) async throws -> JSONValue {
        let totals =
            try await store.client.leasedQuery(
                """
                SELECT count(*) FILTER (WHERE NOT cancelled), count(*) FILTER (WHERE cancelled),
                       coalesce(sum(paid_fen - refunded_fen) FILTER (WHERE NOT cancelled), 0)::bigint,
                       coalesce(sum(refunded_fen), 0)::bigint, max(placed_at) FILTER (WHERE NOT cancelled)
                FROM rm.profile_orders WHERE customer_id = \(customerId)
                """, logger: store.logger
            ) { rows in
                var result: [(Int64, Int64, Int64, Int64, Date?)] = []
                for try await row in rows.decode((Int64, Int64, Int64, Int64, Date?).self) { result.append(row) }
                return result
            }.first ?? (Int64(0), Int64(0), Int64(0), Int64(0), Date?.none)
        let favourites = try await store.client.leasedQuery(
            """
            SELECT coalesce(p.category, 'unknown'), sum(l.quantity - l.returned)::bigint AS units
            FROM rm.profile_orders o JOIN rm.profile_order_lines l USING (order_id)
            LEFT JOIN rm.profile_products p USING (sku)
            WHERE o.customer_id = \(customerId) AND NOT o.cancelled
            GROUP BY 1 HAVING sum(l.quantity - l.returned) > 0 ORDER BY units DESC, 1 LIMIT 3
            """, logger: store.logger
        ) { rows in
            var result: [JSONValue] = []
            for try await (category, units) in rows.decode((String, Int64).self) {
                result.append(["category": .string(category), "units": .int(units)])
            }
            return result
        }
        return [
            "orders": .int(totals.0), "cancelledOrders": .int(totals.1), "spendFen": .int(totals.2),
            "refundedFen": .int(totals.3), "lastOrderAt": totals.4.map { .string($0.formatted(.iso8601)) } ?? .null,
            "favouriteCategories": .array(favourites),
        ]
    }

    /// Coupons held (issued, not redeemed, not expired), with how many were redeemed and expired.
    private func coupons(_ customerId: String) async throws -> JSONValue {
        try await store.client.leasedQuery(
            """
            SELECT count(*) FILTER (WHERE state = 'redeemed'), count(*) FILTER (WHERE state = 'expired'),
                   coalesce(array_agg(code ORDER BY code) FILTER (WHERE state = 'held'), '{}'),
                   coalesce(array_agg(template_id ORDER BY code) FILTER (WHERE state = 'held'), '{}')
            FROM rm.profile_coupons WHERE customer_id = \(customerId)
            """, logger: store.logger
        ) { rows in
            var result: JSONValue = ["held": [], "redeemed": 0, "expired": 0]
            for try await (redeemed, expired, codes, templates) in rows.decode((Int64, Int64, [String], [String]).self)
            {
                result = [
                    "held": .array(
                        zip(codes, templates).map { ["code": .string($0), "templateId": .string($1)] }),
                    "redeemed": .int(redeemed), "expired": .int(expired),
                ]
            }
            return result
        }
    }

    /// `GET /v1/customers?tag=&consent=sms|wechat|app&date=&limit=`: the customers with a behavioural tag (and
    /// the consent asked) on a day, for push targeting: ids and tags, never personal data.
    private func audience(_ request: Request) async throws -> Response {
        let query = try QueryReader(request, allowed: ["tag", "consent", "date", "limit", "format", "minPosition"])
        let csv = try query.wantsCSV()
        let position = try await catalog.position(of: CustomerProfiles.name, honouring: query)
        let day = try query.day()
        let tag = try query.choice("tag", of: BehaviouralTag.self)
        let consent = query["consent"]
        if let consent, !["sms", "wechat", "app"].contains(consent) {
            throw APIError.invalidField("consent", "must be sms, wechat or app")
        }
        let limit = try query.integer("limit", default: 1_000, in: 1...10_000)
        let customers = try await CustomerTags.on(
            day, .all(tag: tag, consent: consent, limit: limit), client: store.client, logger: store.logger)
        if csv {
            var table = CSVTable(columns: ["date", "customer_id", "tags", "orders", "last_order_day"])
            for customer in customers {
                table.append([
                    .text(day), .text(customer.customerId),
                    .text(customer.tags.map(\.rawValue).joined(separator: " ")), .int(customer.orders),
                    .text(customer.lastOrderDay ?? ""),
                ])
            }
            return table.response(filename: "customers-\(tag?.rawValue ?? "all")-\(day)")
        }
        return JSONResponse.make(
            body: [
                "date": .string(day), "tag": tag.map { .string($0.rawValue) } ?? .null,
                "consent": consent.map(JSONValue.string) ?? .null,
                "customers": .array(
                    customers.map { customer in
                        var json = Self.json(customer)
                        json["customerId"] = .string(customer.customerId)
                        return .object(json)
                    }),
                "position": .int(position),
            ])
    }
}
