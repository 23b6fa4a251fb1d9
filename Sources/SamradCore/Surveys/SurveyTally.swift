import Foundation

/// How one submission of a survey is stored: a fixed-width record with a slot per counted item, in
/// the order of `ResultItems`. A choice, yes/no, scale point or matrix statement takes one byte (its
/// code + 1, 0 for no answer), a multiple choice one bit per option, a number eight bytes (its
/// IEEE 754 bits, NaN for no answer). 40 scale questions are 40 bytes: 20 million answers of a
/// national pupil survey are 20 MB, and counting them is a pass over bytes.
public struct SurveyAnswerLayout: Sendable {
    public let items: ResultItems
    let offset: [Int]
    /// Per item: what its slot holds.
    let slot: [Slot]
    /// Per item: the value of code 0 (a scale's first point) for means.
    let base: [Double]
    public let size: Int

    enum Slot: Sendable { case code, bits, number }

    public init(_ items: ResultItems) {
        self.items = items
        var offset: [Int] = []
        var slot: [Slot] = []
        var base: [Double] = []
        var size = 0
        for item in items.items {
            offset.append(size)
            switch item.kind {
            case .multipleChoice:
                slot.append(.bits)
                size += (item.codes.count + 7) / 8
            case .number:
                slot.append(.number)
                size += 8
            default:
                slot.append(.code)
                size += 1
            }
            base.append(item.hasMean ? Double(item.codes.first.flatMap { Int($0) } ?? 0) : 0)
        }
        self.offset = offset
        self.slot = slot
        self.base = base
        self.size = size
    }

    public init(_ form: QuestionnaireForm) { self.init(ResultItems(form)) }

    /// The record of a submitted sheet; text answers are not in it.
    public func encode(_ sheet: AnswerSheet) -> [UInt8] {
        var record = [UInt8](repeating: 0, count: size)
        for (i, kind) in slot.enumerated() where kind == .number { put(.nan, at: offset[i], into: &record) }
        for cell in sheet.cells {
            guard let located = items.locate(cell) else { continue }
            let i = Int(located.item), at = offset[i]
            switch slot[i] {
            case .code: record[at] = UInt8(located.code + 1)
            case .bits: record[at + Int(located.code) / 8] |= 1 << (UInt8(located.code) % 8)
            case .number: put(located.value, at: at, into: &record)
            }
        }
        return record
    }

    private func put(_ value: Double, at: Int, into record: inout [UInt8]) {
        var bits = value.bitPattern
        for b in 0..<8 {
            record[at + b] = UInt8(truncatingIfNeeded: bits)
            bits >>= 8
        }
    }
}

/// Counts, sums and squares per unit (a school, or what a municipality's respondents outside its
/// schools gave) and item, and counts per unit and code, kept up to date one record at a time. Its
/// size is units × (items + codes), whatever the number of answers: 2,700 units of a 40-question
/// survey are about 4 MB. Groups and suppression are worked out from it by `SurveyResults`.
public struct SurveyTally: Sendable {
    public let layout: SurveyAnswerLayout
    public private(set) var unitCount = 0
    /// Records counted.
    public private(set) var records = 0
    /// Per unit × item.
    var n: [Int32] = []
    var sum: [Double] = []
    var squares: [Double] = []
    /// Per unit × code.
    var counts: [Int32] = []

    public init(layout: SurveyAnswerLayout) {
        self.layout = layout
    }

    var itemCount: Int { layout.items.items.count }
    var codeTotal: Int { layout.items.codeTotal }

    /// Makes room for units up to `count`.
    public mutating func reserve(units count: Int) {
        guard count > unitCount else { return }
        let extra = count - unitCount
        n += [Int32](repeating: 0, count: extra * itemCount)
        sum += [Double](repeating: 0, count: extra * itemCount)
        squares += [Double](repeating: 0, count: extra * itemCount)
        counts += [Int32](repeating: 0, count: extra * codeTotal)
        unitCount = count
    }

    /// Counts one record for `unit`; false (and nothing counted) when it is not of this layout.
    @discardableResult
    public mutating func add(_ record: some ContiguousBytes, unit: Int) -> Bool {
        let layout = self.layout
        guard unit >= 0 else { return false }
        if unit >= unitCount { reserve(units: unit + 1) }
        let itemCount = self.itemCount, codeTotal = self.codeTotal
        let itemBase = unit * itemCount, codeBase = unit * codeTotal
        let ok = record.withUnsafeBytes { bytes -> Bool in
            guard bytes.count == layout.size else { return false }
            n.withUnsafeMutableBufferPointer { n in
                sum.withUnsafeMutableBufferPointer { sum in
                    squares.withUnsafeMutableBufferPointer { squares in
                        counts.withUnsafeMutableBufferPointer { counts in
                            for i in 0..<itemCount {
                                let at = layout.offset[i]
                                let codeAt = codeBase + layout.items.codeOffset[i]
                                switch layout.slot[i] {
                                case .code:
                                    let b = Int(bytes[at])
                                    guard b > 0 else { continue }
                                    n[itemBase + i] += 1
                                    counts[codeAt + b - 1] += 1
                                    if layout.items.items[i].hasMean {
                                        let value = layout.base[i] + Double(b - 1)
                                        sum[itemBase + i] += value
                                        squares[itemBase + i] += value * value
                                    }
                                case .bits:
                                    var any = false
                                    for code in 0..<layout.items.items[i].codes.count
                                    where bytes[at + code / 8] & (1 << (code % 8)) != 0 {
                                        counts[codeAt + code] += 1
                                        any = true
                                    }
                                    if any { n[itemBase + i] += 1 }
                                case .number:
                                    var bits: UInt64 = 0
                                    for b in (0..<8).reversed() { bits = bits << 8 | UInt64(bytes[at + b]) }
                                    let value = Double(bitPattern: bits)
                                    guard !value.isNaN else { continue }
                                    n[itemBase + i] += 1
                                    sum[itemBase + i] += value
                                    squares[itemBase + i] += value * value
                                }
                            }
                        }
                    }
                }
            }
            return true
        }
        if ok { records += 1 }
        return ok
    }

    /// How many of a unit's respondents answered an item.
    public func answered(unit: Int, item: Int) -> Int {
        unit < unitCount ? Int(n[unit * itemCount + item]) : 0
    }
}
