/// A broadcast "something may have changed": subscribers wait on it with a timeout, the notifier fires it.
///
/// Firing never gets lost between a subscriber's read and its wait: waiters pass the generation they saw
/// and return at once when it moved on.
public actor WakeupSignal {
    private var generation: UInt64 = 0
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter: UInt64 = 0

    public init() {}

    /// The current generation; read it before reading the store, then pass it to ``wait(after:timeout:)``.
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
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters[id] = continuation
                Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    await self?.resume(id)
                }
            }
        } onCancel: {
            Task { await self.resume(id) }
        }
    }

    private func resume(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.resume()
    }
}
