package main

// Connections to the frontend and the domain command.

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/cadence/.gen/go/cadence/workflowserviceclient"
	s "go.uber.org/cadence/.gen/go/shared"
	"go.uber.org/cadence/client"
	"go.uber.org/yarpc"
	"go.uber.org/yarpc/transport/tchannel"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

const frontendService = "cadence-frontend"

// dial opens one TChannel connection (a yarpc dispatcher) to the frontend. The caller name
// shows up as the TChannel "cn" of every call.
func dial(address, caller string) (workflowserviceclient.Interface, func(), error) {
	transport, err := tchannel.NewChannelTransport(
		tchannel.ServiceName(caller), tchannel.ListenAddr("127.0.0.1:0"))
	if err != nil {
		return nil, nil, fmt.Errorf("tchannel transport: %w", err)
	}
	d := yarpc.NewDispatcher(yarpc.Config{
		Name:      caller,
		Outbounds: yarpc.Outbounds{frontendService: {Unary: transport.NewSingleOutbound(address)}},
	})
	if err := d.Start(); err != nil {
		return nil, nil, fmt.Errorf("yarpc dispatcher: %w", err)
	}
	return workflowserviceclient.New(d.ClientConfig(frontendService)), func() { _ = d.Stop() }, nil
}

func logger(level string) *zap.Logger {
	var lvl zapcore.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		lvl = zapcore.WarnLevel
	}
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.Encoding = "console"
	cfg.OutputPaths = []string{"stderr"}
	cfg.ErrorOutputPaths = []string{"stderr"}
	cfg.Sampling = nil
	l, err := cfg.Build()
	if err != nil {
		return zap.NewNop()
	}
	return l
}

// registerCommand registers the domain (an existing one is fine) and describes it.
func registerCommand(o *options, rep map[string]interface{}) error {
	service, closeConn, err := dial(o.address, "cadence-py-bench-admin")
	if err != nil {
		return err
	}
	defer closeConn()
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	domains := client.NewDomainClient(service, &client.Options{})
	name, retention := o.domain, int32(o.retention)
	description := "cadence-py benchmark"
	err = domains.Register(ctx, &s.RegisterDomainRequest{
		Name: &name, Description: &description, WorkflowExecutionRetentionPeriodInDays: &retention,
	})
	var exists *s.DomainAlreadyExistsError
	rep["alreadyRegistered"] = errors.As(err, &exists)
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("RegisterDomain: %w", err)
	}
	desc, err := domains.Describe(ctx, o.domain)
	if err != nil {
		return fmt.Errorf("DescribeDomain: %w", err)
	}
	rep["domainId"] = desc.GetDomainInfo().GetUUID()
	return nil
}
