import PromoDomain
import Testing

@Suite("Stock decide/evolve")
struct StockStateTests {
    func state(_ commands: [StockCommand]) throws -> StockState {
        var state = StockState()
        for command in commands {
            for event in try state.decide(command, sku: "HP-001", location: "online") {
                try state.evolve(type: type(of: event).eventType, payload: JSONValue(encoding: event))
            }
        }
        return state
    }

    @Test("A drop from at-or-above safety stock to below it appends LowStockDetected after the change, once")
    func lowStockOnCrossingOnly() throws {
        let base = try state([.receive(quantity: 30), .setSafetyStock(quantity: 20)])
        let crossing = try base.decide(.adjust(delta: -11, reason: "damaged"), sku: "HP-001", location: "online")
        #expect(crossing.map { type(of: $0).eventType } == ["StockAdjusted", "LowStockDetected"])
        #expect(
            crossing.last as? LowStockDetected
                == LowStockDetected(sku: "HP-001", location: "online", available: 19, safetyStock: 20))
        let below = try state([.receive(quantity: 30), .setSafetyStock(quantity: 20), .adjust(delta: -11, reason: "x")])
        let further = try below.decide(.adjust(delta: -1, reason: "x"), sku: "HP-001", location: "online")
        #expect(further.count == 1)
        let raised = try base.decide(.setSafetyStock(quantity: 31), sku: "HP-001", location: "online")
        #expect(raised.map { type(of: $0).eventType } == ["SafetyStockSet", "LowStockDetected"])
        // Setting the level it has (a repeated PUT) appends nothing; a level of 0 on a new stream neither.
        #expect(try base.decide(.setSafetyStock(quantity: 20), sku: "HP-001", location: "online").isEmpty)
        #expect(try StockState().decide(.setSafetyStock(quantity: 0), sku: "HP-001", location: "online").isEmpty)
    }

    @Test("Available never goes below zero; on hand never past 10^9")
    func bounds() throws {
        let base = try state([.receive(quantity: 5)])
        #expect(throws: StockError.insufficientStock(available: 5, delta: -6)) {
            try base.decide(.adjust(delta: -6, reason: "x"), sku: "A", location: "b")
        }
        #expect(try base.decide(.adjust(delta: -5, reason: "x"), sku: "A", location: "b").count == 1)
        let full = try state(Array(repeating: .receive(quantity: 1_000_000), count: 1_000))
        #expect(full.onHand == 1_000_000_000)
        #expect(throws: StockError.onHandLimitExceeded(onHand: 1_000_000_000, delta: 1)) {
            try full.decide(.receive(quantity: 1), sku: "A", location: "b")
        }
    }

    @Test("Commands are bounded, naming the field")
    func validation() {
        #expect(throws: FieldError(field: "delta", message: "must not be 0")) {
            try StockCommand.adjust(delta: 0, reason: "x").validated()
        }
        #expect(throws: FieldError.self) { try StockCommand.receive(quantity: 1_000_001).validated() }
        #expect(throws: FieldError.self) { try StockCommand.adjust(delta: -1, reason: "").validated() }
    }
}
