import EventStore
import HTTPTypes
import Hummingbird
import Logging
import PostgresNIO
import PromoDomain

/// Runs a command the way every write does: load its streams, decide (pure), append with the expected versions,
/// answer with `position`; retried when another process got there first, idempotent per Idempotency-Key.
///
/// Commands that share a stream are queued in process by the ``WriteBatcher`` and decided in batches: each on
/// the state the ones before it in the batch left, all of the batch's events written in one append. A flash
/// sale's hot stock and budget streams so cost one append per batch rather than a storm of optimistic retries.
/// A batch whose append fails for a reason that belongs to one member (an order id taken, an Idempotency-Key
/// repeated) is run again one member at a time, so only that member fails.
///
/// With an Idempotency-Key, the append and the recorded response commit in one transaction, so a repeat (even a
/// concurrent one) gets the first response byte for byte and appends nothing. Without one, the append goes
/// through the store's group commit.
struct CommandRunner: Sendable {
    let store: PostgresEventStore
    let idempotency: IdempotencyStore
    let states: StreamStates
    /// Told of every append, so the catalog and campaign caches see this process's changes at once.
    let caches: CategoryCaches
    let metrics: APIMetrics
    /// Nil when in-process batching is off: every command is decided alone, and concurrent commands on one
    /// stream race on expected versions (what `tools/bench orders` compares batching against).
    let batcher: WriteBatcher?
    /// How often a command is decided again after another writer moved one of its streams. Default 5.
    var maxAttempts = 5
    /// How many events one batch appends at most; members past it wait for the next batch.
    var maxEventsPerBatch = 800

    typealias Decide = @Sendable ([LoadedStream]) async throws -> WriteDecision

    /// One command waiting to run.
    struct Command: Sendable {
        var write: WriteContext
        var streams: [StreamID]
        var decide: Decide
    }

    init(
        store: PostgresEventStore, idempotency: IdempotencyStore, states: StreamStates, caches: CategoryCaches,
        metrics: APIMetrics, batching: Bool = true, maxAttempts: Int = 5
    ) {
        self.store = store
        self.idempotency = idempotency
        self.states = states
        self.caches = caches
        self.metrics = metrics
        self.batcher = batching ? WriteBatcher() : nil
        self.maxAttempts = maxAttempts
    }

    /// Runs one command: a repeat of an Idempotency-Key already answered gets that answer (looked up with the
    /// rest of its batch), anything else is decided and appended.
    func execute(_ write: WriteContext, streams: [StreamID], decide: @escaping Decide) async throws -> Response {
        let command = Command(write: write, streams: streams, decide: decide)
        guard let batcher else { return try await run([command])[0].get() }
        return try await batcher.submit(command, runner: self)
    }

    /// Runs `commands` (which the caller keeps other in-process writers away from) in as few batches as they
    /// fit, each retried on conflicts with other processes; one result per command, in order.
    func run(_ commands: [Command]) async -> [Result<Response, any Error>] {
        var results: [Result<Response, any Error>] = []
        var rest = commands[...]
        while !rest.isEmpty {
            let (answers, taken) = await runBatch(rest)
            results += answers
            rest = rest.dropFirst(taken)
        }
        return results
    }

