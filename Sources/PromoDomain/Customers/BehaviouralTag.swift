/// Tags a customer earns by what they do, worked out by the customer-profiles read model for a given day
/// (Asia/Shanghai). Campaign audiences may name them like marketing's own tags, and push targeting selects by
/// them.
///
/// What counts: orders that stand (cancelled ones do not), and the units bought on them (gift units do not;
/// returned units are taken off). "In the last N days" means on that day or one of the N − 1 days before it.
public enum BehaviouralTag: String, Sendable, CaseIterable, Codable {
    /// 辣味偏好者: at least ``spicyShareBp`` of the units bought in the last ``spicyWindowDays`` days carry the
    /// product tag ``spicyProductTag`` (and at least one unit was bought).
    case spicyLover = "spicy_lover"
    /// 火锅食材高频购买者: at least ``hotpotMinOrders`` orders in the last ``hotpotWindowDays`` days with a hot-pot
    /// item on them (a product in one of ``hotpotCategories``, or tagged `hotpot`).
    case hotpotRegular = "hotpot_regular"
    /// No paid order yet.
    case newCustomer = "new_customer"
    /// Ordered before, but not in the last ``dormantDays`` days.
    case dormant = "dormant"
    /// At least ``couponShareBp`` of their orders used a coupon.
    case couponSensitive = "coupon_sensitive"

    public static let spicyProductTag = "spicy"
    public static let spicyShareBp = 5_000
    public static let spicyWindowDays = 90
    public static let hotpotCategories = ["hotpot", "tripe", "meatballs"]
    public static let hotpotProductTag = "hotpot"
    public static let hotpotMinOrders = 3
    public static let hotpotWindowDays = 30
    public static let dormantDays = 60
    public static let couponShareBp = 6_000

    /// The tag's name in Chinese, as marketing staff know it.
    public var label: String {
        switch self {
        case .spicyLover: "辣味偏好者"
        case .hotpotRegular: "火锅食材高频购买者"
        case .newCustomer: "新客"
        case .dormant: "沉睡客户"
        case .couponSensitive: "券敏感客户"
        }
    }

    /// The names, for checking whether an audience names one.
    public static let names: Set<String> = Set(allCases.map(\.rawValue))
}
