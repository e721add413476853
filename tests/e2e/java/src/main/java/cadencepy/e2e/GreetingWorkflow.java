package cadencepy.e2e;

import com.uber.cadence.workflow.QueryMethod;
import com.uber.cadence.workflow.SignalMethod;
import com.uber.cadence.workflow.WorkflowMethod;

/**
 * Greets through an activity, then waits for a signal; a query reports where it is.
 *
 * <p>History on the upstream server: started, first decision, the activity, a decision that
 * leaves the workflow waiting, the signal, a last decision, completed.
 */
public interface GreetingWorkflow {
  String TYPE = "JavaE2E::greet";
  String SIGNAL = "JavaE2E::finish";
  String QUERY = "JavaE2E::status";
  String WAITING_PREFIX = "waiting for signal, greeting=";

  @WorkflowMethod(name = TYPE)
  String greet(String name);

  @SignalMethod(name = SIGNAL)
  void finish(String word);

  @QueryMethod(name = QUERY)
  String status();
}
