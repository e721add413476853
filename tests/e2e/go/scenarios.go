package main

// The scenarios: each starts its workflow(s) on the worker's task list, drives them (signals,
// queries, cancel, terminate), waits for the outcome and fills the report with the result and
// the event types of the history.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"go.uber.org/cadence"
	s "go.uber.org/cadence/.gen/go/shared"
	"go.uber.org/cadence/client"
	"go.uber.org/cadence/workflow"
)

type env struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	opts   *options
	client client.Client
	rep    *report
	events []*s.HistoryEvent
	// decisionFailuresExpected turns off the fail-fast on DecisionTaskFailed.
	decisionFailuresExpected bool
	mu                       sync.Mutex
	finished                 bool
}

// maxEvents bounds a history the program accepts (and prints): the scenarios need < 50.
const maxEvents = 1000

var scenarios = map[string]func(*env) error{
	"hello":             runHello,
	"signal":            runSignal,
	"timer":             runTimer,
	"retry":             runRetry,
	"heartbeat-cancel":  runHeartbeatCancel,
	"heartbeat-timeout": runHeartbeatTimeout,
	"child":             runChild,
	"continue-as-new":   runContinueAsNew,
	"cron":              runCron,
	"local-activity":    runLocalActivity,
	"query":             runQuery,
	"signal-with-start": runSignalWithStart,
	"cancel":            runCancel,
	"terminate":         runTerminate,
	"panic-recover":     runPanicRecover,
	"parallel-50":       runParallel,
	"search-attributes": runSearchAttributes,
}

