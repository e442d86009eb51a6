import EventStore
import Foundation
import Logging
import PostgresNIO
import PromoDomain

/// A campaign's uplift: the daily units and net sales of its in-scope SKUs (its scope's SKUs and categories,
/// in its channels, stores and regions; orders that stand, refunds taken off) in the `daysBefore` days before its
/// window against the days of its window so far, and what each extra unit cost: the promotion cost booked to it
/// (discounts, coupon subsidies, gift costs, points, ads / print / push) over the extra units.
public struct UpliftReport: Sendable {
    public struct Period: Sendable, Equatable {
        public var from: String
        public var to: String
        public var days: Int
        public var units: Int64
        public var netFen: Int64

        public init(from: String, to: String, days: Int, units: Int64, netFen: Int64) {
            self.from = from
            self.to = to
            self.days = days
            self.units = units
            self.netFen = netFen
        }

        /// Units per day, to two places.
        public var unitsPerDay: Double { days > 0 ? (Double(units) / Double(days) * 100).rounded() / 100 : 0 }
        /// Net sales per day, half-even to the fen.
        public var netFenPerDay: Int64 { days > 0 ? Int64(HalfEven.divide(Int(netFen), by: days)) : 0 }
    }

    public var campaignId: String
    public var name: String
    public var windowStart: Date
    public var windowEnd: Date?
    public var before: Period
    public var during: Period
    /// Units sold during the window beyond the daily rate before it: during − before ÷ its days × the window's
    /// days so far, half-even to the unit.
    public var extraUnits: Int64
    public var extraNetFen: Int64
    public var promotionCostFen: Int64
    public var costByKind: [String: Int64]
    /// Promotion cost ÷ extra units, half-even to the fen; nil when nothing extra sold.
    public var costPerExtraUnitFen: Int64?
    /// Every day of both periods: the day, whether it is before or during, units, net.
    public var daily: [(day: String, period: String, units: Int64, netFen: Int64)]

    public enum Failure: Error, Equatable {
        case unknownCampaign
        case noWindow
    }

    /// `day` moved by `days` (days are ``BusinessDay`` text, always well formed here).
    static func shift(_ day: String, by days: Int) -> String {
        guard let number = BusinessDay.number(of: day) else { return day }
        return BusinessDay.string(fromNumber: number + Int64(days))
    }

    /// The days from `from` to `to`, both counted; 0 when `to` is before `from`.
    static func days(from: String, to: String) -> Int {
        guard let start = BusinessDay.number(of: from), let end = BusinessDay.number(of: to) else { return 0 }
        return Int(max(0, end - start + 1))
    }

    /// The uplift of `campaignId` on `today`.
    public static func run(
        campaignId: String, daysBefore: Int, today: String, client: PostgresClient, logger: Logger
    ) async throws -> UpliftReport {
        let campaigns = try await client.leasedQuery(
            "SELECT name, window_start, window_end FROM rm.uplift_campaigns WHERE campaign_id = \(campaignId)",
            logger: logger
        ) { rows in
            var result: [(String, Date?, Date?)] = []
            for try await row in rows.decode((String, Date?, Date?).self) { result.append(row) }
            return result
        }
        guard let (name, start, end) = campaigns.first else { throw Failure.unknownCampaign }
        guard let start else { throw Failure.noWindow }
        let startDay = BusinessDay.string(from: start)
        // A window ending at midnight ends with the day before.
        let endDay = end.map { BusinessDay.string(from: $0.addingTimeInterval(-1)) }
        let lastDay = min(endDay ?? today, today)
        let beforeFrom = shift(startDay, by: -daysBefore)
        let beforeTo = shift(startDay, by: -1)
        // From the daily sums of the sales read model: a row per day and dimension, however many orders.
        let query: PostgresQuery = """
            WITH c AS (SELECT * FROM rm.uplift_campaigns WHERE campaign_id = \(campaignId))
            SELECT to_char(d.day, 'YYYY-MM-DD'), sum(d.units - d.refunded_units)::bigint,
                   sum(d.net_fen - d.refunded_fen)::bigint
            FROM c, rm.sales_daily d
            WHERE d.day BETWEEN \(beforeFrom)::date AND \(lastDay)::date
              AND ((cardinality(c.skus) = 0 AND cardinality(c.categories) = 0)
                   OR d.sku = ANY(c.skus) OR d.category = ANY(c.categories))
              AND (cardinality(c.channels) = 0 OR d.channel = ANY(c.channels))
              AND (cardinality(c.stores) = 0 OR d.store_id = ANY(c.stores))
              AND (cardinality(c.regions) = 0 OR d.region = ANY(c.regions))
            GROUP BY d.day ORDER BY 1
            """
        let sold = try await client.leasedQuery(query, logger: logger) { rows in
            var result: [String: (Int64, Int64)] = [:]
            for try await (day, units, net) in rows.decode((String, Int64, Int64).self) { result[day] = (units, net) }
            return result
        }
        let costs = try await client.leasedQuery(
            """
            SELECT cost_kind, sum(debit_fen - credit_fen)::bigint FROM rm.journal_lines
            WHERE campaign_id = \(campaignId) AND cost_kind IS NOT NULL GROUP BY 1
            """, logger: logger
        ) { rows in
            var result: [String: Int64] = [:]
            for try await (kind, amount) in rows.decode((String, Int64).self) { result[kind] = amount }
            return result
        }
        var daily: [(day: String, period: String, units: Int64, netFen: Int64)] = []
        func period(_ from: String, _ to: String, _ label: String) -> Period {
            var result = Period(from: from, to: to, days: days(from: from, to: to), units: 0, netFen: 0)
            var day = from
            for _ in 0..<result.days {
                let (units, net) = sold[day] ?? (0, 0)
                result.units += units
                result.netFen += net
                daily.append((day, label, units, net))
                day = shift(day, by: 1)
            }
            return result
        }
        let before = period(beforeFrom, beforeTo, "before")
        let during = period(startDay, lastDay, "during")
        func extra(_ now: Int64, _ then: Int64) -> Int64 {
            guard before.days > 0 else { return now }
            return Int64(HalfEven.divide(Int(now) * before.days - Int(then) * during.days, by: before.days))
        }
        let extraUnits = extra(during.units, before.units)
        let cost = costs.values.reduce(0, +)
        return UpliftReport(
            campaignId: campaignId, name: name, windowStart: start, windowEnd: end, before: before, during: during,
            extraUnits: extraUnits, extraNetFen: extra(during.netFen, before.netFen), promotionCostFen: cost,
            costByKind: costs,
            costPerExtraUnitFen: extraUnits > 0 ? Int64(HalfEven.divide(Int(cost), by: Int(extraUnits))) : nil,
            daily: daily)
    }
}
