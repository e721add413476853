//go:build tools

// Package tools pins compose-go, the library `docker compose` itself uses to load and
// validate compose files, so the tests can build its `cmd` validator (schema,
// interpolation, include, consistency) from the Go module proxy. There is no Docker
// engine or compose plugin on the test machines; this gives the same verdict.
package tools

import _ "github.com/compose-spec/compose-go/v2/cmd"
