/// Why a spec from a client cannot become a swarmkit spec. `description` is the message Docker
/// (or swarmkit behind it) gives for the same mistake, so a route can answer 400 with it as is.
public enum SpecConversionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// More than one of Replicated, Global, ReplicatedJob, GlobalJob.
    case multipleModes
    case missingImage
    /// An enum-like string Docker does not know, e.g. field "RestartCondition", value "sometimes".
    case invalidValue(field: String, value: String)
    /// Any other rule, with Docker's wording.
    case invalid(String)

    public var description: String {
        switch self {
        case .multipleModes: "must specify only one service mode"
        case .missingImage: "ContainerSpec: image reference must be provided"
        case .invalidValue(let field, let value): "invalid \(field): \"\(value)\""
        case .invalid(let message): message
        }
    }
}
