package main

// The connection to the server: yarpc over TChannel to the "cadence-frontend" service, the way
// Cadence workers connect, plus an optional outbound middleware that logs every RPC to stderr.

import (
	"context"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"go.uber.org/cadence/.gen/go/cadence/workflowserviceclient"
	"go.uber.org/yarpc"
	"go.uber.org/yarpc/api/middleware"
	"go.uber.org/yarpc/api/transport"
	"go.uber.org/yarpc/transport/tchannel"
)

const (
	callerName   = "cadence-py-e2e"
	frontendName = "cadence-frontend"
)

// rpcTrace records the order of RPCs (procedure names) and optionally logs each to stderr.
type rpcTrace struct {
	mu    sync.Mutex
	log   bool
	calls []string
}

func (t *rpcTrace) Call(ctx context.Context, req *transport.Request, out transport.UnaryOutbound,
) (*transport.Response, error) {
	start := time.Now()
	ttl := "none"
	if deadline, ok := ctx.Deadline(); ok {
		ttl = deadline.Sub(start).Round(time.Millisecond).String()
	}
	resp, err := out.Call(ctx, req)
	t.mu.Lock()
	if len(t.calls) < 200 {
		t.calls = append(t.calls, req.Procedure)
	}
	t.mu.Unlock()
	if t.log {
		status := "ok"
		if err != nil {
			status = "error: " + err.Error()
		} else if resp != nil && resp.ApplicationError {
			status = "application error"
		}
		fmt.Fprintf(os.Stderr, "rpc %s ttl=%s took=%s %s\n", req.Procedure, ttl,
			time.Since(start).Round(time.Millisecond), status)
	}
	return resp, err
}

// firstCalls returns the first n distinct procedures in the order they were first called.
func (t *rpcTrace) firstCalls(n int) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	seen := map[string]bool{}
	out := []string{}
	for _, c := range t.calls {
		if !seen[c] && len(out) < n {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

var _ middleware.UnaryOutbound = (*rpcTrace)(nil)

// waitListening fails fast when nothing listens at address: the client library would
// otherwise retry "connection refused" until the whole budget is spent.
func waitListening(address string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		conn, err := net.DialTimeout("tcp", address, time.Second)
		if err == nil {
			return conn.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listens at %s: %w", address, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// connect starts a yarpc dispatcher with one TChannel outbound to address.
func connect(address string, trace *rpcTrace) (workflowserviceclient.Interface, func(), error) {
	if err := waitListening(address, 5*time.Second); err != nil {
		return nil, nil, err
	}
	// Listen on loopback only: by default TChannel would pick the host's external address.
	ch, err := tchannel.NewChannelTransport(
		tchannel.ServiceName(callerName), tchannel.ListenAddr("127.0.0.1:0"))
	if err != nil {
		return nil, nil, fmt.Errorf("tchannel transport: %w", err)
	}
	dispatcher := yarpc.NewDispatcher(yarpc.Config{
		Name: callerName,
		Outbounds: yarpc.Outbounds{
			frontendName: {Unary: ch.NewSingleOutbound(address)},
		},
		OutboundMiddleware: yarpc.OutboundMiddleware{Unary: trace},
	})
	if err := dispatcher.Start(); err != nil {
		return nil, nil, fmt.Errorf("start yarpc dispatcher: %w", err)
	}
	service := workflowserviceclient.New(dispatcher.ClientConfig(frontendName))
	return service, func() { _ = dispatcher.Stop() }, nil
}
