import Foundation
import PostgresNIO

extension PostgresEventStore {
    /// Runs one append through the group-commit batcher, leading a batch when none is free to join.
    func executeBatched(_ request: BatchRequest) async -> BatchOutcome {
        switch await batcher.enqueue(request) {
        case .done(let outcome):
            return outcome
        case .lead:
            let followers = await batcher.take(batcher.maxBatch - 1)
            let outcomes: [BatchOutcome]
            if followers.isEmpty {
                outcomes = [await executeOne(request, on: nil)]
            } else {
                outcomes = await executeBatch([request] + followers.map(\.request))
            }
            await batcher.finish(Array(zip(followers, outcomes.dropFirst())))
            return outcomes[0]
        }
    }

    /// One append as one statement, on `connection` (inside its transaction) or on the pool.
    func executeOne(_ request: BatchRequest, on connection: PostgresConnection?) async -> BatchOutcome {
        let plan = request.plan
        let query: PostgresQuery = """
            SELECT first_position, last_position, first_versions, last_versions, replayed, encode(request_hash, 'hex')
            FROM promo_append(
                \(plan.streamIds), \(plan.expected), \(plan.eventStream), \(plan.eventIds), \(plan.types),
                \(plan.schemaVersions), \(plan.payloads)::jsonb[], \(plan.metadata)::jsonb[], \(plan.commandId),
                decode(\(plan.requestHash), 'hex'), \(request.checkHeads))
            """
        do {
            let rows = try await run(query, on: connection)
            for try await (first, last, firstVersions, lastVersions, replayed, requestHash)
                in rows.decode((Int64, Int64, [Int64], [Int64], Bool, String?).self)
            {
                return .appended(
                    first: first, last: last, firstVersions: firstVersions, lastVersions: lastVersions, replayed: replayed,
                    requestHash: requestHash)
            }
            return .batchFailed(EventStoreError(.databaseUnavailable, "the append returned no result"))
        } catch let error as PSQLError {
            guard let state = error.serverInfo?[.sqlState] else { return .batchFailed(error) }
            return .failed(sqlState: state, constraint: error.serverInfo?[.constraintName], detail: error.serverInfo?[.detail])
        } catch {
            return .batchFailed(error)
        }
    }

    /// Several independent appends in one transaction (`promo_append_batch`); one outcome per request, in order.
    func executeBatch(_ requests: [BatchRequest]) async -> [BatchOutcome] {
        var streamFrom: [Int32] = [], streamTo: [Int32] = [], eventFrom: [Int32] = [], eventTo: [Int32] = []
        var commandIds: [String] = [], requestHashes: [String] = [], checkHeads: [Bool] = []
        var streamIds: [String] = [], expected: [Int64] = [], eventStream: [Int32] = [], eventIds: [UUID] = []
        var types: [String] = [], schemaVersions: [Int32] = [], payloads: [String] = [], metadata: [String] = []
        for request in requests {
            let plan = request.plan
            streamFrom.append(Int32(streamIds.count + 1))
            streamTo.append(Int32(streamIds.count + plan.streamIds.count))
            eventFrom.append(Int32(eventIds.count + 1))
            eventTo.append(Int32(eventIds.count + plan.eventIds.count))
            commandIds.append(plan.commandId ?? "")
            requestHashes.append(plan.requestHash ?? "")
            checkHeads.append(request.checkHeads)
            streamIds += plan.streamIds
            expected += plan.expected
            eventStream += plan.eventStream
            eventIds += plan.eventIds
            types += plan.types
            schemaVersions += plan.schemaVersions
            payloads += plan.payloads
            metadata += plan.metadata
        }
        let query: PostgresQuery = """
            SELECT append_index, first_position, last_position, first_versions, last_versions, replayed,
                   encode(request_hash, 'hex'), error_state, error_constraint, error_detail
            FROM promo_append_batch(
                \(streamFrom), \(streamTo), \(eventFrom), \(eventTo), \(commandIds), \(requestHashes), \(checkHeads),
                \(streamIds), \(expected), \(eventStream), \(eventIds), \(types), \(schemaVersions),
                \(payloads)::jsonb[], \(metadata)::jsonb[])
            """
        var outcomes = [BatchOutcome](
            repeating: .batchFailed(EventStoreError(.databaseUnavailable, "the batch returned no row for this append")),
            count: requests.count)
        do {
            let rows = try await client.query(query, logger: logger)
            for try await row in rows.decode(
                (Int32, Int64?, Int64?, [Int64]?, [Int64]?, Bool?, String?, String?, String?, String?).self)
            {
                let index = Int(row.0) - 1
                guard outcomes.indices.contains(index) else { continue }
                if let state = row.7 {
                    outcomes[index] = .failed(sqlState: state, constraint: row.8, detail: row.9)
                } else if let first = row.1, let last = row.2, let firstVersions = row.3, let lastVersions = row.4, let replayed = row.5 {
                    outcomes[index] = .appended(
                        first: first, last: last, firstVersions: firstVersions, lastVersions: lastVersions, replayed: replayed,
                        requestHash: row.6)
                }
            }
        } catch {
            return Array(repeating: .batchFailed(error), count: requests.count)
        }
        return outcomes
    }
}
