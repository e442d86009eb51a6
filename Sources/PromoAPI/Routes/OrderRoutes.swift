import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import PromoDomain

/// `POST /v1/orders` and `GET /v1/orders/{id}`. Placing an order re-prices the cart and, in one append with
/// expected versions: records the order with its breakdown (`order-{id}`), reserves every purchased and gift
/// unit at the store's fulfilment location (`stock-{sku}@{location}`), and records on each campaign it used
/// what it consumed (`campaign-{id}`: budgets, flash units, usage). If any of those cannot hold, nothing is
/// written and the answer is a 409 with the code.
struct OrderRoutes: Sendable {
    let runner: CommandRunner
    let states: StreamStates
    var store: PostgresEventStore { states.store }
    let metrics: APIMetrics
    let caches: CategoryCaches

    static let readers: Set<AccessRole> = [.channel, .marketing, .analyst, .auditor]

    func register(on table: RouteTable) {
        table.add(.post, "/orders", roles: [.channel]) { request, context in
            do {
                let response = try await place(request, context)
                metrics.countOrder(response.status == .created ? "placed" : "unchanged")
                return response
            } catch let error as APIError {
                metrics.countOrder(error.code)
                throw error
            }
        }
        table.add(.post, "/orders/{id}/cancel", roles: [.channel]) { request, context in
            try await cancel(request, context)
        }
        table.add(.post, "/orders/{id}/payments", roles: [.channel]) { request, context in
            try await pay(request, context)
        }
        table.add(.post, "/orders/{id}/refunds", roles: [.channel]) { request, context in
            try await refund(request, context)
        }
        table.add(.post, "/orders/{id}/ship", roles: [.channel, .marketing]) { request, context in
            try await ship(request, context)
        }
        table.add(.get, "/orders/{id}", roles: Self.readers) { request, context in
            let id = try request.identifier("id", context: context)
            _ = try QueryReader(request, allowed: [])
            let stream = try await states.load(try StreamID(category: "order", id: id))
            let state = try stream.fold(OrderState.self)
            guard let placed = state.placed else { throw APIError.unknownOrder(id) }
            return JSONResponse.make(
                body: .object(try Self.json(placed, status: state.status, version: stream.version)))
        }
    }

