import EventStore
import Foundation
import Logging
import PostgresNIO
import ProjectionRuntime
import PromoDomain

/// Campaign windows and scopes (`uplift_campaigns`) for the uplift report (``UpliftReport``): the last definition
/// of each campaign in the batch, upserted with one statement.
public struct Uplift: ProjectionHandler {
    public static let name = "uplift"

    public init() {}

    struct Row {
        var id: String, name: String, kind: String, start: String, end: String
        var skus: [String], categories: [String], channels: [String], stores: [String], regions: [String]
        var definitions: Int32, position: Int64
    }

    public func apply(_ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger) async throws {
        var rows: [String: Row] = [:]
        var order: [String] = []
        for event in events {
            guard event.type == CampaignCreated.eventType || event.type == CampaignAdjusted.eventType else { continue }
            let id = try event.decodePayload(as: BudgetBurn.DefinitionKey.self).campaignId
            let definition = try event.decodePayload(as: JSONValue.self)["definition"] ?? .object([:])
            func list(_ key: String) -> [String] {
                guard case .array(let items)? = definition["scope"]?[key] else { return [] }
                return items.compactMap(\.stringValue)
            }
            if rows[id] == nil { order.append(id) }
            rows[id] = Row(
                id: id, name: definition["name"]?.stringValue ?? id, kind: definition["kind"]?.stringValue ?? "",
                start: definition["window"]?["start"]?.stringValue ?? "",
                end: definition["window"]?["end"]?.stringValue ?? "", skus: list("skus"),
                categories: list("categories"), channels: list("channels"), stores: list("stores"),
                regions: list("regions"), definitions: (rows[id]?.definitions ?? 0) + 1, position: event.position)
        }
        let changed = order.compactMap { rows[$0] }
        guard !changed.isEmpty else { return }
        func arrays(_ key: KeyPath<Row, [String]>) -> [String] {
            changed.map { CustomerProfiles.arrayLiteral($0[keyPath: key]) }
        }
        try await connection.execute(
            """
            INSERT INTO uplift_campaigns (campaign_id, name, kind, window_start, window_end, skus, categories, channels,
                                          stores, regions, definitions, last_position)
            SELECT id, name, kind, nullif(s, '')::timestamptz, nullif(e, '')::timestamptz, sk::text[], ca::text[],
                   ch::text[], st::text[], re::text[], n, p
            FROM unnest(\(changed.map(\.id)), \(changed.map(\.name)), \(changed.map(\.kind)), \(changed.map(\.start)),
                        \(changed.map(\.end)), \(arrays(\.skus)), \(arrays(\.categories)), \(arrays(\.channels)),
                        \(arrays(\.stores)), \(arrays(\.regions)), \(changed.map(\.definitions)),
                        \(changed.map(\.position)))
                 AS x(id, name, kind, s, e, sk, ca, ch, st, re, n, p)
            ON CONFLICT (campaign_id) DO UPDATE
            SET name = excluded.name, kind = excluded.kind, window_start = excluded.window_start,
                window_end = excluded.window_end, skus = excluded.skus, categories = excluded.categories,
                channels = excluded.channels, stores = excluded.stores, regions = excluded.regions,
                definitions = uplift_campaigns.definitions + excluded.definitions, last_position = excluded.last_position
            """, logger: logger)
    }
}
