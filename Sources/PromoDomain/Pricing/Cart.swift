/// The body of `POST /v1/quotes`: what the shopper wants to buy and how they want to pay.
public struct Cart: Sendable, Hashable {
    /// One requested SKU and quantity; duplicates of a SKU are added together.
    public struct Line: Sendable, Hashable {
        public var sku: String
        public var quantity: Int
        public init(sku: String, quantity: Int) {
            self.sku = sku
            self.quantity = quantity
        }
    }

    public var customerId: String
    public var channel: String
    public var storeId: String
    /// Region of the store or delivery address; falls back to the customer's region.
    public var region: String?
    public var lines: [Line]
    public var couponCodes: [String]
    public var pointsToRedeem: Int
    /// The delivery fee the channel charges for this cart (cold-chain delivery), before any waiver.
    public var shippingFeeFen: Fen

    public init(
        customerId: String,
        channel: String,
        storeId: String,
        region: String? = nil,
        lines: [Line],
        couponCodes: [String] = [],
        pointsToRedeem: Int = 0,
        shippingFeeFen: Fen = 0
    ) {
        self.shippingFeeFen = shippingFeeFen
        self.customerId = customerId
        self.channel = channel
        self.storeId = storeId
        self.region = region
        self.lines = lines
        self.couponCodes = couponCodes
        self.pointsToRedeem = pointsToRedeem
    }
}
