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
}
