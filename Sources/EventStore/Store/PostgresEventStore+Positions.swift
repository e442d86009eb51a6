import PostgresNIO

/// Whether new appends would get positions above every stored event, and the session set-up appends need.
public struct PositionStatus: Sendable, Hashable, Codable {
    /// True when the store may append: same cluster as the offset was computed for, next position above the
    /// highest stored one, and the read committed isolation level.
    public var ok: Bool { positionsOK && isolation == "read committed" }
    /// Positions alone: the store has not moved, or was moved and repositioned.
    public var positionsOK: Bool
    /// What transaction ids are shifted by before they become positions.
    public var xidOffset: Int64
    /// About the position the next append would get.
    public var nextPosition: Int64
    /// The highest stored position; 0 for an empty store.
    public var maxPosition: Int64
    /// The transaction isolation level new sessions get (`default_transaction_isolation`).
    public var isolation: String

    /// In words, for `/readyz` and `promoctl`: what is wrong and what to do, or nil when ``ok``.
    public var problem: String? {
        if !positionsOK {
            return "the database was restored or moved into another cluster and new positions would fall below "
                + "stored ones (next \(nextPosition), highest \(maxPosition)); run `promoctl migrate`"
        }
        if isolation != "read committed" {
            return "sessions run at \(isolation) isolation; the event store needs read committed "
                + "(ALTER DATABASE … RESET default_transaction_isolation)"
        }
        return nil
    }
}

/// What ``PostgresEventStore/movePositionsIfNeeded()`` did.
public struct PositionMove: Sendable, Hashable {
    public var moved: Bool
    public var oldOffset: Int64
    public var newOffset: Int64
}

extension PostgresEventStore {
    /// Whether appends can run; what `/readyz` reports. Assigns no transaction id, writes nothing.
    public func positionStatus() async throws -> PositionStatus {
        let status = try await client.leasedQuery(
            """
            SELECT p.ok, p.xid_offset, p.next_position, p.max_position, current_setting('transaction_isolation')
            FROM promo_position_status() p
            """, logger: logger
        ) { rows -> PositionStatus? in
            for try await (ok, offset, next, max, isolation) in rows.decode((Bool, Int64, Int64, Int64, String).self) {
                return PositionStatus(
                    positionsOK: ok, xidOffset: offset, nextPosition: next, maxPosition: max, isolation: isolation)
            }
            return nil
        }
        if let status { return status }
        throw EventStoreError(.schemaOutdated, "the position table is empty; run `promoctl migrate`")
    }

    /// Moves positions above every stored event when the database was restored or moved into another cluster
    /// (whose transaction ids start lower); a no-op otherwise. Run by `promoctl migrate` and at server start.
    ///
    /// It waits for running appends to commit and holds new ones back while it works, so the watermark that
    /// subscribers read up to stays safe. Checkpoints stay valid: every new position is above them.
    @discardableResult
    public func movePositionsIfNeeded() async throws -> PositionMove {
        let move = try await client.leasedQuery(
            "SELECT moved, old_offset, new_offset FROM promo_reposition()", logger: logger
        ) { rows -> PositionMove? in
            for try await (moved, old, new) in rows.decode((Bool, Int64, Int64).self) {
                return PositionMove(moved: moved, oldOffset: old, newOffset: new)
            }
            return nil
        }
        if let move {
            if move.moved {
                logger.notice(
                    "positions moved above the stored events (the database was restored or moved)",
                    metadata: ["es.old_offset": "\(move.oldOffset)", "es.new_offset": "\(move.newOffset)"])
            }
            return move
        }
        throw EventStoreError(.schemaOutdated, "promo_reposition returned nothing; run `promoctl migrate`")
    }
}
