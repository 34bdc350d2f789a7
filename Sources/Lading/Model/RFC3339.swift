import Foundation

/// Parses an RFC 3339 time (`2024-05-01T12:30:00Z`, `…T12:30:00.123456789+02:00`; a
/// space or a lower-case `t`/`z` accepted, as Go's parser does), as the `created` fields
/// of image configs hold it. Fractional seconds keep up to nanoseconds.
/// - Returns: nil for anything else (a field out of range, trailing text).
///
/// Parsed by hand rather than by a date formatter: `images` parses one per image, and a
/// formatter costs tens of microseconds a call.
public func parseRFC3339(_ s: String) -> Date? {
    var utf8 = s.utf8[...]
    func number(_ n: Int) -> Int? {
        guard utf8.count >= n else { return nil }
        var v = 0
        for _ in 0..<n {
            let c = utf8.removeFirst()
            guard c >= 0x30 && c <= 0x39 else { return nil }
            v = v * 10 + Int(c - 0x30)
        }
        return v
    }
    func expect(_ c: UInt8...) -> Bool {
        guard let f = utf8.first, c.contains(f) else { return false }
        utf8.removeFirst()
        return true
    }
    guard let year = number(4), expect(0x2D), let month = number(2), expect(0x2D), let day = number(2),
          expect(0x54, 0x74, 0x20), let hour = number(2), expect(0x3A), let minute = number(2), expect(0x3A),
          let second = number(2) else { return nil }
    guard (1...12).contains(month), (1...daysIn(month, year)).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
    var fraction = 0.0
    if expect(0x2E) {
        var scale = 0.1
        var digits = 0
        while let c = utf8.first, c >= 0x30 && c <= 0x39 {
            utf8.removeFirst()
            if digits < 9 { fraction += Double(c - 0x30) * scale; scale /= 10 }
            digits += 1
        }
        guard digits > 0 else { return nil }
    }
    var offset = 0
    if expect(0x5A, 0x7A) {
        offset = 0
    } else if let sign = utf8.first, sign == 0x2B || sign == 0x2D {
        utf8.removeFirst()
        guard let oh = number(2), expect(0x3A), let om = number(2), oh < 24, om < 60 else { return nil }
        offset = (oh * 3600 + om * 60) * (sign == 0x2D ? -1 : 1)
    } else {
        return nil
    }
    guard utf8.isEmpty else { return nil }
    let seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
    return Date(timeIntervalSince1970: Double(seconds) + fraction)
}

private func daysIn(_ month: Int, _ year: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
private func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}
