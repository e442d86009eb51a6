import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import PromoDomain
import PromoProjections

/// `POST /v1/quotes` and `POST /v1/campaigns/{id}/simulate`: a cart priced by the engine over the catalog and
/// the active campaigns as the streams hold them now. No side effects.
struct QuoteRoutes: Sendable {
    let states: StreamStates
    var store: PostgresEventStore { states.store }
    let caches: CategoryCaches

    func register(on table: RouteTable) {
        table.add(.post, "/quotes", roles: [.channel, .marketing]) { request, context in
            var request = request
            let cart = try Self.cart(BodyReader(body: Request.json(try await request.bodyBytes(context: context))))
            let pricing = try await PricingContext.load(for: cart, states: states, caches: caches)
            return JSONResponse.make(status: .ok, text: try pricing.quote(cart, with: nil).rendered())
        }
        table.add(.post, "/campaigns/{id}/simulate", roles: [.marketing]) { request, context in
            var request = request
            let id = try request.identifier("id", context: context)
            let body = try BodyReader(body: Request.json(try await request.bodyBytes(context: context)))
            let cart = try Self.cart(try body.object("cart"), path: "cart.")
            try body.finish()
            let stream = try await states.load(try CampaignRoutes.streamID(id))
            let state = try stream.fold(CampaignStreamState.self)
            guard let definition = state.definition else { throw APIError.unknownCampaign(id) }
            let pricing = try await PricingContext.load(for: cart, states: states, caches: caches)
            let simulated = try CampaignRoutes.checkStored(definition, knownSKUs: pricing.skus)
            let with = try JSONValue(parsing: Array(try pricing.quote(cart, with: simulated).rendered().utf8))
            let without = try JSONValue(
                parsing: Array(try pricing.quote(cart, with: nil, leavingOut: id).rendered().utf8))
            return JSONResponse.make(body: [
                "campaignId": .string(id), "status": .string(state.status.rawValue), "withCampaign": with,
                "withoutCampaign": without,
                "differenceFen": .int(Int64((without["totalFen"]?.intValue ?? 0) - (with["totalFen"]?.intValue ?? 0))),
            ])
        }
    }

    /// API.md's cart: `{customerId, channel, storeId, lines:[{sku, quantity}], couponCodes, pointsToRedeem}`, plus
    /// `shippingFeeFen` (the channel's delivery fee for it).
    static func cart(_ body: BodyReader, path: String = "") throws -> Cart {
        let customerId = try InputLimits.identifier(try body.string("customerId"), field: "\(path)customerId")
        let channel = try body.string("channel")
        guard channel == "online" || channel == "store" else {
            throw APIError.invalidField("\(path)channel", "must be online or store")
        }
        let storeId = try InputLimits.identifier(try body.string("storeId"), field: "\(path)storeId")
        var lines: [Cart.Line] = []
        for line in try body.objects("lines", limit: PricingLimits.maxCartLines) {
            let sku = try line.string("sku")
            let quantity = try line.integer("quantity")
            try line.finish()
            lines.append(Cart.Line(sku: sku, quantity: Int(clamping: quantity)))
        }
        let cart = Cart(
            customerId: customerId, channel: channel, storeId: storeId, lines: lines,
            couponCodes: try body.optionalStrings("couponCodes") ?? [],
            pointsToRedeem: Int(clamping: try body.optionalInteger("pointsToRedeem") ?? 0),
            shippingFeeFen: Int(clamping: try body.optionalInteger("shippingFeeFen") ?? 0))
        try body.finish()
        return cart
    }
}

/// What a quote is priced against, loaded from the streams: the catalog, the active campaigns with what orders
/// have consumed of them, the store and the customer.
struct PricingContext: Sendable {
    var catalog: [Product]
    var campaigns: [Campaign]
    /// The active campaigns' streams, whose consumption sets budgets left, flash units left and usage.
    var campaignStates: [String: FoldedStream<CampaignStreamState>]
    var customer: CustomerContext
    var region: String?
    var store: StoreDefined
    /// The instant the cart is priced at, and its day in Asia/Shanghai (`yyyy-MM-dd`): per-day usage limits count
    /// on it.
    var now: Date
    var today: String
    /// The coupons the cart names, and the templates the active campaigns' coupon rebates grant.
    var coupons: [Coupon] = []
    var rebateTemplates: [CouponTemplate] = []
    /// The catalog by stream version, and where engines built from this context are kept.
    var productVersions: [String: Int64] = [:]
    /// Each campaign's definition version, from the same read as `campaigns` (a stream loaded again later for its
    /// budgets may have moved on).
    var definitionVersions: [String: Int] = [:]
    var engines: EngineCache?

