/// The Engine API version served; the docker CLI negotiates down to it.
public enum EngineAPIVersion {
    public static let current = "1.47"
    public static let minimum = "1.24"
}
