import Testing

@Test func placeholderSoupRun() {}
