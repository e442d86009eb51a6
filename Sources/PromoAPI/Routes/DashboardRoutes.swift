import Foundation
import HTTPTypes
import Hummingbird
import PromoDashboard

/// The operator page at `GET /` and its assets at `GET /assets/{name}`: public (the page signs in with an API key
/// and every figure it shows comes from the authenticated API), cached by ETag.
struct DashboardRoutes: Sendable {
    func register(on table: RouteTable) {
        table.addPublic(.get, "/") { request, _ in
            // Always revalidated: a new release's page must reach the browser at once.
            try Self.serve(DashboardAssets.page, request, cacheControl: "no-cache")
        }
        table.addPublic(.get, "/assets/{name}") { request, context in
            try Self.serve(
                DashboardAssets.all[context.parameters.get("name") ?? ""], request,
                cacheControl: "public, max-age=300, must-revalidate")
        }
    }

    static func serve(_ asset: DashboardAsset?, _ request: Request, cacheControl: String) throws -> Response {
        guard let asset else {
            throw APIError(.notFound, code: "not_found", message: "no such asset")
        }
        var headers = HTTPFields()
        headers[.eTag] = asset.etag
        headers[.cacheControl] = cacheControl
        headers[.xContentTypeOptions] = "nosniff"
        if asset.contentType.hasPrefix("text/html") {
            headers[.contentSecurityPolicy] =
                "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
        }
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: {
                let tag = $0.trimmingCharacters(in: .whitespaces)
                return tag == asset.etag || tag == "W/" + asset.etag || tag == "*"
            })
        {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
