import ImageSpec

extension OCILayout {
    /// The images `index.json` names (and keeps unnamed), in its order.
    /// - Throws: `LayoutError.invalidIndex` when `index.json` cannot be read.
    public func records() throws -> [ImageRecord] {
        NameTable(try readIndex()).records()
    }

    /// Edits the names of `index.json` under the index lock, as `updateIndex` does.
    public func updateNames<T>(undo: () -> Void = {}, _ body: (inout NameTable) throws -> T) throws -> T {
        try updateIndex(undo: undo) { index in
            var table = NameTable(index)
            let result = try body(&table)
            index = table.index
            return result
        }
    }
}
