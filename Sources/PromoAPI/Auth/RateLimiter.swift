import Synchronization

/// Requests per API key, as token buckets: each key may send `perSecond` requests a second on average and
/// `burst` at once. A request over its key's limit is a 429 `rate_limited` with `Retry-After` (seconds), so one
/// runaway channel system cannot take the database from the others. The buckets live in this process; behind a
/// load balancer each instance allows its own share.
final class RateLimiter: Sendable {
    struct Limit: Sendable, Equatable {
        var perSecond: Double
        var burst: Double
    }

    private struct Bucket {
        var tokens: Double
        var at: ContinuousClock.Instant
    }

    let limit: Limit
    private let buckets = Mutex<[String: Bucket]>([:])

    init(_ limit: Limit) {
        self.limit = limit
    }

    /// Takes one token for `key`: nil when the request may go on, else how long until it may.
    func take(_ key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: limit.burst, at: now)
            let elapsed = now - bucket.at
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(limit.burst, bucket.tokens + max(0, seconds) * limit.perSecond)
            bucket.at = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else { return .seconds((1 - bucket.tokens) / limit.perSecond) }
            bucket.tokens -= 1
            return nil
        }
    }
}
