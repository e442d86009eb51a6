import EventStore
import HTTPTypes
import PostgresNIO
import PromoDomain
import Synchronization

/// Loads streams as commands decide on them: folded to their state, reading from the store only the events
/// appended since this process last folded the stream.
///
/// A flash-sale SKU's stock stream or a popular campaign's budget stream grows by an event per order; folding it
/// from the start on every order would cost more with every sale. So each stream's state is kept with the
/// version it was folded to, and a load reads only the events after that version (in one query for all of a
/// command's streams) and folds them on top. Events are immutable and versions gap-free, so a kept state at
/// version v is exactly the fold of events 1…v: checking against the stream version is all the validation it
/// needs, and another process's appends are simply the events after v. The cache is bounded; a stream evicted
/// is folded from the start on its next load.
final class StreamStates: Sendable {
    let store: PostgresEventStore
    /// How many streams' states are kept. Default 100,000.
    let capacity: Int

    /// The state each stream category folds to, and whether its streams are kept (orders and coupons are short
    /// and touched a few times each: keeping them would only fill the cache).
    static let kinds: [String: (state: any EventSourced.Type, kept: Bool)] = DomainEvents.states.reduce(into: [:]) {
        $0[$1.key] = ($1.value, !["order", "coupon"].contains($1.key))
    }

    /// Kept categories whose streams are one customer's each: short, and rarely loaded by many requests at once.
    /// Their first load is folded in the load's own query; every other kept stream's first fold is shared by the
    /// loads that ask for it at the same moment (a campaign or a flash SKU's stock, thousands of events long).
    static let ownFirstFold: Set<String> = ["customer", "points"]

    private struct Kept {
        var stream: LoadedStream
        var used: UInt64
    }
    private struct Cache {
        var streams: [StreamID: Kept] = [:]
        var clock: UInt64 = 0
    }
    private let cache = Mutex(Cache())
    /// First folds under way, by stream.
    private let folding = Mutex<[StreamID: Task<LoadedStream, any Error>]>([:])
    /// Events folded by loads since start (what a load of a kept stream saves shows here).
    let eventsFolded = Atomic<Int>(0)

    /// The page size of a load; a full page is read on.
    static let pageSize = 5_000

    init(store: PostgresEventStore, capacity: Int = 100_000) {
        self.store = store
        self.capacity = max(1, capacity)
    }

    func load(_ id: StreamID) async throws -> LoadedStream { try await load([id])[0] }

    /// The streams, in the order given, each at its current version: kept states brought up to date, the others
    /// folded from their first event. One query for all of them (more only when they are far behind).
    func load(_ ids: [StreamID]) async throws -> [LoadedStream] {
        var streams: [StreamID: LoadedStream] = [:]
        let kept = cache.withLock { cache in
            cache.clock += 1
            var found: [StreamID: LoadedStream] = [:]
            for id in ids {
                guard var entry = cache.streams[id] else { continue }
                entry.used = cache.clock
                cache.streams[id] = entry
                found[id] = entry.stream
            }
            return found
        }
        for id in ids where streams[id] == nil {
            if let stream = kept[id] {
                streams[id] = stream
                continue
            }
            guard let kind = Self.kinds[id.category] else {
                throw APIError(
                    .internalServerError, code: "internal_error", message: "no state is defined for stream \(id)")
            }
            // A stream kept from now on is folded from the start once, however many commands ask for it at the
            // same moment (a server starting under a flash sale); the others wait for that fold. A customer's own
            // streams are folded by this load's query, with the rest.
            streams[id] =
                kind.kept && !Self.ownFirstFold.contains(id.category)
                ? try await firstFold(id)
                : LoadedStream(id: id, version: 0, lastPosition: 0, state: kind.state.init())
        }
        var moved: Set<StreamID> = []
        while true {
            let page = try await store.readStreams(
                after: streams.values.map { ($0.id, $0.version) }, limit: Self.pageSize)
            for event in page {
                let id = try StreamID(event.streamId)
                guard var stream = streams.removeValue(forKey: id) else { continue }
                try stream.apply(event)
                streams[id] = stream
                moved.insert(id)
            }
            eventsFolded.add(page.count, ordering: .relaxed)
            if page.count < Self.pageSize { break }
        }
        keep(moved.compactMap { streams[$0] })
        return ids.map { streams[$0]! }
    }