    private func place(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let (write, bytes) = try await WriteContext.read(request, context: context)
        let body = try BodyReader(body: Request.json(bytes))
        let orderId = try InputLimits.identifier(try body.string("orderId"), field: "orderId")
        let paymentMethod = try InputLimits.text(
            try body.string("paymentMethod"), field: "paymentMethod", length: InputLimits.labelLength)
        let expectedTotal = try body.optionalInteger("expectedTotalFen")
        let cart = try QuoteRoutes.cart(body)  // reads the cart's fields, then finishes the body
        let context = try await PricingContext.load(for: cart, states: states, caches: caches)
        let location = context.store.fulfilmentLocation

        // The streams the append touches, from a first pricing: the order, the stock of every unit, and the
        // campaigns it uses. They are loaded again (and locked) and the cart priced again on what they hold.
        let first = try context.price(cart)
        let used = Self.usedCampaigns(first)
        var skus = Set(first.lines.map(\.sku))
        for gift in first.gifts { skus.insert(gift.sku) }
        let stockSKUs = skus.sorted()
        let orderStream = try StreamID(category: "order", id: orderId)
        let stockStreams = try stockSKUs.map { try StreamID(category: "stock", id: "\($0)@\(location)") }
        let campaignStreams = try used.map { try CampaignRoutes.streamID($0) }
        let pointsStream = try StreamID(category: "points", id: cart.customerId)
        // The coupons the cart names that exist: each is redeemed once, so its stream is read and appended to.
        let couponCodes = context.coupons.map(\.code)
        let couponStreams = try couponCodes.map { try CouponRoutes.couponStream($0) }
        let pointsIndex = 1 + stockStreams.count + campaignStreams.count
        // The customer's stream counts their orders (first-order limits, new-customer audiences); it goes last.
        let customerStream = try StreamID(category: "customer", id: cart.customerId)

        return try await runner.execute(
            write,
            streams: [orderStream] + stockStreams + campaignStreams + [pointsStream] + couponStreams + [customerStream]
        ) { loaded in
            if loaded[0].exists { throw APIError.orderExists(orderId) }
            var pricing = context
            for (offset, id) in used.enumerated() {
                let stream = loaded[1 + stockStreams.count + offset]
                let state = try stream.fold(CampaignStreamState.self)
                // Priced with a campaign that has since been paused, ended or adjusted: price it again.
                guard state.status == .active, state.definitionCount == pricing.definitionVersions[id] else {
                    throw APIError(
                        .conflict, code: "wrong_expected_version",
                        message: "campaign \(id) changed while the order was placed; place it again")
                }
                pricing.campaignStates[id] = FoldedStream(state: state, version: stream.version)
            }
            let points = loaded[pointsIndex]
            let account = try points.fold(PointsAccount.self)
            for (offset, code) in couponCodes.enumerated() {
                if let other = try loaded[pointsIndex + 1 + offset].fold(CouponState.self).redeemedBy {
                    throw APIError(
                        .conflict, code: "coupon_already_redeemed",
                        message: "coupon \(code) was used on order \(other)",
                        details: ["couponCode": .string(code)])
                }
            }
            // Read under the lock: none of them is redeemed now.
            for index in pricing.coupons.indices { pricing.coupons[index].redeemed = false }
            // Points whose lot's day has come count for nothing, whether or not the clock has expired them yet.
            let available = account.available(at: pricing.now)
            if cart.pointsToRedeem > available {
                throw APIError(
                    .conflict, code: "insufficient_points",
                    message: "\(cart.pointsToRedeem) points asked, \(available) in the account",
                    details: [
                        "balance": .int(Int64(available)), "pointsToRedeem": .int(Int64(cart.pointsToRedeem)),
                    ])
            }
            pricing.customer.pointsBalance = available
            let customer = loaded[loaded.count - 1]
            let record = try customer.fold(CustomerRecord.self)
            pricing.customer.previousOrders = record.orders
            pricing.customer.isNew = record.orders == 0
            let quote = try pricing.price(cart)
            let nowUsed = Self.usedCampaigns(quote)
            guard Set(nowUsed).isSubset(of: used) else {
                throw APIError(
                    .conflict, code: "wrong_expected_version",
                    message: "the campaigns changed while the order was placed; place it again")
            }
            try Self.checkFlashSales(cart, quote: quote, pricing: pricing)
            if let expectedTotal, expectedTotal != Int64(quote.totalFen) {
                throw APIError(
                    .conflict, code: "price_changed",
                    message: "the cart now costs \(quote.totalFen) fen, not \(expectedTotal); see details.quote",
                    details: [
                        "expectedTotalFen": .int(expectedTotal), "totalFen": .int(Int64(quote.totalFen)),
                        "cause": .string(Self.cause(quote)), "quote": quote.json.jsonValue,
                    ])
            }

            // What the order writes, decided in PromoDomain on the states loaded; appended here at their versions.
            var stock: [String: StockState] = [:]
            for (offset, sku) in stockSKUs.enumerated() { stock[sku] = try loaded[1 + offset].fold(StockState.self) }
            var charged: [(id: String, used: OrderPlacement.UsedCampaign)] = []
            for id in used where nowUsed.contains(id) {
                guard let state = pricing.campaignStates[id]?.state,
                    let definition = pricing.campaigns.first(where: { $0.campaignId == id })
                else { continue }
                charged.append((id, OrderPlacement.UsedCampaign(state: state, definition: definition)))
            }
            let decided: OrderPlacement
            do throws(OrderPlacementError) {
                decided = try OrderPlacement.decide(
                    OrderPlacement.Order(
                        orderId: orderId, customerId: cart.customerId, channel: cart.channel, storeId: cart.storeId,
                        fulfilmentLocation: location, paymentMethod: paymentMethod, day: pricing.today,
                        now: pricing.now),
                    quote: quote, stock: stock, campaigns: charged, points: account, customer: record)
            } catch {
                throw Self.refusal(error, location: location)
            }
            let placed = decided.order
            var appends = [StreamAppend(loaded[0].id, expectedVersion: .noStream, events: [try NewEvent(placed)])]
            for (sku, events) in decided.stock {
                guard let offset = stockSKUs.firstIndex(of: sku) else { continue }
                appends.append(try Self.append(events, to: loaded[1 + offset]))
            }
            for (id, events) in decided.campaigns {
                guard let offset = used.firstIndex(of: id) else { continue }
                appends.append(try Self.append(events, to: loaded[1 + stockStreams.count + offset]))
            }
            appends.append(try Self.append(decided.points, to: points))
            for (code, events) in decided.coupons {
                guard let offset = couponCodes.firstIndex(of: code) else { continue }
                appends.append(try Self.append(events, to: loaded[pointsIndex + 1 + offset]))
            }
            appends.append(try Self.append(decided.customer, to: customer))
            return WriteDecision(
                appends: appends, status: .created, body: try Self.json(placed, status: "placed", version: 1))
        }
    }

