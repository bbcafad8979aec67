import Foundation
import SwarmFuzzTargets

#if FUZZING
/// libFuzzer's entry (`scripts/fuzz.sh` builds this with `--sanitize=fuzzer`, whose runtime
/// brings `main`). The target comes from `SWARMSAFE_FUZZ_TARGET`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    SelectedTarget.target.run(data)
    return 0
}

enum SelectedTarget {
    static let target: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["SWARMSAFE_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("SWARMSAFE_FUZZ_TARGET must be one of: \(names)\n".utf8))
            exit(2)
        }
        return target
    }()
}
#else
/// Without libFuzzer: `swarmsafe-fuzz TARGET FILE|FOLDER...` runs the target's entry on each
/// file (a crash input, a regression, a corpus) and prints what the product made of it;
/// `swarmsafe-fuzz seeds FIXTURES OUT` writes the seed corpus (see `SeedMaker`).
@main
struct FuzzDriver {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "seeds", arguments.count == 3 {
            try SeedMaker(fixtures: URL(fileURLWithPath: arguments[1]), output: URL(fileURLWithPath: arguments[2])).make()
            return
        }
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            print("usage: swarmsafe-fuzz \(names) FILE|FOLDER...\n       swarmsafe-fuzz seeds UNPACKED_FIXTURES OUT")
            exit(2)
        }
        for path in arguments.dropFirst() {
            for file in files(path) {
                let outcome = target.run(try Data(contentsOf: URL(fileURLWithPath: file)))
                print("\(file): \(outcome.isAccepted ? "accepted" : "rejected") \(outcome)")
            }
        }
    }

    static func files(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map { path + "/" + $0 }
    }
}
#endif
