/// What the read models take from an `OrderPlaced` payload: who, where, when, the totals, the coupons, and the
/// purchased lines of its quote (the rest of the quote, and its record, are left undecoded).
///
/// `quote` and `coupons` are always written by the command side; a hand-made payload without them has no lines
/// and no coupon.
struct PlacedOrder: Decodable {
    struct Quote: Decodable {
        var lines: [Line]
    }

    struct Line: Decodable {
        var sku: String
        var quantity: Int
        var listFen: Int64
        var netFen: Int64
    }

    var orderId: String
    var customerId: String
    var channel: String
    var storeId: String
    var day: String
    var totalFen: Int64
    var coupons: [String]?
    var quote: Quote?

    var lines: [Line] { quote?.lines ?? [] }
}
