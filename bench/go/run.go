package main

// The "run" command: worker up, warm-up batch, measured batch, optional history check.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/cadence"
	s "go.uber.org/cadence/.gen/go/shared"
	"go.uber.org/cadence/client"
	"go.uber.org/cadence/worker"
)

// outcome is what the driver learnt about one workflow.
type outcome struct {
	id, runID string
	startAt   time.Time // client clock, just before StartWorkflowExecution
	startRTT  time.Duration
	closeAt   time.Time // server clock: timestamp of the close event
	observed  time.Time // client clock, when the close event reached the waiter
	closeType string    // event type of the close event
	err       error
	errKind   string            // "notStarted", "start" or "wait"
	events    []*s.HistoryEvent // full history, when verified
}

type counters struct{ started, startErrs, closed, waitErrs atomic.Int64 }

func firstError(results []*outcome) interface{} {
	for _, r := range results {
		if r.err != nil {
			return r.err
		}
		if r.closeType != "WorkflowExecutionCompleted" {
			return r.id + " closed with " + r.closeType
		}
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func runCommand(o *options, rep map[string]interface{}) error {
	budget, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	activityTimeout = o.timeout
	if o.activityTO > 0 {
		activityTimeout = o.activityTO
		activityRetry = &cadence.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
			MaximumInterval: 10 * time.Second, ExpirationInterval: o.timeout}
	}
	if o.taskList == "" {
		o.taskList = "bench-" + randomHex(6)
	}
	rep["config"] = map[string]interface{}{
		"n": o.n, "warmup": o.warmup, "starters": o.starters, "waiters": o.waiters,
		"startRate": o.startRate, "workers": o.workers, "decisionPollers": o.decisionPollers,
		"activityPollers": o.activityPollers, "decisionConcurrency": o.decisionConcurrency,
		"activityConcurrency": o.activityConcurrency, "sticky": o.sticky, "taskList": o.taskList,
	}

	// The worker has its own connection, as a separate worker process would.
	workerService, closeWorkerConn, err := dial(o.address, "cadence-py-bench-worker")
	if err != nil {
		return err
	}
	defer closeWorkerConn()
	log := logger(o.logLevel)
	var workers []worker.Worker
	for i := 0; i < o.workers; i++ {
		w := worker.New(workerService, o.domain, o.taskList, worker.Options{
			Logger:                                 log,
			Identity:                               fmt.Sprintf("bench-worker-%d@%d", i, os.Getpid()),
			MaxConcurrentDecisionTaskPollers:       o.decisionPollers,
			MaxConcurrentActivityTaskPollers:       o.activityPollers,
			MaxConcurrentDecisionTaskExecutionSize: o.decisionConcurrency,
			MaxConcurrentActivityExecutionSize:     o.activityConcurrency,
			DisableStickyExecution:                 !o.sticky,
			WorkerStopTimeout:                      2 * time.Second,
		})
		register(w)
		if err := w.Start(); err != nil {
			return fmt.Errorf("worker start: %w", err)
		}
		workers = append(workers, w)
	}
	defer func() {
		for _, w := range workers {
			stopWithin(w.Stop, 5*time.Second)
		}
	}()

	starterService, closeStarterConn, err := dial(o.address, "cadence-py-bench-starter")
	if err != nil {
		return err
	}
	defer closeStarterConn()
	c := client.NewClient(starterService, o.domain, &client.Options{Identity: fmt.Sprintf("bench-starter@%d", os.Getpid())})

	prefix := o.idPrefix
	if prefix == "" {
		prefix = "bench-" + randomHex(4)
	}
	if o.warmup > 0 {
		// A server that cannot run a few workflows fails here, not after the whole budget.
		warmCtx, warmCancel := context.WithTimeout(budget, o.warmupTimeout)
		warm, _, _ := batch(warmCtx, o, c, prefix+"-warmup", o.warmup, false)
		warmCancel()
		bad := 0
		for _, w := range warm {
			if w.err != nil || w.closeType != "WorkflowExecutionCompleted" {
				bad++
			}
		}
		rep["warmupFailed"] = bad
		if bad > 0 {
			return fmt.Errorf("warm-up: %d of %d workflows did not complete within %s (first error: %v)",
				bad, len(warm), o.warmupTimeout, firstError(warm))
		}
	}

	// bench/run.py watches for these two lines to profile and meter the measured phase only.
	fmt.Fprintln(os.Stderr, "[bench] phase measure start")
	results, begin, end := batch(budget, o, c, prefix, o.n, true)
	fmt.Fprintln(os.Stderr, "[bench] phase measure end")
	summary := summarize(results, begin, end)
	for k, v := range summary {
		rep[k] = v
	}
	if o.outcomes {
		rep["outcomes"] = outcomeList(results)
	}
	if o.verify && budget.Err() == nil {
		for k, v := range verify(budget, o, c, results) {
			rep[k] = v
		}
	}
	fmt.Fprintln(os.Stderr, humanLine(rep))
	rep["summary"] = humanLine(rep)
	if n, _ := rep["completed"].(int); n != o.n {
		return fmt.Errorf("%d of %d workflows completed", n, o.n)
	}
	if bad, _ := rep["historyMismatches"].(int); bad > 0 {
		return fmt.Errorf("%d histories differ from the expected events (with or without a sticky fallback)", bad)
	}
	return nil
}

// batch starts count workflows and waits for every one of them to close. It returns the
// outcomes and the client-clock span from the first start to the last close observed.
func batch(ctx context.Context, o *options, c client.Client, prefix string, count int, report bool,
) ([]*outcome, time.Time, time.Time) {
	results := make([]*outcome, count)
	for i := range results {
		results[i] = &outcome{id: fmt.Sprintf("%s-%d", prefix, i)}
	}
	var cnt counters
	jobs := make(chan *outcome)
	toWait := make(chan *outcome, count)
	begin := time.Now()

	go func() { // paced producer
		defer close(jobs)
		for i, r := range results {
			if o.startRate > 0 {
				due := begin.Add(time.Duration(float64(i) / o.startRate * float64(time.Second)))
				if d := time.Until(due); d > 0 {
					select {
					case <-time.After(d):
					case <-ctx.Done():
					}
				}
			}
			select {
			case jobs <- r:
			case <-ctx.Done():
				for _, rest := range results[i:] {
					rest.err, rest.errKind = fmt.Errorf("not started: %w", ctx.Err()), "notStarted"
				}
				return
			}
		}
	}()

	var starters sync.WaitGroup
	for i := 0; i < o.starters; i++ {
		starters.Add(1)
		go func() {
			defer starters.Done()
			for r := range jobs {
				r.startAt = time.Now()
				runID, err := startOne(ctx, o, c, r.id)
				r.startRTT = time.Since(r.startAt)
				if err != nil {
					r.err, r.errKind = fmt.Errorf("start: %w", err), "start"
					cnt.startErrs.Add(1)
					continue
				}
				r.runID = runID
				cnt.started.Add(1)
				toWait <- r
			}
		}()
	}
	go func() { starters.Wait(); close(toWait) }()

	var waiters sync.WaitGroup
	for i := 0; i < o.waiters; i++ {
		waiters.Add(1)
		go func() {
			defer waiters.Done()
			for r := range toWait {
				if err := persevere(ctx, o, func() error { return waitClose(ctx, c, r) }); err != nil {
					r.err, r.errKind = fmt.Errorf("wait: %w", err), "wait"
					cnt.waitErrs.Add(1)
					continue
				}
				cnt.closed.Add(1)
			}
		}()
	}

	stopProgress := make(chan struct{})
	if report && o.progress > 0 {
		go func() {
			t := time.NewTicker(o.progress)
			defer t.Stop()
			for {
				select {
				case <-t.C:
					el := time.Since(begin).Seconds()
					fmt.Fprintf(os.Stderr, "[bench] %5.1fs started %d/%d closed %d (%.1f/s) errors %d\n",
						el, cnt.started.Load(), count, cnt.closed.Load(), float64(cnt.closed.Load())/el,
						cnt.startErrs.Load()+cnt.waitErrs.Load())
				case <-stopProgress:
					return
				}
			}
		}()
	}
	waiters.Wait()
	close(stopProgress)
	end := begin
	for _, r := range results {
		if r.err == nil && r.observed.After(end) {
			end = r.observed
		}
	}
	return results, begin, end
}

// startOne starts workflow id; with -persevere a failed start is tried again until the
// budget ends, and "already started" (an earlier try that went through although its
// answer was lost) counts as started, with that run's id.
func startOne(ctx context.Context, o *options, c client.Client, id string) (string, error) {
	var runID string
	err := persevere(ctx, o, func() error {
		run, err := c.StartWorkflow(ctx, client.StartWorkflowOptions{
			ID:                              id,
			TaskList:                        o.taskList,
			ExecutionStartToCloseTimeout:    o.timeout,
			DecisionTaskStartToCloseTimeout: o.decisionTO,
		}, workflowName, id)
		if already, ok := err.(*s.WorkflowExecutionAlreadyStartedError); ok && o.persevere {
			runID = already.GetRunId()
			return nil
		}
		if err != nil {
			return err
		}
		runID = run.RunID
		return nil
	})
	return runID, err
}

// persevere runs f once, or with -persevere until it succeeds or the budget ends.
func persevere(ctx context.Context, o *options, f func() error) error {
	for {
		err := f()
		if err == nil || !o.persevere || ctx.Err() != nil {
			return err
		}
		select {
		case <-time.After(500 * time.Millisecond):
		case <-ctx.Done():
			return err
		}
	}
}

// outcomeList is every workflow's outcome, for the report (-outcomes).
func outcomeList(results []*outcome) []map[string]interface{} {
	list := make([]map[string]interface{}, 0, len(results))
	for _, r := range results {
		item := map[string]interface{}{"id": r.id, "runId": r.runID, "closeType": r.closeType}
		if r.err != nil {
			item["error"] = r.err.Error()
		}
		list = append(list, item)
	}
	return list
}

// waitClose long-polls the history for the close event, as client.GetWorkflow(...).Get does.
func waitClose(ctx context.Context, c client.Client, r *outcome) error {
	iter := c.GetWorkflowHistory(ctx, r.id, r.runID, true, s.HistoryEventFilterTypeCloseEvent)
	var last *s.HistoryEvent
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			return err
		}
		last = ev
	}
	if last == nil {
		return fmt.Errorf("no close event")
	}
	r.observed = time.Now()
	r.closeAt = time.Unix(0, last.GetTimestamp())
	r.closeType = last.GetEventType().String()
	return nil
}

