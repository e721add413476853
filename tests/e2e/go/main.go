// Command cadence-py-e2e drives cadence-py with the real Cadence Go client
// (go.uber.org/cadence over TChannel) for the end-to-end tests in tests/e2e.
//
// Usage:
//
//	cadence-py-e2e [global flags] register-domain [--retention-days N] [--description D]
//	cadence-py-e2e [global flags] describe-domain
//	cadence-py-e2e [global flags] run SCENARIO
//	cadence-py-e2e list
//
// Every command prints exactly one JSON line to stdout and exits 0 when it succeeded, 1 when
// it failed, 2 on a usage error and 3 when the hard deadline (--timeout plus a grace period)
// was hit. Logs of the client library go to stderr.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	s "go.uber.org/cadence/.gen/go/shared"
	"go.uber.org/cadence/client"
	"go.uber.org/cadence/worker"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

type options struct {
	address         string
	domain          string
	timeout         time.Duration
	decisionTimeout time.Duration
	traceRPC        bool
	logLevel        string
	register        bool
	parallel        int
	cronSchedule    string
	sticky          bool
}

// report is the one JSON line a command prints.
type report struct {
	Command    string                 `json:"command"`
	Scenario   string                 `json:"scenario,omitempty"`
	Domain     string                 `json:"domain"`
	OK         bool                   `json:"ok"`
	Result     interface{}            `json:"result"`
	Error      interface{}            `json:"error"`
	Events     []string               `json:"events"`
	WorkflowID string                 `json:"workflowId"`
	RunID      string                 `json:"runId"`
	TaskList   string                 `json:"taskList,omitempty"`
	Runs       []runHistory           `json:"runs,omitempty"`
	Details    map[string]interface{} `json:"details"`
	FirstRPCs  []string               `json:"firstRpcs"`
	ElapsedMs  int64                  `json:"elapsedMs"`
}

var (
	emitOnce sync.Once
	started  = time.Now()
)

// emit prints the report once; later calls (e.g. from the watchdog) are ignored.
func emit(rep *report, trace *rpcTrace) bool {
	printed := false
	emitOnce.Do(func() {
		rep.ElapsedMs = time.Since(started).Milliseconds()
		if rep.Events == nil {
			rep.Events = []string{}
		}
		if rep.Details == nil {
			rep.Details = map[string]interface{}{}
		}
		if trace != nil {
			rep.FirstRPCs = trace.firstCalls(12)
		}
		line, err := json.Marshal(rep)
		if err != nil {
			line = []byte(fmt.Sprintf(`{"command":%q,"ok":false,"error":%q}`, rep.Command,
				"cannot encode report: "+err.Error()))
		}
		fmt.Println(string(line))
		printed = true
	})
	return printed
}

func usage(fs *flag.FlagSet) {
	fmt.Fprintf(os.Stderr, "usage: %s [flags] register-domain|describe-domain|run SCENARIO|list\n\nflags:\n",
		os.Args[0])
	fs.PrintDefaults()
	fmt.Fprintf(os.Stderr, "\nscenarios: %s\n", strings.Join(scenarioNames(), ", "))
}

