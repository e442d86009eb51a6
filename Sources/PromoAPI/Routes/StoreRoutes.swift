import HTTPTypes
import EventStore
import Hummingbird
import PromoDomain

/// `PUT /v1/stores/{storeId}`: a store or online outlet (`store-{storeId}`), with the location its orders
/// reserve stock at.
struct StoreRoutes: Sendable {
    let runner: CommandRunner

    func register(on table: RouteTable) {
        table.add(.put, "/stores/{storeId}", roles: [.marketing]) { request, context in
            let storeId = try request.identifier("storeId", context: context)
            let (write, bytes) = try await WriteContext.read(request, context: context)
            let body = try BodyReader(body: Request.json(bytes))
            let (name, region, channel) = try (body.string("name"), body.string("region"), body.string("channel"))
            let fulfilmentLocation = try body.optionalString("fulfilmentLocation")
            try body.finish()
            let command = try DefineStore(
                storeId: storeId, name: name, region: region, channel: channel, fulfilmentLocation: fulfilmentLocation)
            return try await runner.execute(write, streams: [try StreamID(category: "store", id: storeId)]) { loaded in
                let stream = loaded[0]
                let events = try stream.fold(StoreState.self).decide(command)
                var json = try JSONValue(encoding: command.store).objectValue ?? [:]
                json["version"] = .int(stream.version + Int64(events.count))
                return try WriteDecision(stream, events: events, status: stream.exists ? .ok : .created, body: json)
            }
        }
    }
}
