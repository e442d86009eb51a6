import EventStore
import Foundation
import Logging
import PostgresNIO
import PromoDomain

/// The behavioural tags (``BehaviouralTag``) of customers on a day, worked out from the customer-profiles read
/// model with the figures each rule reads, so a marketer can see why a customer has a tag or not.
public struct CustomerTags: Sendable, Equatable {
    public var customerId: String
    public var tags: [BehaviouralTag]
    /// Orders that stand, and how many used a coupon.
    public var orders: Int64
    public var couponOrders: Int64
    /// The day of the last order that stands (nil: none).
    public var lastOrderDay: String?
    public var hasPaidOrder: Bool
    /// Units bought in the spicy window, and how many of them carry the spicy tag.
    public var recentUnits: Int64
    public var recentSpicyUnits: Int64
    /// Orders with a hot-pot item in the hot-pot window.
    public var recentHotpotOrders: Int64

    /// Whom to select: one customer, or every customer (optionally only those with a tag, or who agreed to be
    /// contacted on a channel).
    public enum Selection: Sendable {
        case customer(String)
        case all(tag: BehaviouralTag?, consent: String?, limit: Int)
    }

    /// The tags on `day` (`YYYY-MM-DD`, Asia/Shanghai) of the customers `selection` names, by customer id.
    public static func on(
        _ day: String, _ selection: Selection, client: PostgresClient, logger: Logger
    ) async throws -> [CustomerTags] {
        let one: String?
        var tag: String? = nil
        var consent: String? = nil
        var limit = 1
        switch selection {
        case .customer(let id): one = id
        case .all(let wanted, let channel, let most):
            one = nil
            tag = wanted?.rawValue
            consent = channel
            limit = most
        }
        let spicyWindow = BehaviouralTag.spicyWindowDays
        let hotpotWindow = BehaviouralTag.hotpotWindowDays
        let query: PostgresQuery = """
            WITH customers AS (
                SELECT customer_id FROM rm.profiles
                WHERE (\(one)::text IS NULL OR customer_id = \(one)::text)
                  AND (\(consent)::text IS NULL
                       OR (\(consent)::text = 'sms' AND consent_sms) OR (\(consent)::text = 'wechat' AND consent_wechat)
                       OR (\(consent)::text = 'app' AND consent_app))),
            standing AS (
                SELECT o.order_id, o.customer_id, o.day, o.used_coupon, o.paid_fen > 0 AS paid
                FROM rm.profile_orders o JOIN customers USING (customer_id)
                WHERE NOT o.cancelled AND o.day <= \(day)::date),
            units AS (
                SELECT s.customer_id, s.order_id, s.day, l.quantity - l.returned AS units,
                       coalesce(\(BehaviouralTag.spicyProductTag) = ANY(p.tags), false) AS spicy,
                       coalesce(p.category = ANY(\(BehaviouralTag.hotpotCategories))
                                OR \(BehaviouralTag.hotpotProductTag) = ANY(p.tags), false) AS hotpot
                FROM standing s JOIN rm.profile_order_lines l USING (order_id)
                LEFT JOIN rm.profile_products p USING (sku)),
            by_orders AS (
                SELECT customer_id, count(*) AS orders, count(*) FILTER (WHERE used_coupon) AS coupon_orders,
                       max(day) AS last_day, bool_or(paid) AS paid
                FROM standing GROUP BY customer_id),
            recent AS (
                SELECT customer_id,
                       coalesce(sum(units) FILTER (WHERE day > \(day)::date - \(spicyWindow)::integer), 0) AS units,
                       coalesce(sum(units) FILTER (WHERE day > \(day)::date - \(spicyWindow)::integer AND spicy), 0) AS spicy,
                       count(DISTINCT order_id) FILTER (
                           WHERE day > \(day)::date - \(hotpotWindow)::integer AND hotpot AND units > 0) AS hotpot_orders
                FROM units GROUP BY customer_id),
            facts AS (
                SELECT c.customer_id, coalesce(b.orders, 0) AS orders, coalesce(b.coupon_orders, 0) AS coupon_orders,
                       b.last_day, coalesce(b.paid, false) AS paid, coalesce(r.units, 0)::bigint AS units,
                       coalesce(r.spicy, 0)::bigint AS spicy, coalesce(r.hotpot_orders, 0) AS hotpot_orders
                FROM customers c LEFT JOIN by_orders b USING (customer_id) LEFT JOIN recent r USING (customer_id)),
            tagged AS (
                SELECT f.*, array_remove(ARRAY[
                    CASE WHEN f.units > 0 AND f.spicy * 10000 >= f.units * \(BehaviouralTag.spicyShareBp)
                         THEN 'spicy_lover' END,
                    CASE WHEN f.hotpot_orders >= \(BehaviouralTag.hotpotMinOrders) THEN 'hotpot_regular' END,
                    CASE WHEN NOT f.paid THEN 'new_customer' END,
                    CASE WHEN f.last_day <= \(day)::date - \(BehaviouralTag.dormantDays)::integer THEN 'dormant' END,
                    CASE WHEN f.orders > 0 AND f.coupon_orders * 10000 >= f.orders * \(BehaviouralTag.couponShareBp)
                         THEN 'coupon_sensitive' END], NULL) AS tags
                FROM facts f)
            SELECT customer_id, tags, orders, coupon_orders, to_char(last_day, 'YYYY-MM-DD'), paid, units, spicy,
                   hotpot_orders
            FROM tagged WHERE \(tag)::text IS NULL OR \(tag)::text = ANY(tags)
            ORDER BY customer_id LIMIT \(limit)
            """
        return try await client.leasedQuery(query, logger: logger) { rows in
            var result: [CustomerTags] = []
            for try await (id, tags, orders, couponOrders, lastDay, paid, units, spicy, hotpot) in rows.decode(
                (String, [String], Int64, Int64, String?, Bool, Int64, Int64, Int64).self)
            {
                result.append(
                    CustomerTags(
                        customerId: id, tags: tags.compactMap(BehaviouralTag.init(rawValue:)), orders: orders,
                        couponOrders: couponOrders, lastOrderDay: lastDay, hasPaidOrder: paid, recentUnits: units,
                        recentSpicyUnits: spicy, recentHotpotOrders: hotpot))
            }
            return result
        }
    }

    /// The tags of one customer on `day`; none when the read model is not built yet (its views do not exist),
    /// so pricing with behavioural audiences degrades to "no behavioural tag" instead of failing.
    public static func of(_ customerId: String, on day: String, client: PostgresClient, logger: Logger) async throws
        -> [BehaviouralTag]
    {
        do {
            return try await on(day, .customer(customerId), client: client, logger: logger).first?.tags ?? []
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42P01" {
            return []
        }
    }
}
