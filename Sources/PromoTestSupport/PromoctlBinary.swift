import Foundation

/// The real `promoctl` binary for tests that run it as a process: `PROMOCTL_BIN` (tools/test sets it), else
/// this package's debug build.
public enum PromoctlBinary {
    public static var url: URL {
        if let path = ProcessInfo.processInfo.environment["PROMOCTL_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        // Sources/PromoTestSupport/PromoctlBinary.swift → the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/promoctl")
    }
}
