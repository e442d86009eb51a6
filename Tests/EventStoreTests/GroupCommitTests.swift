import EventStore
import PromoTestSupport
import Foundation
import PromoDomain
import Testing

@Suite("Group commit")
struct GroupCommitTests {
    enum Outcome: Sendable {
        case ok(AppendResult)
        case conflict(EventStoreError)
    }

    @Test("Concurrent appends share transactions, and the bad ones in a shared batch fail alone")
    func batchedAppendsFailIndependently() async throws {
        let store = try await TestDatabase.store()
        let existing = TestDatabase.uniqueStream()
        _ = try await store.append(to: existing, expectedVersion: .noStream, events: [testEvent()])
        let commandId = "cmd-\(UUID())"
        let commandStream = TestDatabase.uniqueStream()

        // 40 appends at once: 28 good ones to new streams, 8 with a wrong expected version, 4 repeats of one command.
        let outcomes = try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
            for index in 0..<40 {
                group.addTask {
                    do {
                        switch index {
                        case 0..<28:
                            return (
                                index,
                                .ok(
                                    try await store.append(
                                        to: TestDatabase.uniqueStream(), expectedVersion: .noStream,
                                        events: [testEvent(), testEvent()]))
                            )
                        case 28..<36:
                            return (
                                index,
                                .ok(
                                    try await store.append(
                                        to: existing, expectedVersion: .exact(7), events: [testEvent()]))
                            )
                        default:
                            return (
                                index,
                                .ok(
                                    try await store.append(
                                        to: commandStream, expectedVersion: .any, events: [testEvent("Once")],
                                        commandId: commandId))
                            )
                        }
                    } catch let error as EventStoreError {
                        return (index, .conflict(error))
                    }
                }
            }
            var all: [Int: Outcome] = [:]
            for try await (index, outcome) in group { all[index] = outcome }
            return all
        }

        var transactions = Set<Int64>()
        for index in 0..<28 {
            guard case .ok(let result) = outcomes[index] else { Issue.record("append \(index) failed"); continue }
            #expect(result.lastPosition == result.firstPosition + 1, "an append's events sit side by side")
            transactions.insert(result.firstPosition >> 16)
        }
        #expect(transactions.count < 28, "concurrent appends shared transactions")
        for index in 28..<36 {
            guard case .conflict(let error) = outcomes[index] else {
                Issue.record("append \(index) should conflict"); continue
            }
            #expect(error.conflicts == [.init(streamId: existing.rawValue, expected: .exact(7), actual: 1)])
        }
        let repeats = (36..<40).compactMap { index -> AppendResult? in
            if case .ok(let result) = outcomes[index] { return result }
            return nil
        }
        #expect(repeats.count == 4)
        #expect(Set(repeats.map(\.lastPosition)).count == 1, "every repeat of the command got the first result")
        #expect(repeats.filter { !$0.replayed }.count == 1)
        #expect(try await store.readStream(existing).count == 1)
        #expect(try await store.readStream(commandStream).count == 1, "the command appended once")
    }

    @Test("Under load with a pool of one, the lanes take turns on its connection; appends share transactions")
    func oneLaneHoldsOneConnection() async throws {
        _ = try await TestDatabase.store()  // migrated
        try await ScratchDatabase.withClient(TestDatabase.url, maxConnections: 1) { client in
            let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
            let streams = (0..<64).map { _ in TestDatabase.uniqueStream() }
            let results = try await withThrowingTaskGroup(of: AppendResult.self) { group in
                for stream in streams {
                    group.addTask {
                        try await store.append(to: stream, expectedVersion: .noStream, events: [testEvent()])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 64)
            #expect(Set(results.map { $0.firstPosition >> 16 }).count < 64, "the appends shared transactions")
            // The lanes gave the connection back once the queue was empty: a read gets it.
            for stream in streams { #expect(try await store.streamVersion(stream) == 1) }
        }
    }

    @Test("New event ids are version 7 UUIDs: unique, stamped with the time, later ones sorting later")
    func eventIdsAreTimeOrdered() async throws {
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let first = (0..<10_000).map { _ in NewEvent(type: "T", payload: .null).eventId }
        let after = UInt64(Date().timeIntervalSince1970 * 1000)
        #expect(Set(first).count == 10_000)
        for id in first.prefix(100) {
            let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 7, "version 7")
            #expect(bytes[8] >> 6 == 0b10, "RFC 9562 variant")
            let stamp = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            #expect((before...after).contains(stamp), "the first 48 bits are the Unix time in milliseconds")
        }
        try await Task.sleep(for: .milliseconds(3))
        let later = UUID.timeOrdered()
        #expect(first.allSatisfy { $0.uuidString < later.uuidString }, "an id from a later millisecond sorts after")
        let random = UUID.random()
        #expect(withUnsafeBytes(of: random.uuid) { $0[6] >> 4 } == 4, "UUID.random() is version 4")
    }
}
