import PromoDomain
import Testing

@Suite("Catalog decide/evolve")
struct CatalogDecideTests {
    func define(priceFen: Int64 = 3990, tags: [String] = ["spicy"]) throws -> DefineProduct {
        try DefineProduct(
            sku: "HP-001", name: "牛油火锅底料", spec: "500g", origin: "重庆", shelfLifeDays: 365, priceFen: priceFen,
            costFen: 1800, category: "hotpot", tags: tags)
    }

    @Test("A product defined twice the same way appends once; a change appends again")
    func idempotentDefinition() throws {
        var state = ProductState()
        let first = state.decide(try define())
        #expect(first.count == 1)
        try state.evolve(type: ProductDefined.eventType, payload: JSONValue(encoding: first[0]))
        #expect(state.decide(try define()).isEmpty)
        #expect(state.decide(try define(priceFen: 4290)).map(\.priceFen) == [4290])
    }

    @Test("Bounds name the field")
    func bounds() {
        #expect(throws: FieldError(field: "priceFen", message: "must be between 0 and 10000000000")) {
            try define(priceFen: 10_000_000_001)
        }
        #expect(throws: FieldError(field: "tags[1]", message: "repeats \"a\"")) { try define(tags: ["a", "a"]) }
        #expect(throws: FieldError.self) {
            try DefineProduct(
                sku: "HP 001", name: "x", spec: "", origin: "", shelfLifeDays: 1, priceFen: 0, costFen: 0,
                category: "c", tags: [])
        }
    }

    @Test("A v1 StoreDefined reads with the store's own id as fulfilment location")
    func storeUpcast() throws {
        let (payload, version) = try DomainEvents.upcasters.upcast(
            eventType: "StoreDefined", schemaVersion: 1,
            payload: ["storeId": "s-1", "name": "n", "region": "r", "channel": "store"])
        #expect(version == 2)
        #expect(try payload.decode(as: StoreDefined.self).fulfilmentLocation == "s-1")
    }
}