    /// Runs a batch from the front of `commands`: as many as fit one append. Answers those it took.
    private func runBatch(_ commands: ArraySlice<Command>) async -> ([Result<Response, any Error>], Int) {
        var attempt = 0
        while true {
            attempt += 1
            var taken = commands.count
            do {
                let (answers, count) = try await attemptBatch(commands)
                return (answers, count)
            } catch let failure as BatchFailure {
                taken = failure.taken
                switch failure.error {
                case let error as EventStoreError
                where error.code == .wrongExpectedVersion && (taken == 1 || attempt == 1):
                    // Another process moved a stream: decide again on what it holds now. A batch that conflicts a
                    // second time is split below, in case the conflict is one member's alone.
                    metrics.countConflict()
                    states.forgetBehind(error.conflicts)
                    guard attempt < maxAttempts else {
                        let conflict = APIError(
                            .conflict, code: "wrong_expected_version",
                            message: "other writers kept changing this resource; try again",
                            details: ["streams": .array(error.conflicts.map { .string($0.streamId) })])
                        return (Array(repeating: .failure(conflict), count: taken), taken)
                    }
                    metrics.countRetry()
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 1...(4 << attempt))))
                case _ where taken > 1:
                    // Something in the batch failed it whole: run each alone, so only the one it belongs to fails.
                    var results: [Result<Response, any Error>] = []
                    for command in commands.prefix(taken) { results += await run([command]) }
                    return (results, taken)
                case let error where error.isUniqueViolation(on: "idempotent_requests_pkey"):
                    // A repeat running at the same time committed first: answer as it did.
                    return ([await replay(commands[commands.startIndex].write, after: error)], 1)
                case let error:
                    return ([.failure(error)], 1)
                }
            } catch {
                return (Array(repeating: .failure(error), count: taken), taken)
            }
        }
    }

    private func replay(_ write: WriteContext, after error: any Error) async -> Result<Response, any Error> {
        do {
            guard let key = write.idempotencyKey,
                let recorded = try await idempotency.lookup(keyId: write.principal.keyId, idempotencyKey: key)
            else { throw error }
            return .success(try recorded.replay(for: write.requestHash))
        } catch {
            return .failure(error)
        }
    }

    /// The append of a batch failed: the batch's first `taken` commands are answered by no one yet.
    private struct BatchFailure: Error {
        var error: any Error
        var taken: Int
    }

    /// One try: loads every stream of the batch, decides each command on what the ones before it left, and
    /// appends every event in one append. A command whose events do not follow on from the batch's (it appends to
    /// a stream it did not load, which another command of the batch appended to) or that would make the append
    /// too large ends the batch: it runs first in the next. Throws ``BatchFailure`` when the append fails.
    private func attemptBatch(_ commands: ArraySlice<Command>) async throws -> ([Result<Response, any Error>], Int) {
        var ids: [StreamID] = []
        var seen: Set<StreamID> = []
        for command in commands { for id in command.streams where seen.insert(id).inserted { ids.append(id) } }
        var streams: [StreamID: LoadedStream] = [:]
        do {
            for stream in try await states.load(ids) { streams[stream.id] = stream }
        } catch {
            throw BatchFailure(error: error, taken: commands.count)
        }

        // Commands whose Idempotency-Key was answered before are answered so again, without deciding.
        let recorded: [IdempotencyStore.Key: IdempotencyStore.Recorded]
        do {
            recorded = try await idempotency.lookup(
                commands.compactMap { command in
                    command.write.idempotencyKey.map { (command.write.principal.keyId, $0) }
                })
        } catch {
            throw BatchFailure(error: error, taken: commands.count)
        }

        var outcomes: [Outcome] = []
        var merged = MergedAppend()
        // Events decided but not yet folded into their stream: folded when a later command loads the stream (a
        // new order's stream never is), or when the batch keeps it.
        var pending: [StreamID: [NewEvent]] = [:]
        for command in commands {
            if merged.eventCount >= maxEventsPerBatch { break }
            if let key = command.write.idempotencyKey,
                let answer = recorded[.init(keyId: command.write.principal.keyId, idempotencyKey: key)]
            {
                outcomes.append(.answered(Result { try answer.replay(for: command.write.requestHash) }))
                continue
            }
            let decision: WriteDecision
            do {
                for id in command.streams {
                    guard let events = pending.removeValue(forKey: id) else { continue }
                    try streams[id]?.apply(events)
                }
                decision = try await command.decide(command.streams.map { streams[$0]! })
            } catch {
                outcomes.append(.failed(error))
                continue
            }
            var appends = decision.appends
            guard merged.follows(appends) else { break }
            for a in appends.indices {
                for e in appends[a].events.indices {
                    appends[a].events[e].metadata.actor = command.write.principal.keyId
                    appends[a].events[e].metadata.commandId = command.write.commandId
                }
                if streams[appends[a].streamId] != nil {
                    pending[appends[a].streamId, default: []] += appends[a].events
                }
                merged.add(appends[a])
            }
            let unchanged = command.streams.compactMap { streams[$0]?.lastPosition }.max() ?? 0
            outcomes.append(
                .decided(
                    Decided(write: command.write, decision: decision, appended: !appends.isEmpty, unchanged: unchanged))
            )
        }
        metrics.countBatch(commands: outcomes.count)
        do {
            return (try await commit(merged, outcomes, streams: streams, pending: pending), outcomes.count)
        } catch {
            throw BatchFailure(error: error, taken: outcomes.count)
        }
    }

    private enum Outcome {
        case failed(any Error)
        case answered(Result<Response, any Error>)
        case decided(Decided)
    }

    /// A command that decided: its answer, once the batch's position is known.
    private struct Decided: Sendable {
        var write: WriteContext
        var decision: WriteDecision
        var appended: Bool
        /// The position answered when the command appended nothing: the last of its streams.
        var unchanged: Int64

        func text(position: Int64?) -> String {
            var body = decision.body
            body["position"] = .int(appended ? (position ?? unchanged) : unchanged)
            return JSONValue.object(body).canonicalString
        }

        /// The record of `text`, the answer, for a command with an Idempotency-Key.
        func row(_ text: String) -> IdempotencyStore.Row? {
            write.idempotencyKey.map {
                IdempotencyStore.Row(
                    keyId: write.principal.keyId, idempotencyKey: $0, requestHash: write.requestHash,
                    status: Int(decision.status.code), body: text)
            }
        }
    }

    /// Appends the batch's events and records the Idempotency-Keys of its commands, in one transaction when any
    /// has one; then answers each command.
    private func commit(
        _ merged: MergedAppend, _ outcomes: [Outcome], streams: [StreamID: LoadedStream],
        pending: [StreamID: [NewEvent]]
    ) async throws -> [Result<Response, any Error>] {
        let appends = merged.appends
        let decided = outcomes.compactMap { outcome -> Decided? in
            if case .decided(let decided) = outcome { return decided }
            return nil
        }
        // Each answer's text is written once: recorded (with an Idempotency-Key) and sent are the same bytes.
        let position: Int64?
        let texts: [String]
        if decided.allSatisfy({ $0.write.idempotencyKey == nil }) {
            position = appends.isEmpty ? nil : try await store.append(appends).lastPosition
            texts = decided.map { $0.text(position: position) }
        } else {
            (position, texts) = try await store.client.inTransaction(logger: store.logger) { connection in
                let position = appends.isEmpty ? nil : try await store.append(appends, on: connection).lastPosition
                let texts = decided.map { $0.text(position: position) }
                try await idempotency.record(
                    zip(decided, texts).compactMap { decided, text in decided.row(text) }, on: connection)
                return (position, texts)
            }
        }
        if let position {
            metrics.countAppended(merged.eventCount)
            caches.appended(appends)
            var changed: [LoadedStream] = []
            for append in appends where StreamStates.kinds[append.streamId.category]?.kept == true {
                guard var stream = streams[append.streamId] else { continue }
                do {
                    try stream.apply(pending[append.streamId] ?? [])
                } catch {
                    continue  // not kept: folded from the store on its next load
                }
                stream.stored(at: position)
                changed.append(stream)
            }
            states.keep(changed)
        }
        var answered = texts.makeIterator()
        return outcomes.map { outcome in
            switch outcome {
            case .failed(let error): return .failure(error)
            case .answered(let answer): return answer
            case .decided(let decided):
                return .success(JSONResponse.make(status: decided.decision.status, text: answered.next() ?? ""))
            }
        }
    }
}

