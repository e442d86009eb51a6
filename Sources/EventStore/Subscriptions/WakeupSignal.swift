/// A broadcast "something may have changed": waiters wait on it with a timeout, others fire it.
///
/// Firing never gets lost between a waiter's read and its wait: waiters pass the generation they saw and
/// return at once when it moved on.
public actor WakeupSignal {
    private var generation: UInt64 = 0
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter: UInt64 = 0

    public init() {}

    /// The current generation; read it before looking, then pass it to ``wait(after:timeout:)``.
    public var current: UInt64 { generation }

    /// Wakes every waiter.
    public func fire() {
        generation &+= 1
        let woken = waiters
        waiters.removeAll()
        for continuation in woken.values { continuation.resume() }
    }

    /// Returns when the generation passes `seen`, after `timeout`, or on cancellation, whichever is first.
    public func wait(after seen: UInt64, timeout: Duration) async {
        guard generation == seen, !Task.isCancelled else { return }
        let id = nextWaiter
        nextWaiter &+= 1
        await withTaskGroup(of: Void.self) { group in
            // The timer ends the wait; it is cancelled (and so ends at once) when the wait ends first or the
            // waiting task is cancelled. It cannot run before the continuation is registered: both need the actor.
            group.addTask {
                try? await Task.sleep(for: timeout)
                await self.resume(id)
            }
            await withCheckedContinuation { continuation in waiters[id] = continuation }
            group.cancelAll()
        }
    }

    private func resume(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.resume()
    }
}
