import SoupRun

// Everything happens in the library; this file only hands it argv and the environment.
Platform.exit(SoupRunMain.run(arguments: Array(CommandLine.arguments.dropFirst()), environment: Platform.environment()))