    /// `POST /v1/orders/{id}/cancel {reason?}`: before shipping, every reservation, budget and flash unit goes
    /// back in one append; cancelling again changes nothing.
    private func cancel(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let orderId = try request.identifier("id", context: context)
        let (write, bytes) = try await WriteContext.read(request, context: context)
        var reason = "cancelled"
        if bytes.readableBytes > 0 {
            let body = try BodyReader(body: Request.json(bytes))
            reason =
                try body.optionalString("reason").map {
                    try InputLimits.text($0, field: "reason", length: InputLimits.reasonLength)
                } ?? reason
            try body.finish()
        }
        let why = reason
        let placed = try await Self.placedOrder(orderId, states: states)
        let stock = try placed.reservations.map {
            try StreamID(category: "stock", id: "\($0.sku)@\(placed.fulfilmentLocation)")
        }
        let campaigns = try placed.campaigns.map { try CampaignRoutes.streamID($0.campaignId) }
        let points = try StreamID(category: "points", id: placed.customerId)
        let coupons = try placed.coupons.map { try CouponRoutes.couponStream($0) }
        let customer = try StreamID(category: "customer", id: placed.customerId)
        let streams =
            [try StreamID(category: "order", id: orderId)] + stock + campaigns + [points] + coupons + [customer]
        let pointsIndex = 1 + stock.count + campaigns.count
        return try await runner.execute(write, streams: streams) { loaded in
            let state = try loaded[0].fold(OrderState.self)
            let events = try Self.deciding { () throws(OrderError) in try state.decideCancel(reason: why) }
            guard !events.isEmpty else { return try Self.unchanged(placed, state, loaded[0]) }
            var appends = [try Self.append(events, to: loaded[0])]
            appends += try Self.reservations(of: placed, in: loaded, at: placed.fulfilmentLocation) {
                .release(quantity: $0, orderId: orderId)
            }
            for (offset, use) in placed.campaigns.enumerated() {
                let stream = loaded[1 + stock.count + offset]
                let back = CampaignBudgetReleased(use, orderId: orderId, customerId: placed.customerId, day: placed.day)
                appends.append(StreamAppend(stream.id, expectedVersion: stream.expected, events: [try NewEvent(back)]))
            }
            for (offset, code) in placed.coupons.enumerated() {
                let stream = loaded[pointsIndex + 1 + offset]
                appends.append(
                    StreamAppend(
                        stream.id, expectedVersion: stream.expected,
                        events: [try NewEvent(CouponReleased(code: code, orderId: orderId))]))
            }
            if placed.pointsRedeemed > 0 {
                let account = loaded[pointsIndex]
                let back = PointsReturned(
                    customerId: placed.customerId, orderId: orderId, points: placed.pointsRedeemed)
                let events = try account.fold(PointsAccount.self).decide(
                    [back], customerId: placed.customerId, now: Date())
                appends.append(
                    StreamAppend(
                        account.id, expectedVersion: account.expected, events: try events.map { try NewEvent($0) }))
            }
            let customer = loaded[loaded.count - 1]
            if try customer.fold(CustomerRecord.self).countedOrders.contains(orderId) {
                appends.append(
                    StreamAppend(
                        customer.id, expectedVersion: customer.expected,
                        events: [
                            try NewEvent(CustomerOrderWithdrawn(customerId: placed.customerId, orderId: orderId))
                        ]))
            }
            return WriteDecision(
                appends: appends, body: try Self.json(placed, status: "cancelled", version: loaded[0].version + 1))
        }
    }

