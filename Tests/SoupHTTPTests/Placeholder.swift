import Testing

@Test func placeholderSoupHTTP() {}
