import Testing

@Test func placeholderSoupCore() {}
