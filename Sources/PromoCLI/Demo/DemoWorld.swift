import Foundation
import PromoDomain

/// The demo's world: a Sichuan frozen-food brand's catalog, stores, customers, campaigns and a coupon template,
/// as API.md's request bodies. The same on every run (a seeded generator), so a second run finds it in place.
struct DemoWorld: Sendable {
    struct Product: Sendable {
        var sku: String
        var body: JSONValue
        var priceFen: Int64
    }

    struct Store: Sendable {
        var storeId: String
        var name: String
        var region: String
        var channel: String
        var fulfilmentLocation: String

        var body: JSONValue {
            [
                "name": .string(name), "region": .string(region), "channel": .string(channel),
                "fulfilmentLocation": .string(fulfilmentLocation),
            ]
        }
    }

    struct Customer: Sendable {
        var customerId: String
        var body: JSONValue
    }

    var products: [Product]
    var stores: [Store]
    var customers: [Customer]
    var campaigns: [JSONValue]
    var couponTemplate: JSONValue

    /// Where stock is held: the warehouse the online channels ship from and each store.
    var locations: [String] { Array(Set(stores.map(\.fulfilmentLocation))).sorted() }

    /// The world with `customerCount` customers (500 in the demo).
    init(customerCount: Int = 500) {
        products = Self.makeProducts()
        stores = Self.stores
        customers = Self.makeCustomers(count: customerCount)
        campaigns = Self.campaigns
        couponTemplate = Self.template
    }

    /// The units a location opens with: the warehouse holds more than a store.
    static func openingUnits(at location: String) -> Int64 { location.hasPrefix("wh-") ? 5_000 : 300 }

    static let templateId = "t-5off-150"
    /// How many customers (the first ones) hold the template's coupon.
    static let couponHolders = 100

    private static let regions: [(id: String, city: String)] = [
        ("sichuan", "成都"), ("chongqing", "重庆"), ("guangdong", "广州"),
    ]

    private struct Kind {
        var prefix: String
        var category: String
        var names: [String]
        var prices: ClosedRange<Int64>
        var origin: String
        var shelfLifeDays: Int64
        var tags: [String]
    }

    private static let kinds: [Kind] = [
        Kind(
            prefix: "HP", category: "hotpot",
            names: ["牛油火锅底料", "清油火锅底料", "番茄火锅底料", "菌汤火锅底料", "麻辣香锅料", "冒菜底料", "串串香底料", "酸菜鱼调料"],
            prices: 2_590...4_590, origin: "重庆", shelfLifeDays: 365, tags: ["spicy"]),
        Kind(
            prefix: "MD", category: "tripe", names: ["鲜毛肚", "千层肚", "黄喉", "鸭肠", "牛百叶", "脆毛肚", "鹅肠", "虾滑毛肚拼"],
            prices: 3_290...6_890, origin: "四川", shelfLifeDays: 180, tags: ["frozen"]),
        Kind(
            prefix: "WZ", category: "meatballs",
            names: ["手打牛肉丸", "撒尿牛丸", "虾滑", "墨鱼丸", "鱼豆腐", "鸡肉丸", "黑猪肉丸", "芝士虾球"],
            prices: 1_990...3_990, origin: "潮汕", shelfLifeDays: 180, tags: ["frozen"]),
        Kind(
            prefix: "JZ", category: "dumplings",
            names: ["猪肉白菜水饺", "钟水饺", "龙抄手", "韭菜鸡蛋饺", "三鲜水饺", "酸汤水饺", "红油抄手", "牛肉水饺"],
            prices: 1_890...3_290, origin: "成都", shelfLifeDays: 365, tags: ["frozen"]),
        Kind(
            prefix: "TY", category: "desserts",
            names: ["黑芝麻汤圆", "红糖糍粑", "醪糟汤圆", "冰粉", "叶儿粑", "玫瑰汤圆", "紫薯糍粑", "花生汤圆"],
            prices: 1_290...2_290, origin: "成都", shelfLifeDays: 365, tags: ["frozen", "sweet"]),
    ]

    private static func makeProducts() -> [Product] {
        var random = SplitMix64(seed: 7)
        var result: [Product] = []
        for kind in kinds {
            for (index, name) in kind.names.enumerated() {
                // Prices end in 90 fen (¥25.90, ¥39.90), as the brand prices.
                let price = Int64.random(in: kind.prices, using: &random) / 100 * 100 - 10
                let sku = "\(kind.prefix)-" + String(format: "%03d", index + 1)
                let tags = kind.tags + (index == 0 ? ["bestseller"] : [])
                let body: JSONValue = [
                    "name": .string(name),
                    "spec": .string(["250g", "400g", "500g", "1kg"].randomElement(using: &random)!),
                    "origin": .string(kind.origin), "shelfLifeDays": .int(kind.shelfLifeDays), "priceFen": .int(price),
                    "costFen": .int(price * 45 / 100), "category": .string(kind.category),
                    "tags": .array(tags.map(JSONValue.string)),
                ]
                result.append(Product(sku: sku, body: body, priceFen: price))
            }
        }
        return result
    }