    /// Folds a stream not kept yet from its first event, once for all concurrent callers, and keeps it.
    private func firstFold(_ id: StreamID) async throws -> LoadedStream {
        let task = folding.withLock { folding in
            if let running = folding[id] { return running }
            let task = Task { () throws -> LoadedStream in
                defer { _ = self.folding.withLock { $0.removeValue(forKey: id) } }
                guard let kind = Self.kinds[id.category] else { throw CancellationError() }
                var stream = LoadedStream(id: id, version: 0, lastPosition: 0, state: kind.state.init())
                while true {
                    let page = try await store.readStreams(after: [(id, stream.version)], limit: Self.pageSize)
                    for event in page { try stream.apply(event) }
                    eventsFolded.add(page.count, ordering: .relaxed)
                    if page.count < Self.pageSize { break }
                }
                keep([stream])
                return stream
            }
            folding[id] = task
            return task
        }
        return try await task.value
    }

    /// Keeps streams as they are now stored (after a load, or after the runner's append committed), unless a
    /// later version is kept already.
    func keep(_ streams: [LoadedStream]) {
        let kept = streams.filter { Self.kinds[$0.id.category]?.kept == true }
        guard !kept.isEmpty else { return }
        cache.withLock { cache in
            cache.clock += 1
            for stream in kept where (cache.streams[stream.id]?.stream.version ?? -1) < stream.version {
                cache.streams[stream.id] = Kept(stream: stream, used: cache.clock)
            }
            guard cache.streams.count > capacity else { return }
            // Evict the least recently used tenth in one go, so eviction is rare.
            let drop = cache.streams.count - capacity + capacity / 10
            let oldest = cache.streams.sorted { $0.value.used < $1.value.used }.prefix(drop)
            for (id, _) in oldest { cache.streams[id] = nil }
        }
    }

    /// Forgets the kept state of streams an append found below the version kept: read again from the start on
    /// their next load. A kept state is never wrong for its version, and a stream that moved on is only read
    /// from there; this guards against a store replaced under a running server (a restore).
    func forgetBehind(_ conflicts: [EventStoreError.VersionConflict]) {
        cache.withLock { cache in
            for conflict in conflicts {
                guard let id = try? StreamID(conflict.streamId), let kept = cache.streams[id],
                    kept.stream.version > conflict.actual
                else { continue }
                cache.streams[id] = nil
            }
        }
    }

    /// How many streams are kept now.
    var keptCount: Int { cache.withLock { $0.streams.count } }

    /// Every location's stock stream of `sku` (`stock-{sku}@…`), loaded, by location. Which streams exist comes
    /// from an index of stock streams' first events (API migration 1005), not from their events.
    func stock(of sku: String) async throws -> [(location: String, stream: LoadedStream)] {
        let prefix = "stock-\(sku)"
        let ids = try await store.client.rows(
            """
            SELECT stream_id FROM events
            WHERE category = 'stock' AND stream_version = 1 AND split_part(stream_id, '@', 1) = \(prefix)
            ORDER BY stream_id
            """, logger: store.logger
        ) { try $0.decode(String.self) }
        let streams = try await load(try ids.map { try StreamID($0) })
        return zip(ids, streams).map { (String($0.dropFirst(prefix.count + 1)), $1) }
    }

    /// Every event of one stream, for routes that show its history (a campaign's versions).
    func history(_ id: StreamID) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        while true {
            let page = try await store.readStream(id, fromVersion: Int64(events.count) + 1, limit: Self.pageSize)
            events += page
            if page.count < Self.pageSize { return events }
        }
    }
}