/// The appends of a batch's commands merged per stream: each stream's events in the order the commands decided
/// them, expecting the version the first of them expected.
struct MergedAppend {
    private(set) var appends: [StreamAppend] = []
    private var index: [StreamID: Int] = [:]
    private(set) var eventCount = 0

    /// The version each stream reaches after the appends so far, when known (nil after an `any`).
    private var next: [StreamID: Int64?] = [:]

    /// Whether `appends` can join: each stream the batch appends to already is expected at the version the
    /// batch leaves it at.
    func follows(_ appends: [StreamAppend]) -> Bool {
        appends.allSatisfy { append in
            guard let next = next[append.streamId] else { return true }
            switch append.expectedVersion {
            case .any: return true
            case .noStream: return false
            case .exact(let version): return next == version
            }
        }
    }

    mutating func add(_ append: StreamAppend) {
        eventCount += append.events.count
        let count = Int64(append.events.count)
        if let at = index[append.streamId] {
            appends[at].events += append.events
            if let known = next[append.streamId] { next[append.streamId] = .some(known.map { $0 + count }) }
        } else {
            index[append.streamId] = appends.count
            appends.append(append)
            switch append.expectedVersion {
            case .any: next[append.streamId] = .some(nil)
            case .noStream: next[append.streamId] = count
            case .exact(let version): next[append.streamId] = version + count
            }
        }
    }
}
