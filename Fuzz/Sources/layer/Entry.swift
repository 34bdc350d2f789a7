import LadingFuzz

/// libFuzzer's entry point (its own main drives it; built with -parse-as-library).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget.layer.fuzz(data, size)
}
