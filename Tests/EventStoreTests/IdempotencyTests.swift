import EventStore
import PromoTestSupport
import Foundation
import PostgresNIO
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
            to: stream, expectedVersion: .noStream,
            events: events.map {
                var e = $0; e.eventId = UUID(); return e
            },
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
        _ = try await store.append(
            to: stream, expectedVersion: .any, events: [testEvent("OrderPlaced", ["totalFen": 100])],
            commandId: commandId)
        let error = await #expect(throws: EventStoreError.self) {
            try await store.append(
                to: stream, expectedVersion: .any, events: [testEvent("OrderPlaced", ["totalFen": 999])],
                commandId: commandId)
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
                    try await store.append(
                        to: stream, expectedVersion: .any, events: [testEvent("OrderPlaced")], commandId: commandId)
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

    @Test("An identical resend racing an open first delivery waits for it and replays its result")
    func identicalResendReplaysOpenFirst() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream("order")
        let commandId = "cmd-\(UUID())"
        let events = [testEvent("OrderPlaced", ["totalFen": 18_450]), testEvent("StockReserved")]
        let firstWritten = AsyncStream<AppendResult>.makeStream()
        let release = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The first delivery appends inside a transaction that stays open until the resend is waiting.
            group.addTask {
                defer { firstWritten.continuation.finish() }  // a failure here must not leave the test waiting
                try await store.client.withOpenTransaction(logger: store.logger) { connection in
                    let result = try await store.append(
                        to: stream, expectedVersion: .noStream, events: events, commandId: commandId, on: connection)
                    firstWritten.continuation.yield(result)
                    for await _ in release.stream { break }
                }
            }
            var iterator = firstWritten.stream.makeAsyncIterator()
            let first = try #require(await iterator.next())
            // The resend carries the very same event ids, as a client retrying its own request does.
            async let resend = store.append(
                to: stream, expectedVersion: .noStream, events: events, commandId: commandId)
            try await Task.sleep(for: .milliseconds(300))  // the resend is now waiting on the first's command row
            release.continuation.yield()
            let replay = try await resend
            #expect(replay.replayed, "the resend replays instead of failing on an event id")
            #expect(replay.firstPosition == first.firstPosition && replay.lastPosition == first.lastPosition)
            #expect(replay.streams == first.streams)
            try await group.waitForAll()
        }
        #expect(try await store.readStream(stream).count == 2)
    }
}
