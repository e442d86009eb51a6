/// Group commit for appends from many tasks of one process: whoever finds no batch running leads one.
///
/// A leader takes what others queued meanwhile (up to a cap), runs it as one `promo_commit_many` call — one
/// transaction, set-based, each append failing alone — and hands each waiter its own outcome. There is no
/// timer and no background task: a lone writer runs alone at once, and under load batches form while the
/// previous one is on its way to disk, so concurrent appends share commits instead of queueing for them.
actor AppendBatcher {
    /// An append waiting to be run, and who waits for it.
    struct Waiter {
        var plan: AppendPlan
        var continuation: CheckedContinuation<Outcome, Never>
    }

    enum Outcome {
        /// Run a batch: yours first, then what ``take(_:)`` gives you.
        case lead
        case done(BatchOutcome)
    }

    private var queue: [Waiter] = []
    private var queueStart = 0
    private var inFlight = 0
    let maxInFlight: Int
    let maxAppends: Int
    let maxEvents: Int

    init(maxInFlight: Int, maxAppends: Int, maxEvents: Int) {
        self.maxInFlight = maxInFlight
        self.maxAppends = maxAppends
        self.maxEvents = maxEvents
    }

    /// Leads at once when fewer than `maxInFlight` batches run; otherwise waits to be served or promoted.
    func enqueue(_ plan: AppendPlan) async -> Outcome {
        if inFlight < maxInFlight {
            inFlight += 1
            return .lead
        }
        return await withCheckedContinuation { continuation in
            queue.append(Waiter(plan: plan, continuation: continuation))
        }
    }

    /// Queued appends for the batch `leader` leads, in arrival order, up to the caps on appends and events.
    ///
    /// When another batch could start now, the leader takes half of the queue and the next waiter leads the
    /// rest: two batches in flight overlap one's round trip and commit with the other's work, where one batch
    /// of everything would leave the database idle while this process prepares the next.
    func take(after leader: AppendPlan) -> [Waiter] {
        let waiting = queue.count - queueStart
        let share = inFlight < maxInFlight ? (waiting + 1) / 2 : waiting
        var events = leader.events.ids.count
        var end = queueStart
        while end < queue.count, end - queueStart < share, end - queueStart + 1 < maxAppends,
            events + queue[end].plan.events.ids.count <= maxEvents
        {
            events += queue[end].plan.events.ids.count
            end += 1
        }
        let taken = Array(queue[queueStart..<end])
        queueStart = end
        if queueStart == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueStart = 0
        } else if inFlight < maxInFlight {
            promoteNext()
        }
        return taken
    }

    /// The longest waiter leads the next batch.
    private func promoteNext() {
        let next = queue[queueStart]
        queueStart += 1
        inFlight += 1
        next.continuation.resume(returning: .lead)
    }

    /// The leader is done: serve its followers and let the longest waiter lead the next batch.
    func finish(_ served: [(Waiter, BatchOutcome)]) {
        for (waiter, outcome) in served { waiter.continuation.resume(returning: .done(outcome)) }
        inFlight -= 1
        if queueStart < queue.count { promoteNext() }
    }
}
