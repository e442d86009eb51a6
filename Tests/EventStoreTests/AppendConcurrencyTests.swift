import EventStore
import PromoTestSupport
import PostgresNIO
import PromoDomain
import Testing

@Suite("Append under concurrency")
struct AppendConcurrencyTests {
    @Test("50 writers racing with exact(n): each version is won by exactly one writer, no gaps, no duplicates")
    func exactVersionRace() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream()
        let target: Int64 = 60

        // Every writer reads the head and appends with exact(head) until the stream reaches `target`.
        let outcomes = try await withThrowingTaskGroup(of: (wins: [Int64], conflicts: [EventStoreError]).self) {
            group in
            for writer in 0..<50 {
                group.addTask {
                    var wins: [Int64] = []
                    var conflicts: [EventStoreError] = []
                    while true {
                        let head = try await store.streamVersion(stream)
                        if head >= target { break }
                        do {
                            let result = try await store.append(
                                to: stream, expectedVersion: head == 0 ? .noStream : .exact(head),
                                events: [
                                    testEvent("VersionWon", ["writer": .int(Int64(writer)), "expected": .int(head)])
                                ])
                            #expect(result.stream(stream)?.lastVersion == head + 1)
                            wins.append(head + 1)
                        } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
                            conflicts.append(error)
                        }
                    }
                    return (wins, conflicts)
                }
            }
            var all: [(wins: [Int64], conflicts: [EventStoreError])] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }

        let wins = outcomes.flatMap(\.wins).sorted()
        let conflicts = outcomes.flatMap(\.conflicts)
        #expect(wins == Array(1...target), "every version won exactly once")
        #expect(!conflicts.isEmpty, "50 writers on one stream must collide")
        for conflict in conflicts {
            #expect(conflict.conflicts.count == 1)
            let c = try #require(conflict.conflicts.first)
            #expect(c.streamId == stream.rawValue)
            if case .exact(let expected) = c.expected { #expect(c.actual > expected) }
        }

        let events = try await store.readStream(stream)
        #expect(events.map(\.streamVersion) == Array(1...target))
        // Each stored event is the winner's: the version it expected is one below the one it got.
        for event in events {
            #expect(event.payload["expected"]?.intValue == event.streamVersion - 1)
        }
        #expect(try await store.verify(stream).ok)
    }

    @Test("20 parallel appends with .any to one stream are all stored")
    func anyAppendsAllStored() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<20 {
                group.addTask {
                    _ = try await store.append(
                        to: stream, expectedVersion: .any, events: [testEvent("Any", ["writer": .int(Int64(writer))])])
                }
            }
            try await group.waitForAll()
        }
        let events = try await store.readStream(stream)
        #expect(events.count == 20)
        #expect(events.map(\.streamVersion) == Array(1...20))
        #expect(Set(events.compactMap { $0.payload["writer"]?.intValue }) == Set(0..<20))
        #expect(try await store.verify(stream).ok)
    }

    @Test("A multi-stream append with one wrong version writes nothing to any stream")
    func multiStreamAtomicity() async throws {
        let store = try await TestDatabase.store()
        let order = TestDatabase.uniqueStream("order")
        let stock = TestDatabase.uniqueStream("stock")
        _ = try await store.append(to: stock, expectedVersion: .noStream, events: [testEvent("StockReceived")])

        let error = await #expect(throws: EventStoreError.self) {
            try await store.append([
                StreamAppend(order, expectedVersion: .noStream, events: [testEvent("OrderPlaced")]),
                StreamAppend(stock, expectedVersion: .exact(5), events: [testEvent("StockReserved")]),
            ])
        }
        #expect(error?.code == .wrongExpectedVersion)
        #expect(error?.conflicts == [.init(streamId: stock.rawValue, expected: .exact(5), actual: 1)])
        #expect(try await store.readStream(order).isEmpty, "the first stream is untouched")
        #expect(try await store.streamVersion(order) == 0)
        #expect(try await store.readStream(stock).count == 1)

        // With the right versions both streams take their events in one transaction, at adjacent positions.
        let result = try await store.append([
            StreamAppend(order, expectedVersion: .noStream, events: [testEvent("OrderPlaced")]),
            StreamAppend(
                stock, expectedVersion: .exact(1), events: [testEvent("StockReserved"), testEvent("LowStock")]),
        ])
        #expect(result.lastPosition - result.firstPosition == 2)
        #expect(result.stream(order) == .init(streamId: order.rawValue, firstVersion: 1, lastVersion: 1))
        #expect(result.stream(stock) == .init(streamId: stock.rawValue, firstVersion: 2, lastVersion: 3))
    }

    @Test("noStream on an existing stream is a conflict naming actual version")
    func noStreamConflict() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream()
        _ = try await store.append(to: stream, expectedVersion: .noStream, events: [testEvent(), testEvent()])
        let error = await #expect(throws: EventStoreError.self) {
            try await store.append(to: stream, expectedVersion: .noStream, events: [testEvent()])
        }
        #expect(error?.conflicts.first?.actual == 2)
        #expect(error?.description.contains("wrong_expected_version") == true)
    }

    @Test("A conflict names every stream that is not where expected, noStream ones included")
    func conflictNamesEveryStream() async throws {
        let store = try await TestDatabase.store()
        let existing = TestDatabase.uniqueStream("order")
        let stock = TestDatabase.uniqueStream("stock")
        let fresh = TestDatabase.uniqueStream("budget")
        _ = try await store.append(to: existing, expectedVersion: .noStream, events: [testEvent()])
        _ = try await store.append(to: stock, expectedVersion: .noStream, events: [testEvent(), testEvent()])
        let appends = [
            StreamAppend(existing, expectedVersion: .noStream, events: [testEvent()]),
            StreamAppend(stock, expectedVersion: .exact(5), events: [testEvent()]),
            StreamAppend(fresh, expectedVersion: .noStream, events: [testEvent()]),
        ]
        let expected: [EventStoreError.VersionConflict] = [
            .init(streamId: existing.rawValue, expected: .noStream, actual: 1),
            .init(streamId: stock.rawValue, expected: .exact(5), actual: 2),
        ]
        let onPool = await #expect(throws: EventStoreError.self) { try await store.append(appends) }
        #expect(onPool?.conflicts == expected)
        // The same on a caller's connection, whose transaction stays usable afterwards.
        try await store.client.withOpenTransaction(logger: store.logger) { connection in
            let onConnection = await #expect(throws: EventStoreError.self) {
                try await store.append(appends, on: connection)
            }
            #expect(onConnection?.conflicts == expected)
            _ = try await store.append(to: fresh, expectedVersion: .noStream, events: [testEvent()], on: connection)
        }
        #expect(try await store.streamVersion(fresh) == 1)
        #expect(try await store.streamVersion(existing) == 1)
        #expect(try await store.streamVersion(stock) == 2)
    }
}