func main() {
	opts := &options{}
	fs := flag.NewFlagSet("cadence-py-e2e", flag.ContinueOnError)
	fs.StringVar(&opts.address, "address", "127.0.0.1:7933", "frontend host:port (TChannel)")
	fs.StringVar(&opts.domain, "domain", "cadence-py-e2e", "domain to use")
	fs.DurationVar(&opts.timeout, "timeout", 60*time.Second, "total time budget of the command")
	fs.DurationVar(&opts.decisionTimeout, "decision-timeout", 5*time.Second,
		"DecisionTaskStartToCloseTimeout of started workflows")
	fs.BoolVar(&opts.traceRPC, "trace-rpc", false, "log every RPC (procedure, ttl, outcome) to stderr")
	fs.StringVar(&opts.logLevel, "log-level", "warn", "client library log level (debug|info|warn|error)")
	fs.BoolVar(&opts.register, "register", true, "run: register the domain first if it does not exist")
	fs.IntVar(&opts.parallel, "parallel", 50, "parallel-50: number of workflows")
	fs.StringVar(&opts.cronSchedule, "cron-schedule", "@every 2s", "cron: the cron schedule")
	fs.BoolVar(&opts.sticky, "sticky", true, "worker: use sticky execution")
	fs.Usage = func() { usage(fs) }
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	args := fs.Args()
	if len(args) == 0 {
		usage(fs)
		os.Exit(2)
	}

	trace := &rpcTrace{log: opts.traceRPC}
	rep := &report{Command: args[0], Domain: opts.domain}

	// Watchdog: whatever the client library does, the process ends shortly after the budget.
	time.AfterFunc(opts.timeout+10*time.Second, func() {
		rep.OK = false
		rep.Error = fmt.Sprintf("hard timeout: still running %s after the %s budget", 10*time.Second, opts.timeout)
		emit(rep, trace)
		os.Exit(3)
	})

	var err error
	switch args[0] {
	case "list":
		for _, name := range scenarioNames() {
			fmt.Println(name)
		}
		return
	case "register-domain", "describe-domain":
		err = domainCommand(opts, args, rep, trace)
	case "run":
		if len(args) != 2 {
			usage(fs)
			os.Exit(2)
		}
		if _, ok := scenarios[args[1]]; !ok {
			fmt.Fprintf(os.Stderr, "unknown scenario %q\n", args[1])
			usage(fs)
			os.Exit(2)
		}
		rep.Scenario = args[1]
		err = runScenario(opts, args[1], rep, trace)
	default:
		usage(fs)
		os.Exit(2)
	}
	rep.OK = err == nil
	if err != nil {
		rep.Error = err.Error()
	}
	emit(rep, trace)
	if err != nil {
		os.Exit(1)
	}
}

func newLogger(level string) *zap.Logger {
	var lvl zapcore.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		lvl = zapcore.WarnLevel
	}
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.Encoding = "console"
	cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	cfg.OutputPaths = []string{"stderr"}
	cfg.ErrorOutputPaths = []string{"stderr"}
	cfg.Sampling = nil
	logger, err := cfg.Build()
	if err != nil {
		return zap.NewNop()
	}
	return logger
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ------------------------------------------------------------------- domains

func domainCommand(opts *options, args []string, rep *report, trace *rpcTrace) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	retention := fs.Int("retention-days", 1, "WorkflowExecutionRetentionPeriodInDays")
	description := fs.String("description", "cadence-py e2e tests (Go client)", "domain description")
	global := fs.Bool("global", false, "register as a global domain")
	if err := fs.Parse(args[1:]); err != nil {
		os.Exit(2)
	}
	service, stop, err := connect(opts.address, trace)
	if err != nil {
		return err
	}
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), opts.timeout)
	defer cancel()
	domains := client.NewDomainClient(service, &client.Options{})

	if args[0] == "register-domain" {
		already, err := registerDomain(ctx, domains, opts.domain, int32(*retention), *description, *global)
		rep.Details = map[string]interface{}{"alreadyRegistered": already}
		if err != nil {
			return fmt.Errorf("RegisterDomain: %w", err)
		}
	}
	var desc *s.DescribeDomainResponse
	err = guard("DescribeDomain", func() error {
		var err error
		desc, err = domains.Describe(ctx, opts.domain)
		return err
	})
	if err != nil {
		return fmt.Errorf("DescribeDomain: %w", err)
	}
	if rep.Details == nil {
		rep.Details = map[string]interface{}{}
	}
	rep.Result = describeToMap(desc)
	return nil
}

// registerDomain registers the domain; an existing domain is not an error (already = true).
func registerDomain(ctx context.Context, domains client.DomainClient, name string, retention int32,
	description string, global bool) (bool, error) {
	req := &s.RegisterDomainRequest{
		Name:                                   &name,
		Description:                            &description,
		WorkflowExecutionRetentionPeriodInDays: &retention,
		IsGlobalDomain:                         &global,
	}
	err := guard("RegisterDomain", func() error { return domains.Register(ctx, req) })
	var exists *s.DomainAlreadyExistsError
	if errors.As(err, &exists) {
		return true, nil
	}
	return false, err
}

