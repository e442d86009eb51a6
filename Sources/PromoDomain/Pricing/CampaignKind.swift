/// The promotion kinds of API.md, with their wire names.
public enum CampaignKind: String, Sendable, Hashable, Codable, CaseIterable {
    case spendReduction = "spend_reduction"
    case spendDiscount = "spend_discount"
    case itemDiscount = "item_discount"
    case specialPrice = "special_price"
    case flashSale = "flash_sale"
    case gift
    case addOn = "add_on"
    case bundle
    case rebate
    case lottery
    case quantityReduction = "quantity_reduction"
    case quantityDiscount = "quantity_discount"
    case repeatReduction = "repeat_reduction"
    case multiBuy = "multi_buy"
    case pickAny = "pick_any"
    case unitAmountOff = "unit_amount_off"
    case freeShipping = "free_shipping"

    /// Item-level kinds price individual units; at most one of them applies per unit.
    public var isItemLevel: Bool { level == .item }

    /// Order-level kinds act on the in-scope subtotal after item-level promotions.
    public var isOrderLevel: Bool { level == .order }
}
