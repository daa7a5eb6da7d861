// Configuration of `agent run`: flags, AGENT_* environment, YAML file, defaults (issue 4).
