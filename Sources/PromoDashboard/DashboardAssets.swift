import Crypto
import Foundation

/// One file of the operator page, as served: its bytes, type, and an ETag (a digest of the bytes) for caching.
public struct DashboardAsset: Sendable {
    public var name: String
    public var contentType: String
    public var bytes: [UInt8]
    /// A strong validator: `"` + the first 32 hex digits of the content's sha256 + `"`.
    public var etag: String
}

/// The operator page (`GET /`) and its static assets (`GET /assets/{name}`), shipped with the binary as
/// resources. No build step: the page is plain HTML, CSS and JavaScript; the charts are Chart.js 3.9.1, vendored
/// from Debian's libjs-chart.js with its licence (`chart.js-LICENSE.txt`).
public enum DashboardAssets {
    public static let all: [String: DashboardAsset] = load()

    public static var page: DashboardAsset? { all["index.html"] }

    static let types = [
        "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8", "txt": "text/plain; charset=utf-8", "svg": "image/svg+xml",
    ]

    static func load() -> [String: DashboardAsset] {
        guard let folder = Bundle.module.url(forResource: "Assets", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else { return [:] }
        var assets: [String: DashboardAsset] = [:]
        for name in names {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else {
                continue
            }
            let bytes = [UInt8](data)
            let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            let ext = String(name.split(separator: ".").last ?? "")
            assets[name] = DashboardAsset(
                name: name, contentType: types[ext] ?? "application/octet-stream", bytes: bytes,
                etag: "\"\(digest.prefix(32))\"")
        }
        return assets
    }
}
