import Foundation
import PromoDomain

/// Seeds the demo world through the API, then places a day of orders; optionally keeps orders coming.
///
/// Running it again on a seeded database changes nothing the seeding made: a PUT of what is there appends no
/// event, stock is received only where none is held, campaigns and templates that exist are left as they are,
/// and coupons go only to customers that hold none. Only the day of orders is new.
struct DemoSeeder: Sendable {
    /// What the orders came to.
    struct Tally: Sendable, Equatable, CustomStringConvertible {
        var placed = 0
        var paid = 0
        var shipped = 0
        var cancelled = 0
        var refunded = 0
        var refused = 0

        static func + (a: Tally, b: Tally) -> Tally {
            Tally(
                placed: a.placed + b.placed, paid: a.paid + b.paid, shipped: a.shipped + b.shipped,
                cancelled: a.cancelled + b.cancelled, refunded: a.refunded + b.refunded, refused: a.refused + b.refused)
        }

        var description: String {
            "\(placed) placed (\(paid) paid, \(shipped) shipped, \(cancelled) cancelled, \(refunded) partly refunded), "
                + "\(refused) refused"
        }
    }

    let api: DemoClient
    let world: DemoWorld
    let progress: Progress
    /// Requests in flight at once while seeding.
    var width = 8

    /// The world, step by step, each with progress on stderr.
    func seed() async throws {
        try await step("products", world.products) { product in
            try await api.send("PUT", "/v1/products/\(product.sku)", product.body)
        }
        try await step("stores", world.stores) { store in
            try await api.send("PUT", "/v1/stores/\(store.storeId)", store.body)
        }
        let locations = world.locations
        var held: [String: Set<String>] = [:]
        for product in world.products {
            let answer = try await api.send("GET", "/v1/stock/\(product.sku)", expected: ["404"])
            held[product.sku] = Set(
                (answer.body["locations"]?.objectValue ?? [:]).compactMap { location, stock in
                    (stock["onHand"]?.intValue ?? 0) > 0 ? location : nil
                })
        }
        let pairs = world.products.flatMap { product in locations.map { (product.sku, $0) } }
        try await step("opening stock", pairs.filter { !(held[$0.0]?.contains($0.1) ?? false) }) { sku, location in
            try await api.send(
                "POST", "/v1/stock/\(sku)/\(location)/receipts",
                ["quantity": .int(DemoWorld.openingUnits(at: location))])
        }
        try await step("safety stock", pairs) { sku, location in
            try await api.send(
                "PUT", "/v1/stock/\(sku)/\(location)/safety-stock",
                ["quantity": .int(DemoWorld.openingUnits(at: location) / 10)])
        }
        try await step("customers", world.customers) { customer in
            try await api.send("PUT", "/v1/customers/\(customer.customerId)", customer.body)
        }
        try await step("campaigns", world.campaigns, width: 1) { campaign in
            let id = campaign["campaignId"]?.stringValue ?? ""
            try await api.send("POST", "/v1/campaigns", campaign, expected: ["campaign_exists"])
            try await api.send("POST", "/v1/campaigns/\(id)/activate", [:], expected: ["invalid_transition"])
        }
        let holders = world.customers.prefix(DemoWorld.couponHolders).map(\.customerId)
        let groups = stride(from: 0, to: holders.count, by: 25).map { Array(holders[$0..<min($0 + 25, holders.count)]) }
        try await step("coupons", groups, width: 1) { ids in
            try await api.send(
                "POST", "/v1/coupon-templates", world.couponTemplate, expected: ["template_exists"])
            try await api.send(
                "POST", "/v1/coupon-templates/\(DemoWorld.templateId)/issue",
                ["customerIds": .array(ids.map(JSONValue.string))],
                expected: ["customer_limit_reached", "quantity_exhausted"])
        }
    }

    /// `count` orders, a few at a time: most paid and shipped, some cancelled, some partly refunded.
    func dayOfOrders(_ count: Int) async throws -> Tally {
        let started = ContinuousClock.now
        var tally = Tally()
        try await Self.run(Array(0..<count), width: 4) { _ in
            try await order()
        } each: { one, _ in
            tally = tally + one
            progress.update("a day of orders: \(tally.placed + tally.refused)/\(count)")
        }
        progress.finish("a day of orders: \(tally) (\(Self.seconds(since: started)))")
        return tally
    }

