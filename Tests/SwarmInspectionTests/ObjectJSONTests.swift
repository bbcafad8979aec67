import Foundation
import SwarmInspection
import SwarmProto
import SwarmStore
import SwiftProtobuf
import Testing

@Suite struct ObjectJSONTests {
    @Test func resourceWithAPayloadOfAnUnknownTypeStillPrints() throws {
        var resource = SwarmResource()
        resource.id = "r1"
        resource.kind = "com.example.widget"
        resource.payload = Google_Protobuf_Any()
        resource.payload.typeURL = "type.googleapis.com/com.example.Widget"
        resource.payload.value = Data([0x08, 0x01])
        let line = try ObjectJSON(redaction: Redaction(reveal: false)).line(StoreObject.resource(resource))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["id"] as? String == "r1")
        let payload = try #require(object["payload"] as? [String: Any])
        #expect(payload["@type"] as? String == "type.googleapis.com/com.example.Widget")
    }

    @Test func redactionNeverLeaksSecretData() throws {
        var secret = SwarmSecret()
        secret.id = "s1"
        secret.spec.annotations.name = "db"
        secret.spec.data = Data("hunter2".utf8)
        let hidden = try ObjectJSON(redaction: Redaction(reveal: false)).line(StoreObject.secret(secret))
        #expect(!hidden.contains(Data("hunter2".utf8).base64EncodedString()))
        #expect(hidden.contains("\"<redacted>\""))
        let shown = try ObjectJSON(redaction: Redaction(reveal: true)).line(StoreObject.secret(secret))
        #expect(shown.contains(Data("hunter2".utf8).base64EncodedString()))
    }
}
