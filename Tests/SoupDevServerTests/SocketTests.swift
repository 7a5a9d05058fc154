import Foundation
import SoupCore
import SoupHTTP
import Testing

@testable import SoupDevServer

/// `SecretsAPI` behind a real `HTTPServer` in this process, spoken to over raw sockets.
@Suite struct SocketTests {
    /// Sends one request with `Connection: close` and returns the status and body; bounded by a
    /// receive timeout.
    static func exchange(port: UInt16, _ method: String, _ target: String, body: String = "") throws -> (Int, String) {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        try #require(fd >= 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(connected == 0)
        let request =
            "\(method) \(target) HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer demo-token\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let bytes = Array(request.utf8)
        try #require(bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) } == bytes.count)
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += chunk[..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        let end = try #require(text.range(of: "\r\n\r\n"))
        let status = try #require(Int(text.split(separator: " ")[1]))
        return (status, String(text[end.upperBound...]))
    }

    @Test func concurrentClientsPostingOverSocketsLoseNoUpdate() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        let api = SecretsAPI(store: try Store.open(path: path).store)
        let server = HTTPServer(handler: api.handle)
        let port = try server.start()
        defer { server.shutdown() }
        let clients = 10
        let statuses = Locked<[Int]>([])
        let done = DispatchGroup()
        for c in 0..<clients {
            done.enter()
            Thread.detachNewThread {
                for i in 0..<5 {
                    let body = #"{"key":"S_\#(c)_\#(i)","value":"v"}"#
                    let status = (try? Self.exchange(port: port, "POST", "\(prefix)/prod/secrets", body: body))?.0 ?? -1
                    statuses.withLock { $0.append(status) }
                }
                done.leave()
            }
        }
        #expect(done.wait(timeout: .now() + 120) == .success)
        #expect(statuses.withLock { $0 } == Array(repeating: 201, count: clients * 5))
        let (status, keysBody) = try Self.exchange(port: port, "GET", "\(prefix)/prod/secrets/keys")
        #expect(status == 200)
        let keys = try JSON.parse(keysBody)["data"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(keys.filter { $0.hasPrefix("S_") }.count == clients * 5)
        let onDisk = try Store.open(path: path).store.snapshot.projects["my-app"]!.environments["prod"]!.secrets
        #expect(onDisk.keys.filter { $0.hasPrefix("S_") }.count == clients * 5)
    }

    @Test func errorsAndSuccessesKeepTheirShapeOnTheWire() throws {
        let server = HTTPServer(handler: makeAPI().handle)
        let port = try server.start()
        defer { server.shutdown() }
        let (created, createdBody) = try Self.exchange(
            port: port, "POST", "\(prefix)/dev/secrets", body: #"{"key":"K","value":"v"}"#)
        #expect(created == 201)
        #expect(createdBody == #"{"data":{"key":"K"}}"#)
        let (deleted, deletedBody) = try Self.exchange(port: port, "DELETE", "\(prefix)/dev/secrets/K")
        #expect(deleted == 204)
        #expect(deletedBody.isEmpty)
        let (missing, missingBody) = try Self.exchange(port: port, "GET", "\(prefix)/dev/secrets/K")
        #expect(missing == 404)
        #expect(missingBody == #"{"error":"Secret not found"}"#)
    }
}