func summarize(results []*outcome, begin, end time.Time) map[string]interface{} {
	var latencies, startRTTs []time.Duration
	completed, failed := 0, 0
	errCounts := map[string]int{}
	var samples []string
	lastStart := begin
	for _, r := range results {
		if e := r.startAt.Add(r.startRTT); !r.startAt.IsZero() && e.After(lastStart) {
			lastStart = e
		}
		if r.err != nil {
			errCounts[r.errKind]++
			if len(samples) < 5 {
				samples = append(samples, fmt.Sprintf("%s: %v", r.id, r.err))
			}
			continue
		}
		startRTTs = append(startRTTs, r.startRTT)
		if r.closeType != "WorkflowExecutionCompleted" {
			failed++
			if len(samples) < 5 {
				samples = append(samples, fmt.Sprintf("%s closed with %s", r.id, r.closeType))
			}
			continue
		}
		completed++
		latencies = append(latencies, r.closeAt.Sub(r.startAt))
	}
	wall := end.Sub(begin).Seconds()
	rate := 0.0
	if wall > 0 {
		rate = float64(completed) / wall
	}
	startSpan := lastStart.Sub(begin).Seconds()
	startRate := 0.0
	if startSpan > 0 {
		startRate = float64(len(startRTTs)) / startSpan
	}
	if samples == nil {
		samples = []string{}
	}
	return map[string]interface{}{
		"n":               len(results),
		"completed":       completed,
		"failed":          failed,
		"errors":          errCounts,
		"errorCount":      len(results) - completed - failed,
		"errorSamples":    samples,
		"wallSec":         round(wall, 3),
		"completedPerSec": round(rate, 1),
		"startPhaseSec":   round(startSpan, 3),
		"startsPerSec":    round(startRate, 1),
		"latencyMs":       percentiles(latencies),
		"startCallMs":     percentiles(startRTTs),
		"latencyNote":     "latencyMs: client clock before StartWorkflowExecution to the close event's timestamp (same host)",
	}
}

