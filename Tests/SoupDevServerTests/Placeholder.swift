import Testing

@Test func placeholderSoupDevServer() {}
