import HTTPTypes
import EventStore
import Hummingbird
import PromoDomain

/// `PUT /v1/products/{sku}`, `GET /v1/products?category=&tag=`, `GET /v1/products/{sku}`: the catalog, read
/// from and written to the event store (`product-{sku}`), which is authoritative.
struct ProductRoutes: Sendable {
    let runner: CommandRunner
    let states: StreamStates
    var store: PostgresEventStore { states.store }
    let caches: CategoryCaches

    static let writers: Set<AccessRole> = [.marketing]
    static let readers: Set<AccessRole> = [.marketing, .analyst, .auditor]

    func register(on table: RouteTable) {
        table.add(.put, "/products/{sku}", roles: Self.writers) { request, context in
            try await define(request, context: context)
        }
        table.add(.get, "/products", roles: Self.readers) { request, _ in try await list(request) }
        table.add(.get, "/products/{sku}", roles: Self.readers) { request, context in
            let sku = try request.identifier("sku", context: context)
            let stream = try await states.load(try StreamID(category: "product", id: sku))
            guard let product = try stream.fold(ProductState.self).product else { throw APIError.unknownSKU(sku) }
            return JSONResponse.make(body: .object(try Self.json(product, version: stream.version)))
        }
    }

    private func define(_ request: Request, context: APIRequestContext) async throws -> Response {
        let sku = try request.identifier("sku", context: context)
        let (write, bytes) = try await WriteContext.read(request, context: context)
        let body = try BodyReader(body: Request.json(bytes))
        let (name, spec, origin, shelfLifeDays) = try (
            body.string("name"), body.string("spec"), body.string("origin"), body.integer("shelfLifeDays")
        )
        let (priceFen, costFen, category, tags) = try (
            body.integer("priceFen"), body.integer("costFen"), body.string("category"), body.strings("tags")
        )
        try body.finish()
        let command = try DefineProduct(
            sku: sku, name: name, spec: spec, origin: origin, shelfLifeDays: shelfLifeDays, priceFen: priceFen,
            costFen: costFen, category: category, tags: tags)
        return try await runner.execute(write, streams: [try StreamID(category: "product", id: sku)]) { loaded in
            let stream = loaded[0]
            let events = try stream.fold(ProductState.self).decide(command)
            return try WriteDecision(
                stream, events: events, status: stream.exists ? .ok : .created,
                body: try Self.json(command.product, version: stream.version + Int64(events.count)))
        }
    }

    private func list(_ request: Request) async throws -> Response {
        let query = try QueryReader(request, allowed: ["category", "tag"])
        let category = query["category"]
        let tag = query["tag"]
        let matching = try await caches.catalog(store).compactMap { product, version -> (ProductDefined, Int64)? in
            if let category, product.category != category { return nil }
            if let tag, !product.tags.contains(tag) { return nil }
            return (product, version)
        }.sorted { $0.0.sku < $1.0.sku }
        return JSONResponse.make(body: [
            "products": .array(try matching.map { .object(try Self.json($0.0, version: $0.1)) })
        ])
    }

    static func json(_ product: ProductDefined, version: Int64) throws -> [String: JSONValue] {
        var body = try JSONValue(encoding: product).objectValue ?? [:]
        body["version"] = .int(version)
        return body
    }
}

extension APIError {
    /// 404 for an unknown SKU in the path (API.md: an unknown id in the path is 404).
    static func unknownSKU(_ sku: String) -> APIError {
        APIError(.notFound, code: "unknown_sku", message: "no product \(sku)", details: ["sku": .string(sku)])
    }
}
