import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import PromoDomain
import Synchronization
import Testing

@testable import PromoAPI

/// The write path's two answers to long and hot streams: folded states kept in process (a load reads only what
/// was appended since), and commands on a busy stream decided in batches, one append per batch.
@Suite("Kept stream states and write batches")
struct WriteBatchingTests {
    static func receipts(_ count: Int, sku: String) throws -> [NewEvent] {
        try (0..<count).map { _ in try NewEvent(StockReceived(sku: sku, location: "wh-1", quantity: 2)) }
    }

    @Test("A kept stream is read from where it was left: one more event costs one event, not the history")
    func keptStates() async throws {
        let store = try await APITest.store()
        let sku = APITest.id("SK")
        let id = try StreamID(category: "stock", id: "\(sku)@wh-1")
        for _ in 0..<3 {
            _ = try await store.append(to: id, expectedVersion: .any, events: try Self.receipts(1_000, sku: sku))
        }

        let states = StreamStates(store: store)
        let first = try await states.load(id)
        #expect(first.version == 3_000)
        #expect(try first.fold(StockState.self).onHand == 6_000)
        #expect(states.eventsFolded.load(ordering: .relaxed) == 3_000)

        // Another process appends; this one reads only that event.
        _ = try await store.append(to: id, expectedVersion: .exact(3_000), events: try Self.receipts(1, sku: sku))
        let second = try await states.load(id)
        #expect(second.version == 3_001)
        #expect(try second.fold(StockState.self).onHand == 6_002)
        #expect(states.eventsFolded.load(ordering: .relaxed) == 3_001)

        // Nothing new: nothing folded, the same state.
        let third = try await states.load(id)
        #expect(third.version == 3_001 && states.eventsFolded.load(ordering: .relaxed) == 3_001)

        // A fresh process folds the whole stream to the same state.
        let other = try await StreamStates(store: store).load(id)
        #expect(try other.fold(StockState.self) == second.fold(StockState.self))

        // Asking for a state the category does not fold to is an error, not a wrong answer.
        #expect(throws: APIError.self) { try second.fold(CampaignStreamState.self) }
    }

    @Test("Past its capacity the cache forgets the least recently used streams, which are read whole again")
    func eviction() async throws {
        let store = try await APITest.store()
        let states = StreamStates(store: store, capacity: 10)
        let sku = APITest.id("EV")
        var ids: [StreamID] = []
        for n in 0..<12 {
            let id = try StreamID(category: "stock", id: "\(sku)-\(n)@wh-1")
            _ = try await store.append(to: id, expectedVersion: .noStream, events: try Self.receipts(2, sku: sku))
            ids.append(id)
        }
        for id in ids { _ = try await states.load(id) }
        #expect(states.keptCount <= 10)
        let before = states.eventsFolded.load(ordering: .relaxed)
        let reloaded = try await states.load(ids[0])  // the oldest: evicted, read whole
        #expect(reloaded.version == 2)
        #expect(states.eventsFolded.load(ordering: .relaxed) == before + 2)
    }

    /// A runner over the test store, with a batcher, and commands that append one receipt to a stream.
    struct Harness {
        let store: PostgresEventStore
        let runner: CommandRunner
        let principal = Principal(keyId: "k-batch-tests", name: "tests", role: .admin)

        init() async throws {
            store = try await APITest.store()
            runner = CommandRunner(
                store: store, idempotency: IdempotencyStore(client: store.client, logger: store.logger),
                states: StreamStates(store: store), caches: CategoryCaches(), metrics: APIMetrics())
        }

        /// Appends one receipt of `quantity` to `stream`, after `gate` (when given) opens.
        func receive(_ stream: StreamID, sku: String, quantity: Int = 1, gate: Gate? = nil) async throws
            -> HTTPResponse.Status
        {
            let write = WriteContext(principal: principal, requestHash: Data("\(UUID())".utf8))
            let response = try await runner.execute(write, streams: [stream]) { loaded in
                if let gate { await gate.wait() }
                return try WriteDecision(
                    loaded[0], events: [StockReceived(sku: sku, location: "wh-1", quantity: quantity)],
                    body: ["version": .int(loaded[0].version + 1)])
            }
            return response.status
        }