    var skus: Set<String> { Set(catalog.map(\.sku)) }

    static func load(for cart: Cart, states: StreamStates, caches: CategoryCaches) async throws
        -> PricingContext
    {
        let catalog = try await caches.view(states.store)
        let skus = catalog.skus
        // Which campaigns are active comes from the category (a campaign activated by another process shows
        // within the cache's age); what each holds now, status included, from its own stream, read with the
        // store, the customer's profile and their points account in one trip.
        let candidates = try await caches.campaigns.current(states.store).compactMap { id, folded in
            folded.state.status == .active ? id : nil
        }.sorted()
        let streams = try await states.load(
            [
                try StreamID(category: "store", id: cart.storeId),
                try StreamID(category: "customer", id: cart.customerId),
                try StreamID(category: "points", id: cart.customerId),
            ] + candidates.map { try StreamID($0) })
        var campaigns: [Campaign] = []
        var campaignStates: [String: FoldedStream<CampaignStreamState>] = [:]
        for stream in streams.dropFirst(3) {
            let state = try stream.fold(CampaignStreamState.self)
            guard state.status == .active, let definition = state.definition else { continue }
            // A definition was checked when written; against today's catalog it still is (SKUs are never
            // removed), so each definition is decoded once and kept.
            guard
                var campaign = try? caches.definitions.campaign(
                    definition, version: state.definitionCount, knownSKUs: skus)
            else { continue }
            campaign.status = .active
            campaigns.append(campaign)
            campaignStates[campaign.campaignId] = FoldedStream(state: state, version: stream.version)
        }
        // A coupon rebate (满返券) needs its template: a campaign whose template is missing cannot be priced.
        var rebateTemplates: [String: CouponTemplate] = [:]
        let active = Set(campaigns.map(\.campaignId))
        campaigns = try await campaigns.asyncFilter { campaign in
            guard case .rebate(let rule) = campaign.rules else { return true }
            for tier in rule.tiers {
                guard case .coupon(let templateId) = tier.reward, rebateTemplates[templateId] == nil else { continue }
                let stream = try await states.load(try CouponRoutes.templateStream(templateId))
                guard let definition = try stream.fold(CouponTemplateState.self).definition,
                    let template = try? CouponTemplate.checked(definition, campaignIds: active)
                else { return false }
                rebateTemplates[templateId] = template
            }
            return true
        }
        guard let defined = try streams[0].fold(StoreState.self).store else {
            throw APIError(
                .unprocessableContent, code: "unknown_store", message: "no store \(cart.storeId)",
                details: ["field": "storeId", "storeId": .string(cart.storeId)])
        }
        // The last profile set, read without its sealed fields: pricing needs tier, region and tastes only. A
        // customer without a profile prices as a new regular customer (a first order, a guest).
        let record = try streams[1].fold(CustomerRecord.self)
        let profile = record.lastProfile
        let points = try streams[2].fold(PointsAccount.self)
        let now = Date()
        // Behavioural tags (spicy_lover, dormant, …) come from the customer-profiles read model, seconds behind
        // the log; they are looked up only when an active campaign's audience names one.
        var tags = record.audienceTags
        if campaigns.contains(where: { !BehaviouralTag.names.isDisjoint(with: $0.audience.tags) }) {
            let behaviour = try await CustomerTags.of(
                cart.customerId, on: BusinessDay.string(from: now), client: states.store.client,
                logger: states.store.logger)
            tags += behaviour.map(\.rawValue).filter { !tags.contains($0) }
        }
        let customer = CustomerContext(
            customerId: cart.customerId, tier: profile?.tier ?? "regular", tags: tags,
            isNew: record.orders == 0, pointsBalance: points.available(at: now), region: profile?.region,
            previousOrders: record.orders)
        return PricingContext(
            catalog: catalog.catalog, campaigns: campaigns, campaignStates: campaignStates, customer: customer,
            region: defined.channel == "store" ? defined.region : nil, store: defined,
            now: now, today: BusinessDay.string(from: now),
            coupons: try await states.coupons(cart.couponCodes, activeCampaigns: Set(campaigns.map(\.campaignId))),
            rebateTemplates: Array(rebateTemplates.values),
            productVersions: catalog.versions,
            definitionVersions: campaignStates.mapValues(\.state.definitionCount), engines: caches.engines)
    }

