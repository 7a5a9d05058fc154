import SoupCore
import SoupHTTP
import Testing

@testable import SoupDevServer

/// Listings kept encoded with their ETag until a write changes the environment or an ancestor.
@Suite struct BodyCacheTests {
    let prodKey = BodyKey(project: "my-app", environment: "prod", resolve: true)
    let devKey = BodyKey(project: "my-app", environment: "dev", resolve: true)

    func cache(_ keys: [BodyKey]) -> BodyCache {
        var cache = BodyCache()
        for key in keys { cache[key] = CachedBody(body: Array(key.environment.utf8)) }
        return cache
    }

    @Test func aWriteDropsTheEnvironmentAndItsDescendantsOnly() {
        let old = DevServerState.demo
        var base = old
        base.projects["my-app"]!.environments["base"]!.secrets["NEW"] = "x"
        var changed = cache([prodKey, devKey])
        changed.invalidate(old: old, new: base)
        #expect(changed.entries.isEmpty, "base is an ancestor of both")

        var prod = old
        prod.projects["my-app"]!.environments["prod"]!.secrets["NEW"] = "x"
        changed = cache([prodKey, devKey])
        changed.invalidate(old: old, new: prod)
        #expect(Set(changed.entries.keys) == [devKey])

        var reparented = old
        reparented.projects["my-app"]!.environments["dev"]!.parent = nil
        changed = cache([prodKey, devKey])
        changed.invalidate(old: old, new: reparented)
        #expect(Set(changed.entries.keys) == [prodKey])

        changed = cache([prodKey, devKey])
        changed.invalidate(old: old, new: old)
        #expect(changed.entries.count == 2)
    }

    @Test func aListingIsAnsweredFromTheKeptBodyWithoutComputingIt() throws {
        let store = Store(state: testState())
        let api = SecretsAPI(store: store)
        // A body no resolution of the state could produce: seeing it proves nothing was computed.
        let kept = CachedBody(body: Array(#"{"data":{"KEPT":"1"}}"#.utf8))
        store.remember(kept, for: prodKey, generation: store.versionedSnapshot.generation)
        let plain = api.send("GET", "\(prefix)/prod/secrets")
        #expect(plain.status == 200)
        #expect(plain.text == #"{"data":{"KEPT":"1"}}"#)
        #expect(plain.header("ETag") == kept.etag)
        #expect(plain.header("Content-Type") == "application/json")
        let conditional = api.send("GET", "\(prefix)/prod/secrets", headers: [("If-None-Match", kept.etag)])
        #expect(conditional.status == 304)
        #expect(conditional.body.isEmpty)
        #expect(conditional.header("ETag") == kept.etag)
        // The access checks still come first.
        #expect(api.send("GET", "\(prefix)/prod/secrets", token: "tok-other").status == 403)
        #expect(api.send("GET", "\(prefix)/prod/secrets", token: nil).status == 401)
    }

    @Test func theFirstListingIsKeptPerResolveFlag() throws {
        let store = Store(state: testState())
        let api = SecretsAPI(store: store)
        let resolved = api.send("GET", "\(prefix)/prod/secrets")
        let raw = api.send("GET", "\(prefix)/prod/secrets?resolve=false")
        #expect(store.cachedBody(prodKey)?.body == resolved.body)
        #expect(store.cachedBody(prodKey)?.etag == resolved.header("ETag"))
        var rawKey = prodKey
        rawKey.resolve = false
        #expect(store.cachedBody(rawKey)?.body == raw.body)
        #expect(resolved.header("ETag") != raw.header("ETag"))
    }

    @Test func aPostToAnAncestorGivesTheChildANewBodyAndTag() throws {
        let store = Store(state: testState())
        let api = SecretsAPI(store: store)
        let before = api.send("GET", "\(prefix)/prod/secrets")
        let tag = try #require(before.header("ETag"))
        _ = api.send("GET", "\(prefix)/dev/secrets")
        #expect(api.send("POST", "\(prefix)/prod/secrets", body: #"{"key":"ONLY_PROD","value":"p"}"#).status == 201)
        #expect(store.cachedBody(devKey) != nil, "a write to prod leaves dev's body")
        #expect(api.send("POST", "\(prefix)/base/secrets", body: #"{"key":"SHARED","value":"s"}"#).status == 201)
        #expect(store.cachedBody(devKey) == nil)
        let after = api.send("GET", "\(prefix)/prod/secrets", headers: [("If-None-Match", tag)])
        #expect(after.status == 200)
        #expect(after.json?["data"]?["SHARED"] == .string("s"))
        #expect(after.json?["data"]?["ONLY_PROD"] == .string("p"))
        #expect(after.header("ETag") != tag)
        #expect(api.send("DELETE", "\(prefix)/base/secrets/SHARED").status == 204)
        #expect(api.send("GET", "\(prefix)/prod/secrets").json?["data"]?["SHARED"] == nil)
    }

    @Test func aBodyComputedBeforeAWriteIsNotKept() throws {
        let store = Store(state: testState())
        let generation = store.versionedSnapshot.generation
        _ = try store.update { $0.projects["my-app"]!.environments["prod"]!.secrets["X"] = "1" }
        store.remember(CachedBody(body: [1]), for: prodKey, generation: generation)
        #expect(store.cachedBody(prodKey) == nil)
        store.remember(CachedBody(body: [2]), for: prodKey, generation: store.versionedSnapshot.generation)
        #expect(store.cachedBody(prodKey)?.body == [2])
    }
}
