import Foundation
import PromoDomain
import Testing

@Suite("Refunding an order: decide")
struct OrderRefundTests {
    /// The order of ``OrderPlacementTests``: 2 × HP-001 and 1 × MD-002 under 满100减20, 10 570 fen, paid.
    static func paidOrder() throws -> (OrderState, Quote, StockState) {
        let quote = try TestSupport.quote([OrderPlacementTests.reduction], [("HP-001", 2), ("MD-002", 1)])
        let placement = try OrderPlacement.decide(
            OrderPlacementTests.order, quote: quote,
            stock: ["HP-001": try OrderPlacementTests.stock(5), "MD-002": try OrderPlacementTests.stock(1)],
            campaigns: [
                (
                    "c-reduce",
                    .init(
                        state: try OrderPlacementTests.campaignState(consumed: 0),
                        definition: OrderPlacementTests.reduction)
                )
            ],
            points: PointsAccount(), customer: CustomerRecord())
        var state = OrderState()
        try apply(
            [placement.order, OrderPaid(orderId: "o-1", amountFen: 10_570, method: "wechat", reference: "w-1")],
            to: &state)
        // HP-001 at the warehouse after the order: 5 on hand, 2 reserved.
        var stock = try OrderPlacementTests.stock(5)
        for event in placement.stock[0].events {
            try stock.evolve(type: type(of: event).eventType, payload: JSONValue(encoding: event))
        }
        return (state, try Quote(record: placement.order.record), stock)
    }

    /// A SKU's stock with `onHand` units, `reserved` of them for the order.
    static func reserved(_ reserved: Int64, of onHand: Int64) throws -> StockState {
        var stock = try OrderPlacementTests.stock(onHand)
        for event in try stock.decide(.reserve(quantity: reserved, orderId: "o-1"), sku: "x", location: "wh-cd") {
            try stock.evolve(type: type(of: event).eventType, payload: JSONValue(encoding: event))
        }
        return stock
    }

    static func apply(_ events: [any DomainEvent], to state: inout OrderState) throws {
        for event in events { try state.evolve(type: type(of: event).eventType, payload: JSONValue(encoding: event)) }
    }

    static func refund(
        _ state: OrderState, _ quote: Quote, id: String, lines: [String: Int], restock: [String: Bool] = [:],
        stock: [String: StockState]
    ) throws -> OrderRefund {
        try state.decideRefund(
            refundId: id, units: ReturnedUnits(lines: lines), restock: restock, restockGifts: [:], quote: quote,
            stock: stock, points: PointsAccount(), now: TestSupport.now)
    }

    @Test(
        "One unit back before shipping: its net share, its budget share, its reservation; the rest adds up to the total"
    )
    func partThenRest() throws {
        var (state, quote, hp) = try Self.paidOrder()
        // The 2 000 reduction splits over the lines by net, largest remainder: 1 270 on HP-001's 7 980, 730 on
        // MD-002's 4 590. One HP-001 unit paid (7 980 − 1 270) / 2 = 3 355 and used 635 of the budget.
        let first = try Self.refund(state, quote, id: "r-1", lines: ["HP-001": 1], stock: ["HP-001": hp])
        #expect(first.refunded.refundFen == 3_355)
        #expect(
            first.refunded.lines == [OrderRefunded.Line(sku: "HP-001", quantity: 1, refundFen: 3_355, restock: false)])
        #expect(first.campaigns.map(\.campaignId) == ["c-reduce"])
        #expect((first.campaigns.first?.events.first as? CampaignBudgetRefunded)?.discountFen == 635)
        #expect(
            first.stock.map { $0.events as? [StockReleased] } == [
                [StockReleased(sku: "HP-001", location: "wh-cd", quantity: 1, orderId: "o-1")]
            ])
        try Self.apply([first.refunded], to: &state)
        for event in first.stock[0].events {
            try hp.evolve(type: type(of: event).eventType, payload: JSONValue(encoding: event))
        }

        // The rest: what is left of the 10 570, to the fen, and the rest of the 2 000.
        let rest = try Self.refund(
            state, quote, id: "r-2", lines: ["HP-001": 1, "MD-002": 1],
            stock: ["HP-001": hp, "MD-002": try Self.reserved(1, of: 1)])
        #expect(rest.refunded.refundFen == 10_570 - 3_355)
        let released = try #require(rest.campaigns.first?.events.first as? CampaignBudgetRefunded)
        #expect(released.discountFen == 1_365)  // 2 000 − 635
        try Self.apply([rest.refunded], to: &state)
        // Nothing left to return.
        do {
            _ = try Self.refund(state, quote, id: "r-3", lines: ["HP-001": 1], stock: ["HP-001": hp])
            Issue.record("a third HP-001 unit was refunded")
        } catch OrderRefundError.tooManyUnits(let field, _) {
            #expect(field == "lines.HP-001")
        }
    }

    @Test("Shipped: a returned unit goes back on hand only when restocked, else it is written off")
    func shipped() throws {
        var (state, quote, hp) = try Self.paidOrder()
        try Self.apply([OrderShipped(orderId: "o-1", location: "wh-cd")], to: &state)
        for event in try hp.decide(.issueReserved(quantity: 2, orderId: "o-1"), sku: "HP-001", location: "wh-cd") {
            try hp.evolve(type: type(of: event).eventType, payload: JSONValue(encoding: event))
        }
        let writtenOff = try Self.refund(state, quote, id: "r-1", lines: ["HP-001": 1], stock: ["HP-001": hp])
        #expect(writtenOff.stock.isEmpty)
        #expect(writtenOff.refunded.refundFen == 3_355)
        let restocked = try Self.refund(
            state, quote, id: "r-1", lines: ["HP-001": 1], restock: ["HP-001": true], stock: ["HP-001": hp])
        #expect(
            restocked.stock.map { $0.events as? [StockReturned] } == [
                [StockReturned(sku: "HP-001", location: "wh-cd", quantity: 1, orderId: "o-1")]
            ])
    }

    @Test("Refused: before payment, a refund id used twice, a SKU whose stock was not loaded")
    func refused() throws {
        let (paid, quote, hp) = try Self.paidOrder()
        var unpaid = OrderState()
        try Self.apply([try #require(paid.placed)], to: &unpaid)
        #expect(throws: OrderRefundError.order(.notPaid)) {
            try Self.refund(unpaid, quote, id: "r-1", lines: ["HP-001": 1], stock: ["HP-001": hp])
        }
        var refunded = paid
        try Self.apply(
            [try Self.refund(paid, quote, id: "r-1", lines: ["HP-001": 1], stock: ["HP-001": hp]).refunded],
            to: &refunded)
        #expect(throws: OrderRefundError.order(.refundExists(refundId: "r-1"))) {
            try Self.refund(refunded, quote, id: "r-1", lines: ["MD-002": 1], stock: ["MD-002": hp])
        }
        #expect(throws: OrderRefundError.stockNotLoaded(sku: "MD-002")) {
            try Self.refund(paid, quote, id: "r-2", lines: ["MD-002": 1], stock: [:])
        }
    }
}
