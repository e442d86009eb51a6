/// Serialises, inside this process, the commands on each stream: a hot stream (a popular SKU's stock) is decided
/// one command at a time instead of in a storm of optimistic retries. Other processes are still kept out by
/// the expected versions of the append.
actor StreamLocks {
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` holding every lock of `keys`, taken in sorted order so two commands never deadlock.
    nonisolated func withLocks<T: Sendable>(_ keys: [String], _ body: () async throws -> T) async throws -> T {
        let keys = Array(Set(keys)).sorted()
        for key in keys { await acquire(key) }
        do {
            let result = try await body()
            for key in keys.reversed() { await release(key) }
            return result
        } catch {
            for key in keys.reversed() { await release(key) }
            throw error
        }
    }

    private func acquire(_ key: String) async {
        guard waiting[key] != nil else {
            waiting[key] = []
            return
        }
        await withCheckedContinuation { continuation in waiting[key, default: []].append(continuation) }
    }

    private func release(_ key: String) {
        guard var queue = waiting[key], !queue.isEmpty else {
            waiting[key] = nil
            return
        }
        let next = queue.removeFirst()
        waiting[key] = queue
        next.resume()  // the lock passes straight to the next waiter
    }
}
