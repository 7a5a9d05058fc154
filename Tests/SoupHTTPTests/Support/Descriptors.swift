#if os(Linux)
    import Glibc
    @testable import SoupHTTP

    /// Where /proc/self/fd/N points (`socket:[123]`, `pipe:[456]`), or nil if N is not open.
    func readLink(_ fd: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The descriptors of this process that are sockets with `port` at either end.
    ///
    /// getsockname still reports the port of a TCP socket whose connection has ended but whose
    /// descriptor is open (/proc/net/tcp no longer lists it), which is what a leak looks like.
    func serverSockets(port: UInt16) -> [Int32] {
        guard let directory = opendir("/proc/self/fd") else { return [] }
        defer { closedir(directory) }
        var found: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let fd = Int32(name), readLink(fd)?.hasPrefix("socket:") == true else { continue }
            if Socket.port(of: fd, getsockname) == port || Socket.port(of: fd, getpeername) == port { found.append(fd) }
        }
        return found
    }
#endif