func scenarioNames() []string {
	names := make([]string, 0, len(scenarios))
	for name := range scenarios {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// ------------------------------------------------------------------- helpers

func (e *env) newID() string {
	return fmt.Sprintf("%s-%s", e.rep.Scenario, randomSuffix())
}

func (e *env) startOptions(id string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                              id,
		TaskList:                        e.rep.TaskList,
		ExecutionStartToCloseTimeout:    2*e.opts.timeout + time.Minute,
		DecisionTaskStartToCloseTimeout: e.opts.decisionTimeout,
	}
}

// execute starts workflowType and records its ids in the report.
func (e *env) execute(workflowType string, args ...interface{}) (client.WorkflowRun, error) {
	run, err := e.start(workflowType, args...)
	if err != nil {
		return nil, err
	}
	e.rep.WorkflowID, e.rep.RunID = run.GetID(), run.GetRunID()
	e.watch(run.GetID(), run.GetRunID())
	return run, nil
}

// watch follows the history of a run in the background and ends the scenario early, with the
// reason, when the run goes wrong in a way that would otherwise only show as a time-out: a
// decision task fails (the worker rejected what the server sent, or the server rejected the
// worker's decisions), or the history grows without bound.
func (e *env) watch(workflowID, runID string) {
	go func() {
		_ = guard("watch", func() error {
			iter := e.client.GetWorkflowHistory(e.ctx, workflowID, runID, true,
				s.HistoryEventFilterTypeAllEvent)
			count := 0
			for iter.HasNext() {
				event, err := iter.Next()
				if err != nil {
					return err
				}
				count++
				if event.GetEventType() == s.EventTypeDecisionTaskFailed && !e.decisionFailuresExpected {
					attrs := event.DecisionTaskFailedEventAttributes
					details := string(attrs.Details)
					if len(details) > 600 {
						details = details[:600] + "..."
					}
					e.detail("unexpectedDecisionTaskFailed", map[string]interface{}{
						"eventId": event.GetEventId(), "cause": attrs.GetCause().String(),
						"reason": attrs.GetReason(), "details": details,
					})
					e.cancel(fmt.Errorf("decision task failed (event %d of %s): cause %s, reason %q: %s",
						event.GetEventId(), workflowID, attrs.GetCause(), attrs.GetReason(), details))
					return nil
				}
				if count > maxEvents {
					e.cancel(fmt.Errorf("history of %s passed %d events", workflowID, maxEvents))
					return nil
				}
			}
			return nil
		})
	}()
}

// start starts workflowType with a fresh workflow id.
func (e *env) start(workflowType string, args ...interface{}) (client.WorkflowRun, error) {
	var run client.WorkflowRun
	err := guard("ExecuteWorkflow", func() error {
		var err error
		run, err = e.client.ExecuteWorkflow(e.ctx, e.startOptions(e.newID()), workflowType, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", workflowType, err)
	}
	return run, nil
}

// get waits for the run's outcome (the client follows continue-as-new).
func (e *env) get(run client.WorkflowRun, valuePtr interface{}) error {
	return guard("WorkflowRun.Get", func() error { return run.Get(e.ctx, valuePtr) })
}

// collect fetches the full history of the report's run into the report.
func (e *env) collect() error {
	events, err := fetchHistory(e.ctx, e.client, e.rep.WorkflowID, e.rep.RunID)
	if err != nil {
		return fmt.Errorf("fetch history: %w", err)
	}
	e.events = events
	e.setEvents(eventTypes(events))
	return nil
}

// setEvents records event types in the report (bounded; healthy scenarios have < 50).
func (e *env) setEvents(types []string) {
	if len(types) > maxEvents {
		e.detail("eventsTruncatedFrom", len(types))
		types = types[:maxEvents]
	}
	e.rep.Events = types
}

func (e *env) detail(key string, value interface{}) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.finished {
		return
	}
	if e.rep.Details == nil {
		e.rep.Details = map[string]interface{}{}
	}
	e.rep.Details[key] = value
}

func expectEqual(what string, got, want interface{}) error {
	if got != want {
		return fmt.Errorf("%s: got %v, want %v", what, got, want)
	}
	return nil
}

// simple runs a workflow to completion, checks its string result and collects the history.
func (e *env) simple(want string, workflowType string, args ...interface{}) error {
	run, err := e.execute(workflowType, args...)
	if err != nil {
		return err
	}
	var out string
	if err := e.get(run, &out); err != nil {
		return err
	}
	e.rep.Result = out
	if err := e.collect(); err != nil {
		return err
	}
	return expectEqual("result", out, want)
}

func (e *env) waitFor(eventType s.EventType) (*s.HistoryEvent, error) {
	event, err := waitForEvent(e.ctx, e.client, e.rep.WorkflowID, e.rep.RunID, eventType)
	if err != nil {
		return nil, fmt.Errorf("waiting for %s: %w", eventType, err)
	}
	return event, nil
}

// ------------------------------------------------------------------- scenarios

func runHello(e *env) error {
	return e.simple("Hello, cadence-py!", wfHello, "cadence-py")
}

func runLocalActivity(e *env) error {
	return e.simple("Hello from a local activity, cadence-py!", wfLocal, "cadence-py")
}

func runSignal(e *env) error {
	run, err := e.execute(wfWaitSignal)
	if err != nil {
		return err
	}
	// Signal after the first decision so the history order is deterministic.
	if _, err := e.waitFor(s.EventTypeDecisionTaskCompleted); err != nil {
		return err
	}
	if err := e.client.SignalWorkflow(e.ctx, run.GetID(), run.GetRunID(), signalName, "hello-signal"); err != nil {
		return fmt.Errorf("SignalWorkflow: %w", err)
	}
	var out string
	if err := e.get(run, &out); err != nil {
		return err
	}
	e.rep.Result = out
	if err := e.collect(); err != nil {
		return err
	}
	return expectEqual("result", out, "received: hello-signal")
}

func runTimer(e *env) error {
	begin := time.Now()
	run, err := e.execute(wfTimer, 2)
	if err != nil {
		return err
	}
	var workflowMs int64
	if err := e.get(run, &workflowMs); err != nil {
		return err
	}
	wall := time.Since(begin)
	e.rep.Result = workflowMs
	e.detail("wallMs", wall.Milliseconds())
	if err := e.collect(); err != nil {
		return err
	}
	if started := firstOfType(e.events, s.EventTypeTimerStarted); started != nil {
		e.detail("timerStartToFireTimeoutSeconds",
			started.TimerStartedEventAttributes.GetStartToFireTimeoutSeconds())
	}
	if workflowMs < 2000 || wall < 2*time.Second {
		return fmt.Errorf("timer fired early: workflow clock %d ms, wall clock %s", workflowMs, wall)
	}
	return nil
}

func runRetry(e *env) error {
	err := e.simple("succeeded on attempt 2", wfRetry)
	if started := firstOfType(e.events, s.EventTypeActivityTaskStarted); started != nil {
		e.detail("activityStartedAttempt", started.ActivityTaskStartedEventAttributes.GetAttempt())
	}
	if scheduled := firstOfType(e.events, s.EventTypeActivityTaskScheduled); scheduled != nil {
		policy := scheduled.ActivityTaskScheduledEventAttributes.RetryPolicy
		e.detail("retryPolicyMaximumAttempts", policy.GetMaximumAttempts())
	}
	return err
}

func runHeartbeatCancel(e *env) error {
	activityObservedCancel.Store(false)
	heartbeatsSent.Store(0)
	run, err := e.execute(wfHeartbeatStop)
	if err != nil {
		return err
	}
	// Cancel once the activity is running and heartbeating (seen in this process), so the
	// history does not depend on how fast the server dispatched it.
	for heartbeatsSent.Load() < 2 {
		select {
		case <-e.ctx.Done():
			return fmt.Errorf("the activity never heartbeated: %w", context.Cause(e.ctx))
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err := e.client.SignalWorkflow(e.ctx, run.GetID(), run.GetRunID(), cancelActivitySignal, nil); err != nil {
		return fmt.Errorf("SignalWorkflow: %w", err)
	}
	var out string
	if err := e.get(run, &out); err != nil {
		return err
	}
	e.rep.Result = out
	e.detail("activityObservedCancel", activityObservedCancel.Load())
	e.detail("heartbeats", heartbeatsSent.Load())
	if err := e.collect(); err != nil {
		return err
	}
	if err := expectEqual("result", out, "activity cancelled"); err != nil {
		return err
	}
	if !activityObservedCancel.Load() {
		return errors.New("the activity never saw its context cancelled")
	}
	return nil
}

func runHeartbeatTimeout(e *env) error {
	err := e.simple(`timeout HEARTBEAT, last heartbeat "progress-1"`, wfHeartbeatLost)
	if timedOut := firstOfType(e.events, s.EventTypeActivityTaskTimedOut); timedOut != nil {
		e.detail("timeoutType", timedOut.ActivityTaskTimedOutEventAttributes.GetTimeoutType().String())
	}
	return err
}

func runChild(e *env) error {
	childID := "child-of-" + randomSuffix()
	err := e.simple("child said: hi parent", wfParent, childID)
	if err != nil {
		return err
	}
	childEvents, err := fetchHistory(e.ctx, e.client, childID, "")
	if err != nil {
		return fmt.Errorf("child history: %w", err)
	}
	e.detail("childWorkflowId", childID)
	e.detail("childEvents", eventTypes(childEvents))
	if first := firstOfType(childEvents, s.EventTypeWorkflowExecutionStarted); first != nil {
		parent := first.WorkflowExecutionStartedEventAttributes.GetParentWorkflowExecution()
		e.detail("childParentWorkflowId", parent.GetWorkflowId())
	}
	return nil
}

func runContinueAsNew(e *env) error {
	run, err := e.execute(wfContinue, 0)
	if err != nil {
		return err
	}
	var out string
	if err := e.get(run, &out); err != nil {
		return err
	}
	e.rep.Result = out
	runs, _, err := followChain(e.ctx, e.client, run.GetID(), run.GetRunID(), continueRounds+2)
	e.rep.Runs = runs
	if err != nil {
		return fmt.Errorf("follow the runs: %w", err)
	}
	if len(runs) > 0 {
		e.setEvents(runs[len(runs)-1].Events)
	}
	if err := expectEqual("result", out, fmt.Sprintf("done after %d continue-as-new", continueRounds)); err != nil {
		return err
	}
	return expectEqual("number of runs", len(runs), continueRounds+1)
}

func runCron(e *env) error {
	opts := e.startOptions(e.newID())
	opts.CronSchedule = e.opts.cronSchedule
	var exec *workflow.Execution
	err := guard("StartWorkflow", func() error {
		var err error
		exec, err = e.client.StartWorkflow(e.ctx, opts, wfCron)
		return err
	})
	if err != nil {
		return fmt.Errorf("start %s: %w", wfCron, err)
	}
	e.rep.WorkflowID, e.rep.RunID = exec.ID, exec.RunID
	e.watch(exec.ID, exec.RunID)

	// Wait for two runs to close (each continues as new into the next one), then terminate
	// the third while it waits for its schedule.
	runID := exec.RunID
	for i := 1; i <= 2; i++ {
		closeEvent, err := waitForClose(e.ctx, e.client, exec.ID, runID)
		if err != nil {
			return fmt.Errorf("run %d: %w", i, err)
		}
		if closeEvent.GetEventType() != s.EventTypeWorkflowExecutionContinuedAsNew {
			return fmt.Errorf("run %d closed with %s, want WorkflowExecutionContinuedAsNew", i,
				closeEvent.GetEventType())
		}
		attrs := closeEvent.WorkflowExecutionContinuedAsNewEventAttributes
		e.detail(fmt.Sprintf("run%dInitiator", i), attrs.GetInitiator().String())
		runID = attrs.GetNewExecutionRunId()
	}
	if err := e.client.TerminateWorkflow(e.ctx, exec.ID, runID, "e2e: cron ran twice", nil); err != nil {
		return fmt.Errorf("TerminateWorkflow: %w", err)
	}
	runs, raw, err := followChain(e.ctx, e.client, exec.ID, exec.RunID, 3)
	e.rep.Runs = runs
	if err != nil {
		return fmt.Errorf("follow the runs: %w", err)
	}
	if len(runs) > 0 {
		e.setEvents(runs[0].Events)
	}
	// Each run hands its result to the next as lastCompletionResult.
	results := []interface{}{}
	for _, events := range raw[1:] {
		started := firstOfType(events, s.EventTypeWorkflowExecutionStarted)
		if started == nil {
			continue
		}
		var value interface{}
		last := bytes.TrimSpace(started.WorkflowExecutionStartedEventAttributes.LastCompletionResult)
		if err := json.Unmarshal(last, &value); err != nil {
			value = string(last)
		}
		results = append(results, value)
	}
	e.rep.Result = results
	if err := expectEqual("number of runs", len(runs), 3); err != nil {
		return err
	}
	return expectEqual("results", fmt.Sprint(results), "[1 2]")
}

func runQuery(e *env) error {
	run, err := e.execute(wfQuery)
	if err != nil {
		return err
	}
	if _, err := e.waitFor(s.EventTypeDecisionTaskCompleted); err != nil {
		return err
	}
	var state, stack string
	err = guard("QueryWorkflow", func() error {
		value, err := e.client.QueryWorkflow(e.ctx, run.GetID(), run.GetRunID(), queryName)
		if err != nil {
			return err
		}
		return value.Get(&state)
	})
	if err != nil {
		return fmt.Errorf("query %q: %w", queryName, err)
	}
	e.detail("queryResult", state)
	err = guard("QueryWorkflow", func() error {
		value, err := e.client.QueryWorkflow(e.ctx, run.GetID(), run.GetRunID(), "__stack_trace")
		if err != nil {
			return err
		}
		return value.Get(&stack)
	})
	if err != nil {
		return fmt.Errorf("query __stack_trace: %w", err)
	}
	// The stack trace names the blocked coroutine's Go function.
	e.detail("stackTraceMentionsWorkflow", strings.Contains(stack, "queryWorkflow"))
	if len(stack) > 1500 {
		stack = stack[:1500]
	}
	e.detail("stackTrace", stack)
	if err := e.client.SignalWorkflow(e.ctx, run.GetID(), run.GetRunID(), signalName, "finish"); err != nil {
		return fmt.Errorf("SignalWorkflow: %w", err)
	}
	var out string
	if err := e.get(run, &out); err != nil {
		return err
	}
	e.rep.Result = out
	if err := e.collect(); err != nil {
		return err
	}
	if err := expectEqual("query result", state, "waiting for "+signalName); err != nil {
		return err
	}
	if !strings.Contains(stack, "queryWorkflow") {
		return fmt.Errorf("__stack_trace does not show the workflow function: %q", stack)
	}
	return expectEqual("result", out, "query workflow got: finish")
}

func runSignalWithStart(e *env) error {
	id := e.newID()
	var exec *workflow.Execution
	err := guard("SignalWithStartWorkflow", func() error {
		var err error
		exec, err = e.client.SignalWithStartWorkflow(e.ctx, id, signalName, "hello-sws",
			e.startOptions(id), wfWaitSignal)
		return err
	})
	if err != nil {
		return fmt.Errorf("SignalWithStartWorkflow: %w", err)
	}
	e.rep.WorkflowID, e.rep.RunID = exec.ID, exec.RunID
	e.watch(exec.ID, exec.RunID)
	var out string
	if err := e.get(e.client.GetWorkflow(e.ctx, exec.ID, exec.RunID), &out); err != nil {
		return err
	}
	e.rep.Result = out
	if err := e.collect(); err != nil {
		return err
	}
	return expectEqual("result", out, "received: hello-sws")
}

func runCancel(e *env) error {
	run, err := e.execute(wfCancellable)
	if err != nil {
		return err
	}
	if _, err := e.waitFor(s.EventTypeTimerStarted); err != nil {
		return err
	}
	if err := e.client.CancelWorkflow(e.ctx, run.GetID(), run.GetRunID()); err != nil {
		return fmt.Errorf("CancelWorkflow: %w", err)
	}
	getErr := e.get(run, nil)
	if err := e.collect(); err != nil {
		return err
	}
	if !cadence.IsCanceledError(getErr) {
		return fmt.Errorf("expected a CanceledError from the run, got %v", getErr)
	}
	e.rep.Result = "cancelled"
	return nil
}

func runTerminate(e *env) error {
	run, err := e.execute(wfWaitSignal)
	if err != nil {
		return err
	}
	if _, err := e.waitFor(s.EventTypeDecisionTaskCompleted); err != nil {
		return err
	}
	if err := e.client.TerminateWorkflow(e.ctx, run.GetID(), run.GetRunID(), "e2e terminate", nil); err != nil {
		return fmt.Errorf("TerminateWorkflow: %w", err)
	}
	getErr := e.get(run, nil)
	if err := e.collect(); err != nil {
		return err
	}
	if last := e.events[len(e.events)-1]; last.GetEventType() == s.EventTypeWorkflowExecutionTerminated {
		e.detail("terminateReason", last.WorkflowExecutionTerminatedEventAttributes.GetReason())
	}
	if !cadence.IsTerminatedError(getErr) {
		return fmt.Errorf("expected a TerminatedError from the run, got %v", getErr)
	}
	e.rep.Result = "terminated"
	return nil
}

func runPanicRecover(e *env) error {
	e.decisionFailuresExpected = true
	panicFixed.Store(false)
	run, err := e.execute(wfPanic)
	if err != nil {
		return err
	}
	failed, err := e.waitFor(s.EventTypeDecisionTaskFailed)
	if err != nil {
		return err
	}
	attrs := failed.DecisionTaskFailedEventAttributes
	e.detail("decisionFailedCause", attrs.GetCause().String())
	e.detail("failureMentionsPanic", bytes.Contains(attrs.Details, []byte("simulated bug")) ||
		strings.Contains(attrs.GetReason(), "simulated bug"))
	// "Deploy the fix": the next attempt of the decision succeeds.
	panicFixed.Store(true)
	var out string
	if err := e.get(run, &out); err != nil {
		return err
	}
	e.rep.Result = out
	if err := e.collect(); err != nil {
		return err
	}
	return expectEqual("result", out, "recovered after the fix")
}

func runParallel(e *env) error {
	n := e.opts.parallel
	type outcome struct {
		id, runID, result string
		err               error
	}
	outcomes := make([]outcome, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			run, err := e.start(wfTwoSteps, i)
			if err != nil {
				outcomes[i].err = err
				return
			}
			outcomes[i].id, outcomes[i].runID = run.GetID(), run.GetRunID()
			outcomes[i].err = e.get(run, &outcomes[i].result)
		}(i)
	}
	wg.Wait()

	completed, failures := 0, []string{}
	for i, o := range outcomes {
		want := fmt.Sprintf("Hello, first-%d! Hello, second-%d!", i, i)
		switch {
		case o.err != nil:
			failures = append(failures, o.err.Error())
		case o.result != want:
			failures = append(failures, fmt.Sprintf("workflow %d returned %q", i, o.result))
		default:
			completed++
		}
	}
	e.rep.Result = map[string]int{"completed": completed, "failed": n - completed}
	if len(failures) > 3 {
		failures = failures[:3]
	}
	e.detail("failures", failures)
	e.rep.WorkflowID, e.rep.RunID = outcomes[0].id, outcomes[0].runID

	// Histories: all alike; decisions after the first go to the worker's sticky task list.
	sequences := map[string]int{}
	sticky, decisions := 0, 0
	for i, o := range outcomes {
		if o.id == "" {
			continue
		}
		events, err := fetchHistory(e.ctx, e.client, o.id, o.runID)
		if err != nil {
			return fmt.Errorf("history of workflow %d: %w", i, err)
		}
		if i == 0 {
			e.events = events
			e.setEvents(eventTypes(events))
		}
		sequences[strings.Join(eventTypes(events), ",")]++
		for _, ev := range events {
			if ev.GetEventType() == s.EventTypeDecisionTaskScheduled {
				decisions++
				if ev.DecisionTaskScheduledEventAttributes.GetTaskList().GetName() != e.rep.TaskList {
					sticky++
				}
			}
		}
	}
	e.detail("distinctEventSequences", len(sequences))
	e.detail("decisionTasks", decisions)
	e.detail("stickyDecisionTasks", sticky)
	return expectEqual("completed workflows", completed, n)
}

// findWorkflows polls ListWorkflow with query until it returns want executions (visibility
// is written asynchronously), then returns them.
func (e *env) findWorkflows(query string, want int) ([]*s.WorkflowExecutionInfo, error) {
	var last []*s.WorkflowExecutionInfo
	for {
		var resp *s.ListWorkflowExecutionsResponse
		err := guard("ListWorkflow", func() error {
			var err error
			resp, err = e.client.ListWorkflow(e.ctx, &s.ListWorkflowExecutionsRequest{
				Domain: &e.opts.domain, Query: &query, PageSize: int32Ptr(100),
			})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("ListWorkflow(%q): %w", query, err)
		}
		last = resp.Executions
		if len(last) == want {
			return last, nil
		}
		select {
		case <-e.ctx.Done():
			return nil, fmt.Errorf("ListWorkflow(%q) still returned %d executions, want %d: %w",
				query, len(last), want, context.Cause(e.ctx))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (e *env) countWorkflows(query string) (int64, error) {
	var resp *s.CountWorkflowExecutionsResponse
	err := guard("CountWorkflow", func() error {
		var err error
		resp, err = e.client.CountWorkflow(e.ctx, &s.CountWorkflowExecutionsRequest{
			Domain: &e.opts.domain, Query: &query,
		})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("CountWorkflow(%q): %w", query, err)
	}
	return resp.GetCount(), nil
}

func int32Ptr(v int32) *int32 { return &v }

// decodeSearchAttributes turns the JSON values of a listed execution into a plain map.
func decodeSearchAttributes(info *s.WorkflowExecutionInfo) map[string]interface{} {
	out := map[string]interface{}{}
	for key, raw := range info.GetSearchAttributes().GetIndexedFields() {
		var value interface{}
		if err := json.Unmarshal(raw, &value); err != nil {
			value = string(raw)
		}
		out[key] = value
	}
	return out
}

// runSearchAttributes starts a workflow with start-time search attributes; the workflow
// upserts CustomKeywordField and CustomIntField. The driver then finds it with ListWorkflow
// and CountWorkflow by the upserted and the start-time attributes, signals it to complete,
// and finds the closed run by the same query plus CloseStatus.
func runSearchAttributes(e *env) error {
	keyword := "go-e2e-" + randomSuffix()
	opts := e.startOptions(e.newID())
	opts.SearchAttributes = map[string]interface{}{
		"CustomBoolField":   true,
		"CustomDoubleField": 2.5,
		"CustomStringField": "started by the go e2e program",
	}
	var exec *workflow.Execution
	err := guard("StartWorkflow", func() error {
		var err error
		exec, err = e.client.StartWorkflow(e.ctx, opts, wfSearchAttrs, keyword)
		return err
	})
	if err != nil {
		return fmt.Errorf("start %s: %w", wfSearchAttrs, err)
	}
	e.rep.WorkflowID, e.rep.RunID = exec.ID, exec.RunID
	e.watch(exec.ID, exec.RunID)
	if _, err := e.waitFor(s.EventTypeUpsertWorkflowSearchAttributes); err != nil {
		return err
	}

	query := fmt.Sprintf("CustomKeywordField = '%s' AND CustomIntField > 3", keyword)
	e.detail("query", query)
	found, err := e.findWorkflows(query, 1)
	if err != nil {
		return err
	}
	listed := found[0]
	e.detail("listedRunId", listed.GetExecution().GetRunId())
	e.detail("listedType", listed.GetType().GetName())
	e.detail("listedOpen", listed.CloseStatus == nil)
	e.detail("listedSearchAttributes", decodeSearchAttributes(listed))
	counts := map[string]int64{}
	for name, q := range map[string]string{
		"open":         query,
		"startTime":    fmt.Sprintf("CustomKeywordField = '%s' AND CustomBoolField = true AND CustomDoubleField > 2", keyword),
		"intTooLow":    fmt.Sprintf("CustomKeywordField = '%s' AND CustomIntField > 7", keyword),
		"otherKeyword": fmt.Sprintf("CustomKeywordField = '%s-not' AND CustomIntField > 3", keyword),
	} {
		if counts[name], err = e.countWorkflows(q); err != nil {
			return err
		}
	}

	if err := e.client.SignalWorkflow(e.ctx, exec.ID, exec.RunID, signalName, query); err != nil {
		return fmt.Errorf("SignalWorkflow: %w", err)
	}
	var out string
	if err := e.get(e.client.GetWorkflow(e.ctx, exec.ID, exec.RunID), &out); err != nil {
		return err
	}
	e.rep.Result = out
	closedQuery := query + " AND CloseStatus = 0"
	closed, err := e.findWorkflows(closedQuery, 1)
	if err != nil {
		return err
	}
	e.detail("closedRunId", closed[0].GetExecution().GetRunId())
	e.detail("closedSearchAttributes", decodeSearchAttributes(closed[0]))
	if counts["closed"], err = e.countWorkflows(closedQuery); err != nil {
		return err
	}
	e.detail("counts", counts)
	if err := e.collect(); err != nil {
		return err
	}
	if upsert := firstOfType(e.events, s.EventTypeUpsertWorkflowSearchAttributes); upsert != nil {
		e.detail("upsertedSearchAttributes", decodeSearchAttributes(&s.WorkflowExecutionInfo{
			SearchAttributes: upsert.UpsertWorkflowSearchAttributesEventAttributes.SearchAttributes,
		}))
	}
	if started := firstOfType(e.events, s.EventTypeWorkflowExecutionStarted); started != nil {
		e.detail("startedSearchAttributes", decodeSearchAttributes(&s.WorkflowExecutionInfo{
			SearchAttributes: started.WorkflowExecutionStartedEventAttributes.SearchAttributes,
		}))
	}
	if err := expectEqual("listed run", listed.GetExecution().GetRunId(), exec.RunID); err != nil {
		return err
	}
	if err := expectEqual("count", fmt.Sprint(counts), "map[closed:1 intTooLow:0 open:1 otherKeyword:0 startTime:1]"); err != nil {
		return err
	}
	return expectEqual("result", out, "found by: "+query)
}
