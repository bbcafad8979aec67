/// The CLI prefixes every path with the API version it negotiated; routes are registered
/// without it.
public enum VersionPrefix {
    /// `/v1.47/nodes?x` → `/nodes?x`; paths without a version are left alone.
    public static func strip(_ path: String) -> String {
        guard path.hasPrefix("/v") else { return path }
        let afterV = path.dropFirst(2)
        let version = afterV.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !version.isEmpty, version.first?.isNumber == true else { return path }
        let rest = afterV.dropFirst(version.count)
        guard rest.isEmpty || rest.first == "/" || rest.first == "?" else { return path }
        return rest.first == "/" ? String(rest) : "/" + rest
    }
}