    /// The request: the cart, the customer with their usage of each campaign, and what each campaign has left.
    func request(_ cart: Cart) -> QuoteRequest {
        var cart = cart
        cart.region = region
        var customer = self.customer
        var budgetsLeft: [String: BudgetAmounts] = [:]
        var flashLeft: [String: Int] = [:]
        var ordersLeft: [String: Int] = [:]
        for campaign in campaigns {
            guard let used = campaignStates[campaign.campaignId]?.state.consumed else { continue }
            let id = campaign.campaignId
            if let limits = campaign.budget {
                func left(_ limit: Fen?, _ spent: Int64) -> Fen? { limit.map { max(0, $0 - Int(spent)) } }
                budgetsLeft[id] = BudgetAmounts(
                    totalFen: left(limits.totalFen, used.totalFen),
                    discountFen: left(limits.discountFen, used.discountFen),
                    giftCostFen: left(limits.giftCostFen, used.giftCostFen),
                    couponSubsidyFen: left(limits.couponSubsidyFen, used.couponSubsidyFen),
                    pointsCostFen: left(limits.pointsCostFen, used.pointsCostFen))
            }
            if case .flashSale(let rule) = campaign.rules { flashLeft[id] = max(0, rule.quantity - used.flashUnits) }
            if let cap = campaign.limits.maxOrders { ordersLeft[id] = max(0, cap - used.orders) }
            customer.campaignOrders[id] = used.orders(of: customer.customerId)
            customer.campaignOrdersToday[id] = used.orders(of: customer.customerId, on: today)
            customer.flashPurchases[id] = used.flashUnits(of: customer.customerId)
        }
        return QuoteRequest(
            cart: cart, customer: customer, now: now, budgetsLeft: budgetsLeft, flashQuantitiesLeft: flashLeft,
            ordersLeft: ordersLeft)
    }

    /// The cart priced; `with` adds (or replaces) one campaign as if active, `leavingOut` drops one.
    func quote(_ cart: Cart, with extra: Campaign?, leavingOut excluded: String? = nil) throws -> OrderedJSON {
        try price(cart, with: extra, leavingOut: excluded).json
    }

    func price(_ cart: Cart, with extra: Campaign? = nil, leavingOut excluded: String? = nil) throws -> Quote {
        var campaigns = self.campaigns.filter { $0.campaignId != (extra?.campaignId ?? excluded) }
        if var extra {
            extra.status = .active
            campaigns.append(extra)
        }
        do {
            let build = { () throws(PricingInputError) in
                try PricingEngine(
                    catalog: catalog, campaigns: campaigns, coupons: coupons, couponTemplates: rebateTemplates)
            }
            // The everyday case (no coupon, no simulated campaign) prices with the engine built last, while the
            // catalog and the campaigns' definitions are unchanged.
            guard let engines, coupons.isEmpty, extra == nil, excluded == nil else {
                return try build().quote(request(cart))
            }
            let key = EngineKey(
                products: productVersions,
                campaigns: Dictionary(campaigns.map { ($0.campaignId, definitionVersions[$0.campaignId] ?? 0) }) {
                    a, _ in a
                },
                templates: rebateTemplates.map(\.templateId).sorted())
            return try engines.engine(for: key, build: build).quote(request(cart))
        } catch {
            // The engine names cart fields as `cart.lines[0].sku`; the body's are `lines[0].sku`.
            throw APIError(
                error, field: error.field.hasPrefix("cart.") ? String(error.field.dropFirst(5)) : error.field)
        }
    }
}

extension Array where Element: Sendable {
    /// The elements `keep` says yes to, asked in order.
    func asyncFilter(_ keep: (Element) async throws -> Bool) async throws -> [Element] {
        var kept: [Element] = []
        for element in self where try await keep(element) { kept.append(element) }
        return kept
    }
}
