/// Every event type the domain defines, and the upcasters that bring old payloads to their current shape.
///
/// A type missing here has no schema check and cannot be decoded by projections: add each new type.
public enum DomainEvents {
    public static let all: [any DomainEvent.Type] = [
        ProductDefined.self,
        StoreDefined.self,
        StockReceived.self,
        StockAdjusted.self,
        SafetyStockSet.self,
        LowStockDetected.self,
        CustomerProfileSet.self,
        CustomerOrderRecorded.self,
        CustomerOrderWithdrawn.self,
        CustomerTagsSet.self,
        ApiKeyCreated.self,
        ApiKeyRevoked.self,
        AuditStreamRead.self,
        AuditChainsVerified.self,
        ArchiveRecorded.self,
        BackupRecorded.self,
        CampaignCreated.self,
        CampaignAdjusted.self,
        CampaignStatusChanged.self,
        CampaignBudgetConsumed.self,
        StockReserved.self,
        OrderPlaced.self,
        OrderCancelled.self,
        OrderShipped.self,
        StockReleased.self,
        StockIssued.self,
        CampaignBudgetReleased.self,
        CampaignBudgetThresholdCrossed.self,
        CampaignExpenseRecorded.self,
        OrderPaid.self,
        PointsEarned.self,
        PointsRedeemed.self,
        PointsReturned.self,
        PointsClawedBack.self,
        PointsExpired.self,
        OrderRefunded.self,
        CampaignBudgetRefunded.self,
        StockReturned.self,
        CouponTemplateDefined.self,
        CouponsIssued.self,
        CouponIssued.self,
        CouponRedeemed.self,
        CouponReleased.self,
        CouponExpired.self,
    ]

    /// The state each stream category folds to: the command side's aggregates (`decide` reads them, `evolve`
    /// builds them). Categories not named here (audit, apikey) keep no state.
    public static let states: [String: any EventSourced.Type] = [
        "stock": StockState.self, "campaign": CampaignStreamState.self, "points": PointsAccount.self,
        "product": ProductState.self, "store": StoreState.self, "coupontemplate": CouponTemplateState.self,
        "customer": CustomerRecord.self, "order": OrderState.self, "coupon": CouponState.self,
    ]

    public static let upcasters = UpcasterRegistry([
        ProductDefined.upcasterFromV1,
        StoreDefined.upcasterFromV1,
        PointsEarned.upcasterFromV1,
        OrderRefunded.upcasterFromV1,
    ])

    /// Payloads of older versions that stores may still hold: (type, version, payload). Each has a schema and
    /// must upcast to a valid current payload.
    public static let historicalSamples: [(type: String, version: Int, payload: JSONValue)] = [
        (
            ProductDefined.eventType, 1,
            [
                "sku": "MD-002", "name": "鲜毛肚", "spec": "250g", "origin": "四川", "shelfLifeDays": 180, "priceFen": 4590,
                "costFen": 2500, "category": "hotpot",
            ]
        ),
        (StoreDefined.eventType, 1, ["storeId": "s-cd-02", "name": "成都太古里店", "region": "sichuan", "channel": "store"]),
        (PointsEarned.eventType, 1, ["customerId": "u-1001", "orderId": "o-1", "points": 117, "source": "order"]),
        (
            OrderRefunded.eventType, 1,
            [
                "orderId": "o-1", "refundId": "r-1",
                "lines": [["sku": "MD-002", "quantity": 1, "refundFen": 3924, "restock": false]], "refundFen": 3924,
                "pointsReturned": 0, "pointsClawedBack": 39,
            ]
        ),
    ]
}
