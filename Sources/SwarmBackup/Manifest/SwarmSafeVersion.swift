/// swarmsafe's version, recorded in every backup manifest and printed by `--version`.
public enum SwarmSafeVersion {
    public static let string = "0.2.0"
}