// verify reads every completed workflow's full history, checks the event types and measures
// the server-side start-to-close (first to last event timestamp) and the gaps between events.
func verify(ctx context.Context, o *options, c client.Client, results []*outcome) map[string]interface{} {
	work := make(chan *outcome)
	var wg sync.WaitGroup
	var readErrs atomic.Int64
	for i := 0; i < o.verifyPar; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				iter := c.GetWorkflowHistory(ctx, r.id, r.runID, false, s.HistoryEventFilterTypeAllEvent)
				for iter.HasNext() {
					ev, err := iter.Next()
					if err != nil {
						readErrs.Add(1)
						r.events = nil
						break
					}
					r.events = append(r.events, ev)
				}
			}
		}()
	}
	for _, r := range results {
		if r.err == nil && r.closeType == "WorkflowExecutionCompleted" {
			work <- r
		}
	}
	close(work)
	wg.Wait()

	// Gaps between consecutive events of the expected history, by the index of the later event.
	gapNames := map[int]string{
		2: "decision1ScheduleToStart", 3: "decision1StartToComplete", 5: "activityScheduleToStart",
		6: "activityStartToComplete", 8: "decision2ScheduleToStart", 9: "decision2StartToComplete",
	}
	gaps := map[string][]time.Duration{}
	var serverLat []time.Duration
	mismatches, fallbacks := 0, 0
	var mismatchSample []string
	for _, r := range results {
		if r.events == nil {
			continue
		}
		types := make([]string, len(r.events))
		for i, ev := range r.events {
			types[i] = ev.GetEventType().String()
		}
		fallback := equal(types, stickyFallbackEvents)
		if fallback {
			fallbacks++
		} else if !equal(types, expectedEvents) {
			mismatches++
			if len(mismatchSample) < 3 {
				mismatchSample = append(mismatchSample, fmt.Sprintf("%s: %v", r.id, types))
			}
			continue
		}
		idx := plainIndex(fallback)
		ts := func(i int) time.Time { return time.Unix(0, r.events[idx[i]].GetTimestamp()) }
		serverLat = append(serverLat, ts(len(idx)-1).Sub(ts(0)))
		for i, name := range gapNames {
			gaps[name] = append(gaps[name], ts(i).Sub(ts(i-1)))
		}
	}
	gapOut := map[string]interface{}{}
	for name, values := range gaps {
		gapOut[name] = percentiles(values)
	}
	if mismatchSample == nil {
		mismatchSample = []string{}
	}
	return map[string]interface{}{
		"historyChecked":        len(serverLat) + mismatches,
		"historyMismatches":     mismatches,
		"stickyFallbacks":       fallbacks,
		"historyMismatchSample": mismatchSample,
		"historyReadErrors":     readErrs.Load(),
		"serverLatencyMs":       percentiles(serverLat),
		"eventGapsMs":           gapOut,
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// percentiles: nearest-rank p50/p90/p99 plus min, max and mean, in milliseconds.
func percentiles(values []time.Duration) map[string]interface{} {
	if len(values) == 0 {
		return map[string]interface{}{"count": 0}
	}
	sorted := append([]time.Duration(nil), values...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	rank := func(p float64) float64 {
		i := int(float64(len(sorted))*p+0.999999) - 1
		if i < 0 {
			i = 0
		}
		return ms(sorted[i])
	}
	var sum time.Duration
	for _, v := range sorted {
		sum += v
	}
	return map[string]interface{}{
		"count": len(sorted), "min": ms(sorted[0]), "p50": rank(0.50), "p90": rank(0.90),
		"p99": rank(0.99), "max": ms(sorted[len(sorted)-1]), "mean": ms(sum / time.Duration(len(sorted))),
	}
}

func ms(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 1) }

func round(v float64, digits int) float64 {
	p := 1.0
	for i := 0; i < digits; i++ {
		p *= 10
	}
	if v < 0 {
		return -float64(int64(-v*p+0.5)) / p
	}
	return float64(int64(v*p+0.5)) / p
}

func humanLine(rep map[string]interface{}) string {
	lat, _ := rep["latencyMs"].(map[string]interface{})
	get := func(k string) interface{} {
		if lat == nil || lat[k] == nil {
			return "-"
		}
		return lat[k]
	}
	return fmt.Sprintf("N=%v completed=%v failed=%v errors=%v wall=%vs completed/s=%v "+
		"start-to-close p50=%vms p90=%vms p99=%vms (starts/s=%v, sticky fallbacks=%v)",
		rep["n"], rep["completed"], rep["failed"], rep["errorCount"], rep["wallSec"],
		rep["completedPerSec"], get("p50"), get("p90"), get("p99"), rep["startsPerSec"],
		rep["stickyFallbacks"])
}

// stopWithin calls stop, giving up waiting after limit (the process ends soon after).
func stopWithin(stop func(), limit time.Duration) {
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
