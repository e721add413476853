package cadencepy.e2e;

import com.google.gson.GsonBuilder;
import com.uber.cadence.DescribeDomainRequest;
import com.uber.cadence.DomainAlreadyExistsError;
import com.uber.cadence.EntityNotExistsError;
import com.uber.cadence.GetWorkflowExecutionHistoryRequest;
import com.uber.cadence.GetWorkflowExecutionHistoryResponse;
import com.uber.cadence.HistoryEvent;
import com.uber.cadence.RegisterDomainRequest;
import com.uber.cadence.WorkflowExecution;
import com.uber.cadence.client.WorkflowClient;
import com.uber.cadence.client.WorkflowClientOptions;
import com.uber.cadence.client.WorkflowOptions;
import com.uber.cadence.client.WorkflowStub;
import com.uber.cadence.serviceclient.ClientOptions;
import com.uber.cadence.serviceclient.IWorkflowService;
import com.uber.cadence.serviceclient.WorkflowServiceTChannel;
import com.uber.cadence.worker.Worker;
import com.uber.cadence.worker.WorkerFactory;
import com.uber.cadence.worker.WorkerFactoryOptions;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * cadence-py-java-e2e: hello world with an activity, a signal and a query, run by the real
 * Cadence Java client (TChannel) against a Cadence frontend.
 *
 * <pre>
 * java -jar cadence-py-java-e2e.jar [--address 127.0.0.1:7933] [--domain NAME]
 *                                   [--timeout SECONDS] [--no-sticky] [--verbose]
 * </pre>
 *
 * <p>It registers the domain unless it exists, starts a worker on a fresh task list, starts the
 * workflow, queries it until it waits for the signal, signals it, waits for the result and
 * reads the history. It prints one JSON line (ok, result, queryResult, events, error, details)
 * on stdout and exits 0 when the workflow completed, 1 otherwise. Everything is bounded by
 * --timeout; a watchdog reports and exits 10 s after it.
 */
public final class Main {
  private static final String NAME = "cadence-py";
  private static final String SIGNAL_WORD = "from-java";

  private final Map<String, Object> report = new LinkedHashMap<>();
  private final Map<String, Object> details = new LinkedHashMap<>();
  private final AtomicBoolean reported = new AtomicBoolean();
  private final long startNanos = System.nanoTime();
  private final PrintStream out;

  private String host = "127.0.0.1";
  private int port = 7933;
  private String domain = "cadence-py-java-e2e";
  private long timeoutMillis = 60_000;
  private boolean sticky = true;
  private boolean verbose = false;

  private Main(PrintStream out) {
    this.out = out;
    report.put("ok", false);
    report.put("result", null);
    report.put("queryResult", null);
    report.put("events", new ArrayList<String>());
    report.put("error", null);
  }

  public static void main(String[] args) {
    // Keep stdout for the report alone: anything else the client prints goes to stderr.
    PrintStream stdout = System.out;
    System.setOut(System.err);
    Main main = new Main(stdout);
    try {
      main.parse(args);
    } catch (IllegalArgumentException e) {
      main.report.put("error", "usage: " + e.getMessage());
      main.finish(2);
      return;
    }
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", main.verbose ? "debug" : "warn");
    main.startWatchdog();
    int code;
    try {
      code = main.run() ? 0 : 1;
    } catch (Throwable t) {
      main.report.put("error", describe(t));
      if (main.verbose) {
        t.printStackTrace();
      }
      code = 1;
    }
    main.finish(code);
  }

  private void parse(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--address":
          String address = value(args, ++i, arg);
          int colon = address.lastIndexOf(':');
          if (colon <= 0) {
            throw new IllegalArgumentException("--address wants HOST:PORT, got " + address);
          }
          host = address.substring(0, colon);
          port = Integer.parseInt(address.substring(colon + 1));
          break;
        case "--domain":
          domain = value(args, ++i, arg);
          break;
        case "--timeout":
          timeoutMillis = (long) (Double.parseDouble(value(args, ++i, arg)) * 1000);
          break;
        case "--no-sticky":
          sticky = false;
          break;
        case "--verbose":
          verbose = true;
          break;
        default:
          throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  private long remainingMillis() {
    return timeoutMillis - elapsedMillis();
  }

  private long elapsedMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  private void startWatchdog() {
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(timeoutMillis + 10_000);
              } catch (InterruptedException e) {
                return;
              }
              report.put("error", "watchdog: no outcome after " + (timeoutMillis + 10_000) + " ms");
              finish(1);
            },
            "e2e-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  /** The scenario; returns whether the workflow completed with a result. */
  private boolean run() throws Exception {
    String taskList = "java-e2e-" + UUID.randomUUID();
    String workflowId = "java-e2e-hello-" + UUID.randomUUID();
    details.put("address", host + ":" + port);
    details.put("domain", domain);
    details.put("taskList", taskList);
    details.put("workflowId", workflowId);
    details.put("stickyExecution", sticky);

    IWorkflowService service =
        new WorkflowServiceTChannel(ClientOptions.newBuilder().setHost(host).setPort(port).build());
    WorkerFactory factory = null;
    try {
      details.put("domainRegistered", ensureDomain(service));

      WorkflowClient client =
          WorkflowClient.newInstance(
              service, WorkflowClientOptions.newBuilder().setDomain(domain).build());
      factory =
          WorkerFactory.newInstance(
              client,
              WorkerFactoryOptions.newBuilder().setDisableStickyExecution(!sticky).build());
      Worker worker = factory.newWorker(taskList);
      worker.registerWorkflowImplementationTypes(GreetingWorkflowImpl.class);
      worker.registerActivitiesImplementations(new GreetingActivities.Impl());
      factory.start();
      mark("workerStartedMs");

      long executionTimeout = Math.max(10, remainingMillis() / 1000);
      GreetingWorkflow workflow =
          client.newWorkflowStub(
              GreetingWorkflow.class,
              new WorkflowOptions.Builder()
                  .setWorkflowId(workflowId)
                  .setTaskList(taskList)
                  .setExecutionStartToCloseTimeout(Duration.ofSeconds(executionTimeout))
                  .setTaskStartToCloseTimeout(Duration.ofSeconds(10))
                  .build());
      WorkflowExecution execution = WorkflowClient.start(workflow::greet, NAME);
      details.put("runId", execution.getRunId());
      mark("startedMs");

      report.put("queryResult", queryUntilWaiting(workflow));
      mark("queriedMs");

      workflow.finish(SIGNAL_WORD);
      mark("signalledMs");

      String result =
          WorkflowStub.fromTyped(workflow)
              .getResult(Math.max(1, remainingMillis()), TimeUnit.MILLISECONDS, String.class);
      report.put("result", result);
      mark("completedMs");

      List<String> events = historyEventTypes(service, execution);
      report.put("events", events);
      boolean completed =
          !events.isEmpty() && "WorkflowExecutionCompleted".equals(events.get(events.size() - 1));
      if (!completed) {
        report.put("error", "history does not end with WorkflowExecutionCompleted");
      }
      return completed;
    } finally {
      if (factory != null) {
        factory.shutdownNow();
      }
    }
  }

