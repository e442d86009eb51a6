import Foundation
import PromoDomain
import Testing

/// The points account's lots: what expires when, what a spend, a return and a clawback take from.
@Suite("Points expiry")
struct PointsAccountTests {
    static let lot2028 = "2028-01-01T00:00:00+08:00"
    static let lot2029 = "2029-01-01T00:00:00+08:00"

    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static func fold(_ events: [any DomainEvent]) throws -> PointsAccount {
        var account = PointsAccount()
        for event in events { try account.evolve(type: type(of: event).eventType, payload: JSONValue(encoding: event)) }
        return account
    }

    static func earned(_ points: Int, order: String, lot: String?) -> PointsEarned {
        PointsEarned(customerId: "u-1", orderId: order, points: points, source: "order", expiresAt: lot)
    }

    @Test("Points are good until the end of the year after the one they were earned in, Asia/Shanghai")
    func expiryRule() {
        #expect(PointsExpiry.expiresAt(earnedAt: Self.at("2026-01-01T00:00:00+08:00")) == Self.lot2028)
        #expect(PointsExpiry.expiresAt(earnedAt: Self.at("2026-12-31T23:59:59+08:00")) == Self.lot2028)
        // 16:00 UTC on 31 December is already New Year's Day in Shanghai.
        #expect(PointsExpiry.expiresAt(earnedAt: Self.at("2026-12-31T16:00:00Z")) == Self.lot2029)
    }

    @Test("Spending takes from the lot that expires soonest; at its day only that lot's rest expires")
    func spendSoonestFirst() throws {
        var account = try Self.fold([
            Self.earned(200, order: "o-2027", lot: Self.lot2029), Self.earned(300, order: "o-2026", lot: Self.lot2028),
            PointsRedeemed(customerId: "u-1", orderId: "o-3", points: 120),
        ])
        #expect(account.balance == 380)
        #expect(account.lots == [Self.lot2028: 180, Self.lot2029: 200])
        let eve = Self.at("2027-12-31T23:59:59+08:00")
        let day = Self.at("2027-12-31T16:00:00Z")
        #expect(account.available(at: eve) == 380)
        #expect(account.decideExpiry(customerId: "u-1", now: eve).isEmpty)
        #expect(account.available(at: day) == 200)
        let expired = account.decideExpiry(customerId: "u-1", now: day)
        #expect(expired == [PointsExpired(customerId: "u-1", expiresAt: Self.lot2028, points: 180)])
        try account.evolve(type: PointsExpired.eventType, payload: JSONValue(encoding: expired[0]))
        #expect(account.balance == 200)
        #expect(account.decideExpiry(customerId: "u-1", now: day).isEmpty, "expiring twice expires nothing")
    }

    @Test("A spend at a lot's day expires the lot first and may not use it")
    func redeemExpiresFirst() throws {
        let account = try Self.fold([
            Self.earned(300, order: "o-1", lot: Self.lot2028), Self.earned(50, order: "o-2", lot: Self.lot2029),
        ])
        let day = Self.at("2028-01-01T00:00:00+08:00")
        #expect(throws: PointsError.insufficient(balance: 50, wanted: 60)) {
            try account.decideRedeem(60, customerId: "u-1", orderId: "o-3", now: day)
        }
        let events = try account.decideRedeem(50, customerId: "u-1", orderId: "o-3", now: day)
        #expect(events.map { type(of: $0).eventType } == ["PointsExpired", "PointsRedeemed"])
        #expect(
            try Self.fold(
                [Self.earned(300, order: "o-1", lot: Self.lot2028), Self.earned(50, order: "o-2", lot: Self.lot2029)]
                    + events
            ).balance == 0)
    }

    @Test("Points given back return to the lots they came from; into a lot gone by, they expire at once")
    func returnsGoBackToTheirLots() throws {
        let history: [any DomainEvent] = [
            Self.earned(100, order: "o-1", lot: Self.lot2028), Self.earned(100, order: "o-2", lot: Self.lot2029),
            PointsRedeemed(customerId: "u-1", orderId: "o-3", points: 150),
        ]
        let account = try Self.fold(history)
        #expect(account.lots == [Self.lot2029: 50])
        // Cancelled before the 2028 lot's day: 100 back to 2028, 50 back to 2029.
        let before = try account.decide(
            [PointsReturned(customerId: "u-1", orderId: "o-3", points: 150)], customerId: "u-1",
            now: Self.at("2027-06-01T00:00:00+08:00"))
        #expect(try Self.fold(history + before).lots == [Self.lot2028: 100, Self.lot2029: 100])
        // Cancelled after it: the 100 that came from 2028 expire in the same decision.
        let after = try account.decide(
            [PointsReturned(customerId: "u-1", orderId: "o-3", points: 150)], customerId: "u-1",
            now: Self.at("2028-02-01T00:00:00+08:00"))
        #expect(after.map { type(of: $0).eventType } == ["PointsReturned", "PointsExpired"])
        let folded = try Self.fold(history + after)
        #expect(folded.balance == 100)
        #expect(folded.lots == [Self.lot2029: 100])
    }

    @Test("A clawback takes from the lot the order earned into, then the soonest, then leaves a debt")
    func clawbackAndDebt() throws {
        var history: [any DomainEvent] = [
            Self.earned(100, order: "o-1", lot: Self.lot2028), Self.earned(60, order: "o-2", lot: Self.lot2029),
            PointsClawedBack(customerId: "u-1", orderId: "o-2", refundId: "r-1", points: 80),
        ]
        var account = try Self.fold(history)
        #expect(account.lots == [Self.lot2028: 80])
        history.append(PointsRedeemed(customerId: "u-1", orderId: "o-3", points: 80))
        history.append(PointsClawedBack(customerId: "u-1", orderId: "o-1", refundId: "r-2", points: 30))
        account = try Self.fold(history)
        #expect(account.balance == -30)
        #expect(account.debt == 30)
        // Later points pay the debt first.
        account = try Self.fold(history + [Self.earned(50, order: "o-4", lot: Self.lot2029)])
        #expect(account.balance == 20)
        #expect(account.lots == [Self.lot2029: 20])
    }

    @Test("Points earned before expiry existed (v1, no expiresAt) never expire")
    func versionOneNeverExpires() throws {
        let (payload, version) = try DomainEvents.upcasters.upcast(
            eventType: PointsEarned.eventType, schemaVersion: 1,
            payload: ["customerId": "u-1", "orderId": "o-1", "points": 40, "source": "order"])
        #expect(version == 2)
        var account = PointsAccount()
        try account.evolve(type: PointsEarned.eventType, payload: payload)
        #expect(account.lots == [PointsAccount.never: 40])
        #expect(account.decideExpiry(customerId: "u-1", now: Self.at("2099-01-01T00:00:00+08:00")).isEmpty)
        #expect(account.available(at: Self.at("2099-01-01T00:00:00+08:00")) == 40)
    }
}
