package main

// Workflows and activities of the scenarios. Every workflow and activity is registered under
// an explicit name (the constants below) and the scenarios refer to them by that name only,
// so nothing depends on Go symbol names.

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"go.uber.org/cadence"
	"go.uber.org/cadence/activity"
	"go.uber.org/cadence/worker"
	"go.uber.org/cadence/workflow"
)

const (
	wfHello         = "e2e.Hello"
	wfWaitSignal    = "e2e.WaitSignal"
	wfTimer         = "e2e.Timer"
	wfRetry         = "e2e.Retry"
	wfHeartbeatStop = "e2e.HeartbeatCancel"
	wfHeartbeatLost = "e2e.HeartbeatTimeout"
	wfParent        = "e2e.Parent"
	wfChild         = "e2e.Child"
	wfContinue      = "e2e.ContinueAsNew"
	wfCron          = "e2e.Cron"
	wfLocal         = "e2e.LocalActivity"
	wfQuery         = "e2e.Query"
	wfCancellable   = "e2e.Cancellable"
	wfPanic         = "e2e.PanicUntilFixed"
	wfTwoSteps      = "e2e.TwoSteps"
	wfSearchAttrs   = "e2e.SearchAttributes"

	actGreet     = "e2e.Greet"
	actFlaky     = "e2e.Flaky"
	actHeartbeat = "e2e.HeartbeatUntilCancelled"
	actStall     = "e2e.HeartbeatOnceThenStall"
	signalName   = "greeting"
	// cancelActivitySignal tells the heartbeat-cancel workflow to cancel its activity.
	cancelActivitySignal = "cancel-activity"
	queryName            = "state"
	continueRounds       = 3
)

// State shared between the worker's code and the scenario driving it (same process).
var (
	// panicFixed flips to true once the driver has seen the decision fail: the "worker fix".
	panicFixed atomic.Bool
	// activityObservedCancel is set when the heartbeating activity sees its context cancelled.
	activityObservedCancel atomic.Bool
	// heartbeatsSent counts RecordHeartbeat calls of the heartbeating activity.
	heartbeatsSent atomic.Int32
)

// defaultActivityOptions bounds every activity so a missing server answer cannot hang a run.
func defaultActivityOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		ScheduleToStartTimeout: 20 * time.Second,
		StartToCloseTimeout:    20 * time.Second,
	}
}

