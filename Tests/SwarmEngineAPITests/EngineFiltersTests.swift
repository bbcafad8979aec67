import SwarmEngineAPI
import Testing

@Suite struct EngineFiltersTests {
    @Test func parsesDockersMapOfSetsAndTheOldListForm() throws {
        let sets = try EngineFilters(json: #"{"name":{"web":true,"db":true},"id":{"abc":true}}"#)
        #expect(sets["name"] == ["web", "db"])
        #expect(sets["id"] == ["abc"])
        let lists = try EngineFilters(json: #"{"name":["web"]}"#)
        #expect(lists["name"] == ["web"])
        #expect(try EngineFilters(json: nil).values.isEmpty)
        #expect(try EngineFilters(json: "").values.isEmpty)
    }

    @Test func malformedJSONIsABadRequest() {
        #expect(throws: EngineError.self) { try EngineFilters(json: "{name") }
        do {
            _ = try EngineFilters(json: #"{"name":"web"}"#)
            Issue.record("a bare string value was accepted")
        } catch {
            #expect(error.status == .badRequest)
        }
    }

    @Test func unknownKeysAreRefusedWithDockersMessage() throws {
        let filters = try EngineFilters(json: #"{"colour":{"red":true}}"#)
        do {
            try filters.validate(accepted: ["name", "id"])
            Issue.record("unknown filter accepted")
        } catch {
            #expect(error == EngineError(.badRequest, "invalid filter 'colour'"))
        }
        try EngineFilters(json: #"{"name":{"x":true}}"#).validate(accepted: ["name"])
    }

    @Test func idsMatchByPrefixAndNamesByCaseInsensitivePrefix() throws {
        let filters = EngineFilters(["id": ["abc"], "name": ["Web"]])
        #expect(filters.matchesID("abcdef"))
        #expect(!filters.matchesID("xabc"))
        #expect(filters.matchesName("web-1"))
        #expect(filters.matchesName("WEB"))
        #expect(!filters.matchesName("db"))
        #expect(EngineFilters().matchesID("anything"))
        #expect(EngineFilters().matchesName("anything"))
    }

    @Test func labelsMatchByKeyOrKeyAndValueAndAllMustHold() {
        let labels = ["tier": "front", "env": "prod"]
        #expect(EngineFilters(["label": ["tier"]]).matchesLabels(labels))
        #expect(EngineFilters(["label": ["tier=front"]]).matchesLabels(labels))
        #expect(!EngineFilters(["label": ["tier=back"]]).matchesLabels(labels))
        #expect(!EngineFilters(["label": ["tier", "owner"]]).matchesLabels(labels))
        #expect(EngineFilters(["label": ["tier", "env=prod"]]).matchesLabels(labels))
    }

    @Test func exactKeysMatchWholeValuesOnly() {
        let filters = EngineFilters(["service": ["abc"]])
        #expect(filters.matchesExactly("service", "abc"))
        #expect(!filters.matchesExactly("service", "abcd"))
        #expect(filters.matchesExactly("node", "whatever"))
    }
}
