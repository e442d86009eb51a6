import Foundation

/// The projections' SQL definitions, `sql/NAME.vN.sql` in this folder, shipped with the binary as resources.
public enum ProjectionSQL {
    /// The text of every definition file, by file name.
    public static func files() throws -> [String: String] {
        guard let folder = Bundle.module.url(forResource: "sql", withExtension: nil) else { return [:] }
        var files: [String: String] = [:]
        for url in try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        where url.pathExtension == "sql" {
            files[url.lastPathComponent] = try String(contentsOf: url, encoding: .utf8)
        }
        return files
    }
}
