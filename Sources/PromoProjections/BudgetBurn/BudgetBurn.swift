import EventStore
import Foundation
import Logging
import PostgresNIO
import ProjectionRuntime
import PromoDomain

/// Budget burn per campaign and sub-budget (`budget_burn`), and the alert thresholds crossed
/// (`budget_thresholds_crossed`). A batch's changes are summed per campaign and sub-budget, then written with one
/// insert of the missing rows and one update.
public struct BudgetBurn: ProjectionHandler {
    public static let name = "budget_burn"
    /// The sub-budgets, as `CampaignBudgetThresholdCrossed.budget` names them; `totalFen` is the sum of the others.
    public static let budgets = ["totalFen", "discountFen", "giftCostFen", "couponSubsidyFen", "pointsCostFen"]

    public init() {}

    struct Change {
        /// Set when the batch carries a definition: the limit it gives (nil: unlimited).
        var limit: Int64??
        var consumed: Int64 = 0
        var released: Int64 = 0
        var lastPosition: Int64 = 0
        var at = Date(timeIntervalSince1970: 0)
    }

    /// The four amounts an order's use or give-back carries, and their sum as `totalFen`.
    static func amounts(discount: Int64, giftCost: Int64, couponSubsidy: Int64, pointsCost: Int64) -> [String: Int64] {
        [
            "totalFen": discount + giftCost + couponSubsidy + pointsCost, "discountFen": discount,
            "giftCostFen": giftCost, "couponSubsidyFen": couponSubsidy, "pointsCostFen": pointsCost,
        ]
    }

    public func apply(_ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger) async throws {
        var changes: [String: [String: Change]] = [:]
        var crossed: [(CampaignBudgetThresholdCrossed, RecordedEvent)] = []
        func update(_ campaign: String, _ event: RecordedEvent, _ body: (String, inout Change) -> Void) {
            var budgets = changes[campaign] ?? [:]
            for budget in Self.budgets {
                var change = budgets[budget] ?? Change()
                body(budget, &change)
                change.lastPosition = event.position
                change.at = event.recordedAt
                budgets[budget] = change
            }
            changes[campaign] = budgets
        }
        /// An order's use (consumed) or give-back (released), added to each sub-budget.
        func move<M: BudgetMovement>(_ type: M.Type, _ event: RecordedEvent, into field: WritableKeyPath<Change, Int64>)
            throws
        {
            let movement = try event.decode(as: M.self)
            let amounts = Self.amounts(
                discount: movement.discountFen, giftCost: movement.giftCostFen,
                couponSubsidy: movement.couponSubsidyFen, pointsCost: movement.pointsCostFen)
            update(movement.campaignId, event) { budget, change in change[keyPath: field] += amounts[budget] ?? 0 }
        }
        for event in events {
            switch event.type {
            case CampaignCreated.eventType, CampaignAdjusted.eventType:
                let campaignId = try event.decodePayload(as: DefinitionKey.self).campaignId
                let limits = try event.decodePayload(as: JSONValue.self)["definition"]?["budget"]
                update(campaignId, event) { budget, change in change.limit = .some(limits?[budget]?.intValue) }
            case CampaignBudgetConsumed.eventType:
                try move(CampaignBudgetConsumed.self, event, into: \.consumed)
            case CampaignBudgetReleased.eventType:
                try move(CampaignBudgetReleased.self, event, into: \.released)
            case CampaignBudgetRefunded.eventType:
                try move(CampaignBudgetRefunded.self, event, into: \.released)
            case CampaignBudgetThresholdCrossed.eventType:
                crossed.append((try event.decode(as: CampaignBudgetThresholdCrossed.self), event))
            default:
                continue
            }
        }
        if !changes.isEmpty { try await write(changes, on: connection, logger: logger) }
        if !crossed.isEmpty {
            try await connection.execute(
                """
                INSERT INTO budget_thresholds_crossed (campaign_id, budget, threshold_bp, order_id, consumed_fen,
                                                       limit_fen, crossed_at, position)
                SELECT * FROM unnest(\(crossed.map(\.0.campaignId)), \(crossed.map(\.0.budget)),
                                     \(crossed.map { Int32($0.0.thresholdBp) }), \(crossed.map(\.0.orderId)),
                                     \(crossed.map(\.0.consumedFen)), \(crossed.map(\.0.limitFen)),
                                     \(crossed.map(\.1.recordedAt)), \(crossed.map(\.1.position)))
                """, logger: logger)
        }
    }

    private func write(
        _ changes: [String: [String: Change]], on connection: PostgresConnection, logger: Logger
    ) async throws {
        var rows: [(campaign: String, budget: String, change: Change)] = []
        for (campaign, budgets) in changes.sorted(by: { $0.key < $1.key }) {
            for budget in Self.budgets { if let change = budgets[budget] { rows.append((campaign, budget, change)) } }
        }
        let campaigns = rows.map(\.campaign)
        let budgets = rows.map(\.budget)
        try await connection.execute(
            """
            INSERT INTO budget_burn (campaign_id, budget, consumed_fen, released_fen, last_position, updated_at)
            SELECT campaign_id, budget, 0, 0, 0, now() FROM unnest(\(campaigns), \(budgets)) AS c(campaign_id, budget)
            ON CONFLICT (campaign_id, budget) DO NOTHING
            """, logger: logger)
        try await connection.execute(
            """
            UPDATE budget_burn b
            SET limit_fen = CASE WHEN c.limit_set THEN nullif(c.limit_raw, -1) ELSE b.limit_fen END,
                consumed_fen = b.consumed_fen + c.consumed, released_fen = b.released_fen + c.released,
                last_position = c.last_position, updated_at = c.at
            FROM unnest(\(campaigns), \(budgets), \(rows.map { $0.change.limit != nil }),
                        \(rows.map { ($0.change.limit ?? nil) ?? -1 }), \(rows.map(\.change.consumed)),
                        \(rows.map(\.change.released)), \(rows.map(\.change.lastPosition)), \(rows.map(\.change.at)))
                 AS c(campaign_id, budget, limit_set, limit_raw, consumed, released, last_position, at)
            WHERE b.campaign_id = c.campaign_id AND b.budget = c.budget
            """, logger: logger)
    }

    /// The campaign id every definition event carries.
    struct DefinitionKey: Decodable {
        var campaignId: String
    }
}

/// An event that moves a campaign's sub-budgets: an order's use, or what a cancel or refund gives back.
protocol BudgetMovement: DomainEvent {
    var campaignId: String { get }
    var orderId: String { get }
    var discountFen: Int64 { get }
    var giftCostFen: Int64 { get }
    var couponSubsidyFen: Int64 { get }
    var pointsCostFen: Int64 { get }
}

extension CampaignBudgetConsumed: BudgetMovement {}
extension CampaignBudgetReleased: BudgetMovement {}
extension CampaignBudgetRefunded: BudgetMovement {}
