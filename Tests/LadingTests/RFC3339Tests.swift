import Foundation
import Lading
import Testing

/// `created` times as configs hold them, parsed by hand (`parseRFC3339`).
@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0),
        ("2024-02-29T12:30:45Z", 1_709_209_845.0),
        ("2024-05-01T12:30:00.5+02:00", 1_714_559_400.5),
        ("2024-05-01T12:30:00.123456789123+02:00", 1_714_559_400.123456789),
        ("1970-01-01T00:00:00+01:00", -3600.0),
        ("2024-02-29t12:30:45z", 1_709_209_845.0),
        ("0001-01-01T00:00:00Z", -62_135_596_800.0),
    ])
    func parses(text: String, seconds: Double) throws {
        let d = try #require(parseRFC3339(text))
        #expect(abs(d.timeIntervalSince1970 - seconds) < 1e-6, "\(text): \(d.timeIntervalSince1970)")
    }

    @Test(arguments: [
        "", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-05-01T12:30:00", "2024-05-01T12:30:00Zjunk",
        "2024-05-01T24:00:00Z", "2024-05-01T12:60:00Z", "2016-12-31T23:59:60Z", "2024-05-01T12:30:00.Z",
        "2024-5-01T12:30:00Z", "2024-05-01T12:30:00+0200", "N/A",
    ])
    func refuses(text: String) {
        #expect(parseRFC3339(text) == nil, "\(text)")
    }

    /// Agrees with a date formatter on what both read.
    @Test func agreesWithAFormatter() throws {
        let f = ISO8601DateFormatter()
        for t in ["2001-09-09T01:46:40Z", "2038-01-19T03:14:08Z", "1999-12-31T23:59:59-08:00", "2100-03-01T00:00:00Z"] {
            #expect(parseRFC3339(t) == f.date(from: t), "\(t)")
        }
    }
}