  /** DescribeDomain; RegisterDomain when it does not exist. Returns whether we registered it. */
  private boolean ensureDomain(IWorkflowService service) throws Exception {
    try {
      service.DescribeDomain(new DescribeDomainRequest().setName(domain));
      return false;
    } catch (EntityNotExistsError missing) {
      try {
        service.RegisterDomain(
            new RegisterDomainRequest()
                .setName(domain)
                .setDescription("cadence-py Java e2e")
                .setWorkflowExecutionRetentionPeriodInDays(1)
                .setEmitMetric(false));
        return true;
      } catch (DomainAlreadyExistsError raced) {
        return false;
      }
    }
  }

  /**
   * Queries the running workflow until it reports that it waits for the signal (the activity is
   * done by then). Query failures before that (e.g. no decision completed yet) are retried.
   */
  private String queryUntilWaiting(GreetingWorkflow workflow) throws InterruptedException {
    List<String> seen = new ArrayList<>();
    String lastError = null;
    int attempts = 0;
    long deadline = elapsedMillis() + Math.max(5_000, remainingMillis() / 2);
    try {
      while (elapsedMillis() < deadline) {
        attempts++;
        try {
          String status = workflow.status();
          if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(status)) {
            seen.add(status);
          }
          if (status != null && status.startsWith(GreetingWorkflow.WAITING_PREFIX)) {
            return status;
          }
        } catch (RuntimeException e) {
          lastError = describe(e);
        }
        Thread.sleep(200);
      }
      throw new IllegalStateException(
          "the query never reported '" + GreetingWorkflow.WAITING_PREFIX + "...'; saw " + seen
              + (lastError == null ? "" : ", last error: " + lastError));
    } finally {
      details.put("queryAttempts", attempts);
      details.put("queryStatuses", seen);
      details.put("queryLastError", lastError);
    }
  }

  private List<String> historyEventTypes(IWorkflowService service, WorkflowExecution execution)
      throws Exception {
    List<String> types = new ArrayList<>();
    ByteBuffer token = null;
    do {
      GetWorkflowExecutionHistoryRequest request =
          new GetWorkflowExecutionHistoryRequest()
              .setDomain(domain)
              .setExecution(execution)
              .setMaximumPageSize(1000);
      if (token != null) {
        request.setNextPageToken(token);
      }
      GetWorkflowExecutionHistoryResponse page = service.GetWorkflowExecutionHistory(request);
      if (page.getHistory() != null && page.getHistory().getEvents() != null) {
        for (HistoryEvent event : page.getHistory().getEvents()) {
          types.add(String.valueOf(event.getEventType()));
        }
      }
      token = page.isSetNextPageToken() && page.getNextPageToken().length > 0
          ? ByteBuffer.wrap(page.getNextPageToken()) : null;
    } while (token != null && remainingMillis() > 0);
    return types;
  }

  private void mark(String key) {
    details.put(key, elapsedMillis());
  }

  private static String describe(Throwable t) {
    StringBuilder text = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (text.length() > 0) {
        text.append(" <- ");
      }
      text.append(c.getClass().getName());
      if (c.getMessage() != null) {
        text.append(": ").append(c.getMessage());
      }
    }
    return text.toString();
  }

  /** Prints the report once and ends the JVM (the worker's pollers are not waited for). */
  private void finish(int code) {
    if (!reported.compareAndSet(false, true)) {
      return;
    }
    if (code == 0) {
      report.put("ok", true);
    }
    details.put("elapsedMs", elapsedMillis());
    report.put("details", details);
    String json;
    try {
      json = new GsonBuilder().serializeNulls().disableHtmlEscaping().create().toJson(report);
    } catch (RuntimeException e) { // the watchdog raced the main thread over the maps
      json = "{\"ok\":false,\"result\":null,\"queryResult\":null,\"events\":[],"
          + "\"error\":\"report failed: " + e.getClass().getName() + "\"}";
    }
    byte[] line = (json + "\n").getBytes(StandardCharsets.UTF_8);
    out.write(line, 0, line.length);
    out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(code);
  }
}
