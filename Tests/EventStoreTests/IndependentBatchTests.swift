import EventStore
import Foundation
import PostgresNIO
import PromoDomain
import PromoTestSupport
import Testing

/// Batches of independent appends (no stream or command id in two of them) run as `promo_commit_batch`, set-based
/// and without subtransactions. Part of the fault suite, which runs serialized: the batches are made to queue
/// behind a sleeping one, and the suite's other tests kill sleeping batch sessions.
extension FaultIsolationTests {
    /// A store with one group-commit lane.
    static func oneLaneStore() async throws -> PostgresEventStore {
        let base = try await TestDatabase.store()
        return PostgresEventStore(
            client: base.client, logger: base.logger, configuration: .init(lanes: 1, maxBatchesInFlight: 1))
    }

    /// Keeps `store`'s only lane asleep inside a batch for `seconds`; returns once the batch sleeps, so appends
    /// made now queue and go as one batch after it.
    static func busyLane(_ store: PostgresEventStore, seconds: Double) async throws -> Task<AppendResult, any Error> {
        let slow = NewEvent(type: "Slow", payload: FaultInjection.payload("sleep", sleepSeconds: seconds))
        let stream = TestDatabase.uniqueStream("fault")
        let blocker = Task { try await store.append(to: stream, expectedVersion: .noStream, events: [slow]) }
        let sleeping: PostgresQuery = """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event = 'PgSleep' AND query LIKE 'CALL promo_commit_%'
            """
        let deadline = ContinuousClock.now + .seconds(30)
        while try await store.client.leasedValue(sleeping, as: Int64.self, logger: store.logger) ?? 0 < 1,
            ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        return blocker
    }

    static func outcome(_ work: @escaping @Sendable () async throws -> AppendResult) -> Task<Outcome, any Error> {
        Task {
            do { return .ok(try await work()) } catch let error as EventStoreError { return .failed(error) }
        }
    }

