/// The rules of a campaign, one case per kind with exactly the fields that kind needs.
///
/// An enum with associated values makes an impossible combination (a bundle with tiers)
/// unrepresentable, and lets the engine switch exhaustively over kinds.
public enum CampaignRules: Sendable, Hashable {
    case spendReduction(tiers: [ReductionTier])
    case spendDiscount(tiers: [DiscountTier])
    case itemDiscount(percentBp: Int)
    case specialPrice(prices: [String: Fen])
    case flashSale(FlashSaleRule)
    case gift(GiftRule)
    case addOn(AddOnRule)
    case bundle(BundleRule)
    case rebate(RebateRule)
    case lottery(LotteryRule)

    /// The kind these rules belong to.
    public var kind: CampaignKind {
        switch self {
        case .spendReduction: .spendReduction
        case .spendDiscount: .spendDiscount
        case .itemDiscount: .itemDiscount
        case .specialPrice: .specialPrice
        case .flashSale: .flashSale
        case .gift: .gift
        case .addOn: .addOn
        case .bundle: .bundle
        case .rebate: .rebate
        case .lottery: .lottery
        }
    }
}

/// 满减: spend at least `thresholdFen`, get `reductionFen` off.
public struct ReductionTier: Sendable, Hashable {
    public var thresholdFen: Fen
    public var reductionFen: Fen
    public init(thresholdFen: Fen, reductionFen: Fen) {
        self.thresholdFen = thresholdFen
        self.reductionFen = reductionFen
    }
}

/// 满折: spend at least `thresholdFen`, get `percentBp` off.
public struct DiscountTier: Sendable, Hashable {
    public var thresholdFen: Fen
    public var percentBp: Int
    public init(thresholdFen: Fen, percentBp: Int) {
        self.thresholdFen = thresholdFen
        self.percentBp = percentBp
    }
}

/// 秒杀: `priceFen` for a limited `quantity`, at most `perCustomerLimit` per customer.
public struct FlashSaleRule: Sendable, Hashable {
    public var sku: String
    public var priceFen: Fen
    public var quantity: Int
    public var perCustomerLimit: Int
    public init(sku: String, priceFen: Fen, quantity: Int, perCustomerLimit: Int) {
        self.sku = sku
        self.priceFen = priceFen
        self.quantity = quantity
        self.perCustomerLimit = perCustomerLimit
    }
}

/// 满赠: reach `thresholdFen`, receive `giftQuantity` × `giftSku` free.
public struct GiftRule: Sendable, Hashable {
    public var thresholdFen: Fen
    public var giftSku: String
    public var giftQuantity: Int
    public init(thresholdFen: Fen, giftSku: String, giftQuantity: Int) {
        self.thresholdFen = thresholdFen
        self.giftSku = giftSku
        self.giftQuantity = giftQuantity
    }
}

/// 加价购: reach `thresholdFen`, one unit of `sku` in the cart costs `priceFen`.
public struct AddOnRule: Sendable, Hashable {
    public var thresholdFen: Fen
    public var sku: String
    public var priceFen: Fen
    public init(thresholdFen: Fen, sku: String, priceFen: Fen) {
        self.thresholdFen = thresholdFen
        self.sku = sku
        self.priceFen = priceFen
    }
}

/// 组合优惠: one of each listed item (times its quantity) together for `bundlePriceFen`.
public struct BundleRule: Sendable, Hashable {
    public struct Item: Sendable, Hashable {
        public var sku: String
        public var quantity: Int
        public init(sku: String, quantity: Int) {
            self.sku = sku
            self.quantity = quantity
        }
    }
    public var items: [Item]
    public var bundlePriceFen: Fen
    public init(items: [Item], bundlePriceFen: Fen) {
        self.items = items
        self.bundlePriceFen = bundlePriceFen
    }
}

/// 满返: once the paid amount reaches `thresholdFen`, grant points or a coupon after payment.
public struct RebateRule: Sendable, Hashable {
    /// What the shopper receives after paying.
    public enum Reward: Sendable, Hashable {
        case points(Int)
        case coupon(templateId: String)
    }
    public var thresholdFen: Fen
    public var reward: Reward
    public init(thresholdFen: Fen, reward: Reward) {
        self.thresholdFen = thresholdFen
        self.reward = reward
    }
}

/// 抽奖: drawn after the order; pricing only validates and carries it.
public struct LotteryRule: Sendable, Hashable {
    public struct Prize: Sendable, Hashable {
        public var prizeId: String
        public var name: String
        public var quantity: Int
        public var weight: Int
        public var costFen: Fen

        public init(prizeId: String, name: String, quantity: Int, weight: Int, costFen: Fen) {
            self.prizeId = prizeId
            self.name = name
            self.quantity = quantity
            self.weight = weight
            self.costFen = costFen
        }
    }
    public var minOrderFen: Fen
    public var prizes: [Prize]

    public init(minOrderFen: Fen, prizes: [Prize]) {
        self.minOrderFen = minOrderFen
        self.prizes = prizes
    }
}