    /// Orders at a few a second until the task is cancelled (Ctrl-C).
    func traffic() async throws {
        let started = ContinuousClock.now
        var tally = Tally()
        while !Task.isCancelled {
            do {
                tally = tally + (try await order())
            } catch let error as DemoError where error.unreachable {
                progress.line("\n[demo traffic] the server stopped; \(tally)")
                return
            }
            let line = "[demo traffic] \(tally) in \(Self.seconds(since: started))"
            if progress.isTerminal {
                progress.update(line, prefix: false)
            } else if (tally.placed + tally.refused) % 100 == 0 {
                progress.line(line)
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 200...500)))
        }
    }

    /// One order and what happens after it.
    func order() async throws -> Tally {
        var random = SystemRandomNumberGenerator()
        let customer = world.customers.randomElement(using: &random)!.customerId
        let store = world.stores.randomElement(using: &random)!
        var lines: [String: Int64] = [:]
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let product = world.products.randomElement(using: &random)!
            lines[product.sku, default: 0] += Int64.random(in: 1...3, using: &random)
        }
        let orderId = "o-" + UUID().uuidString.lowercased().prefix(12)
        let method = ["wechat_pay", "alipay", "cash"].randomElement(using: &random)!
        let body: JSONValue = [
            "orderId": .string(orderId), "paymentMethod": .string(method), "customerId": .string(customer),
            "channel": .string(store.channel), "storeId": .string(store.storeId),
            "lines": .array(
                lines.sorted { $0.key < $1.key }.map { ["sku": .string($0.key), "quantity": .int($0.value)] }),
        ]
        let placed = try await api.send("POST", "/v1/orders", body, expected: ["409", "422"])
        guard placed.status == 201 else { return Tally(refused: 1) }
        var tally = Tally(placed: 1)
        if Int.random(in: 0..<10, using: &random) == 0 {
            try await api.send("POST", "/v1/orders/\(orderId)/cancel", ["reason": "顾客取消"], expected: ["409"])
            tally.cancelled = 1
            return tally
        }
        let total = placed.body["totalFen"]?.intValue ?? 0
        try await api.send(
            "POST", "/v1/orders/\(orderId)/payments", ["amountFen": .int(total), "method": .string(method)],
            expected: ["409"])
        tally.paid = 1
        let location = placed.body["fulfilmentLocation"]?.stringValue ?? store.fulfilmentLocation
        try await api.send("POST", "/v1/orders/\(orderId)/ship", ["location": .string(location)], expected: ["409"])
        tally.shipped = 1
        if Int.random(in: 0..<100, using: &random) < 8, let (sku, _) = lines.randomElement(using: &random) {
            let refund = try await api.send(
                "POST", "/v1/orders/\(orderId)/refunds",
                [
                    "refundId": .string("r-" + UUID().uuidString.lowercased().prefix(8)),
                    "lines": [
                        [
                            "sku": .string(sku), "quantity": 1,
                            "restock": .bool(Int.random(in: 0..<10, using: &random) < 3),
                        ]
                    ],
                ],
                expected: ["409", "422"])
            if (200..<300).contains(refund.status) { tally.refunded = 1 }
        }
        return tally
    }

    /// Runs `body` for each item, `width` at a time, with progress; an error stops the step.
    private func step<Item: Sendable>(
        _ title: String, _ items: [Item], width: Int? = nil, _ body: @escaping @Sendable (Item) async throws -> Void
    ) async throws {
        let started = ContinuousClock.now
        guard !items.isEmpty else {
            progress.finish("\(title): already there")
            return
        }
        try await Self.run(items, width: width ?? self.width, body) { _, done in
            progress.update("\(title): \(done)/\(items.count)")
        }
        progress.finish("\(title): \(items.count)/\(items.count) (\(Self.seconds(since: started)))")
    }

    /// Runs `task` for each item, at most `width` at once; `each` sees every result as it comes, with how many
    /// are done. The first error stops the run (the tasks still going are cancelled).
    static func run<Item: Sendable, Output: Sendable>(
        _ items: [Item], width: Int, _ task: @escaping @Sendable (Item) async throws -> Output,
        each: (Output, Int) -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Output.self) { group in
            var next = 0
            func start() {
                guard next < items.count else { return }
                let item = items[next]
                next += 1
                group.addTask { try await task(item) }
            }
            for _ in 0..<min(max(width, 1), items.count) { start() }
            var done = 0
            while let output = try await group.next() {
                done += 1
                each(output, done)
                start()
            }
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> String {
        "\((start.duration(to: .now).seconds * 10).rounded() / 10) s"
    }
}
