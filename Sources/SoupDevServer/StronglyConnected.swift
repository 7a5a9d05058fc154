extension Resolution {
    /// The strongly connected components of a directed graph given as adjacency lists, in an
    /// order where every component comes after all components it has edges to (sinks first).
    ///
    /// Tarjan's algorithm with an explicit work stack instead of recursion, so a chain of a
    /// hundred thousand references cannot overflow the thread's stack.
    static func stronglyConnectedComponents(_ edges: [[Int]]) -> [[Int]] {
        let count = edges.count
        var index = [Int](repeating: -1, count: count)
        var lowLink = [Int](repeating: 0, count: count)
        var onStack = [Bool](repeating: false, count: count)
        var stack: [Int] = []
        var components: [[Int]] = []
        var nextIndex = 0

        for root in 0..<count where index[root] < 0 {
            // Each frame is a node and the position of the next edge of it to follow.
            var work: [(node: Int, edge: Int)] = []
            func visit(_ node: Int) {
                index[node] = nextIndex
                lowLink[node] = nextIndex
                nextIndex += 1
                stack.append(node)
                onStack[node] = true
                work.append((node, 0))
            }
            visit(root)
            while let (node, edge) = work.last {
                if edge < edges[node].count {
                    work[work.count - 1].edge += 1
                    let next = edges[node][edge]
                    if index[next] < 0 {
                        visit(next)
                    } else if onStack[next] {
                        lowLink[node] = min(lowLink[node], index[next])
                    }
                    continue
                }
                work.removeLast()
                if let caller = work.last?.node { lowLink[caller] = min(lowLink[caller], lowLink[node]) }
                if lowLink[node] == index[node] {
                    var component: [Int] = []
                    while let member = stack.popLast() {
                        onStack[member] = false
                        component.append(member)
                        if member == node { break }
                    }
                    components.append(component)
                }
            }
        }
        return components
    }
}
