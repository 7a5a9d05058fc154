/// Serves the requests of one connection, in order, until it is to be closed.
///
/// It runs on the connection's own thread, so a slow handler holds up only its own client. Every
/// wait is bounded: a request head must arrive within `headTimeout` (from the accept, or from the
/// first byte of a later request), its body within `idleTimeout` of the head, an idle kept-alive
/// connection is closed after `idleTimeout`, and a response must be taken by the client within
/// `idleTimeout` too. While it waits for a head the connection counts against its peer's
/// `maxHeadsPerPeer` (see `HeadSlots`). The caller closes the descriptor.
struct HTTPConnection {
    let fd: Int32
    /// Readable once the server stops: an idle connection then closes instead of waiting.
    let wake: Int32
    let limits: HTTPLimits
    let handler: HTTPHandler
    let isStopping: () -> Bool
    /// The peer's head slots; the server took one for this connection when it accepted it.
    let heads: HeadSlots

    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    func run() {
        let timeout = Duration.seconds(limits.idleSeconds)
        var parser = HTTPRequestParser(limits: limits)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var inHead = true
        defer { if inHead { heads.release() } }
        var deadline = ContinuousClock.now + .seconds(limits.headSeconds)
        var sentContinue = false
        var result = HTTPRequestParser.Result.needMore
        while true {
            switch result {
            case .request(let request, _):
                if inHead {
                    inHead = false
                    heads.release()
                }
                let response = handler(request)
                let keepAlive = request.wantsKeepAlive && !isStopping()
                let bytes = response.serialized(keepAlive: keepAlive, includeBody: request.method != "HEAD")
                guard Socket.sendAll(fd, bytes, until: .now + timeout) else { return }
                // The request was read whole: only bytes already here can be unread, so no waiting.
                guard keepAlive else { return Socket.closeAfterAnswer(fd, until: .now) }
                deadline = .now + timeout
                sentContinue = false
                result = parser.next()
            case .error(let status, let reason):
                return answerAndClose(.error(status: status, reason))
            case .needMore:
                if parser.hasHead, inHead {
                    // The head is in: the body gets the longer deadline, and the slot is free again.
                    inHead = false
                    heads.release()
                    deadline = .now + timeout
                } else if !parser.hasHead, !inHead, parser.hasPartialRequest {
                    // A kept-alive connection started its next request: it is sending a head again.
                    guard heads.take() else { return answerAndClose(HeadSlots.refusal) }
                    inHead = true
                    deadline = .now + .seconds(limits.headSeconds)
                }
                if parser.awaitsContinue, !sentContinue {
                    sentContinue = true
                    guard Socket.sendAll(fd, Self.continueLine, until: deadline) else { return }
                }
                switch Socket.waitReadable(fd, wake: wake, until: deadline) {
                case .ready:
                    switch Socket.receive(fd, into: &buffer) {
                    case .data(let count): result = parser.feed(buffer[..<count])
                    case .wouldBlock: continue
                    case .endOfStream, .failed: return
                    }
                case .timedOut:
                    // An idle connection just ends; a started request is told why.
                    guard parser.hasPartialRequest else { return }
                    let message =
                        inHead
                        ? "no complete request head within \(limits.headSeconds) seconds"
                        : "no complete request within \(limits.idleSeconds) seconds"
                    return answerAndClose(.error(status: 408, message))
                case .woken, .failed:
                    return
                }
            }
        }
    }

    private func answerAndClose(_ response: HTTPResponse) {
        let timeout = Duration.seconds(limits.idleSeconds)
        guard Socket.sendAll(fd, response.serialized(keepAlive: false), until: .now + timeout) else { return }
        Socket.closeAfterAnswer(fd, until: lingerDeadline())
    }

    /// How long to keep reading after an error answer, waiting for the client to close first: the
    /// client may still be sending the request (a refused body, say) and would get a reset otherwise.
    /// Two seconds whatever `idleTimeout` is: a short idle timeout must not cut a refused upload
    /// before the client has read why.
    private func lingerDeadline() -> ContinuousClock.Instant {
        .now + .seconds(2)
    }
}
