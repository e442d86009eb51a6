import EventStore
import PromoTestSupport
import Foundation
import PromoDomain
import Testing

@Suite("Idempotent commands")
struct IdempotencyTests {
    @Test("A retried command appends once and returns the original result")
    func retryReturnsOriginal() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream("order")
        let commandId = "cmd-\(UUID())"
        let events = [testEvent("OrderPlaced", ["totalFen": 18_450])]

        let first = try await store.append(to: stream, expectedVersion: .noStream, events: events, commandId: commandId)
        #expect(first.replayed == false)
        // The retry carries new event ids (a client regenerating them) and even an expectation that would now fail.
        let retry = try await store.append(
            to: stream, expectedVersion: .noStream, events: events.map { var e = $0; e.eventId = UUID(); return e },
            commandId: commandId)
        #expect(retry.replayed == true)
        #expect(retry.firstPosition == first.firstPosition)
        #expect(retry.lastPosition == first.lastPosition)
        #expect(retry.streams == first.streams)
        #expect(try await store.readStream(stream).count == 1)
        #expect(try await store.readStream(stream).first?.metadata.commandId == commandId)
    }

    @Test("The same command id with a different body is rejected and appends nothing")
    func reuseWithDifferentBody() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream("order")
        let commandId = "cmd-\(UUID())"
        _ = try await store.append(to: stream, expectedVersion: .any, events: [testEvent("OrderPlaced", ["totalFen": 100])], commandId: commandId)
        let error = await #expect(throws: EventStoreError.self) {
            try await store.append(to: stream, expectedVersion: .any, events: [testEvent("OrderPlaced", ["totalFen": 999])], commandId: commandId)
        }
        #expect(error?.code == .idempotencyKeyReused)
        #expect(try await store.readStream(stream).count == 1)
    }

    @Test("Ten concurrent deliveries of one command append exactly once, all with the same result")
    func concurrentDuplicates() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream("order")
        let commandId = "cmd-\(UUID())"
        let results = try await withThrowingTaskGroup(of: AppendResult.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    try await store.append(to: stream, expectedVersion: .any, events: [testEvent("OrderPlaced")], commandId: commandId)
                }
            }
            var all: [AppendResult] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(Set(results.map(\.lastPosition)).count == 1)
        #expect(results.filter { !$0.replayed }.count == 1)
        #expect(try await store.readStream(stream).count == 1)
    }
}