    /// `POST /v1/orders/{id}/ship {location}`: the units are issued from `location` (see below); shipping again
    /// from the same location changes nothing, from another is 409 `order_shipped`.
    private func ship(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let orderId = try request.identifier("id", context: context)
        let (write, bytes) = try await WriteContext.read(request, context: context)
        let body = try BodyReader(body: Request.json(bytes))
        let location = try InputLimits.identifier(try body.string("location"), field: "location")
        try body.finish()
        let placed = try await Self.placedOrder(orderId, states: states)
        let home = placed.fulfilmentLocation
        // From the fulfilment location, the reservation there is issued. From another location (a store closer to
        // the customer, a warehouse with the stock), the reservation is released at home and the units are
        // reserved and issued there in the same append: refused as insufficient_stock when they are not available.
        let elsewhere = location != home
        let reserved = try placed.reservations.map { try StreamID(category: "stock", id: "\($0.sku)@\(home)") }
        let shipping =
            elsewhere
            ? try placed.reservations.map { try StreamID(category: "stock", id: "\($0.sku)@\(location)") } : []
        return try await runner.execute(
            write, streams: [try StreamID(category: "order", id: orderId)] + reserved + shipping
        ) { loaded in
            let state = try loaded[0].fold(OrderState.self)
            let events = try Self.deciding { () throws(OrderError) in try state.decideShip(location: location) }
            guard !events.isEmpty else { return try Self.unchanged(placed, state, loaded[0]) }
            var appends = [try Self.append(events, to: loaded[0])]
            guard elsewhere else {
                appends += try Self.reservations(of: placed, in: loaded, at: home) {
                    .issueReserved(quantity: $0, orderId: orderId)
                }
                return WriteDecision(
                    appends: appends, body: try Self.json(placed, status: "shipped", version: loaded[0].version + 1))
            }
            appends += try Self.reservations(of: placed, in: loaded, at: home) {
                .release(quantity: $0, orderId: orderId)
            }
            for (offset, reservation) in placed.reservations.enumerated() {
                let stream = loaded[1 + reserved.count + offset]
                let quantity = Int64(reservation.quantity)
                var events = try Self.stockEvents(
                    stream, .reserve(quantity: quantity, orderId: orderId), sku: reservation.sku, location: location)
                var after = stream
                try after.apply(events)
                events += try Self.stockEvents(
                    after, .issueReserved(quantity: quantity, orderId: orderId), sku: reservation.sku,
                    location: location)
                appends.append(StreamAppend(stream.id, expectedVersion: stream.expected, events: events))
            }
            var body = try Self.json(placed, status: "shipped", version: loaded[0].version + 1)
            body["shippedFrom"] = .string(location)
            return WriteDecision(appends: appends, body: body)
        }
    }

