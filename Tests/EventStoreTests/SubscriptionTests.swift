import EventStore
import PromoTestSupport
import Foundation
import PostgresNIO
import PromoDomain
import Synchronization
import Testing

/// Collects what a subscription delivered, across its tasks.
final class Delivered: Sendable {
    private let events = Mutex<[RecordedEvent]>([])
    func add(_ batch: [RecordedEvent]) { events.withLock { $0.append(contentsOf: batch) } }
    var all: [RecordedEvent] { events.withLock { $0 } }
}

@Suite("Catch-up subscriptions")
struct SubscriptionTests {
    @Test("A transaction holding an early position open for 5 s delays delivery but nothing is skipped")
    func lateCommitIsNotSkipped() async throws {
        let store = try await TestDatabase.store()
        let prefix = "late\(UUID().uuidString.prefix(8).lowercased())"
        let held = try StreamID("\(prefix)-held")
        let delivered = Delivered()
        let signal = WakeupSignal()
        let name = "test-\(UUID())"
        try await startFromHead(name, store: store)
        // It reads every test's events, not only this one's: batches of 25 keep up with the other suites on a
        // loaded machine (7 fell behind for over a minute) and still spread this test's 61 over several batches.
        let subscription = CatchUpSubscription(
            name: name, store: store, signal: signal,
            configuration: .init(batchSize: 25, pollInterval: .milliseconds(100))
        ) { batch, _ in
            delivered.add(batch.filter { $0.streamId.hasPrefix(prefix) })
        }

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await subscription.run() }
            group.addTask { try await EventNotifier(client: store.client, signal: signal, logger: store.logger).run() }

            // The held transaction takes its position first, then others commit after it. It stays open until
            // the test has checked that nothing was delivered (at least 5 s), however slow the machine.
            let heldOpen = AsyncStream<Void>.makeStream()
            let release = AsyncStream<Void>.makeStream()
            group.addTask {
                try await store.client.withOpenTransaction(logger: store.logger) { connection in
                    _ = try await store.append(
                        to: held, expectedVersion: .noStream, events: [testEvent("Held")], on: connection)
                    heldOpen.continuation.yield()
                    try await Task.sleep(for: .seconds(5))
                    for await _ in release.stream { break }
                }
            }
            for await _ in heldOpen.stream { break }
            var later: [AppendResult] = []
            for index in 0..<30 {
                let stream = try StreamID("\(prefix)-after\(index % 3)")
                later.append(
                    try await store.append(
                        to: stream, expectedVersion: .any, events: [testEvent("After"), testEvent("After")]))
            }
            // While the early transaction is open, nothing after its position may be delivered.
            try await Task.sleep(for: .seconds(1))
            #expect(delivered.all.isEmpty, "events after an open transaction's position must wait for it")
            release.continuation.yield()

            let expected = 1 + later.count * 2
            let deadline = ContinuousClock.now + .seconds(180)  // a bound for a loaded machine, not a speed target
            while delivered.all.count < expected, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .milliseconds(300))  // give a duplicate the chance to show
            group.cancelAll()
        }

        let events = delivered.all
        #expect(events.count == 61)
        #expect(Set(events.map(\.eventId)).count == events.count, "exactly once")
        #expect(events.map(\.position) == events.map(\.position).sorted(), "in global order")
        #expect(events.first?.streamId == held.rawValue, "the held event has the earliest position")
    }

    @Test("An append in one process wakes listeners in another through NOTIFY, coalescing bursts")
    func notificationCrossesProcesses() async throws {
        let base = try await TestDatabase.store()
        let appended = WakeupSignal()
        let writer = PostgresEventStore(client: base.client, logger: base.logger, appended: appended)
        let writerSide = EventNotifier(
            client: base.client, signal: WakeupSignal(), appended: appended, logger: base.logger)
        let readerSignal = WakeupSignal()
        let readerSide = EventNotifier(client: base.client, signal: readerSignal, logger: base.logger)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await readerSide.run() }
            group.addTask { try await writerSide.run() }
            // The listener fires once when it starts listening; wait for that so what follows is the NOTIFY.
            let deadline = ContinuousClock.now + .seconds(30)
            while await readerSignal.current == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let before = await readerSignal.current
            _ = try await writer.append(
                to: TestDatabase.uniqueStream(), expectedVersion: .noStream, events: [testEvent()])
            await readerSignal.wait(after: before, timeout: .seconds(30))
            #expect(await readerSignal.current > before, "the other process was woken well before any poll timer")
            group.cancelAll()
        }
    }

    @Test("A subscription restarted from its durable checkpoint delivers only what is new")
    func resumesFromCheckpoint() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream("resume")
        let name = "test-\(UUID())"
        try await startFromHead(name, store: store)
        let signal = WakeupSignal()
        let first = try await store.append(
            to: stream, expectedVersion: .noStream, events: [testEvent(), testEvent(), testEvent()])

        func runUntil(_ position: Int64) async throws -> [RecordedEvent] {
            let delivered = Delivered()
            let subscription = CatchUpSubscription(
                name: name, store: store, signal: signal, configuration: .init(pollInterval: .milliseconds(50))
            ) {
                batch, _ in delivered.add(batch.filter { $0.streamId == stream.rawValue })
            }
            let reached = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await subscription.run() }
                let reached = try await Checkpoints(store: store).waitUntil(
                    name, reaches: position, timeout: .seconds(60))
                group.cancelAll()
                return reached
            }
            #expect(reached)
            return delivered.all
        }

        #expect(try await runUntil(first.lastPosition).map(\.streamVersion) == [1, 2, 3])
        let second = try await store.append(to: stream, expectedVersion: .exact(3), events: [testEvent(), testEvent()])
        #expect(try await runUntil(second.lastPosition).map(\.streamVersion) == [4, 5])
        #expect(try await Checkpoints(store: store).position(of: name) >= second.lastPosition)
    }

    @Test("A handler error rolls back its batch and the checkpoint stays where it was")
    func handlerFailureKeepsCheckpoint() async throws {
        struct Boom: Error {}
        let store = try await TestDatabase.store()
        let name = "test-\(UUID())"
        _ = try await store.append(to: TestDatabase.uniqueStream(), expectedVersion: .noStream, events: [testEvent()])
        let subscription = CatchUpSubscription(name: name, store: store, signal: WakeupSignal()) { _, _ in throw Boom()
        }
        await #expect(throws: (any Error).self) { try await subscription.run() }
        #expect(try await Checkpoints(store: store).position(of: name) == 0)
    }
}

/// Starts subscription `name` after everything committed so far, so a test's subscription reads only what the
/// test appends rather than the whole history of a long-lived test database.
func startFromHead(_ name: String, store: PostgresEventStore) async throws {
    let head = try await store.headPosition()
    try await store.client.leasedExecute(
        "INSERT INTO subscription_checkpoints (name, position) VALUES (\(name), \(head))", logger: store.logger)
}
