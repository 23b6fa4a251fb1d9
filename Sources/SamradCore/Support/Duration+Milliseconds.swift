extension Duration {
    /// For Server-Timing headers and measured read times.
    public var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
