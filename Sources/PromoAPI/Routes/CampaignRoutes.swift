import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import PromoDomain

/// Campaigns (`campaign-{campaignId}`): created as drafts, moved through their lifecycle, adjusted while not
/// ended, and read from their streams (authoritative, no lag). Bodies are API.md's campaign body, checked as
/// the pricing engine will price it, against the catalog.
struct CampaignRoutes: Sendable {
    let runner: CommandRunner
    let states: StreamStates
    var store: PostgresEventStore { states.store }
    let caches: CategoryCaches

    static let writers: Set<AccessRole> = [.marketing]
    /// Channel systems read the feed of active campaigns; marketing and analysts read any.
    static let readers: Set<AccessRole> = [.marketing, .channel, .analyst, .auditor]

    func register(on table: RouteTable) {
        table.add(.post, "/campaigns", roles: Self.writers) { request, context in
            try await create(request, context: context)
        }
        table.add(.patch, "/campaigns/{id}", roles: Self.writers) { request, context in
            try await adjust(request, context: context)
        }
        for transition in CampaignTransition.allCases {
            table.add(.post, "/campaigns/{id}/\(transition.rawValue)", roles: Self.writers) { request, context in
                try await change(transition, request, context: context)
            }
        }
        table.add(.post, "/campaigns/{id}/expenses", roles: Self.writers) { request, context in
            try await expense(request, context: context)
        }
        table.add(.get, "/campaigns", roles: Self.readers) { request, context in try await list(request, context) }
        table.add(.get, "/campaigns/{id}", roles: Self.readers) { request, context in
            let id = try request.identifier("id", context: context)
            _ = try QueryReader(request, allowed: [])
            let stream = try await states.load(try Self.streamID(id))
            let state = try stream.fold(CampaignStreamState.self)
            guard state.exists, Self.visible(state, to: context) else { throw APIError.unknownCampaign(id) }
            return JSONResponse.make(body: .object(try Self.json(state, version: stream.version)))
        }
        table.add(.get, "/campaigns/{id}/versions", roles: Self.writers.union([.analyst, .auditor])) {
            request, context in
            try await versions(request, context)
        }
    }

    static func streamID(_ id: String) throws -> StreamID { try StreamID(category: "campaign", id: id) }

