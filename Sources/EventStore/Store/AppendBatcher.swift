import Synchronization

/// Group commit for appends from many tasks of one process.
///
/// Each append queues and waits. A lane drains the queue: it takes everything queued (up to a cap), runs it as
/// one `promo_commit_many` call — one transaction, set-based, each append failing alone — hands each waiter its
/// own outcome, and takes the next batch at once; it ends when it finds the queue empty, and the next append
/// starts one again. A lone writer runs alone at once; under load each batch is what queued while the previous
/// one was on its way to disk, so concurrent appends share commits instead of queueing for them.
///
/// One lane runs while batches move. A second one starts only when every running lane's batch has been out
/// longer than `stallThreshold` (a batch waiting on a row lock, for up to the store's `batchLockWait`), so a
/// stuck batch delays no one who arrives after it; once no lane is stuck, the extra lanes end. Two lanes all
/// the time would halve every batch and have the two transactions contend for the same index pages: measured
/// at 32 writers, that costs twice the CPU per append of one lane.
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
    let maxLanes: Int
    let maxAppends: Int
    let maxEvents: Int
    let stallThreshold: Duration

    init(maxLanes: Int, maxAppends: Int, maxEvents: Int, stallThreshold: Duration = .milliseconds(50)) {
        self.maxLanes = maxLanes
        self.maxAppends = maxAppends
        self.maxEvents = maxEvents
        self.stallThreshold = stallThreshold
    }

    /// Queues `plan` and waits for its outcome. Calls `startLane` (outside the lock) with a new lane's number
    /// when none runs, or when every running one is stuck and fewer than `maxLanes` run; that lane is to call
    /// ``next(lane:)`` until it returns nil.
    func submit(_ plan: AppendPlan, startLane: @Sendable (Int) -> Void) async -> BatchOutcome {
        await withCheckedContinuation { continuation in
            let lane = state.withLock { state -> Int? in
                state.queue.append(Waiter(plan: plan, continuation: continuation))
                let now = ContinuousClock.now
                guard
                    state.lanes.isEmpty
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

    /// A batch for `lane` to send behind the one it runs, when appends wait; nil otherwise (the lane goes on).
    func nextIfQueued(lane: Int) -> Batch? {
        state.withLock { state in
            guard state.queueStart < state.queue.count else { return nil }
            return take(from: &state, lane: lane)
        }
    }

    /// The next batch for `lane`: the queued appends in arrival order, up to the caps on appends and events.
    /// Nil, and the lane ends, when none wait, or when another lane runs and none is stuck.
    func next(lane: Int) -> Batch? {
        state.withLock { state -> Batch? in
            let now = ContinuousClock.now
            let othersRun = state.lanes.keys.contains { $0 != lane }
            let otherStuck = state.lanes.keys.contains {
                $0 != lane && state.stalled($0, at: now, threshold: stallThreshold)
            }
            guard state.queueStart < state.queue.count, !othersRun || otherStuck else {
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
