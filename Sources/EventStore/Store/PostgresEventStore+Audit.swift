import Foundation
import PromoDomain

extension PostgresEventStore {
    /// Records what an auditor or operator did (``AuditTrail``) on the day's audit stream, `actor` (an API key id,
    /// or `promoctl:USER`) in the metadata. Returns the position of the recorded event.
    @discardableResult
    public func recordAudit<E: DomainEvent>(_ event: E, actor: String, at date: Date = Date()) async throws -> Int64 {
        let stream = try StreamID(AuditTrail.streamName(day: BusinessDay.string(from: date)))
        let recorded = try NewEvent(event, metadata: EventMetadata(actor: actor, channel: "ops"))
        return try await append(to: stream, expectedVersion: .any, events: [recorded]).lastPosition
    }
}