func registerAll(w worker.Worker) {
	workflows := map[string]interface{}{
		wfHello:         helloWorkflow,
		wfWaitSignal:    waitSignalWorkflow,
		wfTimer:         timerWorkflow,
		wfRetry:         retryWorkflow,
		wfHeartbeatStop: heartbeatCancelWorkflow,
		wfHeartbeatLost: heartbeatTimeoutWorkflow,
		wfParent:        parentWorkflow,
		wfChild:         childWorkflow,
		wfContinue:      continueAsNewWorkflow,
		wfCron:          cronWorkflow,
		wfLocal:         localActivityWorkflow,
		wfQuery:         queryWorkflow,
		wfCancellable:   cancellableWorkflow,
		wfPanic:         panicUntilFixedWorkflow,
		wfTwoSteps:      twoStepsWorkflow,
		wfSearchAttrs:   searchAttributesWorkflow,
	}
	for name, fn := range workflows {
		w.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
	}
	activities := map[string]interface{}{
		actGreet:     greetActivity,
		actFlaky:     flakyActivity,
		actHeartbeat: heartbeatUntilCancelledActivity,
		actStall:     heartbeatOnceThenStallActivity,
	}
	for name, fn := range activities {
		w.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
}

// ---------------------------------------------------------------- activities

func greetActivity(ctx context.Context, name string) (string, error) {
	return "Hello, " + name + "!", nil
}

// flakyActivity fails on attempts 0 and 1 and succeeds on attempt 2.
func flakyActivity(ctx context.Context) (string, error) {
	attempt := activity.GetInfo(ctx).Attempt
	if attempt < 2 {
		return "", cadence.NewCustomError("e2e-flaky", fmt.Sprintf("failing attempt %d", attempt))
	}
	return fmt.Sprintf("succeeded on attempt %d", attempt), nil
}

// heartbeatUntilCancelledActivity heartbeats until cancelled (or it gives up after limit).
func heartbeatUntilCancelledActivity(ctx context.Context, limitSeconds int) (string, error) {
	deadline := time.After(time.Duration(limitSeconds) * time.Second)
	for i := 0; ; i++ {
		activity.RecordHeartbeat(ctx, i)
		heartbeatsSent.Add(1)
		select {
		case <-ctx.Done():
			activityObservedCancel.Store(true)
			return "", ctx.Err()
		case <-deadline:
			return "never cancelled", nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// heartbeatOnceThenStallActivity records one heartbeat and then goes silent.
func heartbeatOnceThenStallActivity(ctx context.Context, stallSeconds int) (string, error) {
	activity.RecordHeartbeat(ctx, "progress-1")
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case <-time.After(time.Duration(stallSeconds) * time.Second):
		return "stalled to the end", nil
	}
}

func localGreet(ctx context.Context, name string) (string, error) {
	return "Hello from a local activity, " + name + "!", nil
}

// ---------------------------------------------------------------- workflows

func helloWorkflow(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, defaultActivityOptions())
	var out string
	err := workflow.ExecuteActivity(ctx, actGreet, name).Get(ctx, &out)
	return out, err
}

func waitSignalWorkflow(ctx workflow.Context) (string, error) {
	var value string
	workflow.GetSignalChannel(ctx, signalName).Receive(ctx, &value)
	return "received: " + value, nil
}

// timerWorkflow sleeps and returns the workflow-clock milliseconds that passed.
func timerWorkflow(ctx workflow.Context, seconds int) (int64, error) {
	start := workflow.Now(ctx)
	if err := workflow.Sleep(ctx, time.Duration(seconds)*time.Second); err != nil {
		return 0, err
	}
	return workflow.Now(ctx).Sub(start).Milliseconds(), nil
}

func retryWorkflow(ctx workflow.Context) (string, error) {
	opts := defaultActivityOptions()
	opts.RetryPolicy = &cadence.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 1.0,
		MaximumInterval:    time.Second,
		ExpirationInterval: time.Minute,
		MaximumAttempts:    5,
	}
	ctx = workflow.WithActivityOptions(ctx, opts)
	var out string
	err := workflow.ExecuteActivity(ctx, actFlaky).Get(ctx, &out)
	return out, err
}

// heartbeatCancelWorkflow starts a heartbeating activity and, when the driver signals that
// the activity is heartbeating, cancels it through a cancellation scope and waits for the
// cancellation to land (WaitForCancellation).
func heartbeatCancelWorkflow(ctx workflow.Context) (string, error) {
	opts := defaultActivityOptions()
	opts.StartToCloseTimeout = time.Minute
	opts.HeartbeatTimeout = 2 * time.Second
	opts.WaitForCancellation = true
	actCtx, cancel := workflow.WithCancel(workflow.WithActivityOptions(ctx, opts))
	future := workflow.ExecuteActivity(actCtx, actHeartbeat, 50)
	workflow.GetSignalChannel(ctx, cancelActivitySignal).Receive(ctx, nil)
	cancel()
	var out string
	err := future.Get(ctx, &out)
	var canceled *cadence.CanceledError
	if errors.As(err, &canceled) {
		return "activity cancelled", nil
	}
	if err != nil {
		return "", err
	}
	return "", fmt.Errorf("activity was not cancelled: %q", out)
}

func heartbeatTimeoutWorkflow(ctx workflow.Context) (string, error) {
	opts := defaultActivityOptions()
	opts.StartToCloseTimeout = 30 * time.Second
	opts.HeartbeatTimeout = 2 * time.Second
	ctx = workflow.WithActivityOptions(ctx, opts)
	err := workflow.ExecuteActivity(ctx, actStall, 8).Get(ctx, nil)
	var timeout *workflow.TimeoutError
	if !errors.As(err, &timeout) {
		return "", fmt.Errorf("expected a heartbeat timeout, got %v", err)
	}
	details := ""
	if timeout.HasDetails() {
		_ = timeout.Details(&details)
	}
	return fmt.Sprintf("timeout %s, last heartbeat %q", timeout.TimeoutType(), details), nil
}

func parentWorkflow(ctx workflow.Context, childID string) (string, error) {
	ctx = workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:                   childID,
		ExecutionStartToCloseTimeout: time.Minute,
		TaskStartToCloseTimeout:      10 * time.Second,
	})
	var out string
	if err := workflow.ExecuteChildWorkflow(ctx, wfChild, "parent").Get(ctx, &out); err != nil {
		return "", err
	}
	return "child said: " + out, nil
}

