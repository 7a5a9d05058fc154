#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few socket calls whose spelling differs between Linux and Darwin.
enum Platform {
    #if os(Linux)
        static let streamType = Int32(SOCK_STREAM.rawValue)
        static let socketCloseOnExec = Int32(SOCK_CLOEXEC.rawValue)
        /// Linux has no SO_NOSIGPIPE; the flag on each send keeps a closed peer from raising SIGPIPE.
        static let sendFlags = Int32(MSG_NOSIGNAL)

        /// Already close-on-exec through `socketCloseOnExec`.
        static func setCloseOnExec(_ fd: Int32) {}

        /// accept4 and pipe2 set close-on-exec atomically: with accept plus fcntl, a process spawned by
        /// another thread in between would inherit the connection and keep it open after we close it.
        /// Glibc's Swift module hides both (they are _GNU_SOURCE), so they are looked up by name.
        private typealias Accept4 =
            @convention(c) (
                Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32
            ) -> Int32
        private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
        private static let accept4: Accept4? = lookUp("accept4")
        private static let pipe2: Pipe2? = lookUp("pipe2")

        private static func lookUp<Function>(_ name: String) -> Function? {
            guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else { return nil }
            return unsafeBitCast(symbol, to: Function.self)
        }

        static func accept(_ listener: Int32) -> Int32 {
            if let accept4 {
                return accept4(listener, nil, nil, Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue))
            }
            let fd = Glibc.accept(listener, nil, nil)
            guard fd >= 0 else { return fd }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            return fd
        }

        static func pipe(_ fds: inout [Int32]) -> Int32 {
            if let pipe2 { return pipe2(&fds, O_CLOEXEC) }
            guard Glibc.pipe(&fds) == 0 else { return -1 }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            return 0
        }

        static func listen(_ fd: Int32, _ backlog: Int32) -> Int32 { Glibc.listen(fd, backlog) }

        static func poll(_ fds: UnsafeMutablePointer<pollfd>, _ count: nfds_t, _ timeout: Int32) -> Int32 {
            Glibc.poll(fds, count, timeout)
        }
    #else
        static let streamType = SOCK_STREAM
        static let socketCloseOnExec: Int32 = 0
        static let sendFlags: Int32 = 0

        static func setCloseOnExec(_ fd: Int32) {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }

        /// Darwin has no accept4: set close-on-exec, non-blocking and SO_NOSIGPIPE by hand.
        static func accept(_ listener: Int32) -> Int32 {
            let fd = Darwin.accept(listener, nil, nil)
            guard fd >= 0 else { return fd }
            setCloseOnExec(fd)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
            return fd
        }

        static func pipe(_ fds: inout [Int32]) -> Int32 {
            guard Darwin.pipe(&fds) == 0 else { return -1 }
            setCloseOnExec(fds[0])
            setCloseOnExec(fds[1])
            return 0
        }

        static func listen(_ fd: Int32, _ backlog: Int32) -> Int32 { Darwin.listen(fd, backlog) }

        static func poll(_ fds: UnsafeMutablePointer<pollfd>, _ count: nfds_t, _ timeout: Int32) -> Int32 {
            Darwin.poll(fds, count, timeout)
        }
    #endif
}