    private func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let (write, bytes) = try await WriteContext.read(request, context: context)
        let body = try Request.json(bytes)
        guard case .object(let members) = body else { throw APIError.invalidField("(root)", "must be a JSON object") }
        guard case .string(let id)? = members["campaignId"] else {
            throw APIError.invalidField("campaignId", "is required (a string)")
        }
        let campaignId = try InputLimits.identifier(id, field: "campaignId")
        let definition = try await Self.check(body, store: store, caches: caches)
        return try await runner.execute(write, streams: [try Self.streamID(campaignId)]) { loaded in
            let stream = loaded[0]
            let state = try stream.fold(CampaignStreamState.self)
            let events = try Self.deciding { () throws(CampaignCommandError) in try state.decide(create: definition) }
            return try WriteDecision(
                stream, events: events, status: .created,
                body: try Self.json(Self.after(state, events), version: stream.version + Int64(events.count)))
        }
    }

    private func adjust(_ request: Request, context: APIRequestContext) async throws -> Response {
        let campaignId = try request.identifier("id", context: context)
        let (write, bytes) = try await WriteContext.read(request, context: context)
        guard case .object(let patch) = try Request.json(bytes) else {
            throw APIError.invalidField("(root)", "must be a JSON object")
        }
        if patch.isEmpty { throw APIError.invalidField("(root)", "names no field to change") }
        let store = self.store
        return try await runner.execute(write, streams: [try Self.streamID(campaignId)]) { loaded in
            let stream = loaded[0]
            let state = try stream.fold(CampaignStreamState.self)
            guard state.exists else { throw APIError.unknownCampaign(campaignId) }
            let merged: JSONValue
            do { merged = try state.adjusted(by: patch) } catch let error as PricingInputError { throw APIError(error) }
            let definition = try await Self.check(merged, store: store, caches: caches)
            let events = try Self.deciding { () throws(CampaignCommandError) in try state.decide(adjust: definition) }
            return try WriteDecision(
                stream, events: events,
                body: try Self.json(Self.after(state, events), version: stream.version + Int64(events.count)))
        }
    }

    private func change(_ transition: CampaignTransition, _ request: Request, context: APIRequestContext)
        async throws -> Response
    {
        let campaignId = try request.identifier("id", context: context)
        let (write, bytes) = try await WriteContext.read(request, context: context)
        // No body, or an empty object: the step is all there is to say.
        if bytes.readableBytes > 0, try Request.json(bytes) != .object([:]) {
            throw APIError.invalidField("(root)", "takes no fields (send {} or nothing)")
        }
        if transition == .activate || transition == .resume { try await checkPromisedStock(campaignId) }
        return try await runner.execute(write, streams: [try Self.streamID(campaignId)]) { loaded in
            let stream = loaded[0]
            let state = try stream.fold(CampaignStreamState.self)
            let events = try Self.deciding { () throws(CampaignCommandError) in
                try state.decide(transition, campaignId: campaignId)
            }
            return try WriteDecision(
                stream, events: events,
                body: try Self.json(Self.after(state, events), version: stream.version + Int64(events.count)))
        }
    }

    /// A campaign goes live only when the stock of what it promises, across locations, covers it (409
    /// `insufficient_stock` otherwise): a flash sale's units, a gift's gifts (``Campaign/promisedUnits``). A sale
    /// that runs out of stock before its quantity, or a gift that cannot be given, disappoints every shopper it
    /// drew.
    private func checkPromisedStock(_ campaignId: String) async throws {
        let stream = try await states.load(try Self.streamID(campaignId))
        let state = try stream.fold(CampaignStreamState.self)
        guard let definition = state.definition else { return }
        let catalog = try await caches.view(store)
        guard
            let campaign = try? caches.definitions.campaign(
                definition, version: state.definitionCount, knownSKUs: catalog.skus)
        else { return }
        let costs = Dictionary(catalog.catalog.map { ($0.sku, $0.costFen) }) { first, _ in first }
        for (sku, promised) in campaign.promisedUnits(consumed: state.consumed, unitCostFen: { costs[$0] })
            .sorted(by: { $0.key < $1.key }) where promised > 0
        {
            let available = try await states.stock(of: sku).reduce(Int64(0)) {
                $0 + (try $1.stream.fold(StockState.self)).available
            }
            guard available < Int64(promised) else { continue }
            let what = if case .flashSale = campaign.rules { "the flash sale promises" } else { "its gifts need" }
            throw APIError(
                .conflict, code: "insufficient_stock",
                message: "\(sku) has \(available) units available across locations; \(what) \(promised)",
                details: ["sku": .string(sku), "available": .int(available), "promised": .int(Int64(promised))])
        }
    }

    /// `POST /v1/campaigns/{id}/expenses {kind, amountFen, note}`: a cost outside orders, for cost accounting.
    private func expense(_ request: Request, context: APIRequestContext) async throws -> Response {
        let campaignId = try request.identifier("id", context: context)
        let (write, bytes) = try await WriteContext.read(request, context: context)
        let body = try BodyReader(body: Request.json(bytes))
        let kind = try body.string("kind")
        guard CampaignExpenseRecorded.kinds.contains(kind) else {
            throw APIError.invalidField("kind", "must be one of ads, print, push, other")
        }
        let amount = try InputLimits.integer(
            try body.integer("amountFen"), field: "amountFen", in: 1...InputLimits.fen.upperBound)
        let note = try InputLimits.text(try body.optionalString("note") ?? "", field: "note", length: 0...500)
        try body.finish()
        let recorded = CampaignExpenseRecorded(campaignId: campaignId, kind: kind, amountFen: amount, note: note)
        return try await runner.execute(write, streams: [try Self.streamID(campaignId)]) { loaded in
            let stream = loaded[0]
            let state = try stream.fold(CampaignStreamState.self)
            let events = try Self.deciding { () throws(CampaignCommandError) in try state.decide(expense: recorded) }
            return try WriteDecision(
                stream, events: events, status: .created,
                body: try Self.json(Self.after(state, events), version: stream.version + Int64(events.count)))
        }
    }

    private func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let query = try QueryReader(request, allowed: ["status", "channel", "storeId", "summary"])
        let status = try query.choice("status", of: CampaignStatus.self)
        let summary = try query.flag("summary")
        // Which campaigns match, from the definitions cache; their budgets and versions from their own streams.
        let campaigns = try await caches.campaigns.current(store)
        var ids: [StreamID] = []
        for (streamId, folded) in campaigns where folded.state.exists && Self.visible(folded.state, to: context) {
            if let status, folded.state.status != status { continue }
            let scope = folded.state.definition?["scope"]
            if let channel = query["channel"], !Self.admits(scope?["channels"], channel) { continue }
            if let storeId = query["storeId"], !Self.admits(scope?["stores"], storeId) { continue }
            ids.append(try StreamID(streamId))
        }
        var matching: [[String: JSONValue]] = []
        if summary {
            // Definitions and lifecycle only, from the cache: no campaign's stream of orders is read, however long.
            for id in ids {
                if let state = campaigns[id.rawValue]?.state { matching.append(Self.summary(state)) }
            }
        } else {
            for stream in try await states.load(ids) {
                matching.append(try Self.json(try stream.fold(CampaignStreamState.self), version: stream.version))
            }
        }
        matching.sort { ($0["campaignId"]?.stringValue ?? "") < ($1["campaignId"]?.stringValue ?? "") }
        return JSONResponse.make(body: ["campaigns": .array(matching.map { .object($0) })])
    }

    private func versions(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try request.identifier("id", context: context)
        _ = try QueryReader(request, allowed: [])
        let history = try await states.history(try Self.streamID(id))
        guard !history.isEmpty else { throw APIError.unknownCampaign(id) }
        var definitions: [JSONValue] = []
        var statuses: [JSONValue] = []
        let format = ISO8601DateFormatter()
        for event in history {
            let common: [String: JSONValue] = [
                "streamVersion": .int(event.streamVersion), "position": .int(event.position),
                "recordedAt": .string(format.string(from: event.recordedAt)),
                "actor": event.metadata.actor.map { .string($0) } ?? .null,
            ]
            switch event.type {
            case CampaignCreated.eventType, CampaignAdjusted.eventType:
                var entry = common
                entry["definition"] = event.payload["definition"] ?? .null
                entry["changed"] = event.payload["changed"] ?? .array([])
                entry["version"] = .int(Int64(definitions.count + 1))
                definitions.append(.object(entry))
            case CampaignStatusChanged.eventType:
                var entry = common
                entry["from"] = event.payload["from"] ?? .null
                entry["to"] = event.payload["to"] ?? .null
                statuses.append(.object(entry))
            default:
                break
            }
        }
        return JSONResponse.make(body: [
            "campaignId": .string(id), "versions": .array(definitions), "statusChanges": .array(statuses),
        ])
    }

    /// The body checked as the engine prices it, against the SKUs the catalog holds now: 400 naming the
    /// field, or 422 `unknown_sku`.
    static func check(_ body: JSONValue, store: PostgresEventStore, caches: CategoryCaches) async throws
        -> CampaignDefinition
    {
        let skus = try await caches.view(store).skus
        do throws(PricingInputError) {
            let definition = try CampaignDefinition(json: body, knownSKUs: skus)
            // The SKUs a scope names, too (the engine checks those its rules name). Checked when written only, as
            // coupon templates' are: a definition stored before still prices as it did.
            try definition.campaign.scope.checkSKUs(known: skus)
            return definition
        } catch {
            throw APIError(error)
        }
    }

    /// A stored definition as the engine's campaign (status from the stream, not the body).
    static func checkStored(_ definition: JSONValue, knownSKUs: Set<String>) throws -> Campaign {
        do {
            return try CampaignDefinition(json: definition, knownSKUs: knownSKUs).campaign
        } catch {
            throw APIError(
                .unprocessableContent, code: "invalid_campaign",
                message: "the stored definition no longer checks: \(error.field) \(error.message)",
                details: ["field": .string(error.field)])
        }
    }

    /// Runs a decision, its refusals as API errors.
    static func deciding<Event>(_ decide: () throws(CampaignCommandError) -> [Event]) throws(APIError) -> [Event] {
        do { return try decide() } catch { throw APIError(error) }
    }

    static func after(_ state: CampaignStreamState, _ events: [any DomainEvent]) throws -> CampaignStreamState {
        var state = state
        for event in events { try state.evolve(type: type(of: event).eventType, payload: JSONValue(encoding: event)) }
        return state
    }

    /// A channel key sees active campaigns only (the feed it shows shoppers); other readers see every status.
    static func visible(_ state: CampaignStreamState, to context: APIRequestContext) -> Bool {
        context.principal?.role != .channel || state.status == .active
    }

    /// An empty scope list admits everything.
    static func admits(_ list: JSONValue?, _ value: String) -> Bool {
        guard case .array(let items)? = list, !items.isEmpty else { return true }
        return items.contains(.string(value))
    }

    /// The definition, its status and stream version, and its budget: limits, consumed, left.
    /// The definition with its status and definition version: what the definitions cache alone can tell.
    static func summary(_ state: CampaignStreamState) -> [String: JSONValue] {
        var body = state.definition?.objectValue ?? [:]
        body["status"] = .string(state.status.rawValue)
        body["definitionVersion"] = .int(Int64(state.definitionCount))
        return body
    }

    static func json(_ state: CampaignStreamState, version: Int64) throws -> [String: JSONValue] {
        var body = summary(state)
        body["version"] = .int(version)
        // What placed orders consumed (`CampaignBudgetConsumed`), and what the limits leave.
        let used = state.consumed
        let spent: [String: Int64] = [
            "totalFen": used.totalFen, "discountFen": used.discountFen, "giftCostFen": used.giftCostFen,
            "couponSubsidyFen": used.couponSubsidyFen, "pointsCostFen": used.pointsCostFen,
        ]
        let limits = body["budget"]?.objectValue ?? [:]
        var left: [String: JSONValue] = [:]
        for (key, amount) in spent { if let limit = limits[key]?.intValue { left[key] = .int(max(0, limit - amount)) } }
        body["budget"] = [
            "limits": .object(limits), "consumed": .object(spent.mapValues { .int($0) }), "left": .object(left),
        ]
        body["usage"] = ["orders": .int(Int64(used.orders)), "flashUnitsSold": .int(Int64(used.flashUnits))]
        body["expenses"] = [
            "byKind": .object(state.expensesFen.mapValues { .int($0) }),
            "totalFen": .int(state.expensesFen.values.reduce(0, +)),
        ]
        return body
    }
}