    /// `POST /v1/orders/{id}/payments {amountFen, method, reference}`: the whole total, once; the points it earns
    /// (on the amount paid, and from points rebates) go to the customer's account in the same append.
    private func pay(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let orderId = try request.identifier("id", context: context)
        let (write, bytes) = try await WriteContext.read(request, context: context)
        let body = try BodyReader(body: Request.json(bytes))
        let amount = try InputLimits.integer(try body.integer("amountFen"), field: "amountFen", in: InputLimits.fen)
        let method = try InputLimits.text(try body.string("method"), field: "method", length: InputLimits.labelLength)
        let reference = try InputLimits.text(
            try body.optionalString("reference") ?? "", field: "reference", length: 0...200)
        try body.finish()
        let placed = try await Self.placedOrder(orderId, states: states)
        // 满返券: a coupon from each rebate's template, issued to the customer with the payment. Codes are drawn
        // here, outside the decision, so a retried decision issues the same ones.
        let rebateTemplates =
            (placed.quote["rebates"].flatMap { rebates -> [JSONValue]? in
                if case .array(let items) = rebates { return items }
                return nil
            } ?? []).compactMap { $0["couponTemplateId"]?.stringValue }
        let codes = rebateTemplates.map { _ in CouponRoutes.newCode() }
        let templateStreams = try rebateTemplates.map { try CouponRoutes.templateStream($0) }
        let couponStreams = try codes.map { try CouponRoutes.couponStream($0) }
        let streams =
            [try StreamID(category: "order", id: orderId), try StreamID(category: "points", id: placed.customerId)]
            + templateStreams + couponStreams
        return try await runner.execute(write, streams: streams) { loaded in
            let state = try loaded[0].fold(OrderState.self)
            let paid = try Self.deciding { () throws(OrderError) in
                try state.decidePay(amountFen: amount, method: method, reference: reference)
            }
            // Each rebate coupon within its template's limits as they stand now; one the template can no longer
            // give is reported, and the payment goes through all the same.
            var rebateAppends: [StreamAppend] = []
            var granted: [JSONValue] = []
            var issuedBy: [String: CouponTemplateState] = [:]
            for (offset, templateId) in rebateTemplates.enumerated() {
                let stream = loaded[2 + offset]
                var templateState = try issuedBy[templateId] ?? stream.fold(CouponTemplateState.self)
                guard let definition = templateState.definition,
                    let template = try? CouponRoutes.storedTemplate(definition)
                else {
                    granted.append([
                        "couponTemplateId": .string(templateId), "granted": false, "reason": "unknown_template",
                    ])
                    continue
                }
                let code = codes[offset]
                let decided: (CouponsIssued, [CouponIssued])
                do throws(CouponError) {
                    decided = try templateState.decideIssue([placed.customerId], template: template) { code }
                } catch {
                    let reason =
                        if case .quantityExhausted = error { "quantity_exhausted" } else { "customer_limit_reached" }
                    granted.append([
                        "couponTemplateId": .string(templateId), "granted": false, "reason": .string(reason),
                    ])
                    continue
                }
                let issued = try NewEvent(decided.0)
                if let at = rebateAppends.firstIndex(where: { $0.streamId == stream.id }) {
                    rebateAppends[at].events.append(issued)
                } else {
                    rebateAppends.append(StreamAppend(stream.id, expectedVersion: stream.expected, events: [issued]))
                }
                try templateState.evolve(type: issued.type, payload: issued.payload)
                issuedBy[templateId] = templateState
                rebateAppends.append(
                    StreamAppend(
                        loaded[2 + rebateTemplates.count + offset].id, expectedVersion: .noStream,
                        events: try decided.1.map { try NewEvent($0) }))
                granted.append(["couponTemplateId": .string(templateId), "granted": true, "code": .string(code)])
            }
            var earned: [PointsEarned] = []
            let expiresAt = PointsExpiry.expiresAt(earnedAt: Date())
            if placed.pointsToEarn > 0 {
                earned.append(
                    PointsEarned(
                        customerId: placed.customerId, orderId: orderId, points: placed.pointsToEarn, source: "order",
                        expiresAt: expiresAt))
            }
            if placed.rebatePoints > 0 {
                earned.append(
                    PointsEarned(
                        customerId: placed.customerId, orderId: orderId, points: placed.rebatePoints, source: "rebate",
                        expiresAt: expiresAt))
            }
            var body = try Self.json(
                placed, status: state.status == "placed" ? "paid" : state.status, version: loaded[0].version + 1)
            if !granted.isEmpty { body["rebateCoupons"] = .array(granted) }
            return WriteDecision(
                appends: [
                    StreamAppend(
                        loaded[0].id, expectedVersion: loaded[0].expected, events: try paid.map { try NewEvent($0) }),
                    StreamAppend(
                        loaded[1].id, expectedVersion: loaded[1].expected, events: try earned.map { try NewEvent($0) }),
                ] + rebateAppends,
                body: body)
        }
    }

