// The control socket: HTTP/1.1 + JSON over a Unix socket, server and client (issue 4).
//
// - `ControlServer` serves a `ControlHandler` (usually a `ControlRouter`) over SwiftNIO on a
//   Unix socket or a TCP port; the daemon runs it for the CLI and for Prometheus metrics.
// - `ControlClient` is the CLI's side: blocking, no event loop, so `agent get` starts fast.
// - `ControlRequest` / `ControlResponse` are the transport-level values in between; the
//   API's own request and response bodies live in `V1.swift`.
