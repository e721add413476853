package main

// History helpers built on the client's own GetWorkflowHistory iterator.

import (
	"context"
	"fmt"

	s "go.uber.org/cadence/.gen/go/shared"
	"go.uber.org/cadence/client"
)

// guard turns a panic inside the client library (it panics on some malformed server answers,
// e.g. a history response without a history) into an error, so the program still prints its
// one JSON line.
func guard(what string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: client library panicked: %v", what, r)
		}
	}()
	return f()
}

// fetchHistory returns every event of one run (runID "" = the current run).
func fetchHistory(ctx context.Context, c client.Client, workflowID, runID string,
) ([]*s.HistoryEvent, error) {
	var events []*s.HistoryEvent
	err := guard("GetWorkflowHistory", func() error {
		iter := c.GetWorkflowHistory(ctx, workflowID, runID, false, s.HistoryEventFilterTypeAllEvent)
		for iter.HasNext() {
			event, err := iter.Next()
			if err != nil {
				return err
			}
			events = append(events, event)
		}
		return nil
	})
	return events, err
}

// waitForEvent long-polls the history of one run until an event of the given type appears.
func waitForEvent(ctx context.Context, c client.Client, workflowID, runID string,
	eventType s.EventType) (*s.HistoryEvent, error) {
	var found *s.HistoryEvent
	err := guard("GetWorkflowHistory(long poll)", func() error {
		iter := c.GetWorkflowHistory(ctx, workflowID, runID, true, s.HistoryEventFilterTypeAllEvent)
		for iter.HasNext() {
			event, err := iter.Next()
			if err != nil {
				return err
			}
			if event.GetEventType() == eventType {
				found = event
				return nil
			}
		}
		return fmt.Errorf("workflow %s/%s closed without a %s event", workflowID, runID, eventType)
	})
	return found, err
}

// waitForClose long-polls for the close event of one run.
func waitForClose(ctx context.Context, c client.Client, workflowID, runID string,
) (*s.HistoryEvent, error) {
	var closeEvent *s.HistoryEvent
	err := guard("GetWorkflowHistory(close event)", func() error {
		iter := c.GetWorkflowHistory(ctx, workflowID, runID, true, s.HistoryEventFilterTypeCloseEvent)
		if !iter.HasNext() {
			return fmt.Errorf("no close event for %s/%s", workflowID, runID)
		}
		event, err := iter.Next()
		closeEvent = event
		return err
	})
	return closeEvent, err
}

func eventTypes(events []*s.HistoryEvent) []string {
	out := make([]string, 0, len(events))
	for _, e := range events {
		out = append(out, e.GetEventType().String())
	}
	return out
}

func firstOfType(events []*s.HistoryEvent, eventType s.EventType) *s.HistoryEvent {
	for _, e := range events {
		if e.GetEventType() == eventType {
			return e
		}
	}
	return nil
}

// runHistory is one run of a chain (continue-as-new, cron).
type runHistory struct {
	RunID  string   `json:"runId"`
	Events []string `json:"events"`
}

// followChain fetches the histories of the runs of workflowID starting at firstRunID,
// following WorkflowExecutionContinuedAsNew to the next run, at most maxRuns runs.
func followChain(ctx context.Context, c client.Client, workflowID, firstRunID string, maxRuns int,
) ([]runHistory, [][]*s.HistoryEvent, error) {
	var runs []runHistory
	var raw [][]*s.HistoryEvent
	runID := firstRunID
	for len(runs) < maxRuns && runID != "" {
		events, err := fetchHistory(ctx, c, workflowID, runID)
		if err != nil {
			return runs, raw, err
		}
		runs = append(runs, runHistory{RunID: runID, Events: eventTypes(events)})
		raw = append(raw, events)
		runID = ""
		if n := len(events); n > 0 && events[n-1].GetEventType() == s.EventTypeWorkflowExecutionContinuedAsNew {
			runID = events[n-1].WorkflowExecutionContinuedAsNewEventAttributes.GetNewExecutionRunId()
		}
	}
	return runs, raw, nil
}
