package cadencepy.e2e;

import com.uber.cadence.activity.ActivityMethod;

/** The one activity of the e2e workflow; runs on the same task list as the workflow. */
public interface GreetingActivities {
  String COMPOSE = "JavaE2E::composeGreeting";

  @ActivityMethod(name = COMPOSE)
  String composeGreeting(String greeting, String name);

  /** The implementation registered with the worker. */
  final class Impl implements GreetingActivities {
    @Override
    public String composeGreeting(String greeting, String name) {
      return greeting + ", " + name + "!";
    }
  }
}