extension APIError {
    /// 404 for an unknown campaign id in the path.
    static func unknownCampaign(_ id: String) -> APIError {
        APIError(
            .notFound, code: "unknown_campaign", message: "no campaign \(id)", details: ["campaignId": .string(id)])
    }

    init(_ error: CampaignCommandError) {
        switch error {
        case .exists(let id):
            self.init(
                .conflict, code: "campaign_exists", message: "campaign \(id) exists already; adjust it with PATCH",
                details: ["campaignId": .string(id)])
        case .notFound(let id):
            self = .unknownCampaign(id)
        case .ended(let id):
            self.init(
                .conflict, code: "campaign_ended", message: "campaign \(id) has ended and can no longer change",
                details: ["campaignId": .string(id)])
        case .invalidTransition(let id, let from, let transition):
            self.init(
                .conflict, code: "invalid_transition",
                message: "campaign \(id) is \(from.rawValue): it cannot \(transition.rawValue) (allowed from "
                    + transition.allowedFrom.map(\.rawValue).sorted().joined(separator: " or ") + ")",
                details: [
                    "campaignId": .string(id), "status": .string(from.rawValue),
                    "transition": .string(transition.rawValue),
                ])
        case .windowClosed(let id):
            self.init(
                .conflict, code: "window_closed",
                message: "campaign \(id)'s window has closed: it cannot go live; adjust its window first",
                details: ["campaignId": .string(id)])
        }
    }
}
