import Foundation

/// Where the default store lives: `--store DIR`, else `LADING_STORE`, else
/// `$XDG_DATA_HOME/lading`, else `~/.local/share/lading`.
public enum StoreLocation {
    public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let s = environment["LADING_STORE"], !s.isEmpty { return s }
        if let x = environment["XDG_DATA_HOME"], !x.isEmpty { return "\(x)/lading" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return "\(home)/.local/share/lading"
    }
}
