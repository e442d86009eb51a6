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

    init(quantity: Int, unitPrice: Fen, adjustments: some Sequence<Adjustment>) {
        var shares: [[Fen]] = []
        shares.reserveCapacity(adjustments.underestimatedCount)
        self.unitNets = Self.withNets(quantity: quantity, unitPrice: unitPrice, adjustments: adjustments) {
            shares.append(Array($0))
        } body: {
            Array($0)
        }
        self.shares = shares
    }

    /// Replays the adjustments in order on the units' nets and hands `body` the result; `row` receives each
    /// adjustment's share per unit. Works in scratch space: nothing is allocated on the heap for a line of up
    /// to a few hundred units.
    static func withNets<Result>(
        quantity: Int, unitPrice: Fen, adjustments: some Sequence<Adjustment>,
        row keep: ((_ row: UnsafeBufferPointer<Fen>) -> Void)?,
        body: (_ nets: UnsafeBufferPointer<Fen>) -> Result
    ) -> Result {
        withUnsafeTemporaryAllocation(of: Fen.self, capacity: max(3 * quantity, 1)) { scratch in
            let base = scratch.baseAddress!
            let nets = UnsafeMutableBufferPointer(start: base, count: quantity)
            let row = UnsafeMutableBufferPointer(start: base + quantity, count: quantity)
            let remainders = UnsafeMutableBufferPointer(start: base + 2 * quantity, count: quantity)
            nets.initialize(repeating: unitPrice)
            for adjustment in adjustments {
                let amount = -adjustment.amountFen
                row.update(repeating: 0)
                switch adjustment.spread {
                case .range(let start, let count):
                    for offset in 0..<count {
                        row[start + offset] = LargestRemainder.evenShare(amount, count: count, index: offset)
                    }
                case .proportional:
                    LargestRemainder.split(
                        amount, weights: UnsafeBufferPointer(nets), into: row, remainders: remainders)
                case .proportionalFirst(let count):
                    LargestRemainder.split(
                        amount, weights: UnsafeBufferPointer(rebasing: nets[0..<count]),
                        into: UnsafeMutableBufferPointer(rebasing: row[0..<count]),
                        remainders: UnsafeMutableBufferPointer(rebasing: remainders[0..<count]))
                }
                for unit in 0..<quantity { nets[unit] -= row[unit] }
                keep?(UnsafeBufferPointer(row))
            }
            return body(UnsafeBufferPointer(nets))
        }
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