    @Test("Independent appends in one batch: chained events verify, conflicts and replays come back per append")
    func independentBatchDecidesEachAppend() async throws {
        let store = try await Self.oneLaneStore()
        let (existing, recorded, chain, multiA, multiB, missing, fresh) = (
            TestDatabase.uniqueStream("fault"), TestDatabase.uniqueStream("fault"), TestDatabase.uniqueStream("fault"),
            TestDatabase.uniqueStream("fault"), TestDatabase.uniqueStream("fault"), TestDatabase.uniqueStream("fault"),
            TestDatabase.uniqueStream("fault")
        )
        _ = try await store.append(to: existing, expectedVersion: .noStream, events: [testEvent(), testEvent()])
        let once = testEvent("Once")
        let first = try await store.append(
            to: recorded, expectedVersion: .noStream, events: [once], commandId: "cmd-\(recorded.rawValue)")
        let blocker = try await Self.busyLane(store, seconds: 1.5)

        let chained = Self.outcome {
            try await store.append(
                to: chain, expectedVersion: .noStream, events: [testEvent("A"), testEvent("B"), testEvent("C")])
        }
        let twoStreams = Self.outcome {
            try await store.append([
                StreamAppend(multiA, expectedVersion: .noStream, events: [testEvent(), testEvent()]),
                StreamAppend(multiB, expectedVersion: .any, events: [testEvent()]),
            ])
        }
        let onExisting = Self.outcome {
            try await store.append(to: existing, expectedVersion: .exact(2), events: [testEvent()])
        }
        let conflicting = Self.outcome {
            try await store.append(to: missing, expectedVersion: .exact(5), events: [testEvent()])
        }
        let replay = Self.outcome {
            try await store.append(
                to: recorded, expectedVersion: .noStream, events: [once], commandId: "cmd-\(recorded.rawValue)")
        }
        let newCommand = Self.outcome {
            try await store.append(
                to: fresh, expectedVersion: .noStream, events: [testEvent()], commandId: "cmd-\(fresh.rawValue)")
        }
        _ = try await blocker.value

        guard case .ok(let chainResult) = try await chained.value,
            case .ok(let twoResult) = try await twoStreams.value,
            case .ok(let existingResult) = try await onExisting.value,
            case .ok(let replayResult) = try await replay.value,
            case .ok(let freshResult) = try await newCommand.value
        else {
            Issue.record("an append that should have been stored failed")
            return
        }
        #expect(chainResult.stream(chain) == .init(streamId: chain.rawValue, firstVersion: 1, lastVersion: 3))
        #expect(chainResult.lastPosition == chainResult.firstPosition + 2)
        #expect(twoResult.stream(multiA) == .init(streamId: multiA.rawValue, firstVersion: 1, lastVersion: 2))
        #expect(twoResult.stream(multiB) == .init(streamId: multiB.rawValue, firstVersion: 1, lastVersion: 1))
        #expect(existingResult.stream(existing) == .init(streamId: existing.rawValue, firstVersion: 3, lastVersion: 3))
        #expect(replayResult.replayed)
        #expect(replayResult.firstPosition == first.firstPosition && replayResult.streams == first.streams)
        #expect(!freshResult.replayed && freshResult.stream(fresh)?.lastVersion == 1)
        let transactions = Set([chainResult, twoResult, existingResult, freshResult].map { $0.firstPosition >> 16 })
        #expect(transactions.count == 1, "the queued appends went as one batch")

        guard case .failed(let error) = try await conflicting.value else {
            Issue.record("an append expecting version 5 of a new stream was stored")
            return
        }
        #expect(error.code == .wrongExpectedVersion)
        #expect(error.conflicts == [.init(streamId: missing.rawValue, expected: .exact(5), actual: 0)])
        #expect(try await store.streamVersion(missing) == 0)

        #expect(try await store.readStream(chain).map(\.type) == ["A", "B", "C"])
        #expect(try await store.readStream(recorded).count == 1, "the replay wrote nothing")
        for stream in [chain, multiA, multiB, existing, fresh] {
            let verification = try await store.verify(stream)
            #expect(verification.ok, "\(stream): \(verification.problem ?? "")")
        }
        // Run again with the command id: the batch recorded the new command.
        let again = try await store.append(
            to: fresh, expectedVersion: .noStream, events: [testEvent()], commandId: "cmd-\(fresh.rawValue)")
        #expect(again.replayed && again.firstPosition == freshResult.firstPosition)
    }

    @Test("An existing stream appended as noStream fails alone in a batch of independent appends, named in the error")
    func independentBatchWithExistingStream() async throws {
        let store = try await Self.oneLaneStore()
        let existing = TestDatabase.uniqueStream("fault")
        _ = try await store.append(to: existing, expectedVersion: .noStream, events: [testEvent(), testEvent()])
        let blocker = try await Self.busyLane(store, seconds: 1.5)
        let streams = (0..<6).map { _ in TestDatabase.uniqueStream("fault") }
        let good = streams.map { stream in
            Self.outcome { try await store.append(to: stream, expectedVersion: .noStream, events: [testEvent()]) }
        }
        let bad = Self.outcome {
            try await store.append(to: existing, expectedVersion: .noStream, events: [testEvent("Twice")])
        }
        _ = try await blocker.value

        var transactions = Set<Int64>()
        for (stream, outcome) in zip(streams, good) {
            guard case .ok(let result) = try await outcome.value else {
                Issue.record("the append to \(stream) failed with its batch-mate")
                continue
            }
            #expect(result.stream(stream)?.lastVersion == 1)
            transactions.insert(result.firstPosition >> 16)
        }
        #expect(transactions.count == 1, "the good appends still went in one transaction")
        guard case .failed(let error) = try await bad.value else {
            Issue.record("a noStream append to an existing stream was stored")
            return
        }
        #expect(error.conflicts == [.init(streamId: existing.rawValue, expected: .noStream, actual: 2)])
        #expect(try await store.readStream(existing).map(\.type) == ["TestHappened", "TestHappened"])
    }
}
