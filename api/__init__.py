"""The HTTP and command-line faces of claimdex: GraphQL, REST and the CLI, reading through db/."""