func childWorkflow(ctx workflow.Context, from string) (string, error) {
	return "hi " + from, nil
}

func continueAsNewWorkflow(ctx workflow.Context, round int) (string, error) {
	if round < continueRounds {
		return "", workflow.NewContinueAsNewError(ctx, wfContinue, round+1)
	}
	return fmt.Sprintf("done after %d continue-as-new", round), nil
}

// cronWorkflow returns 1 on its first run and the previous run's result + 1 afterwards.
func cronWorkflow(ctx workflow.Context) (int, error) {
	previous := 0
	if workflow.HasLastCompletionResult(ctx) {
		if err := workflow.GetLastCompletionResult(ctx, &previous); err != nil {
			return 0, err
		}
	}
	return previous + 1, nil
}

func localActivityWorkflow(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: 5 * time.Second,
	})
	var out string
	err := workflow.ExecuteLocalActivity(ctx, localGreet, name).Get(ctx, &out)
	return out, err
}

func queryWorkflow(ctx workflow.Context) (string, error) {
	state := "started"
	if err := workflow.SetQueryHandler(ctx, queryName, func() (string, error) {
		return state, nil
	}); err != nil {
		return "", err
	}
	state = "waiting for " + signalName
	var value string
	workflow.GetSignalChannel(ctx, signalName).Receive(ctx, &value)
	state = "done"
	return "query workflow got: " + value, nil
}

// cancellableWorkflow waits on a long timer; cancelling the workflow cancels the timer and
// the workflow ends as cancelled.
func cancellableWorkflow(ctx workflow.Context) (string, error) {
	if err := workflow.Sleep(ctx, 10*time.Minute); err != nil {
		return "", err
	}
	return "timer fired", nil
}

// panicUntilFixedWorkflow panics in its decision until the driver flips panicFixed.
func panicUntilFixedWorkflow(ctx workflow.Context) (string, error) {
	if !panicFixed.Load() {
		panic("e2e: simulated bug in workflow code")
	}
	return "recovered after the fix", nil
}

// twoStepsWorkflow runs two activities in a row: three decisions, the later ones sticky.
func twoStepsWorkflow(ctx workflow.Context, index int) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, defaultActivityOptions())
	var first, second string
	if err := workflow.ExecuteActivity(ctx, actGreet, fmt.Sprintf("first-%d", index)).Get(ctx, &first); err != nil {
		return "", err
	}
	if err := workflow.ExecuteActivity(ctx, actGreet, fmt.Sprintf("second-%d", index)).Get(ctx, &second); err != nil {
		return "", err
	}
	return first + " " + second, nil
}

// searchAttributesWorkflow upserts CustomKeywordField = keyword and CustomIntField = 7 in its
// first decision, then waits for the greeting signal (the driver sends it once ListWorkflow
// found the run by those attributes) and returns it.
func searchAttributesWorkflow(ctx workflow.Context, keyword string) (string, error) {
	err := workflow.UpsertSearchAttributes(ctx, map[string]interface{}{
		"CustomKeywordField": keyword,
		"CustomIntField":     7,
	})
	if err != nil {
		return "", err
	}
	var value string
	workflow.GetSignalChannel(ctx, signalName).Receive(ctx, &value)
	return "found by: " + value, nil
}
