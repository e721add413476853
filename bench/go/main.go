// Command cadence-py-bench measures workflow throughput and latency of a Cadence frontend with
// the real Cadence Go client (go.uber.org/cadence over TChannel) as both starter and worker.
//
// Usage:
//
//	cadence-py-bench [flags] register-domain
//	cadence-py-bench [flags] run
//
// "run" starts a worker (one decision task, one activity, one decision task per workflow), then
// starts --n hello-world workflows from --starters goroutines, waits for every one to close
// (GetWorkflowExecutionHistory long-poll on the close event, --waiters at a time), and prints a
// human summary line to stderr and one JSON line to stdout. Exit codes: 0 every workflow
// completed, 1 some failed or errored, 2 usage error, 3 the hard deadline (--timeout + 15s) hit.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sync"
	"time"
)

type options struct {
	address  string
	domain   string
	timeout  time.Duration
	logLevel string

	n             int
	warmup        int
	warmupTimeout time.Duration
	starters      int
	waiters       int
	startRate     float64
	taskList      string
	verify        bool
	verifyPar     int
	progress      time.Duration
	retention     int
	decisionTO    time.Duration

	workers             int
	decisionPollers     int
	activityPollers     int
	decisionConcurrency int
	activityConcurrency int
	sticky              bool

	idPrefix   string        // workflow ids are <idPrefix>-<n> (default bench-<random>)
	outcomes   bool          // report every workflow's id, run id, close event and error
	persevere  bool          // retry failed starts and close-event waits until the budget ends
	activityTO time.Duration // activity schedule-to-start and start-to-close (0: the budget)
}

var (
	emitOnce sync.Once
	started  = time.Now()
)

// emit prints the JSON line once (the watchdog may race the normal end).
func emit(v map[string]interface{}) {
	emitOnce.Do(func() {
		v["elapsedMs"] = time.Since(started).Milliseconds()
		line, err := json.Marshal(v)
		if err != nil {
			line = []byte(fmt.Sprintf(`{"ok":false,"error":%q}`, err.Error()))
		}
		fmt.Println(string(line))
	})
}

func main() {
	o := &options{}
	fs := flag.NewFlagSet("cadence-py-bench", flag.ContinueOnError)
	fs.StringVar(&o.address, "address", "127.0.0.1:7933", "frontend host:port (TChannel)")
	fs.StringVar(&o.domain, "domain", "cadence-py-bench", "domain")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "time budget of the whole command")
	fs.StringVar(&o.logLevel, "log-level", "warn", "client library log level")
	fs.IntVar(&o.retention, "retention-days", 1, "register-domain: retention in days")

	fs.IntVar(&o.n, "n", 500, "run: workflows to measure")
	fs.IntVar(&o.warmup, "warmup", 20, "run: workflows run (and waited for) before the measured ones")
	fs.DurationVar(&o.warmupTimeout, "warmup-timeout", 90*time.Second, "run: give up when the warm-up takes longer")
	fs.IntVar(&o.starters, "starters", 8, "run: concurrent StartWorkflowExecution callers")
	fs.IntVar(&o.waiters, "waiters", 64, "run: concurrent close-event long-polls")
	fs.Float64Var(&o.startRate, "start-rate", 0, "run: cap on starts per second (0 = as fast as possible)")
	fs.StringVar(&o.taskList, "task-list", "", "run: task list (default: a fresh random name)")
	fs.BoolVar(&o.verify, "verify", true, "run: afterwards, read every history and check its events")
	fs.IntVar(&o.verifyPar, "verify-concurrency", 8, "run: concurrent history reads when verifying")
	fs.DurationVar(&o.progress, "progress", 2*time.Second, "run: progress line interval on stderr (0 = off)")
	fs.DurationVar(&o.decisionTO, "decision-timeout", 10*time.Second, "run: decision task start-to-close timeout")

	fs.IntVar(&o.workers, "workers", 1, "run: worker instances on the task list (one connection)")
	fs.IntVar(&o.decisionPollers, "decision-pollers", 4, "run: decision task pollers per worker")
	fs.IntVar(&o.activityPollers, "activity-pollers", 4, "run: activity task pollers per worker")
	fs.IntVar(&o.decisionConcurrency, "decision-concurrency", 0, "run: max concurrent decision tasks per worker (0 = client default)")
	fs.IntVar(&o.activityConcurrency, "activity-concurrency", 0, "run: max concurrent activities per worker (0 = client default)")
	fs.BoolVar(&o.sticky, "sticky", true, "run: sticky execution (second decision on the worker's sticky list)")
	fs.StringVar(&o.idPrefix, "id-prefix", "", "run: workflow id prefix (default bench-<random>)")
	fs.DurationVar(&o.activityTO, "activity-timeout", 0,
		"run: activity schedule-to-start and start-to-close timeout (0 = the whole budget)")
	fs.BoolVar(&o.outcomes, "outcomes", false, "run: list every workflow's outcome in the report")
	fs.BoolVar(&o.persevere, "persevere", false,
		"run: retry failed starts and waits until the budget ends (fault tests: the server or its store may be down for a while)")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: %s [flags] register-domain|run\n\nflags:\n", os.Args[0])
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() != 1 || o.n < 1 || o.starters < 1 || o.waiters < 1 || o.workers < 1 ||
		o.decisionPollers < 2 || o.activityPollers < 1 || o.verifyPar < 1 || o.warmup < 0 {
		fs.Usage()
		os.Exit(2)
	}

	rep := map[string]interface{}{"command": fs.Arg(0), "domain": o.domain}
	time.AfterFunc(o.timeout+15*time.Second, func() {
		rep["ok"] = false
		rep["error"] = fmt.Sprintf("hard timeout: still running 15s after the %s budget", o.timeout)
		emit(rep)
		os.Exit(3)
	})

	var err error
	switch fs.Arg(0) {
	case "register-domain":
		err = registerCommand(o, rep)
	case "run":
		err = runCommand(o, rep)
	default:
		fs.Usage()
		os.Exit(2)
	}
	rep["ok"] = err == nil
	if err != nil {
		rep["error"] = err.Error()
	}
	emit(rep)
	if err != nil {
		os.Exit(1)
	}
}
