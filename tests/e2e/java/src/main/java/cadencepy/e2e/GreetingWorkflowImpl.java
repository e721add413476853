package cadencepy.e2e;

import com.uber.cadence.activity.ActivityOptions;
import com.uber.cadence.workflow.Workflow;
import java.time.Duration;

/** Workflow code: must stay deterministic (no clocks, no I/O outside the activity). */
public class GreetingWorkflowImpl implements GreetingWorkflow {
  private String status = "started";
  private String word;

  @Override
  public String greet(String name) {
    GreetingActivities activities =
        Workflow.newActivityStub(
            GreetingActivities.class,
            new ActivityOptions.Builder()
                .setScheduleToCloseTimeout(Duration.ofSeconds(20))
                .build());
    status = "calling the activity";
    String greeting = activities.composeGreeting("Hello", name);
    status = WAITING_PREFIX + greeting;
    // No timeout here (a timeout would add timer events); the execution timeout bounds it.
    Workflow.await(() -> word != null);
    status = "done";
    return greeting + " Signal: " + word;
  }

  @Override
  public void finish(String word) {
    this.word = word;
  }

  @Override
  public String status() {
    return status;
  }
}
