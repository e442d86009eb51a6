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
        var nets = [Fen](repeating: unitPrice, count: quantity)
        var shares: [[Fen]] = []
        shares.reserveCapacity(adjustments.count)
        var parts = [Fen](repeating: 0, count: quantity)
        for adjustment in adjustments {
            let amount = -adjustment.amountFen
            var row = [Fen](repeating: 0, count: quantity)
            switch adjustment.spread {
            case .range(let start, let count):
                for offset in 0..<count {
                    row[start + offset] = LargestRemainder.evenShare(amount, count: count, index: offset)
                }
            case .proportional:
                LargestRemainder.split(amount, weights: nets, into: &parts)
                row = parts
            case .proportionalFirst(let count):
                let split = LargestRemainder.split(amount, weights: Array(nets[0..<count]))
                for unit in 0..<count { row[unit] = split[unit] }
            }
            for unit in 0..<quantity { nets[unit] -= row[unit] }
            shares.append(row)
        }
        self.unitNets = nets
        self.shares = shares
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
