/// A value made at its first use, once, whichever thread asks first; every copy of what holds it
/// shares it.
public final class OnceValue<Value: Sendable>: Sendable {
    private let made: Locked<Value?>
    private let make: @Sendable () -> Value

    public init(_ make: @escaping @Sendable () -> Value) {
        self.make = make
        made = Locked(nil)
    }

    public var value: Value {
        made.withLock { made in
            if let made { return made }
            let value = make()
            made = value
            return value
        }
    }
}
