//go:build tools

// Package tools pins the upstream Cadence CLI (github.com/uber/cadence v1.4.1) so the test
// harness can build the real binary from the Go module proxy. `go install ...@v1.4.1`
// would be simpler, but the proxy answers 403 for the module's version list, which
// `go install pkg@version` consults; building inside this module avoids that lookup.
package tools

import _ "github.com/uber/cadence/cmd/tools/cli"