        func waiting() async -> Int { await runner.batcher?.waitingCount ?? 0 }
    }

    /// Opens once; everyone waiting goes on.
    actor Gate {
        private var open = false
        private var waiters: [CheckedContinuation<Void, Never>] = []
        var waitingCount: Int { waiters.count }
        func wait() async {
            if open { return }
            await withCheckedContinuation { waiters.append($0) }
        }
        func release() {
            open = true
            for waiter in waiters { waiter.resume() }
            waiters = []
        }
    }

    static func eventually(_ condition: () async -> Bool) async throws {
        for _ in 0..<2_000 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("the condition did not hold within 10 s")
    }

    @Test("Commands that wait on a busy stream are decided together, each on what the one before left, in one append")
    func batches() async throws {
        let harness = try await Harness()
        let sku = APITest.id("BT")
        let stream = try StreamID(category: "stock", id: "\(sku)@wh-1")
        let gate = Gate()
        let first = Task { try await harness.receive(stream, sku: sku, gate: gate) }
        // The first holds the stream (its decide waits on the gate); five more queue behind it.
        try await Self.eventually { await gate.waitingCount == 1 }
        var rest: [Task<HTTPResponse.Status, any Error>] = []
        for n in 0..<5 {  // one after another, so their order of arrival is known
            rest.append(Task { try await harness.receive(stream, sku: sku, quantity: 10 + n) })
            try await Self.eventually { await harness.waiting() == n + 1 }
        }
        await gate.release()

        #expect(try await first.value == .ok)
        for task in rest { #expect(try await task.value == .ok) }
        // Each decided on the state the one before it left (no conflict, no retry), in arrival order.
        let stored = try await APITest.storedEvents(stream.rawValue)
        #expect(
            try stored.map { try JSONValue(parsing: $0.payload)["quantity"]?.intValue } == [1, 10, 11, 12, 13, 14])
        // The five that waited were written by one transaction: their positions share the transaction id.
        #expect(Set(stored.dropFirst().map { $0.position >> 16 }).count == 1)
        #expect(stored[0].position >> 16 != stored[1].position >> 16)
        let state = try await StreamStates(store: harness.store).load(stream).fold(StockState.self)
        #expect(state.onHand == 1 + 10 + 11 + 12 + 13 + 14)
    }

    @Test("A member whose append cannot hold fails alone: its batchmates are written, each answered on its own")
    func guiltyMemberFailsAlone() async throws {
        let harness = try await Harness()
        let sku = APITest.id("GM")
        let stream = try StreamID(category: "stock", id: "\(sku)@wh-1")
        let taken = try StreamID(category: "stock", id: "\(sku)@wh-taken")
        _ = try await harness.store.append(
            to: taken, expectedVersion: .noStream, events: try Self.receipts(1, sku: sku))
        let gate = Gate()
        let first = Task { try await harness.receive(stream, sku: sku, gate: gate) }
        try await Self.eventually { await gate.waitingCount == 1 }
        let good = (0..<3).map { _ in Task { try await harness.receive(stream, sku: sku) } }
        // This one also writes a stream it did not load, claiming it is new: the batch's append fails on it.
        let write = WriteContext(principal: harness.principal, requestHash: Data("guilty".utf8))
        let guilty = Task {
            try await harness.runner.execute(write, streams: [stream]) { loaded in
                WriteDecision(
                    appends: [
                        StreamAppend(
                            loaded[0].id, expectedVersion: loaded[0].expected,
                            events: [try NewEvent(StockReceived(sku: sku, location: "wh-1", quantity: 100))]),
                        StreamAppend(
                            taken, expectedVersion: .noStream,
                            events: [try NewEvent(StockReceived(sku: sku, location: "wh-taken", quantity: 1))]),
                    ], body: [:])
            }
        }
        try await Self.eventually { await harness.waiting() == 4 }
        await gate.release()

        _ = try await first.value
        for task in good { _ = try await task.value }
        await #expect(throws: APIError.self) { _ = try await guilty.value }
        let state = try await StreamStates(store: harness.store).load(stream).fold(StockState.self)
        #expect(state.onHand == 4, "the first and the three good ones, not the guilty one's 100")
        #expect(try await harness.store.streamVersion(taken) == 1)
    }
}
