// The shells wired together: UDP transport, membership, control socket, metrics (issue 4).
