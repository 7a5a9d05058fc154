import SoupCore

/// Per peer address, how many connections are sending a request head right now, capped at
/// `HTTPLimits.maxHeadsPerPeer`.
///
/// One client that opens every connection and drips its heads would otherwise lock everyone out
/// until the timeouts cut it. Counting only connections in the head (not kept-alive ones between
/// requests) keeps a fleet of clients behind one address served: each of them is in a head only
/// for the moment it takes to send one.
struct HeadCounts: Sendable {
    private var counts: [PeerAddress: Int] = [:]

    /// Takes a slot for `peer`; false when it already has `cap`.
    mutating func take(_ peer: PeerAddress, cap: Int) -> Bool {
        let count = counts[peer, default: 0]
        guard count < cap else { return false }
        counts[peer] = count + 1
        return true
    }

    /// Gives back a slot `take` gave; the entry goes when its count reaches zero (bounded memory).
    mutating func release(_ peer: PeerAddress) {
        guard let count = counts[peer] else { return }
        counts[peer] = count > 1 ? count - 1 : nil
    }

    func count(of peer: PeerAddress) -> Int { counts[peer, default: 0] }
}

/// The bytes of a peer's IP address (the port left out: every connection has its own).
struct PeerAddress: Hashable, Sendable {
    var bytes: [UInt8]
}

/// One connection's handle on its peer's head slots, in the server's shared state.
struct HeadSlots: Sendable {
    let take: @Sendable () -> Bool
    let release: @Sendable () -> Void

    /// The answer to a connection over its peer's cap.
    static var refusal: HTTPResponse {
        var response = HTTPResponse.error(
            status: 503, "too many connections from your address are sending a request; try again")
        response.headers.append((name: "Retry-After", value: "1"))
        return response
    }
}
