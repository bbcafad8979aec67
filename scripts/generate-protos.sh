#!/usr/bin/env bash
# Regenerates Sources/SwarmProto/Generated from Protos/. The generated code is committed, so
# builds never need protoc; run this only after changing a .proto file.
# Needs: protoc (Debian: protobuf-compiler). protoc-gen-swift is built from the swift-protobuf
# version this package depends on, so generated code and runtime always match.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v protoc >/dev/null || { echo "protoc missing: apt-get install -y protobuf-compiler" >&2; exit 1; }
plugin=${PROTOC_GEN_SWIFT:-}
if [ -z "$plugin" ]; then
  swift build -c release --product protoc-gen-swift --scratch-path .build-protoc >&2
  plugin="$root/.build-protoc/release/protoc-gen-swift"
fi
out=Sources/SwarmProto/Generated
rm -rf "$out"; mkdir -p "$out"
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
  --swift_out="$out" -I Protos/etcd Protos/etcd/*.proto
if compgen -G "Protos/swarmkit/*.proto" >/dev/null; then
  protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
    --swift_out="$out" -I Protos/swarmkit -I Protos/etcd Protos/swarmkit/*.proto
fi
echo "generated: $(ls "$out" | tr '\n' ' ')"
