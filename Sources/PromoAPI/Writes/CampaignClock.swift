import EventStore
import Foundation
import Logging
import PostgresNIO
import PromoDomain
import ServiceLifecycle

/// What time does to the store: a scheduled campaign goes live when its window opens, and a scheduled, active or
/// paused one ends when it closes (``CampaignStreamState/decideClock(campaignId:now:)``); a coupon not redeemed
/// expires when its template's validity ends (``CouponState/decideExpiry(validUntil:now:)``); points expire when
/// their lot's day comes (``PointsAccount/decideExpiry(customerId:now:)``, ``PointsExpiry``). Each change is an
/// event whose actor is `scheduler`.
///
/// One process at a time does this: the one holding a PostgreSQL advisory lock, taken on a connection the clock
/// keeps for as long as it leads. When that process dies its connection goes, the lock with it, and another
/// process's clock takes over within `every`. Two clocks deciding at once would still change nothing twice (each
/// step is decided on the campaign's stream with its expected version), the lock only keeps them from racing.
public struct CampaignClock: Service {
    let store: PostgresEventStore
    let every: Duration
    let runner: CommandRunner
    let caches: CategoryCaches
    let coupons = CategoryCache<CouponState>(category: "coupon")
    let templates = CategoryCache<CouponTemplateState>(category: "coupontemplate")
    let points = CategoryCache<PointsAccount>(category: "points")
    /// The advisory lock's key: "promo" "clk" in ASCII.
    static let lockKey: Int64 = 0x7072_6F6D_6F63_6C6B

    public init(store: PostgresEventStore, every: Duration = .seconds(1)) {
        self.store = store
        self.every = every
        let caches = CategoryCaches()
        self.caches = caches
        self.runner = CommandRunner(
            store: store, idempotency: IdempotencyStore(client: store.client, logger: store.logger),
            states: StreamStates(store: store, capacity: 10_000), caches: caches, metrics: APIMetrics())
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await store.client.withOpenConnection { connection in
                    guard try await Self.tryLease(on: connection, logger: store.logger) else { return }
                    store.logger.info("campaign clock: this process moves campaigns at their windows' edges")
                    // A closed lease connection means the lease is gone (its session ended): take it again.
                    while !Task.isCancelled && !Task.isShuttingDownGracefully && !connection.isClosed {
                        do {
                            try await tick(now: Date())
                        } catch {
                            store.logger.warning(
                                "campaign clock tick failed", metadata: ["error": "\(String(reflecting: error))"])
                        }
                        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
                    }
                    _ = try? await connection.abandoningWhenClosed {
                        try await connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: store.logger)
                    }
                }
            } catch {
                store.logger.warning(
                    "campaign clock could not reach the database", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
        }
    }

    /// Takes the clock's lease on `connection` if no other session holds it.
    static func tryLease(on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.rows("SELECT pg_try_advisory_lock(\(lockKey))", logger: logger) {
            try $0.decode(Bool.self)
        }
        return rows.first ?? false
    }

    /// One turn: campaigns at their windows' edges, then coupons past their validity, then points whose lot's day
    /// has come. Returns how many changed (or were found due).
    @discardableResult
    func tick(now: Date) async throws -> Int {
        try await moveCampaigns(now: now) + (try await expireCoupons(now: now)) + (try await expirePoints(now: now))
    }

    /// Expires the lots of points whose day has come, each account decided on its own stream (a command that
    /// spends or takes back points expires them itself first, so this is for accounts left alone).
    func expirePoints(now: Date) async throws -> Int {
        let due = try await points.current(store).compactMap { streamId, folded -> String? in
            folded.state.decideExpiry(customerId: "", now: now).isEmpty ? nil : streamId
        }
        for streamId in due.sorted() {
            let stream = try StreamID(streamId)
            let customerId = String(streamId.dropFirst(stream.category.count + 1))
            _ = try await runner.execute(Self.write(), streams: [stream]) { loaded in
                let events = try loaded[0].fold(PointsAccount.self).decideExpiry(customerId: customerId, now: now)
                return try WriteDecision(
                    loaded[0], events: events,
                    body: [
                        "customerId": .string(customerId), "expired": .int(Int64(events.reduce(0) { $0 + $1.points })),
                    ])
            }
        }
        return due.count
    }

    /// Expires every issued coupon, not redeemed, whose template's `validUntil` is behind `now`
    /// (``CouponState/decideExpiry(validUntil:now:)``), each decided on its own stream.
    func expireCoupons(now: Date) async throws -> Int {
        var validUntil: [String: Date] = [:]
        for folded in try await templates.current(store).values {
            guard let id = folded.state.definition?["templateId"]?.stringValue,
                let until = folded.state.validUntil
            else { continue }
            validUntil[id] = until
        }
        let due = try await coupons.current(store).compactMap { streamId, folded -> (String, Date)? in
            guard let templateId = folded.state.issued?.templateId, let until = validUntil[templateId],
                !folded.state.decideExpiry(validUntil: until, now: now).isEmpty
            else { return nil }
            return (streamId, until)
        }
        for (streamId, until) in due.sorted(by: { $0.0 < $1.0 }) {
            _ = try await runner.execute(Self.write(), streams: [try StreamID(streamId)]) { loaded in
                let events = try loaded[0].fold(CouponState.self).decideExpiry(validUntil: until, now: now)
                return try WriteDecision(loaded[0], events: events, body: ["expired": .bool(!events.isEmpty)])
            }
        }
        return due.count
    }

    /// What a write of the clock's says of itself: the actor `scheduler`.
    static func write() -> WriteContext {
        WriteContext(
            principal: Principal(keyId: "scheduler", name: "campaign clock", role: .admin),
            requestHash: Data(UUID().uuidString.utf8))
    }

    /// Moves every campaign whose window has an edge behind `now` that it has not moved past; returns how many
    /// were due.
    func moveCampaigns(now: Date) async throws -> Int {
        let due = try await caches.campaigns.current(store).compactMap { streamId, folded -> String? in
            guard let id = folded.state.definition?["campaignId"]?.stringValue,
                !folded.state.decideClock(campaignId: id, now: now).isEmpty
            else { return nil }
            return streamId
        }
        for streamId in due.sorted() {
            _ = try await runner.execute(Self.write(), streams: [try StreamID(streamId)]) { loaded in
                let state = try loaded[0].fold(CampaignStreamState.self)
                let id = state.definition?["campaignId"]?.stringValue ?? ""
                let events = state.decideClock(campaignId: id, now: now)
                return try WriteDecision(
                    loaded[0], events: events,
                    body: ["campaignId": .string(id), "moved": .bool(!events.isEmpty)])
            }
        }
        return due.count
    }
}