    /// `POST /v1/orders/{id}/refunds {refundId, lines:[{sku, quantity, restock?}]}`: the returned units' exact
    /// share of what was paid (from the order's recorded quote, the last units first), in one append with the
    /// budget they consumed given back, the points they earned clawed back and the points they used returned;
    /// units back on hand only with `restock` (a refund before shipping releases the reservation).
    private func refund(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let orderId = try request.identifier("id", context: context)
        let (write, bytes) = try await WriteContext.read(request, context: context)
        let body = try BodyReader(body: Request.json(bytes))
        let refundId = try InputLimits.identifier(try body.string("refundId"), field: "refundId")
        let (returned, restock) = try Self.returnedUnits(
            body, "lines", upTo: PricingLimits.maxQuantity
        ) { try $0.string("sku") }
        // Gifts that come back (满赠): by the campaign that gave them. They pay back nothing; the gift-cost budget
        // they consumed is released.
        let (returnedGifts, restockGifts) = try Self.returnedUnits(
            body, "gifts", upTo: PricingLimits.maxGiftQuantity
        ) { try InputLimits.identifier(try $0.string("campaignId"), field: "campaignId") }
        try body.finish()
        if returned.isEmpty && returnedGifts.isEmpty {
            throw APIError.invalidField("lines", "names no units to return (lines, gifts)")
        }
        let units = ReturnedUnits(lines: returned, gifts: returnedGifts)
        let order = try await Self.orderState(orderId, states: states)
        guard let placed = order.placed else { throw APIError.unknownOrder(orderId) }
        let quote: Quote
        do { quote = try Quote(record: placed.record) } catch {
            throw APIError(
                .unprocessableContent, code: "no_record", message: "the order has no refund record: \(error.message)")
        }
        // The gifts' SKUs as the order recorded them; a campaign that gave no gift is the engine's to refuse.
        let giftSKUs = Dictionary(
            quote.gifts.compactMap { line in line.giftCampaignId.map { ($0, line.sku) } },
            uniquingKeysWith: { a, _ in a })
        let skus = Set(returned.keys).union(returnedGifts.keys.compactMap { giftSKUs[$0] }).sorted()
        // Units go back where they left from: the location that shipped them, else the fulfilment location.
        let stockLocation = order.shippedFrom ?? placed.fulfilmentLocation
        let stock = try skus.map { try StreamID(category: "stock", id: "\($0)@\(stockLocation)") }
        let campaigns = try placed.campaigns.map { try CampaignRoutes.streamID($0.campaignId) }
        let points = try StreamID(category: "points", id: placed.customerId)
        let streams = [try StreamID(category: "order", id: orderId)] + stock + campaigns + [points]
        return try await runner.execute(write, streams: streams) { loaded in
            let state = try loaded[0].fold(OrderState.self)
            guard state.refundLocation == stockLocation || state.placed == nil else {
                throw APIError(
                    .conflict, code: "wrong_expected_version",
                    message: "order \(orderId) shipped while the refund was decided; send the refund again")
            }
            // Decided in PromoDomain on the states loaded; appended here at their versions.
            var stockStates: [String: StockState] = [:]
            for (offset, sku) in skus.enumerated() { stockStates[sku] = try loaded[1 + offset].fold(StockState.self) }
            let account = loaded[loaded.count - 1]
            let decided: OrderRefund
            do {
                decided = try state.decideRefund(
                    refundId: refundId, units: units, restock: restock, restockGifts: restockGifts, quote: quote,
                    stock: stockStates, points: try account.fold(PointsAccount.self), now: Date())
            } catch let error as OrderRefundError {
                throw Self.refusal(error)
            }
            let refund = decided.refund
            let refunded = decided.refunded
            var appends = [try Self.append([refunded], to: loaded[0])]
            for (sku, events) in decided.stock {
                guard let offset = skus.firstIndex(of: sku) else { continue }
                appends.append(try Self.append(events, to: loaded[1 + offset]))
            }
            for (campaignId, events) in decided.campaigns {
                guard let offset = placed.campaigns.firstIndex(where: { $0.campaignId == campaignId }) else { continue }
                appends.append(try Self.append(events, to: loaded[1 + stock.count + offset]))
            }
            appends.append(try Self.append(decided.points, to: account))
            return WriteDecision(
                appends: appends, status: .created,
                body: [
                    "orderId": .string(orderId), "refundId": .string(refundId), "refundFen": .int(refunded.refundFen),
                    "lines": .array(
                        refund.lines.map { line in
                            .object([
                                "sku": .string(line.sku), "quantity": .int(Int64(line.quantity)),
                                "refundFen": .int(Int64(line.refundFen)),
                                "reversedAdjustments": .array(
                                    line.reversedAdjustments.map {
                                        .object([
                                            "campaignId": $0.source.campaignId.map { .string($0) } ?? .null,
                                            "couponCode": $0.source.couponCode.map { .string($0) } ?? .null,
                                            "kind": .string($0.kind), "amountFen": .int(Int64(-$0.amountFen)),
                                        ])
                                    }),
                            ])
                        }),
                    "gifts": .array(
                        refunded.gifts.map {
                            [
                                "campaignId": .string($0.campaignId), "sku": .string($0.sku),
                                "quantity": .int(Int64($0.quantity)), "restock": .bool($0.restock),
                            ]
                        }),
                    "pointsReturned": .int(Int64(refund.pointsReturned)),
                    "pointsClawedBack": .int(Int64(refund.pointsClawedBack)),
                    "refundedFen": .int(state.refundedFen + refunded.refundFen),
                ])
        }
    }

    /// A refund's `key` list (`lines` by SKU, `gifts` by campaign): units per id, and whether any entry of an id
    /// asks for `restock`. Absent is none.
    static func returnedUnits(
        _ body: BodyReader, _ key: String, upTo maxQuantity: Int,
        id: (BodyReader) throws -> String
    ) throws -> (units: [String: Int], restock: [String: Bool]) {
        var units: [String: Int] = [:]
        var restock: [String: Bool] = [:]
        for entry in try body.optionalObjects(key, limit: PricingLimits.maxCartLines) ?? [] {
            let id = try id(entry)
            let quantity = try InputLimits.integer(
                try entry.integer("quantity"), field: "quantity", in: 1...Int64(maxQuantity))
            restock[id] = (try entry.optionalBool("restock") ?? false) || (restock[id] ?? false)
            try entry.finish()
            units[id, default: 0] += Int(quantity)
        }
        return (units, restock)
    }

