/// Group commit for appends from many tasks of one process: whoever finds no batch running leads one.
///
/// A leader takes what others queued meanwhile (up to a cap), runs it as one `promo_append_batch` call — one
/// transaction, each append in its own subtransaction — and hands each waiter its own outcome. There is no
/// timer and no background task: a lone writer runs alone at once, and under load batches form while the
/// previous one is on its way to disk, so concurrent appends share commits instead of queueing for them.
actor AppendBatcher {
    /// An append waiting to be run, and who waits for it.
    struct Waiter {
        var request: BatchRequest
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
    let maxBatch: Int

    init(maxInFlight: Int, maxBatch: Int) {
        self.maxInFlight = maxInFlight
        self.maxBatch = maxBatch
    }

    /// Leads at once when fewer than `maxInFlight` batches run; otherwise waits to be served or promoted.
    func enqueue(_ request: BatchRequest) async -> Outcome {
        if inFlight < maxInFlight {
            inFlight += 1
            return .lead
        }
        return await withCheckedContinuation { continuation in
            queue.append(Waiter(request: request, continuation: continuation))
        }
    }

    /// Up to `count` queued appends for the leader's batch.
    func take(_ count: Int) -> [Waiter] {
        let available = queue.count - queueStart
        let taken = Array(queue[queueStart..<(queueStart + min(count, available))])
        queueStart += taken.count
        if queueStart == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueStart = 0
        }
        return taken
    }

    /// The leader is done: serve its followers and let the longest waiter lead the next batch.
    func finish(_ served: [(Waiter, BatchOutcome)]) {
        for (waiter, outcome) in served { waiter.continuation.resume(returning: .done(outcome)) }
        inFlight -= 1
        if queueStart < queue.count {
            let next = queue[queueStart]
            queueStart += 1
            inFlight += 1
            next.continuation.resume(returning: .lead)
        }
    }
}

/// One append as the batch runs it.
struct BatchRequest: Sendable {
    var plan: AppendPlan
    var checkHeads: Bool
}

/// What became of one append of a batch: its result, the SQLSTATE it failed with, or the whole batch's error.
enum BatchOutcome: Sendable {
    case appended(first: Int64, last: Int64, firstVersions: [Int64], lastVersions: [Int64], replayed: Bool, requestHash: String?)
    case failed(sqlState: String, constraint: String?, detail: String?)
    case batchFailed(any Error)
}
