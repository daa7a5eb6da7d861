// The systemd notify protocol and the journald log handler (issue 4).
