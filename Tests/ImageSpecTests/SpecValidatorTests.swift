import ImageSpec
import Testing

/// The validator's grammars at their edges (descriptor.md, media-types.md, config.md).
@Suite struct SpecValidatorTests {
    @Test func mediaTypeSyntax() {
        let max = String(repeating: "a", count: 127)
        #expect(SpecValidator.isValidMediaType("\(max)/\(max)"))
        #expect(!SpecValidator.isValidMediaType("\(max)a/b"))
        #expect(!SpecValidator.isValidMediaType("a/\(max)a"))
        for bad in ["", "application", ".foo/bar", "foo/.bar", "a/b/c", "a b/c", "a/"] { #expect(!SpecValidator.isValidMediaType(bad), "\(bad)") }
        for good in ["application/vnd.oci.image.manifest.v1+json", "text/plain", "a/b!#$&^_.+-"] { #expect(SpecValidator.isValidMediaType(good), "\(good)") }
    }

    @Test func uriAndDateTime() {
        #expect(SpecValidator.isValidURI("https://example.com/a?b=c"))
        #expect(!SpecValidator.isValidURI("value"))
        #expect(!SpecValidator.isValidURI("://x"))
        #expect(!SpecValidator.isValidURI("http://exa mple.com"))
        for good in ["2015-10-31T22:22:56.015925234Z", "2015-10-31T22:22:56Z", "2015-10-31T22:22:56+01:00"] { #expect(SpecValidator.isValidDateTime(good), "\(good)") }
        for bad in ["yesterday", "2015-10-31", "2015-10-31T22:22:56", "2015-10-31T22:22:56.Z", "2015-10-31T22:22:56Zx"] { #expect(!SpecValidator.isValidDateTime(bad), "\(bad)") }
    }

    @Test func findingsNameRuleAndPlace() {
        let f = SpecValidator.validate(Array(#"{"schemaVersion":2,"manifests":[{"mediaType":"invalid","digest":"sha256+foo+-b:abc","size":-1}]}"#.utf8), as: .index)
        #expect(f.map(\.rule.id) == ["descriptor.mediaType", "descriptor.digest", "descriptor.size"])
        #expect(f.map(\.at) == ["manifests[0].mediaType", "manifests[0].digest", "manifests[0].size"])
        #expect(f.allSatisfy { $0.isError })
        #expect(SpecValidator.validate(Array("invalid JSON".utf8), as: .config).map(\.description) == ["not valid JSON"])
        let warn = SpecValidator.validate(Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"history":[{"created_by":"x"}]}"#.utf8), as: .config)
        #expect(warn.map(\.description) == ["history: has 1 non-empty entries for 0 diff IDs"])
        #expect(warn.map(\.isError) == [false])
        #expect(!ReaderPolicy.refuses(warn[0]))
    }

    @Test func duplicateKeysAreFound() {
        let text = #"{"a":{"k":"1","k":"2","s":"x\"k"},"annotations":{"x":"1","y":[{"x":1,"x":2}],"x":"2"},"l":[{"k":1},{"k":2}]}"#
        let d = JSONValue.duplicateKeys(Array(text.utf8))
        #expect(d.map(\.key) == ["k", "x", "x"])
        #expect(d.map(\.parent) == ["a", nil, "annotations"])
    }
}
