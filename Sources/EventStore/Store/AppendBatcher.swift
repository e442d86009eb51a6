import Synchronization

/// Group commit for appends from many tasks of one process.
///
/// Each append queues and waits. A lane drains the queue: it takes everything queued (up to a cap), runs it as
/// one call — one transaction, set-based, each append failing alone — hands each waiter its own outcome, and
/// takes the next batch at once; it ends when it finds the queue empty, and the next append starts one again.
/// A lone writer runs alone at once; under load each batch is what queued while the running ones were on their
/// way to disk, so concurrent appends share commits instead of queueing for them.
///
/// Up to `sharedLanes` lanes (two by default) share the load, each on its own connection: one's batch computes
/// while the other's commit waits for the disk, and the database works on two cores. (One lane with the next
/// batch sent behind the running one on the same connection keeps the server busy too, but one backend is
/// one core: measured at 32 writers, two lanes did 10–25 % more appends, at about the same CPU per append.)
/// One lane more, up to `maxLanes`, starts only when every running lane's batch has been out longer than
/// `stallThreshold` (a batch waiting on a row lock, for up to the store's `batchLockWait`), so a stuck batch
/// delays no one who arrives after it; once no lane is stuck, the extra lane ends.
///
/// State is behind a lock, not an actor: every append passes through here, and an actor would cost each two
/// hops on and off its executor. Nothing awaits while the lock is held; continuations are resumed after.
final class AppendBatcher: Sendable {
    /// Appends taken together, to run as one call.
    struct Batch: Sendable {
        fileprivate var waiters: [Waiter]
        var plans: [AppendPlan] { waiters.map(\.plan) }
        var count: Int { waiters.count }
    }

    fileprivate struct Waiter: Sendable {
        var plan: AppendPlan
        var continuation: CheckedContinuation<BatchOutcome, Never>
    }

    private struct State {
        var queue: [Waiter] = []
        var queueStart = 0
        /// Each running lane, and when its current batch was taken.
        var lanes: [Int: ContinuousClock.Instant] = [:]
        var nextLane = 0

        func stalled(_ lane: Int, at now: ContinuousClock.Instant, threshold: Duration) -> Bool {
            lanes[lane].map { now - $0 > threshold } ?? false
        }
    }

    private let state = Mutex(State())
    let sharedLanes: Int
    let maxLanes: Int
    let maxAppends: Int
    let maxEvents: Int
    let stallThreshold: Duration

    init(
        sharedLanes: Int, maxLanes: Int, maxAppends: Int, maxEvents: Int, stallThreshold: Duration = .milliseconds(50)
    ) {
        self.sharedLanes = max(1, sharedLanes)
        self.maxLanes = max(self.sharedLanes, maxLanes)
        self.maxAppends = maxAppends
        self.maxEvents = maxEvents
        self.stallThreshold = stallThreshold
    }

    /// Queues `plan` and waits for its outcome. Calls `startLane` (outside the lock) with a new lane's number
    /// when fewer than `sharedLanes` run, or when every running one is stuck and fewer than `maxLanes` run; that
    /// lane is to call ``next(lane:)`` until it returns nil.
    func submit(_ plan: AppendPlan, startLane: @Sendable (Int) -> Void) async -> BatchOutcome {
        await withCheckedContinuation { continuation in
            let lane = state.withLock { state -> Int? in
                state.queue.append(Waiter(plan: plan, continuation: continuation))
                let now = ContinuousClock.now
                guard
                    state.lanes.count < sharedLanes
                        || (state.lanes.count < maxLanes
                            && state.lanes.keys.allSatisfy { state.stalled($0, at: now, threshold: stallThreshold) })
                else { return nil }
                let lane = state.nextLane
                state.nextLane += 1
                state.lanes[lane] = now
                return lane
            }
            if let lane { startLane(lane) }
        }
    }

    /// The next batch for `lane`: the queued appends in arrival order, up to the caps on appends and events.
    /// Nil, and the lane ends, when none wait, or when more than `sharedLanes` run and no other one is stuck.
    func next(lane: Int) -> Batch? {
        state.withLock { state -> Batch? in
            let now = ContinuousClock.now
            let otherStuck = state.lanes.keys.contains {
                $0 != lane && state.stalled($0, at: now, threshold: stallThreshold)
            }
            guard state.queueStart < state.queue.count, state.lanes.count <= sharedLanes || otherStuck else {
                state.lanes[lane] = nil
                return nil
            }
            return take(from: &state, lane: lane)
        }
    }

    /// Ends `lane`, which could not get a connection: nil when another lane runs (it serves the queue), else the
    /// next batch, which is to fail with that error (the lane then tries again).
    func batchToFail(lane: Int) -> Batch? {
        state.withLock { state -> Batch? in
            guard state.queueStart < state.queue.count, state.lanes.keys.allSatisfy({ $0 == lane }) else {
                state.lanes[lane] = nil
                return nil
            }
            return take(from: &state, lane: lane)
        }
    }

    /// Takes the queued appends in arrival order, up to the caps on appends and events, for `lane`.
    private func take(from state: inout State, lane: Int) -> Batch {
        var events = 0
        var end = state.queueStart
        while end < state.queue.count, end - state.queueStart < maxAppends {
            let count = state.queue[end].plan.events.ids.count
            // The first is always taken: one append alone is within the caps (AppendPlan checked it).
            guard end == state.queueStart || events + count <= maxEvents else { break }
            events += count
            end += 1
        }
        let batch = Batch(waiters: Array(state.queue[state.queueStart..<end]))
        state.queueStart = end
        if state.queueStart == state.queue.count {
            state.queue.removeAll(keepingCapacity: true)
            state.queueStart = 0
        }
        state.lanes[lane] = ContinuousClock.now
        return batch
    }

    /// Whether any append waits to be taken.
    var hasQueued: Bool { state.withLock { $0.queueStart < $0.queue.count } }

    /// Hands each append of `batch` its outcome (one per plan, in order).
    func complete(_ batch: Batch, _ outcomes: [BatchOutcome]) {
        for (waiter, outcome) in zip(batch.waiters, outcomes) { waiter.continuation.resume(returning: outcome) }
    }
}