    /// A command that changes nothing answers with the order as it is.
    static func unchanged(_ placed: OrderPlaced, _ state: OrderState, _ stream: LoadedStream) throws -> WriteDecision {
        try WriteDecision(
            stream, events: [], body: try Self.json(placed, status: state.status, version: stream.version))
    }

    /// Events for a loaded stream, expecting the version it was loaded at.
    static func append(_ events: [any DomainEvent], to stream: LoadedStream) throws -> StreamAppend {
        StreamAppend(stream.id, expectedVersion: stream.expected, events: try events.map { try NewEvent($0) })
    }

    /// `command` applied to each of the order's reservations, on its stock streams (loaded right after the
    /// order's own, one per reservation, in the order's order).
    static func reservations(
        of placed: OrderPlaced, in loaded: [LoadedStream], at location: String, _ command: (Int64) -> StockCommand
    ) throws -> [StreamAppend] {
        var appends: [StreamAppend] = []
        for (offset, reservation) in placed.reservations.enumerated() {
            let stream = loaded[1 + offset]
            let events = try Self.stockEvents(
                stream, command(Int64(reservation.quantity)), sku: reservation.sku, location: location)
            appends.append(StreamAppend(stream.id, expectedVersion: stream.expected, events: events))
        }
        return appends
    }

    static func placedOrder(_ id: String, states: StreamStates) async throws -> OrderPlaced {
        guard let placed = try await orderState(id, states: states).placed else { throw APIError.unknownOrder(id) }
        return placed
    }

    static func orderState(_ id: String, states: StreamStates) async throws -> OrderState {
        try await states.load(try StreamID(category: "order", id: id)).fold(OrderState.self)
    }

    /// Why an order cannot be placed, as the API's error.
    static func refusal(_ error: OrderPlacementError, location: String) -> APIError {
        switch error {
        case .stock(let sku, let error):
            return stockRefusal(error, sku: sku, location: location)
        case .insufficientPoints(let asked, let available):
            return APIError(
                .conflict, code: "insufficient_points", message: "\(asked) points asked, \(available) in the account",
                details: ["balance": .int(Int64(available)), "pointsToRedeem": .int(Int64(asked))])
        case .stockNotLoaded:
            return APIError(
                .conflict, code: "wrong_expected_version",
                message: "the gifts changed while the order was placed; place it again")
        }
    }

    /// A stock command's events on a loaded stream, its refusal as the API's error.
    static func stockEvents(_ stream: LoadedStream, _ command: StockCommand, sku: String, location: String) throws
        -> [NewEvent]
    {
        let state = try stream.fold(StockState.self)
        let events: [any DomainEvent]
        do throws(StockError) {
            events = try state.decide(command, sku: sku, location: location)
        } catch {
            throw stockRefusal(error, sku: sku, location: location)
        }
        return try events.map { try NewEvent($0) }
    }

    /// A stock refusal as the API's error, naming the SKU and the location.
    static func stockRefusal(_ error: StockError, sku: String, location: String) -> APIError {
        var refusal = APIError(error)
        refusal.details["sku"] = .string(sku)
        refusal.details["location"] = .string(location)
        return refusal
    }

    /// Why a refund cannot be recorded, as the API's error.
    static func refusal(_ error: OrderRefundError) -> APIError {
        switch error {
        case .order(let error): return refusal(error)
        case .tooManyUnits(let field, let message):
            let named = field.hasPrefix("lines.") ? "lines" : field.hasPrefix("gifts.") ? "gifts" : field
            return APIError(
                .unprocessableContent, code: "too_many_units", message: "\(field): \(message)",
                details: ["field": .string(named)])
        case .stockNotLoaded:
            return APIError(
                .conflict, code: "wrong_expected_version",
                message: "the order changed while the refund was decided; send the refund again")
        }
    }

    static func deciding<Event>(_ decide: () throws(OrderError) -> [Event]) throws(APIError) -> [Event] {
        do { return try decide() } catch { throw refusal(error) }
    }

