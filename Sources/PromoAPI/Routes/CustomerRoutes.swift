import HTTPTypes
import EventStore
import Hummingbird
import PromoDomain

/// `PUT /v1/customers/{customerId}`: a customer's profile (`customer-{customerId}`), with name, phone and address
/// sealed under the customer's own key before they reach an event.
///
/// The answer leaves the personal data out: responses are recorded for Idempotency-Key replays, and personal
/// data must not sit in clear anywhere in the database.
struct CustomerRoutes: Sendable {
    let runner: CommandRunner
    let keys: CustomerKeyStore

    func register(on table: RouteTable) {
        table.add(.put, "/customers/{customerId}", roles: [.channel]) { request, context in
            try await put(request, context)
        }
        table.add(.put, "/customers/{customerId}/tags", roles: [.marketing]) { request, context in
            try await tag(request, context)
        }
    }

    /// `PUT /v1/customers/{customerId}/tags {tags:[]}`: marketing's tags on a customer, replacing the last ones;
    /// the same tags again append nothing. Campaign audiences match them with the customer's taste preferences.
    private func tag(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let customerId = try request.identifier("customerId", context: context)
        let (write, bytes) = try await WriteContext.read(request, context: context)
        let body = try BodyReader(body: Request.json(bytes))
        let tags = try InputLimits.labels(try body.strings("tags"), field: "tags")
        try body.finish()
        if let index = tags.firstIndex(where: BehaviouralTag.names.contains) {
            throw APIError.invalidField(
                "tags[\(index)]", "\(tags[index]) is a behavioural tag: it is worked out from the customer's orders")
        }
        return try await runner.execute(write, streams: [try StreamID(category: "customer", id: customerId)]) {
            loaded in
            let stream = loaded[0]
            let record = try stream.fold(CustomerRecord.self)
            let events = record.tags == tags ? [] : [CustomerTagsSet(customerId: customerId, tags: tags)]
            var after = record
            for event in events {
                try after.evolve(type: CustomerTagsSet.eventType, payload: JSONValue(encoding: event))
            }
            return try WriteDecision(
                stream, events: events,
                body: [
                    "customerId": .string(customerId), "tags": .array(tags.map { .string($0) }),
                    "audienceTags": .array(after.audienceTags.map { .string($0) }),
                    "version": .int(stream.version + Int64(events.count)),
                ])
        }
    }

    private func put(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let customerId = try request.identifier("customerId", context: context)
        let (write, bytes) = try await WriteContext.read(request, context: context)
        let body = try BodyReader(body: Request.json(bytes))
        let (name, phone, address, region) = try (
            body.string("name"), body.string("phone"), body.string("address"), body.string("region")
        )
        let tierName = try body.string("tier")
        let tastePreferences = try body.strings("tastePreferences")
        let consentsBody = try body.object("consents")
        let consents = try CustomerProfile.Consents(
            sms: consentsBody.bool("sms"), wechat: consentsBody.bool("wechat"), app: consentsBody.bool("app"))
        try consentsBody.finish()
        try body.finish()
        guard let tier = CustomerProfile.Tier(rawValue: tierName) else {
            throw APIError.invalidField("tier", "must be \"regular\", \"silver\" or \"gold\"")
        }
        let profile = try CustomerProfile(
            name: name, phone: phone, address: address, region: region, tier: tier,
            tastePreferences: tastePreferences, consents: consents)
        guard let key = try await keys.key(for: customerId, create: true) else {
            throw APIError(.serviceUnavailable, code: "database_unavailable", message: "the customer key is missing")
        }
        let cipher = AESGCMCipher(customerId: customerId, key: key)
        let stream = try StreamID(category: "customer", id: customerId)
        return try await runner.execute(write, streams: [stream]) { loaded in
            let stream = loaded[0]
            let state = try CustomerState(record: try stream.fold(CustomerRecord.self), cipher: cipher)
            let events = try state.decide(customerId: customerId, profile: profile, cipher: cipher)
            return try WriteDecision(
                stream, events: events, status: stream.exists ? .ok : .created,
                body: [
                    "customerId": .string(customerId), "region": .string(profile.region),
                    "tier": .string(profile.tier.rawValue),
                    "tastePreferences": .array(profile.tastePreferences.map { .string($0) }),
                    "consents": try JSONValue(encoding: profile.consents),
                    "version": .int(stream.version + Int64(events.count)),
                ])
        }
    }
}