func describeToMap(d *s.DescribeDomainResponse) map[string]interface{} {
	out := map[string]interface{}{}
	if d == nil {
		return out
	}
	if info := d.DomainInfo; info != nil {
		out["name"] = info.GetName()
		out["status"] = info.GetStatus().String()
		out["description"] = info.GetDescription()
		out["ownerEmail"] = info.GetOwnerEmail()
		out["uuid"] = info.GetUUID()
	}
	if cfg := d.Configuration; cfg != nil {
		out["retentionDays"] = cfg.GetWorkflowExecutionRetentionPeriodInDays()
		out["emitMetric"] = cfg.GetEmitMetric()
	}
	if rc := d.ReplicationConfiguration; rc != nil {
		out["activeClusterName"] = rc.GetActiveClusterName()
		clusters := []string{}
		for _, c := range rc.Clusters {
			clusters = append(clusters, c.GetClusterName())
		}
		sort.Strings(clusters)
		out["clusters"] = clusters
	}
	out["isGlobalDomain"] = d.GetIsGlobalDomain()
	out["failoverVersion"] = d.GetFailoverVersion()
	return out
}

// ------------------------------------------------------------------- scenarios

func runScenario(opts *options, name string, rep *report, trace *rpcTrace) error {
	service, stop, err := connect(opts.address, trace)
	if err != nil {
		return err
	}
	defer stop()
	budget, cancelBudget := context.WithTimeout(context.Background(), opts.timeout)
	defer cancelBudget()
	// ctx also ends early, with a cause, when a watcher sees the workflow go wrong.
	ctx, cancel := context.WithCancelCause(budget)
	defer cancel(nil)
	logger := newLogger(opts.logLevel)

	if opts.register {
		domains := client.NewDomainClient(service, &client.Options{})
		if _, err := registerDomain(ctx, domains, opts.domain, 1, "cadence-py e2e tests (Go client)", false); err != nil {
			return fmt.Errorf("RegisterDomain: %w", err)
		}
	}

	rep.TaskList = fmt.Sprintf("e2e-%s-%s", name, randomSuffix())
	w := worker.New(service, opts.domain, rep.TaskList, worker.Options{
		Logger:                 logger,
		DisableStickyExecution: !opts.sticky,
		WorkerStopTimeout:      2 * time.Second,
	})
	registerAll(w)
	if err := guard("worker.Start", w.Start); err != nil {
		return fmt.Errorf("worker start: %w", err)
	}
	defer stopBounded(w.Stop, 3*time.Second)

	e := &env{
		ctx:    ctx,
		cancel: cancel,
		opts:   opts,
		client: client.NewClient(service, opts.domain, &client.Options{}),
		rep:    rep,
	}
	runErr := scenarios[name](e)
	if runErr != nil && len(rep.Events) == 0 && rep.WorkflowID != "" {
		// Best effort: show how far the workflow got.
		hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
		if events, err := fetchHistory(hctx, e.client, rep.WorkflowID, rep.RunID); err == nil {
			e.setEvents(eventTypes(events))
		}
		hcancel()
	}
	if runErr != nil && ctx.Err() != nil {
		cause := context.Cause(ctx)
		if errors.Is(cause, context.DeadlineExceeded) {
			runErr = fmt.Errorf("%w (the %s budget ran out)", runErr, opts.timeout)
		} else if cause != nil {
			runErr = fmt.Errorf("stopped early: %v [then: %w]", cause, runErr)
		}
	}
	e.mu.Lock()
	e.finished = true // background watchers no longer touch the report
	e.mu.Unlock()
	return runErr
}

// stopBounded calls stop but gives up waiting after limit (the process exits right after).
func stopBounded(stop func(), limit time.Duration) {
	done := make(chan struct{})
	go func() {
		defer func() { _ = recover(); close(done) }()
		stop()
	}()
	select {
	case <-done:
	case <-time.After(limit):
	}
}
