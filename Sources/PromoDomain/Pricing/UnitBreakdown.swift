/// How a line's adjustments fall on its individual units, replayed in application order.
///
/// Range adjustments are split evenly over their units, proportional ones by largest
/// remainder over the units' nets at that point, exactly as lines received them. Any subset
/// of units therefore has an exact refund amount and budget consumption, and all units
/// together reproduce the line.
struct UnitBreakdown {
    /// Net paid per unit.
    var unitNets: [Fen]
    /// `shares[adjustment][unit]`: positive amount of that adjustment carried by the unit.
    var shares: [[Fen]]

    init(quantity: Int, unitPrice: Fen, adjustments: [Adjustment]) {
        var shares: [[Fen]] = []
        shares.reserveCapacity(adjustments.count)
        self.unitNets = Self.replay(quantity: quantity, unitPrice: unitPrice, adjustments: adjustments) {
            shares.append($0)
        }
        self.shares = shares
    }

    /// The units' nets alone, without keeping each adjustment's shares (what pricing needs mid-quote).
    static func nets(quantity: Int, unitPrice: Fen, adjustments: [Adjustment]) -> [Fen] {
        replay(quantity: quantity, unitPrice: unitPrice, adjustments: adjustments, row: nil)
    }

    /// Replays the adjustments in order on the units' nets; `row` receives each adjustment's share per unit.
    private static func replay(
        quantity: Int, unitPrice: Fen, adjustments: [Adjustment], row keep: ((_ row: [Fen]) -> Void)?
    ) -> [Fen] {
        var nets = [Fen](repeating: unitPrice, count: quantity)
        guard !adjustments.isEmpty else { return nets }
        var row = [Fen](repeating: 0, count: quantity)
        for adjustment in adjustments {
            let amount = -adjustment.amountFen
            for unit in 0..<quantity { row[unit] = 0 }
            switch adjustment.spread {
            case .range(let start, let count):
                for offset in 0..<count {
                    row[start + offset] = LargestRemainder.evenShare(amount, count: count, index: offset)
                }
            case .proportional:
                LargestRemainder.split(amount, weights: nets, into: &row)
            case .proportionalFirst(let count):
                let split = LargestRemainder.split(amount, weights: Array(nets[0..<count]))
                for unit in 0..<count { row[unit] = split[unit] }
            }
            for unit in 0..<quantity { nets[unit] -= row[unit] }
            keep?(row)
        }
        return nets
    }

    /// Splits a line-level quantity (e.g. points earned) over the units by their nets.
    func spread(_ amount: Int) -> [Int] {
        LargestRemainder.split(amount, weights: unitNets)
    }
}

extension UnitBreakdown {
    init(line: QuoteLine) {
        self.init(quantity: line.quantity, unitPrice: line.unitPriceFen, adjustments: line.adjustments)
    }
}