    /// What an order's state refuses, as the API's error.
    static func refusal(_ error: OrderError) -> APIError {
        switch error {
        case .notFound: return APIError(.notFound, code: "unknown_order", message: "no such order")
        case .alreadyShipped:
            return APIError(.conflict, code: "order_shipped", message: "the order has shipped; refund it instead")
        case .cancelled:
            return APIError(.conflict, code: "order_cancelled", message: "the order was cancelled")
        case .alreadyPaid:
            return APIError(.conflict, code: "already_paid", message: "the order is paid already")
        case .amountMismatch(let total):
            return APIError(
                .unprocessableContent, code: "amount_mismatch", message: "the order's total is \(total) fen",
                details: ["field": "amountFen", "totalFen": .int(total)])
        case .notPaid:
            return APIError(.conflict, code: "not_paid", message: "the order is not paid: cancel it instead")
        case .refundExists(let id):
            return APIError(
                .conflict, code: "refund_exists", message: "refund \(id) was recorded already",
                details: ["refundId": .string(id)])
        }
    }

    /// Campaigns an order uses: those it charges, and those whose price or units it takes (a flash sale), sorted.
    static func usedCampaigns(_ quote: Quote) -> [String] {
        Set(quote.applied.compactMap(\.source.campaignId)).sorted()
    }

    /// A line of a flash-sale SKU whose flash quantity or customer's limit is used up is refused, never placed at
    /// list price. While some flash units are left for the customer, the units past them are at list price, as
    /// the quote shows (the worked example's 3 units with a limit of 2).
    static func checkFlashSales(_ cart: Cart, quote: Quote, pricing: PricingContext) throws {
        // What is left of each flash sale, built only for a cart that holds a flash-sale SKU.
        var built: QuoteRequest?
        for campaign in pricing.campaigns {
            guard case .flashSale(let rule) = campaign.rules else { continue }
            let wanted = cart.lines.filter { $0.sku == rule.sku }.reduce(0) { $0 + $1.quantity }
            guard wanted > 0 else { continue }
            // Not in this channel, store, window or audience: the SKU sells at its price, as any other.
            let reason = quote.rejection(campaignId: campaign.campaignId)
            if let reason, reason != .flashSoldOut && reason != .customerLimitReached { continue }
            let request = built ?? pricing.request(cart)
            built = request
            let left = request.flashQuantitiesLeft[campaign.campaignId] ?? rule.quantity
            let bought = request.customer.flashPurchases[campaign.campaignId] ?? 0
            let customerLeft = max(0, rule.perCustomerLimit - bought)
            guard min(left, customerLeft) == 0 else { continue }
            // Both bind equally: the shopper's own limit is the one to tell them about.
            let code = left < customerLeft ? "flash_sold_out" : "customer_limit_reached"
            throw APIError(
                .conflict, code: code,
                message:
                    "\(rule.sku) at the flash price: \(min(left, customerLeft)) left for this customer, \(wanted) asked",
                details: [
                    "campaignId": .string(campaign.campaignId), "sku": .string(rule.sku),
                    "flashQuantityLeft": .int(Int64(left)), "customerLeft": .int(Int64(customerLeft)),
                    "quantity": .int(Int64(wanted)),
                ])
        }
    }

    /// Why a re-priced total differs, in words: the promotions refused for a budget, a limit or stock.
    static func cause(_ quote: Quote) -> String {
        let refused = quote.rejected.filter {
            [
                .budgetExhausted, .flashSoldOut, .customerLimitReached, .usageLimitReached, .dailyLimitReached,
                .orderCapReached, .giftOutOfStock,
            ].contains($0.reason)
        }
        guard !refused.isEmpty else { return "prices or promotions changed since the quote" }
        return refused.map { "\($0.source.campaignId ?? $0.source.couponCode ?? "points"): \($0.reason.rawValue)" }
            .joined(separator: "; ")
    }

    static func json(_ placed: OrderPlaced, status: String?, version: Int64) throws -> [String: JSONValue] {
        var body = placed.quote.objectValue ?? [:]
        body["orderId"] = .string(placed.orderId)
        body["customerId"] = .string(placed.customerId)
        body["channel"] = .string(placed.channel)
        body["storeId"] = .string(placed.storeId)
        body["fulfilmentLocation"] = .string(placed.fulfilmentLocation)
        body["paymentMethod"] = .string(placed.paymentMethod)
        body["status"] = .string(status ?? "placed")
        body["version"] = .int(version)
        return body
    }
}

extension APIError {
    static func unknownOrder(_ id: String) -> APIError {
        APIError(.notFound, code: "unknown_order", message: "no order \(id)", details: ["orderId": .string(id)])
    }

    static func orderExists(_ id: String) -> APIError {
        APIError(
            .conflict, code: "order_exists", message: "order \(id) was placed already",
            details: ["orderId": .string(id)])
    }
}
