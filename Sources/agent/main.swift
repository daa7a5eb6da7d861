import AgentCLI

Agent.runAndExit()
