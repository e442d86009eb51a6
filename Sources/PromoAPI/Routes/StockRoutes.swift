import HTTPTypes
import EventStore
import Hummingbird
import PromoDomain

/// Stock per SKU and location (`stock-{sku}@{location}`): receipts, adjustments, safety stock, and levels.
///
/// Available (on hand − reserved) never goes below zero: the command is decided on the stream's state and
/// appended expecting its version, so two writers can never both take the last units.
struct StockRoutes: Sendable {
    let runner: CommandRunner
    let states: StreamStates
    var store: PostgresEventStore { states.store }

    static let writers: Set<AccessRole> = [.marketing]
    static let readers: Set<AccessRole> = [.marketing, .analyst, .auditor]

    func register(on table: RouteTable) {
        table.add(.post, "/stock/{sku}/{location}/receipts", roles: Self.writers) { request, context in
            try await run(request, context) { body in .receive(quantity: try body.integer("quantity")) }
        }
        table.add(.post, "/stock/{sku}/{location}/adjustments", roles: Self.writers) { request, context in
            try await run(request, context) { body in
                .adjust(delta: try body.integer("delta"), reason: try body.string("reason"))
            }
        }
        table.add(.put, "/stock/{sku}/{location}/safety-stock", roles: Self.writers) { request, context in
            try await run(request, context) { body in .setSafetyStock(quantity: try body.integer("quantity")) }
        }
        table.add(.get, "/stock/{sku}", roles: Self.readers) { request, context in
            try await levels(request, context)
        }
    }

    private func run(
        _ request: Request, _ context: APIRequestContext, command read: (BodyReader) throws -> StockCommand
    ) async throws -> Response {
        let sku = try request.identifier("sku", context: context)
        let location = try request.identifier("location", context: context)
        let (write, bytes) = try await WriteContext.read(request, context: context)
        let body = try BodyReader(body: Request.json(bytes))
        let command = try read(body)
        try body.finish()
        _ = try command.validated()
        try await requireProduct(sku)
        let stream = try StreamID(category: "stock", id: "\(sku)@\(location)")
        return try await runner.execute(write, streams: [stream]) { loaded in
            let state = try loaded[0].fold(StockState.self)
            let events: [any DomainEvent]
            do {
                events = try state.decide(command, sku: sku, location: location)
            } catch let error as StockError {
                throw APIError(error)
            }
            var after = state
            for event in events {
                try after.evolve(type: type(of: event).eventType, payload: JSONValue(encoding: event))
            }
            var json = Self.json(after)
            json["sku"] = .string(sku)
            json["location"] = .string(location)
            json["lowStock"] = .bool(events.contains { $0 is LowStockDetected })
            return try WriteDecision(loaded[0], events: events, body: json)
        }
    }

    private func levels(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let sku = try request.identifier("sku", context: context)
        _ = try QueryReader(request, allowed: [])
        try await requireProduct(sku)
        var locations: [String: JSONValue] = [:]
        for (location, stream) in try await states.stock(of: sku) {
            locations[location] = .object(Self.json(try stream.fold(StockState.self)))
        }
        return JSONResponse.make(body: ["sku": .string(sku), "locations": .object(locations)])
    }

    private func requireProduct(_ sku: String) async throws {
        let product = try await states.load(try StreamID(category: "product", id: sku))
        guard try product.fold(ProductState.self).product != nil else { throw APIError.unknownSKU(sku) }
    }

    static func json(_ state: StockState) -> [String: JSONValue] {
        [
            "onHand": .int(state.onHand), "reserved": .int(state.reserved), "available": .int(state.available),
            "safetyStock": .int(state.safetyStock),
        ]
    }
}

extension APIError {
    init(_ error: StockError) {
        switch error {
        case .insufficientStock(let available, let delta):
            self.init(
                .conflict, code: "insufficient_stock",
                message: "only \(available) available; a change of \(delta) would take it below zero",
                details: ["available": .int(available), "delta": .int(delta)])
        case .onHandLimitExceeded(let onHand, let delta):
            self.init(
                .unprocessableContent, code: "on_hand_limit_exceeded",
                message: "on hand would pass \(InputLimits.onHand.upperBound) units",
                details: ["onHand": .int(onHand), "delta": .int(delta)])
        }
    }
}