    private static let stores: [Store] = [
        Store(
            storeId: "s-online", name: "官方商城", region: "national", channel: "online", fulfilmentLocation: "wh-chengdu"),
        Store(
            storeId: "s-miniapp", name: "微信小程序", region: "national", channel: "online", fulfilmentLocation: "wh-chengdu"
        ),
        Store(storeId: "s-cd-01", name: "成都春熙路店", region: "sichuan", channel: "store", fulfilmentLocation: "s-cd-01"),
        Store(storeId: "s-cd-02", name: "成都太古里店", region: "sichuan", channel: "store", fulfilmentLocation: "s-cd-02"),
        Store(storeId: "s-cq-01", name: "重庆解放碑店", region: "chongqing", channel: "store", fulfilmentLocation: "s-cq-01"),
        Store(storeId: "s-cq-02", name: "重庆观音桥店", region: "chongqing", channel: "store", fulfilmentLocation: "s-cq-02"),
        Store(storeId: "s-gz-01", name: "广州天河店", region: "guangdong", channel: "store", fulfilmentLocation: "s-gz-01"),
        Store(storeId: "s-gz-02", name: "广州北京路店", region: "guangdong", channel: "store", fulfilmentLocation: "s-gz-02"),
    ]

    private static func makeCustomers(count: Int) -> [Customer] {
        var random = SplitMix64(seed: 11)
        let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
        let given = Array("伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂")
        let tastes = ["spicy", "numbing", "mild", "seafood", "sweet"]
        return (1...max(count, 1)).map { index in
            let region = regions.randomElement(using: &random)!
            let name = String([
                surnames.randomElement(using: &random)!, given.randomElement(using: &random)!,
                given.randomElement(using: &random)!,
            ])
            let tierRoll = Int.random(in: 0..<10, using: &random)
            let tier = tierRoll < 6 ? "regular" : tierRoll < 9 ? "silver" : "gold"
            let preferences = Array(tastes.shuffled(using: &random).prefix(Int.random(in: 0..<3, using: &random)))
            let body: JSONValue = [
                "name": .string(name),
                "phone": .string("138" + String(format: "%08d", Int.random(in: 0..<100_000_000, using: &random))),
                "address": .string("\(region.city)市某区某路\(Int.random(in: 1..<300, using: &random))号"),
                "region": .string(region.id), "tier": .string(tier),
                "tastePreferences": .array(preferences.map(JSONValue.string)),
                "consents": [
                    "sms": .bool(Int.random(in: 0..<10, using: &random) < 7),
                    "wechat": .bool(Int.random(in: 0..<10, using: &random) < 8),
                    "app": .bool(Int.random(in: 0..<10, using: &random) < 4),
                ],
            ]
            return Customer(customerId: "u-\(1_000 + index)", body: body)
        }
    }

    private static let window: JSONValue = ["start": "2026-01-01T00:00:00+08:00", "end": "2027-12-31T23:59:59+08:00"]

    private static let campaigns: [JSONValue] = [
        [
            "campaignId": "c-hotpot-1111", "name": "双十一火锅节 满100减20 满200减50", "kind": "spend_reduction",
            "window": window, "scope": ["categories": ["hotpot", "tripe"]],
            "rules": [
                "tiers": [
                    ["thresholdFen": 10_000, "reductionFen": 2_000], ["thresholdFen": 20_000, "reductionFen": 5_000],
                ]
            ],
            "stacking": ["priority": 20], "budget": ["totalFen": 5_000_000, "discountFen": 4_000_000],
            "alerts": ["budgetThresholds": [.double(0.5), .double(0.8), .double(0.95), .double(1.0)]],
        ],
        [
            "campaignId": "c-dumplings-95", "name": "水饺满150打95折", "kind": "spend_discount", "window": window,
            "scope": ["categories": ["dumplings"]], "rules": ["tiers": [["thresholdFen": 15_000, "percentBp": 500]]],
            "stacking": ["priority": 30], "budget": ["discountFen": 1_000_000],
        ],
        [
            "campaignId": "c-flash-wz001", "name": "牛肉丸秒杀 9.9元", "kind": "flash_sale", "window": window,
            "scope": ["channels": ["online"]],
            "rules": ["sku": "WZ-001", "priceFen": 990, "quantity": 500, "perCustomerLimit": 2],
            "stacking": ["priority": 1, "stackable": false],
        ],
        [
            "campaignId": "c-gift-tangyuan", "name": "满199赠黑芝麻汤圆", "kind": "gift", "window": window,
            "rules": ["thresholdFen": 19_900, "giftSku": "TY-001", "giftQuantity": 1], "stacking": ["priority": 40],
            "budget": ["giftCostFen": 500_000],
        ],
        [
            "campaignId": "c-bundle-hotpot", "name": "火锅套餐 底料+毛肚+牛肉丸", "kind": "bundle", "window": window,
            "rules": [
                "items": [
                    ["sku": "HP-001", "quantity": 1], ["sku": "MD-001", "quantity": 1],
                    ["sku": "WZ-002", "quantity": 1],
                ],
                "bundlePriceFen": 8_800,
            ],
            "stacking": ["priority": 10],
        ],
        [
            "campaignId": "c-coupons-newyear", "name": "新年券资金池", "kind": "spend_reduction", "window": window,
            "scope": ["categories": ["desserts"]],
            "rules": ["tiers": [["thresholdFen": 30_000, "reductionFen": 3_000]]],
            "stacking": ["priority": 50], "budget": ["discountFen": 300_000, "couponSubsidyFen": 200_000],
        ],
    ]

    private static let template: JSONValue = [
        "templateId": .string(templateId), "name": "满150减5元券",
        "discount": ["kind": "amount", "valueFen": 500, "thresholdFen": 15_000],
        "scope": ["channels": ["online"]], "stackable": true,
        "validFrom": window["start"]!, "validUntil": window["end"]!, "totalQuantity": 10_000, "perCustomerLimit": 1,
        "campaignId": "c-coupons-newyear",
    ]
}
