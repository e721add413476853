package main

// The measured workload: a workflow that runs one activity and returns its result.

import (
	"context"
	"time"

	"go.uber.org/cadence"
	"go.uber.org/cadence/activity"
	"go.uber.org/cadence/worker"
	"go.uber.org/cadence/workflow"
)

const (
	workflowName = "bench.Hello"
	activityName = "bench.Greet"
)

// expectedEvents is the history of one run of helloWorkflow (sticky or not, the events agree).
// Under load the second decision may miss its sticky schedule-to-start timeout and move to the
// normal task list, as upstream does: see stickyFallbackEvents.
var expectedEvents = []string{
	"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
	"ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted",
	"DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
	"WorkflowExecutionCompleted",
}

// activityTimeout bounds how long a scheduled activity may wait and run; set from --timeout so
// a slow server shows up as low throughput, not as activity timeouts.
var activityTimeout = time.Minute

// activityRetry, when set (-activity-timeout), retries an activity that timed out, so a run
// whose activity completion was lost (fault tests) still completes.
var activityRetry *cadence.RetryPolicy

func helloWorkflow(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		ScheduleToStartTimeout: activityTimeout,
		StartToCloseTimeout:    activityTimeout,
		RetryPolicy:            activityRetry,
	})
	var greeting string
	err := workflow.ExecuteActivity(ctx, activityName, name).Get(ctx, &greeting)
	return greeting, err
}

func greetActivity(_ context.Context, name string) (string, error) {
	return "Hello " + name + "!", nil
}

func register(w worker.Worker) {
	w.RegisterWorkflowWithOptions(helloWorkflow, workflow.RegisterOptions{Name: workflowName})
	w.RegisterActivityWithOptions(greetActivity, activity.RegisterOptions{Name: activityName})
}

// stickyFallbackEvents is expectedEvents with the second decision timed out on the sticky list
// (DecisionTaskTimedOut, ScheduleToStart) and scheduled again on the normal one.
var stickyFallbackEvents = append(append(append([]string{}, expectedEvents[:8]...),
	"DecisionTaskTimedOut", "DecisionTaskScheduled"), expectedEvents[8:]...)

// plainIndex maps the positions of expectedEvents to positions in a history of the given shape
// (for the fallback shape, the second decision's schedule time is the first, sticky, one).
func plainIndex(fallback bool) []int {
	idx := make([]int, len(expectedEvents))
	for i := range idx {
		idx[i] = i
		if fallback && i >= 8 {
			idx[i] = i + 2
		}
	}
	return idx
}
