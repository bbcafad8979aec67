/// swarmsafe's version, recorded in every backup manifest and printed by `--version`.
public enum SwarmSafeKitVersion {
    public static let string = "0.2.0"
}
