/// An order was placed (`order-{orderId}`): the cart as priced when it was placed, with the full per-line
/// breakdown (`quote`: lines, adjustments, gifts, applied and rejected promotions, budget charges), where its
/// stock is reserved, and how it will be paid.
public struct OrderPlaced: DomainEvent {
    public static let eventType = "OrderPlaced"

    public var orderId: String
    public var customerId: String
    public var channel: String
    public var storeId: String
    /// Where the order's units (gifts too) are reserved.
    public var fulfilmentLocation: String
    public var paymentMethod: String
    public var subtotalFen: Int64
    public var discountFen: Int64
    public var totalFen: Int64
    /// The quote the order was placed at, as `POST /v1/quotes` answers it.
    public var quote: JSONValue

    public init(
        orderId: String, customerId: String, channel: String, storeId: String, fulfilmentLocation: String,
        paymentMethod: String, subtotalFen: Int64, discountFen: Int64, totalFen: Int64, quote: JSONValue
    ) {
        self.orderId = orderId
        self.customerId = customerId
        self.channel = channel
        self.storeId = storeId
        self.fulfilmentLocation = fulfilmentLocation
        self.paymentMethod = paymentMethod
        self.subtotalFen = subtotalFen
        self.discountFen = discountFen
        self.totalFen = totalFen
        self.quote = quote
    }

    public static let sample = OrderPlaced(
        orderId: "o-20261111-0001", customerId: "u-1001", channel: "online", storeId: "s-online",
        fulfilmentLocation: "wh-chengdu", paymentMethod: "wechat_pay", subtotalFen: 13770, discountFen: 2000,
        totalFen: 11770,
        quote: [
            "lines": [["sku": "MD-002", "quantity": 3, "unitPriceFen": 4590, "listFen": 13770, "netFen": 11770]],
            "subtotalFen": 13770, "discountFen": 2000, "totalFen": 11770,
        ])
}

/// An order's stream folded.
public struct OrderState: EventSourced, Equatable {
    public private(set) var placed: OrderPlaced?
    /// `placed` once placed (payments, shipping and refunds come later).
    public private(set) var status: String?

    public init() {}

    public mutating func evolve(type: String, payload: JSONValue) throws {
        if type == OrderPlaced.eventType {
            placed = try payload.decode(as: OrderPlaced.self)
            status = "placed"
        }
    }
}
